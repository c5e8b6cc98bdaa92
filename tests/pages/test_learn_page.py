"""The Learn page in AppTest: train a tiny network to the end, use it, keep it to one session, reset."""

import re

import numpy as np
from app_session import open_page, switch_page
from streamlit.testing.v1 import AppTest

import nnviz
import nnviz.ui
from nnviz.ui.training import BUDGET_SECONDS, TrainingRun, make_config

SENTENCE = (
    "In next week's post (Part 2), I will explain how backpropagation trains these networks through gradient descent."
)


def open_learn() -> AppTest:
    return open_page("learn", timeout=60)


def train_tiny(at: AppTest) -> None:
    """Settings for a run of a second or so, Start, then rerun (as the fragment's timer would) until it ends."""
    at.select_slider(key="learn_train_size").set_value(1_000)
    at.slider(key="learn_epochs").set_value(2)
    at.select_slider(key="learn_hidden").set_value(32)
    at.button(key="learn_start").click().run()
    run = at.session_state["learn_run"]
    assert (run.cfg.train_size, run.cfg.epochs, run.cfg.hidden) == (1_000, 2, 32)
    for _ in range(30):
        if not at.session_state["learn_run"].running:
            break
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["learn_run"].status == "done"


def test_a_run_whose_neurons_died_says_so_and_why():
    at = open_learn()
    at.segmented_control(key="learn_optimizer").set_value("adam").run()
    at.select_slider(key="learn_lr").set_value(1.0)  # the largest rate on offer: Adam kills most ReLUs
    train_tiny(at)
    run = at.session_state["learn_run"]
    assert run.cfg.optimizer == "adam" and run.cfg.lr == 1.0
    assert 2 * run.dead > 32  # 27 of 32 here
    assert run.final_accuracy < 0.17 and not at.success  # near chance: no green box
    report = at.warning[0].value
    assert report.startswith(f"Trained, but it learned next to nothing: **{run.final_accuracy:.2%}**")
    assert (
        f"{run.dead} of its 32 hidden neurons never {'fires' if run.dead == 1 else 'fire'} on the test digits" in report
    )
    assert "too large a learning rate" in report


def test_page_opens_with_the_post_sentence_and_a_start_button():
    at = open_learn()
    assert any(SENTENCE in m.value for m in at.markdown)
    assert at.title[0].value == "Train it yourself"
    assert at.button(key="learn_start").label == "Start training"
    assert "learn_run" not in at.session_state
    captions = " ".join(c.value for c in at.caption)
    assert "at most 10 epochs" in captions  # the cap, explained
    assert "Around the shipped network" in captions  # the loss surface of the shipped network
    # the network Start would train, measured before its first step: about chance, not "every digit wrong"
    from nnviz.mlp import MLP
    from nnviz.ui.training import default_config

    d = default_config()
    images, labels = nnviz.load_mnist("test")
    untrained = MLP.init(d.hidden, seed=d.seed).accuracy(images, labels)
    assert 0.03 < untrained < 0.2
    assert f"Untrained, this network reads {untrained:.1%} of the 10,000 test digits right" in captions
    answers = MLP.init(d.hidden, seed=d.seed).predict(nnviz.mlp.as_input(images))
    top = int(np.bincount(answers, minlength=10).argmax())
    assert (
        f"its random weights lean to some answers ({top} for {(answers == top).mean():.0%} of the digits)" in captions
    )


def test_train_use_isolate_and_reset():
    shipped_before = {k: v.copy() for k, v in nnviz.ui.shipped_model().params().items()}
    at = open_learn()
    train_tiny(at)
    run = at.session_state["learn_run"]
    assert run.final_accuracy is not None and run.final_accuracy > 0.5
    success = at.success[0].value
    assert f"{run.final_accuracy:.2%}" in success and "10,000" in success
    assert "Final test accuracy" in " ".join(c.value for c in at.caption)
    # set beside the run: how the shipped network got its higher score
    shipped = nnviz.ui.shipped_model().meta["test_accuracy"]
    comparison = (
        f"For comparison, the shipped network that the other pages use (128 hidden neurons) reached {shipped:.2%}"
    )
    assert comparison in " ".join(c.value for c in at.caption)
    assert "Main directions" in " ".join(at.segmented_control[-1].options)

    at.button(key="learn_use").click().run()
    user = at.session_state["user_model"]
    assert user.sizes == (784, 32, 10)
    assert user.meta["test_accuracy"] == run.final_accuracy
    # (AppTest shows no sidebar after switch_page; the browser test reads the sidebar's model card.)
    assert "Every page now uses the network you trained" in at.info[0].value

    # Another reader's session at the same time: still the shipped network.
    other = open_learn()
    assert "user_model" not in other.session_state
    assert "learn_run" not in other.session_state
    assert not other.info or "Every page now uses" not in other.info[0].value

    # Training touched neither the shared, read-only shipped network nor the file.
    on_disk = nnviz.load_model()
    for name, value in nnviz.ui.shipped_model().params().items():
        np.testing.assert_array_equal(value, shipped_before[name])
        np.testing.assert_array_equal(value, getattr(on_disk, name))
        assert not value.flags.writeable

    at.button(key="learn_back").click().run()
    assert "user_model" not in at.session_state
    assert not any("Every page now uses" in i.value for i in at.info)

    at.button(key="learn_reset").click().run()
    assert "learn_run" not in at.session_state
    assert at.button(key="learn_start").label == "Start training"
    assert not at.exception


def test_using_a_smaller_network_forgets_neurons_it_does_not_have():
    # Weights showed neuron 100 and the atlas neuron 54: the menu's links name them. A 32-neuron network has
    # neither, and a link the app makes must not earn the notice a mistyped ?neuron= gets.
    at = open_page("learn", state={"weights_neuron": 100, "atlas_kept": 54}, timeout=60)
    at.session_state["atlas_neuron"] = 7  # one the new network has: kept
    train_tiny(at)
    at.button(key="learn_use").click().run()
    assert at.session_state["user_model"].sizes[1] == 32
    assert "weights_neuron" not in at.session_state and "atlas_kept" not in at.session_state
    assert at.session_state["atlas_neuron"] == 7
    for page in ("weights", "neurons"):
        switch_page(at, page)
        assert not at.warning, [w.value for w in at.warning]
        assert int(at.number_input[0].value) < 32


def test_settings_survive_a_visit_to_another_page():
    at = open_learn()
    at.slider(key="learn_epochs").set_value(3)
    at.toggle(key="learn_augment").set_value(True).run()
    at.switch_page("pages/draw.py").run()  # Streamlit drops the state of widgets a page does not draw, unless kept
    at.switch_page("pages/learn.py").run()
    assert not at.exception
    assert at.slider(key="learn_epochs").value == 3 and at.toggle(key="learn_augment").value is True
    at.button(key="learn_start").click().run()
    run = at.session_state["learn_run"]
    assert run.cfg.epochs == 3 and run.cfg.augment


def test_the_settings_help_is_true_of_the_trainer():
    """What the help says a hidden neuron costs, and how many training images there are, is what the code does."""
    at = open_learn()
    hidden_help = at.select_slider(key="learn_hidden").help
    per_neuron = int(re.search(r"adds (\d+) parameters", hidden_help).group(1))
    assert per_neuron == nnviz.MLP.init(129).n_params - nnviz.MLP.init(128).n_params
    assert "128" in hidden_help and "128" in at.select_slider(key="learn_hidden").options
    images_help = at.select_slider(key="learn_train_size").help
    assert f"{len(nnviz.load_mnist('train')[1]):,}" in images_help
    # the momentum the help describes is the one the page's SGD runs with, and so is its 10x
    momentum = make_config(optimizer="sgd").momentum
    lr_help = at.select_slider(key="learn_lr").help
    assert f"plus {momentum:g} of the step before" in lr_help
    assert f"grow to {1 / (1 - momentum):.0f}x" in lr_help
    for key in ("learn_batch", "learn_hidden", "learn_train_size"):
        assert at.select_slider(key=key).help, key
    assert at.number_input(key="learn_seed").help


def test_stop_and_resume():
    at = open_learn()
    at.slider(key="learn_epochs").set_value(10)  # 600,000 images: many slices, whatever the machine
    at.button(key="learn_start").click().run()
    run = at.session_state["learn_run"]
    assert run.running and 0 < run.step < run.total_steps
    assert "trains while this page is open" in at.get("progress")[0].proto.text
    # the page's runs stop after the computing time its help promises
    assert run.budget == BUDGET_SECONDS and f"a run stops after {BUDGET_SECONDS:.0f} s of computing" in " ".join(
        c.value for c in at.caption
    )
    assert at.button(key="learn_start").label == "Restart"  # while it runs, pressing it throws this run away
    at.button(key="learn_stop").click().run()
    assert run.status == "paused"
    assert "trains while this page is open" not in at.get("progress")[0].proto.text
    step = run.step
    at.run()
    assert run.step == step  # paused: reruns do not train
    assert "Start training" not in [b.label for b in at.button]
    at.button(key="learn_use").click().run()  # a paused network can be used too
    assert at.session_state["user_model"].meta["stopped"] == "paused"
    at.button(key="learn_resume").click().run()
    assert run.step > step or run.finished


def test_changing_the_optimizer_sets_its_learning_rate():
    at = open_learn()
    assert at.session_state["learn_lr"] == 0.1
    at.segmented_control(key="learn_optimizer").set_value("adam").run()
    assert at.session_state["learn_lr"] == 0.002
    at.segmented_control(key="learn_optimizer").set_value("sgd").run()
    assert at.session_state["learn_lr"] == 0.1


def digit_rgba(index: int = 1, size: int = 240) -> np.ndarray:
    """Test digit ``index`` as the canvas would send it: white ink on black, RGBA, ``size`` square."""
    images, _ = nnviz.load_mnist("test")
    big = np.kron(images[index], np.ones((8, 8), np.uint8))  # 224 x 224
    pad = (size - big.shape[0]) // 2
    grey = np.pad(big, ((pad, size - big.shape[0] - pad),) * 2)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def test_one_backprop_step_on_a_drawing(monkeypatch):
    monkeypatch.setattr(nnviz.ui, "canvas", lambda key, **kw: digit_rgba(1))  # a 2
    at = open_learn()
    captions = " ".join(c.value for c in at.caption)
    assert "Using your drawing." in captions and "Draw above" not in captions  # it is already drawn here
    assert at.session_state["drawing"].source == "drawing"
    answer = at.radio[0]
    assert answer.value == 2  # the network reads it as a 2, and that is the default answer
    # Say it is a 5: a large error, and the step moves the probabilities towards 5.
    answer.set_value(5).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "The true digit 5 gets" in captions
    assert (
        "(∂L/∂W1[:, j] = x · dz1[j], the chain rule's last step), and the gradient backpropagation computed matches it exactly."
        in captions
    )
    loss = at.metric[0]
    assert float(loss.value) < float(loss.delta.split(" from ")[1].split(":")[0])  # the loss went down
    assert loss.delta.endswith(": better")  # said in words, not only in green
    assert at.metric[1].label == "Test accuracy"
    # a change of accuracy is in percentage points ("-0.01 points from 99.01%"), not a relative "-0.01%"
    change = re.fullmatch(r"([+-]\d+\.\d\d) points from (\d+\.\d\d)%: (better|worse)", at.metric[1].delta)
    assert change and change[3] == ("better" if float(change[1]) > 0 else "worse"), at.metric[1].delta


def test_clear_gives_a_blank_canvas_and_forgets_the_drawing(monkeypatch):
    keys = []
    monkeypatch.setattr(
        nnviz.ui, "canvas", lambda key, **kw: keys.append(key) or (digit_rgba(1) if len(keys) == 1 else None)
    )
    at = open_learn()
    assert at.session_state["drawing"].source == "drawing"
    at.button(key="learn_clear").click().run()
    assert not at.exception
    assert keys[0] != keys[-1]  # a new key: the component starts blank
    assert "drawing" not in at.session_state or at.session_state["drawing"] is None
    captions = " ".join(c.value for c in at.caption)
    assert "one the network is unsure of. Draw above to use your own." in captions


def test_a_step_on_a_digit_the_network_is_sure_of_still_shows_what_changed():
    # test digit #0, a 7: p(7) = 0.999985 (open_page checks that the page raised nothing)
    at = open_page("learn", state={"drawing": nnviz.ui.sample_selection(0)}, timeout=60)
    loss, accuracy = at.metric[0], at.metric[1]
    change = float(loss.delta.split(" from ")[0])
    assert change < 0 and loss.proto.color == loss.proto.GREEN  # the loss went down, by ~2e-9: not "+0"
    assert accuracy.delta == f"unchanged from {accuracy.value}"  # no green arrow up for "+0.00%"
    assert accuracy.proto.direction == accuracy.proto.NONE and accuracy.proto.color == accuracy.proto.GRAY
    captions = " ".join(c.value for c in at.caption)
    assert "The true digit 7 gets -0.000015 (pushed up)" in captions  # not "-0.000"
    # the step moves p(7) by ~2e-9, below float32's resolution near 1: said so, not "went from 99.999% to 99.999%"
    assert "p(7) stayed at 99.999% to the digits shown (p rose by 2e-09)" in captions
    assert "The ten numbers add up to 0" in captions  # Σ(p − y) = 1 − 1, whatever float32 rounding leaves
    assert (
        loss.value != loss.delta.split(" from ")[1].split(":")[0]
    )  # before and after tell apart: 1.465e-05 from 1.466e-05
    # so the page says why nothing moves, and what to do to see something move
    hint = " ".join(i.value for i in at.info)
    assert "The shipped network already gives 7 99.999%, so one step on it barely moves anything" in hint
    assert "tell it it is wrong: pick another digit above" in hint
    assert len(at.get("image")) == 1  # the canvas is blank: the digit the step is about is shown beside it
    at.radio[0].set_value(1).run()  # told it is a 1: the loss is large now, and the hint goes
    assert not any("already gives" in i.value for i in at.info)
    assert float(at.metric[0].delta.split(" from ")[0]) < -0.1


def test_a_step_that_float32_rounds_away_is_called_unchanged_and_explained(certain_three):
    # a test digit, a 3, with float32 p(3) = 1.0: at the default lr 0.01 no logit changes
    at = open_page("learn", state={"drawing": nnviz.ui.sample_selection(certain_three)}, timeout=60)
    loss = at.metric[0]
    assert loss.delta == f"unchanged from {loss.value}"  # not "+0 from ..."
    assert loss.proto.direction == loss.proto.NONE and loss.proto.color == loss.proto.GRAY
    captions = " ".join(c.value for c in at.caption)
    assert "The step changed only " in captions and "so the loss is exactly what it was" in captions
    assert "p(3) stayed at >99.9999%; the loss −log p(3) stayed at" in captions


def test_a_run_stopped_before_its_first_report_has_no_path_yet():
    # Stop pressed before the first time slice (another reader held the CPU): one snapshot, no path.
    run = TrainingRun(make_config(train_size=1_000, hidden=32), nnviz.load_mnist("train"), nnviz.load_mnist("test"))
    run.pause()
    assert len(run.snapshots) == 1
    at = open_page("learn", state={"learn_run": run}, timeout=60)
    assert run.status == "paused" and len(run.snapshots) == 1
    assert at.segmented_control(key="learn_directions").options == ["Random directions"]
    captions = " ".join(c.value for c in at.caption)
    assert "stopped before its first report, so it has no path yet" in captions
    assert "Around the network you just trained" in captions


def test_the_canvas_image_is_applied_once_not_on_every_rerun(monkeypatch):
    # the component sends its last image on every rerun; only a new image is news
    monkeypatch.setattr(nnviz.ui, "canvas", lambda key, **kw: digit_rgba(1))
    at = open_learn()
    assert at.session_state["drawing"].source == "drawing"
    at.session_state["drawing"] = nnviz.ui.sample_selection(5)  # chosen since, elsewhere in the session
    at.query_params.clear()  # (which the address would say: no ?d= of the drawing)
    at.run()
    assert not at.exception
    assert at.session_state["drawing"].source == "sample" and at.session_state["drawing"].index == 5
