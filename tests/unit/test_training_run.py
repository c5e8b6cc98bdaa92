"""The Learn page's time-sliced trainer, driven without a browser (it does not touch Streamlit)."""

import time

import numpy as np
import pytest

import nnviz
from nnviz.evaluate import dead_neurons
from nnviz.landscape import parameter_vector
from nnviz.mlp import MLP
from nnviz.neuron import hidden_activations
from nnviz.train import TrainConfig, train
from nnviz.ui.training import (
    BUDGET_SECONDS,
    MAX_EPOCHS,
    MAX_SNAPSHOTS,
    TrainingRun,
    default_config,
    make_config,
    strip_neurons,
)


@pytest.fixture(scope="module")
def data():
    images, labels = nnviz.load_mnist("test")
    return (images[:2000], labels[:2000]), (images[8000:], labels[8000:])


def test_defaults_are_the_documented_run():
    cfg = default_config()
    assert (cfg.hidden, cfg.epochs, cfg.batch_size, cfg.optimizer) == (128, 5, 128, "sgd")
    assert cfg.train_size == 60_000 and not cfg.augment and cfg.dropout == 0.0
    assert cfg.eval_size < 10_000  # intermediate events are cheap; the final one scores everything


def test_requests_over_the_cap_are_refused():
    with pytest.raises(ValueError, match="epochs"):
        make_config(epochs=MAX_EPOCHS + 1)
    with pytest.raises(ValueError, match="train_size"):
        make_config(train_size=60_001)
    with pytest.raises(ValueError, match="hidden"):
        make_config(hidden=1024)
    assert make_config(optimizer="adam").lr == 0.002
    assert make_config(optimizer="sgd", lr=0.03).lr == 0.03


def test_a_tiny_run_trains_to_completion_in_slices(data):
    train_data, test_data = data
    cfg = make_config(epochs=2, train_size=1000, batch_size=50, hidden=32)
    run = TrainingRun(cfg, train_data, test_data)
    assert run.running and run.step == 0
    slices = 0
    while run.running:
        run.advance(0.0)  # a zero-second slice still brings exactly one event
        slices += 1
        assert slices < 100
    assert run.status == "done" and run.finished
    assert run.step == run.total_steps == 40
    assert slices == len(run.history["step"]) > 1  # one event per slice
    assert run.final_accuracy == pytest.approx(run.model.accuracy(*test_data))
    assert run.final_accuracy > 0.6
    assert run.dead == int(dead_neurons(hidden_activations(run.model, test_data[0])).sum())
    h = run.history
    assert np.all(np.diff(h["step"]) > 0)
    assert h["loss"][-1] < h["loss"][0]
    assert run.path().shape == (len(run.snapshot_steps), run.model.n_params)
    assert run.snapshot_steps[0] == 0 and run.snapshot_steps[-1] == run.step
    np.testing.assert_array_equal(run.path()[-1], parameter_vector(run.model))
    assert run.strip_weights().shape == (len(run.neurons), 784)
    assert run.advance() == 0  # nothing more to do
    final = run.final_model()
    assert final.meta["test_accuracy"] == run.final_accuracy
    final.W1[:] = 0  # a copy: the run's network is not affected
    assert run.model.W1.any()


def test_the_first_snapshot_is_where_train_starts(data):
    """One full-batch step from the recorded start must equal train()'s own first step."""
    train_data, test_data = data
    cfg = make_config(epochs=1, train_size=200, batch_size=200, hidden=16, seed=3)
    run = TrainingRun(cfg, train_data, test_data)
    start = MLP(**{k: v.copy() for k, v in run.model.params().items()})
    run.advance(1.0)
    # the same single batch (all 200 images, in another order) from ``start``
    reference = list(train(cfg, model=start, train_data=train_data, test_data=test_data))[-1].model
    np.testing.assert_allclose(parameter_vector(run.model), parameter_vector(reference), atol=1e-5)


def test_pause_resume_and_the_compute_budget(data):
    train_data, test_data = data
    run = TrainingRun(make_config(epochs=3, train_size=2000, hidden=16), train_data, test_data, budget=0.0)
    run.pause()
    assert run.advance() == 0 and run.status == "paused"
    run.resume()
    assert run.advance(5.0) == 1  # the budget is spent after the first event
    assert run.status == "budget" and run.finished
    assert run.step < run.total_steps
    assert run.final_accuracy == pytest.approx(run.model.accuracy(*test_data))
    assert run.dead is not None  # counted however the run ended
    model = run.final_model()
    assert model.meta["stopped"] == "budget" and model.meta["test_accuracy"] == run.final_accuracy
    assert BUDGET_SECONDS > 0


def test_snapshots_are_thinned_but_keep_start_and_latest(data):
    train_data, test_data = data
    cfg = TrainConfig(hidden=8, epochs=1, batch_size=10, train_size=1000, eval_every=1, eval_size=100)
    run = TrainingRun(cfg, train_data, test_data)
    while run.running:
        run.advance(1.0)
    assert len(run.snapshots) <= MAX_SNAPSHOTS
    assert run.snapshot_steps[0] == 0 and run.snapshot_steps[-1] == 100
    assert np.all(np.diff(run.snapshot_steps) > 0)


def test_strip_neurons_spread_over_the_layer():
    assert list(strip_neurons(128, 8)) == [0, 18, 36, 54, 73, 91, 109, 127]
    assert list(strip_neurons(4, 8)) == [0, 1, 2, 3]


def test_compute_counts_this_runs_cpu_time_not_the_wall_clock(data):
    """On a shared CPU, time taken by other readers' work is no "computing" of this run's, nor its budget."""
    train_data, test_data = data
    cfg = TrainConfig(hidden=8, epochs=1, batch_size=10, train_size=200, eval_every=2, eval_size=50)
    run = TrainingRun(cfg, train_data, test_data)
    events = run._events

    def shared_cpu():  # the CPU elsewhere for 50 ms before each event
        for event in events:
            time.sleep(0.05)
            yield event

    run._events = shared_cpu()
    wall = time.perf_counter()
    while run.running:
        run.advance(1.0)
    wall = time.perf_counter() - wall
    slept = 0.05 * len(run.history["step"])
    assert wall > slept and 0 < run.compute < wall - slept / 2, (run.compute, wall, slept)


def test_a_paused_run_holds_no_copy_of_the_training_set():
    """A reader may leave a run paused (or leave the page mid-run) for as long as the tab stays open."""
    import tracemalloc

    train_data = nnviz.load_mnist("train")
    test_data = tuple(a[:500] for a in nnviz.load_mnist("test"))
    cfg = TrainConfig(hidden=16, epochs=1, batch_size=128, eval_every=20, eval_size=100)
    tracemalloc.start()
    try:
        run = TrainingRun(cfg, train_data, test_data)
        run.advance(0.0)  # one event: the loop is mid-epoch, its state alive
        run.pause()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert 0 < run.step < run.total_steps
    assert held < train_data[0].nbytes / 4, (
        f"{held / 1e6:.0f} MB held for {train_data[0].nbytes / 1e6:.0f} MB of images"
    )
