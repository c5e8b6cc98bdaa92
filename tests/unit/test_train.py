"""The training loop: it learns, it is reproducible, it reports, and the CLI writes a loadable model."""

import math

import numpy as np
import pytest

import nnviz
from nnviz.train import TrainConfig, learning_rate, main, train


@pytest.fixture(scope="module")
def small_data():
    x, y = nnviz.load_mnist("train")
    xt, yt = nnviz.load_mnist("test")
    return (x[:3000], y[:3000]), (xt[:1000], yt[:1000])


def run(cfg, small_data):
    return list(train(cfg, train_data=small_data[0], test_data=small_data[1]))


def test_it_learns_and_reports(small_data):
    events = run(TrainConfig(epochs=3, augment=False, eval_every=10), small_data)
    steps = [e.step for e in events]
    assert steps == sorted(steps) and events[-1].done and not any(e.done for e in events[:-1])
    assert events[-1].step == events[-1].total_steps == 3 * math.ceil(3000 / 128)
    assert events[-1].loss < 0.5 * events[0].loss
    assert events[-1].test_accuracy > 0.85  # 3,000 images, 3 epochs
    assert events[-1].epoch == pytest.approx(3.0)
    meta = events[-1].model.meta
    assert meta["architecture"] == [784, 128, 10] and meta["test_accuracy"] == events[-1].test_accuracy
    assert meta["config"]["epochs"] == 3 and len(meta["data_sha256"]) == 4


def test_same_seed_same_network(small_data):
    cfg = TrainConfig(epochs=1, augment=True, dropout=0.2, seed=11)
    a = run(cfg, small_data)[-1].model
    b = run(cfg, small_data)[-1].model
    c = run(TrainConfig(epochs=1, augment=True, dropout=0.2, seed=12), small_data)[-1].model
    assert np.array_equal(a.W1, b.W1) and np.array_equal(a.W2, b.W2)
    assert not np.array_equal(a.W1, c.W1)


def test_sgd_and_other_options_run(small_data):
    events = run(TrainConfig(epochs=1, optimizer="sgd", lr=0.1, l2=1e-4, hidden=32, schedule="constant"), small_data)
    assert events[-1].model.sizes == (784, 32, 10) and events[-1].test_accuracy > 0.7


def test_continue_training_an_existing_model(small_data):
    start = nnviz.MLP.init(seed=0)
    before = start.W1.copy()
    final = run_with_model(start, small_data)
    assert final is start and not np.array_equal(before, start.W1)


def run_with_model(model, small_data):
    *_, last = train(
        TrainConfig(epochs=1, augment=False), model=model, train_data=small_data[0], test_data=small_data[1]
    )
    return last.model


def test_schedule_warms_up_then_decays_to_zero():
    cfg = TrainConfig(lr=1.0, warmup_steps=10)
    total = 1000
    assert learning_rate(cfg, 0, total) == pytest.approx(0.1)
    assert learning_rate(cfg, 9, total) == pytest.approx(1.0)
    assert learning_rate(cfg, 10, total) == pytest.approx(1.0)
    assert learning_rate(cfg, 505, total) == pytest.approx(0.5, abs=1e-3)
    assert learning_rate(cfg, total - 1, total) < 1e-4


def test_bad_config_is_refused():
    for bad in (
        dict(optimizer="rmsprop"),
        dict(epochs=0),
        dict(dropout=1.0),
        dict(schedule="step"),
        dict(train_size=0),
        dict(train_size=-5),  # would have trained on all but the last 5
        dict(eval_size=0),
        dict(eval_every=-1),
        dict(l2=-0.1),
    ):
        with pytest.raises(ValueError):
            TrainConfig(**bad)


def test_command_line_refuses_a_bad_setting_with_a_message(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--train-size", "0"])
    assert stop.value.code == 2
    assert "train_size must be at least 1" in capsys.readouterr().err


def test_command_line_writes_a_loadable_model(tmp_path, capsys):
    out = tmp_path / "model.npz"
    assert main(["--epochs", "1", "--train-size", "2000", "--no-augment", "--seed", "3", "--out", str(out)]) == 0
    model = nnviz.load_model(out)
    assert model.meta["seed"] == 3 and model.meta["config"]["train_size"] == 2000
    assert "saved" in capsys.readouterr().out


def test_the_model_file_names_the_blas_kernel_that_made_it(tmp_path, monkeypatch):
    import nnviz.train as train_module

    out = tmp_path / "model.npz"
    assert main(["--epochs", "1", "--train-size", "500", "--no-augment", "--quiet", "--out", str(out)]) == 0
    assert nnviz.load_model(out).meta["blas"] == train_module.blas_kernel() not in ("", "unknown")
    # a BLAS that is not NumPy's, or one threadpoolctl cannot place, is not guessed at
    scipy_only = [{"user_api": "blas", "filepath": "/x/scipy.libs/libscipy_openblas.so", "architecture": "Zen"}]
    for libs in ([], [{"user_api": "blas", "filepath": ""}], [{"user_api": "blas"}], scipy_only):
        monkeypatch.setattr(train_module, "threadpool_info", lambda libs=libs: libs)
        assert train_module.blas_kernel() == "unknown"
