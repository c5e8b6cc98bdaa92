"""The Learn page's in-session trainer: train a network while the page stays responsive.

How it works.  :func:`nnviz.train.train` is a generator of progress events.  A
:class:`TrainingRun` keeps that generator, the history of its events and a few
snapshots of the weights in ``st.session_state`` (so it belongs to one reader's
session and to nobody else's), and :meth:`TrainingRun.advance` pulls events from
it for a bounded slice of time.  An ``st.fragment`` that reruns itself every
:data:`TICK_SECONDS` while a run is going draws the progress bar, the curves and
the neuron strip, then calls it once.  Between slices the server is free to
answer this reader's clicks and other readers' pages.

Compute is bounded three ways: a run may ask for at most :data:`MAX_EPOCHS` passes
over at most 60,000 images; a run stops after :data:`BUDGET_SECONDS` of computing
whatever it asked for; and one lock per server lets only one session compute at
a time, so ten readers training at once share the CPU in turns instead of
thrashing it.

:class:`TrainingRun` itself does not touch Streamlit, so tests and
``bench/bench_learn.py`` drive exactly the code the page runs.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import streamlit as st

from nnviz import ui
from nnviz.evaluate import dead_neurons
from nnviz.figures import learn as figures
from nnviz.landscape import parameter_vector
from nnviz.mlp import MLP, as_input
from nnviz.neuron import hidden_activations
from nnviz.train import WARMUP_SHARE, Progress, TrainConfig, one_blas_thread, train
from nnviz.ui.params import forget_missing_neurons

__all__ = [
    "BUDGET_SECONDS",
    "MAX_EPOCHS",
    "RUN_KEY",
    "TrainingRun",
    "cpu",
    "current_run",
    "default_config",
    "make_config",
    "one_blas_thread",
    "trainer",
]

# --- the policy: what one session may ask for -------------------------------------

MAX_EPOCHS = 10
TRAIN_SIZES = (1_000, 10_000, 30_000, 60_000)
HIDDEN_SIZES = (16, 32, 64, 128, 256)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
LEARNING_RATES = (0.0003, 0.001, 0.002, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
RECOMMENDED_LR = {"sgd": 0.1, "adam": 0.002}
OPTIMIZERS = {"sgd": "SGD + momentum", "adam": "Adam"}
BUDGET_SECONDS = 30.0  # computing time one run may use, whatever it asked for
SLICE_SECONDS = 0.35  # computing per fragment rerun: short enough to keep the page answering
TICK_SECONDS = 0.8  # the fragment reruns this often while training
EVENT_IMAGES = 5_000  # images between progress events (points on the curves); evaluating costs ~1/8 of training
EVAL_SIZE = 2_000  # test images scored at each event; all 10,000 at the end
WARMUP_STEPS = 100  # the learning rate's linear ramp at the start of a run
MOMENTUM = 0.9  # SGD's: the share of each step carried into the next
STRIP_NEURONS = 8
MAX_SNAPSHOTS = 24  # weight snapshots kept for the loss-surface path (0.4 MB each at 128 hidden neurons)
RUN_KEY = "learn_run"
USER_MODEL = ui.USER_MODEL


def make_config(
    *,
    hidden: int = 128,
    epochs: int = 5,
    batch_size: int = 128,
    optimizer: str = "sgd",
    lr: float | None = None,
    augment: bool = False,
    seed: int = 0,
    train_size: int = 60_000,
) -> TrainConfig:
    """A :class:`TrainConfig` for the page, within the caps.

    The defaults are the page's defaults: plain mini-batch gradient descent with
    momentum reaches about 95% test accuracy after one epoch (about half a second
    of computing on one CPU here) and about 98% after five.  No dropout and no
    augmentation, so a reader sees it work within seconds.

    Raises
    ------
    ValueError
        If the request is over the caps.
    """
    if not 1 <= epochs <= MAX_EPOCHS:
        raise ValueError(f"epochs must be 1-{MAX_EPOCHS}")
    if not 1 <= train_size <= max(TRAIN_SIZES):
        raise ValueError(f"train_size must be 1-{max(TRAIN_SIZES):,}")
    if hidden > max(HIDDEN_SIZES):
        raise ValueError(f"hidden must be at most {max(HIDDEN_SIZES)}")
    every = max(1, round(EVENT_IMAGES / batch_size))  # a point on the curves every ~5,000 images
    steps_per_epoch = math.ceil(train_size / batch_size)
    return TrainConfig(
        hidden=hidden,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        lr=RECOMMENDED_LR[optimizer] if lr is None else lr,
        momentum=MOMENTUM,
        schedule="cosine",
        warmup_steps=WARMUP_STEPS,
        l2=0.0,
        dropout=0.0,
        augment=augment,
        seed=seed,
        train_size=train_size,
        eval_every=min(every, steps_per_epoch),
        eval_size=EVAL_SIZE,
    )


def default_config() -> TrainConfig:
    """The page's default run (see :func:`make_config`)."""
    return make_config()


def strip_neurons(hidden: int, k: int = STRIP_NEURONS) -> np.ndarray:
    """The hidden neurons shown in the strip: ``k`` spread evenly over the layer."""
    return np.unique(np.linspace(0, hidden - 1, min(k, hidden)).round().astype(int))


class TrainingRun:
    """One training run, advanced a time slice at a time.  No Streamlit in here.

    Parameters
    ----------
    cfg : TrainConfig
    train_data, test_data : (uint8 images (n, 28, 28), int labels (n,))
    budget : float
        Seconds of computing after which the run stops, finished or not.

    Attributes
    ----------
    status : str
        "running", "paused", "done" (all epochs) or "budget" (stopped at the budget).
    history : dict of lists
        One entry per progress event: step, epoch, loss, train_accuracy, test_accuracy, elapsed.
    model : MLP
        The live network (the generator trains it in place).
    compute : float
        Seconds of CPU time this run's training loop took, its evaluations included
        (``time.thread_time`` of the thread that advanced it: with one BLAS thread
        all its work runs there).  Not the wall clock: on a CPU shared with other
        readers, the time they take does not count against this run's budget.
    final_accuracy : float or None
        Test accuracy on all test images, once finished.
    dead : int or None
        Once finished, how many hidden neurons fire for none of the test images.
    """

    def __init__(
        self,
        cfg: TrainConfig,
        train_data: tuple[np.ndarray, np.ndarray],
        test_data: tuple[np.ndarray, np.ndarray],
        *,
        budget: float = BUDGET_SECONDS,
    ) -> None:
        self.cfg = cfg
        self.id = uuid.uuid4().hex[:8]
        self.budget = budget
        self.test_data = test_data
        self.n_test = len(test_data[1])
        n = len(train_data[1]) if cfg.train_size is None else min(cfg.train_size, len(train_data[1]))
        self.total_steps = math.ceil(n / cfg.batch_size) * cfg.epochs
        self._events: Iterator[Progress] = train(cfg, train_data=train_data, test_data=test_data)
        # train() starts from MLP.init(hidden, seed=default_rng(seed)), the first draws
        # of a fresh generator: the same weights as this, so the strip and the path can
        # show the start before the first event arrives.
        self.model: MLP = MLP.init(cfg.hidden, seed=cfg.seed)
        self.initial_W1 = self.model.W1.copy()
        self.neurons = strip_neurons(cfg.hidden)
        self.history: dict[str, list[float]] = {
            k: [] for k in ("step", "epoch", "loss", "train_accuracy", "test_accuracy", "elapsed")
        }
        self.snapshots: list[np.ndarray] = [parameter_vector(self.model).copy()]
        self.snapshot_steps: list[int] = [0]
        self.status = "running"
        self.compute = 0.0
        self.final_accuracy: float | None = None
        self.dead: int | None = None

    # -- state --

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "budget")

    @property
    def step(self) -> int:
        return int(self.history["step"][-1]) if self.history["step"] else 0

    @property
    def fraction(self) -> float:
        return self.step / self.total_steps if self.total_steps else 0.0

    @property
    def epoch(self) -> float:
        return self.history["epoch"][-1] if self.history["epoch"] else 0.0

    def pause(self) -> None:
        if self.running:
            self.status = "paused"

    def resume(self) -> None:
        if self.status == "paused":
            self.status = "running"

    # -- work --

    def advance(self, seconds: float = SLICE_SECONDS) -> int:
        """Train for about ``seconds`` (at least one progress event); return how many events arrived.

        The slice overruns by at most one event (~5,000 images), and nothing here
        calls Streamlit, so an interrupted script run never leaves half an update.
        """
        if not self.running:
            return 0
        with one_blas_thread():
            count = self._advance(seconds)
        return count

    def _advance(self, seconds: float) -> int:
        deadline = time.perf_counter() + seconds
        count = 0
        while self.running:  # at least one event per slice, then until the deadline
            tick = time.thread_time()
            try:
                event = next(self._events)
            except StopIteration:  # pragma: no cover - the final event sets "done" first
                self.status = "done"
                break
            self.compute += time.thread_time() - tick
            self._record(event)
            count += 1
            if event.done:
                self.status = "done"
                self.final_accuracy = event.test_accuracy  # on all test images
                self._events.close()  # lets go of the loop's buffers (a batch of images, the gradients)
            elif self.compute >= self.budget:
                self.status = "budget"
                self._events.close()
                images, labels = self.test_data
                self.final_accuracy = self.model.accuracy(images, labels)
            if self.finished:
                self.dead = int(dead_neurons(hidden_activations(self.model, self.test_data[0])).sum())
            if time.perf_counter() >= deadline:
                break
        return count

    def _record(self, event: Progress) -> None:
        for key in self.history:
            self.history[key].append(float(getattr(event, key)))
        self.model = event.model
        self.snapshots.append(parameter_vector(event.model).copy())
        self.snapshot_steps.append(event.step)
        if len(self.snapshots) > MAX_SNAPSHOTS:
            # Thin evenly, keeping the start and the latest: the path keeps its shape.
            keep = [*range(0, len(self.snapshots) - 1, 2), len(self.snapshots) - 1]
            self.snapshots = [self.snapshots[i] for i in keep]
            self.snapshot_steps = [self.snapshot_steps[i] for i in keep]

    def path(self) -> np.ndarray:
        """(m, P) the recorded weight snapshots, the start first and the latest last."""
        return np.stack(self.snapshots)

    def strip_weights(self) -> np.ndarray:
        """(k, 784) the strip neurons' incoming weights now."""
        return self.model.W1[:, self.neurons].T

    def final_model(self) -> MLP:
        """A copy of the network to use on the other pages, its test accuracy (all test images) in ``meta``."""
        model = self.model.copy()
        if self.status != "done":  # train() writes meta only at the end; say what we know
            images, labels = self.test_data
            accuracy = self.final_accuracy if self.final_accuracy is not None else model.accuracy(images, labels)
            model.meta = {
                "format": "nnviz-mlp",
                "architecture": list(model.sizes),
                "config": dict(vars(self.cfg)),
                "steps": self.step,
                "test_accuracy": float(accuracy),
                "stopped": self.status,
            }
        model.meta["trained_on"] = "the Learn page, in this session"
        return model

    def __repr__(self) -> str:
        return f"TrainingRun({self.status}, step {self.step}/{self.total_steps}, {self.compute:.1f}s)"


# --- Streamlit: settings, buttons, the live fragment ------------------------------------


@st.cache_resource(show_spinner=False)
def _cpu_lock() -> threading.Lock:
    """One per server: sessions take turns computing instead of thrashing one CPU."""
    return threading.Lock()


@contextmanager
def cpu() -> Iterator[None]:
    """Hold the server's compute lock (waiting for a training slice to end) on one BLAS thread."""
    with _cpu_lock(), one_blas_thread():
        yield


def current_run() -> TrainingRun | None:
    """This session's run, if any."""
    return st.session_state.get(RUN_KEY)


def _on_optimizer() -> None:
    choice = st.session_state.get("learn_optimizer") or "sgd"
    st.session_state["learn_lr"] = RECOMMENDED_LR[choice]


def _settings() -> None:
    """The settings widgets, in an expander (their values live in session state under ``learn_*``).

    Streamlit forgets a widget's value when a page without it runs (a reader who
    set 10 epochs, looked at the Draw page and came back would find 5) unless the
    widget has ``persist_state="session"``, as each of these has.  Their defaults
    go into session state once (the widgets get no default of their own, so
    Streamlit has one source for each value).
    """
    d = default_config()
    defaults = {
        "learn_optimizer": d.optimizer,
        "learn_lr": d.lr,
        "learn_batch": d.batch_size,
        "learn_epochs": d.epochs,
        "learn_train_size": d.train_size,
        "learn_hidden": d.hidden,
        "learn_augment": d.augment,
        "learn_seed": d.seed,
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    with st.expander("Settings", icon=":material/tune:"):
        c1, c2 = st.columns(2)
        c1.segmented_control(
            "Optimizer",
            list(OPTIMIZERS),
            format_func=OPTIMIZERS.get,
            key="learn_optimizer",
            persist_state="session",
            on_change=_on_optimizer,
            help="Gradient descent with momentum, or Adam. Changing it resets the learning rate to a good value.",
        )
        c1.select_slider(
            "Learning rate",
            LEARNING_RATES,
            key="learn_lr",
            persist_state="session",
            help=(
                "How big the steps downhill are. SGD + momentum: each step is the learning rate times the "
                f"gradient, plus {MOMENTUM:g} of the step before, so on a steady slope the steps grow to "
                f"{1 / (1 - MOMENTUM):.0f}x that. Adam: each weight moves by about the learning rate or less (less "
                f"where its gradient keeps changing sign). This is the peak: it ramps up over the first {WARMUP_STEPS} "
                f"steps (the first 1/{WARMUP_SHARE} of a shorter run), then eases off to 0 by the last (a cosine "
                "schedule)."
            ),
        )
        c1.select_slider(
            "Batch size",
            BATCH_SIZES,
            key="learn_batch",
            persist_state="session",
            help=(
                "How many images each step looks at: the step follows the average of their gradients. "
                "Smaller batches make more steps per epoch, each a noisier guess at the way downhill."
            ),
        )
        c2.slider("Epochs", 1, MAX_EPOCHS, key="learn_epochs", persist_state="session", help="Passes over the images.")
        c2.select_slider(
            "Training images",
            TRAIN_SIZES,
            format_func="{:,}".format,
            key="learn_train_size",
            persist_state="session",
            help=f"The first this many of MNIST's {max(TRAIN_SIZES):,} training images. The test images are never trained on.",
        )
        n_in, _, n_out = ui.shipped_model().sizes
        c2.select_slider(
            "Hidden neurons",
            HIDDEN_SIZES,
            key="learn_hidden",
            persist_state="session",
            help=(
                "The width of the middle layer (the post's network has 128). Each neuron adds "
                f"{n_in + 1 + n_out} parameters: {n_in} weights in, a bias, {n_out} weights out."
            ),
        )
        c3, c4 = st.columns(2)
        c3.toggle(
            "Augmentation",
            key="learn_augment",
            persist_state="session",
            help="Train on randomly shifted, rotated, scaled and thickened digits: better on drawings, several times slower.",
        )
        c4.number_input(
            "Seed",
            0,
            9_999,
            key="learn_seed",
            persist_state="session",
            help="Picks the random starting weights, the order of the images and the augmentation: the same settings and seed train the same network.",
        )
        st.caption(
            f"Limits, because every reader shares this server's CPU: at most {MAX_EPOCHS} epochs of at "
            f"most {max(TRAIN_SIZES):,} images ({MAX_EPOCHS * max(TRAIN_SIZES):,} images shown to the network), and "
            f"a run stops after {BUDGET_SECONDS:.0f} s of computing, keeping what it has learned. Readers training "
            "at the same time take turns."
        )


def _config_from_state() -> TrainConfig:
    """The config the settings widgets describe, read from session state (so a callback sees the latest values)."""
    d = default_config()
    get = st.session_state.get
    return make_config(
        hidden=get("learn_hidden", d.hidden),
        epochs=get("learn_epochs", d.epochs),
        batch_size=get("learn_batch", d.batch_size),
        optimizer=get("learn_optimizer") or d.optimizer,
        lr=get("learn_lr", d.lr),
        augment=get("learn_augment", d.augment),
        seed=int(get("learn_seed", d.seed)),
        train_size=get("learn_train_size", d.train_size),
    )


def _start() -> None:
    st.session_state[RUN_KEY] = TrainingRun(_config_from_state(), ui.mnist("train"), ui.mnist("test"))


def _pause() -> None:
    run = current_run()
    if run is not None:
        run.pause()


def _resume() -> None:
    run = current_run()
    if run is not None:
        run.resume()


def _discard() -> None:
    st.session_state.pop(RUN_KEY, None)


def _use() -> None:
    run = current_run()
    if run is not None:
        st.session_state[USER_MODEL] = run.final_model()
        forget_missing_neurons(run.cfg.hidden)


def _back_to_shipped() -> None:
    st.session_state.pop(USER_MODEL, None)


def _live() -> None:
    """The part that redraws while training: draw where the run is, then train one more slice.

    Drawing first means every element on screen belongs to the current rerun
    while the slice computes, so nothing sits greyed out as stale; what is shown
    lags the network by one slice.
    """
    run = current_run()
    if run is None:
        _preview()
        return
    _draw(run)
    if not run.running:
        return
    lock = _cpu_lock()
    if lock.acquire(timeout=2 * SLICE_SECONDS):
        try:
            run.advance(SLICE_SECONDS)
        finally:
            lock.release()
        st.session_state["learn_waiting"] = False
    else:
        st.session_state["learn_waiting"] = True
    if not run.running:
        st.rerun()  # finished: a full rerun stops the timer and shows the result and what to do next


def _draw(run: TrainingRun) -> None:
    """Progress bar, loss and accuracy curves, and the neuron strip of ``run`` as it is now."""
    h = {k: np.asarray(v) for k, v in run.history.items()}
    label = (
        f"Epoch {run.epoch:.1f} of {run.cfg.epochs} · step {run.step:,} of {run.total_steps:,} · "
        f"{run.compute:.1f} s of computing"
    )
    if run.running:  # it trains in this page's reruns: a reader on another page finds it where they left it
        label += " · trains while this page is open"
    st.progress(min(1.0, run.fraction), text=label)
    if run.running and st.session_state.get("learn_waiting"):
        st.caption("Waiting for the CPU: another reader's network is training on this server.")
    c1, c2 = st.columns(2)
    final = run.final_accuracy if run.finished else None
    with c1:
        ui.chart(figures.loss_figure(h["epoch"], h["loss"]), key="learn_loss")
        st.caption(figures.loss_summary(h["epoch"], h["loss"]))
    with c2:
        fig = figures.accuracy_figure(h["epoch"], h["train_accuracy"], h["test_accuracy"], final=final)
        ui.chart(fig, key="learn_accuracy")
        st.caption(
            figures.accuracy_summary(h["test_accuracy"], final=final, eval_size=run.cfg.eval_size, n_test=run.n_test)
        )
    _strip(run.strip_weights(), run.neurons, run.initial_W1[:, run.neurons])


@st.cache_data(show_spinner=False, max_entries=64)
def untrained_answers(hidden: int, seed: int) -> np.ndarray:
    """The answers (10,000,) of the network Start would train, before its first step, on the test digits."""
    images, _ = ui.mnist("test")
    return MLP.init(hidden, seed=seed).predict(as_input(images))


def _preview() -> None:
    """Before any run: the strip of the untrained network that Start would train (same settings, same seed)."""
    cfg = _config_from_state()
    model = MLP.init(cfg.hidden, seed=cfg.seed)
    neurons = strip_neurons(cfg.hidden)
    st.progress(0.0, text="Not started")
    _strip(model.W1[:, neurons].T, neurons, None)
    n_test = len(ui.mnist("test")[1])
    answers = untrained_answers(cfg.hidden, cfg.seed)
    accuracy = float((answers == ui.mnist("test")[1]).mean())
    favourite = int(np.bincount(answers, minlength=10).argmax())
    share = float((answers == favourite).mean())
    st.caption(
        f"Untrained, this network reads {accuracy:.1%} of the {n_test:,} test digits right, near the 10% of "
        f"guessing: it knows nothing yet, and its random weights lean to some answers ({favourite} for "
        f"{share:.0%} of the digits)."
    )


def _strip(weights: np.ndarray, neurons: np.ndarray, initial: np.ndarray | None) -> None:
    """The neuron strip and its one-line summary; ``initial`` is None before training."""
    ui.chart(figures.neuron_strip_figure(weights, neurons), key="learn_strip")
    what = (
        f"{len(neurons)} hidden neurons, each drawn as its {len(weights[0]):,} incoming weights at the pixels they "
        "multiply (red: ink there excites the neuron, blue: inhibits it)."
    )
    now = float(np.abs(weights).max())
    if initial is None:
        st.caption(f"{what} Before training they are random noise (largest weight {now:.2f}); watch them grow strokes.")
    else:
        st.caption(
            f"{what} Largest weight now {now:.2f}; at the start {float(np.abs(initial).max()):.2f}, random noise."
        )


def trainer() -> TrainingRun | None:
    """The whole "train it yourself" section: settings, buttons, the live view, and using the result."""
    _settings()
    run = current_run()
    c1, c2, c3 = st.columns(3)
    c1.button(
        "Start training" if run is None else "Restart" if run.running else "Start again",
        on_click=_start,
        type="primary",
        icon=":material/play_arrow:",
        width="stretch",
        key="learn_start",
    )
    if run is not None and run.running:
        c2.button("Stop", on_click=_pause, icon=":material/pause:", width="stretch", key="learn_stop")
    elif run is not None and run.status == "paused":
        c2.button("Resume", on_click=_resume, icon=":material/play_circle:", width="stretch", key="learn_resume")
    if run is not None and not run.running:
        c3.button("Reset", on_click=_discard, icon=":material/restart_alt:", width="stretch", key="learn_reset")

    run = current_run()
    st.fragment(_live, run_every=TICK_SECONDS if run is not None and run.running else None)()

    run = current_run()  # the fragment may have finished it
    if run is not None and run.finished:
        accuracy = run.final_accuracy or 0.0
        how = "after all its epochs" if run.status == "done" else f"when it reached the {run.budget:.0f} s budget"
        learned, text = figures.trained_summary(accuracy, run.n_test, how, run.test_data[1])
        (st.success if learned else st.warning)(
            f"{text} ({run.epoch:.1f} epochs, {run.compute:.1f} s of computing on this server)."
            + figures.dead_neurons_summary(run.dead or 0, run.cfg.hidden)
        )
        st.caption(figures.shipped_recipe(ui.shipped_model().meta))
    in_use = ui.trained_model() is not None
    if run is not None and not run.running:
        d1, d2 = st.columns(2)
        d1.button(
            "Use this network",
            on_click=_use,
            icon=":material/check_circle:",
            width="stretch",
            key="learn_use",
            help="Draw, Weights and the other pages will use it, in your session only.",
        )
        if in_use:
            d2.button("Back to the shipped network", on_click=_back_to_shipped, width="stretch", key="learn_back")
    elif in_use:
        st.button("Back to the shipped network", on_click=_back_to_shipped, key="learn_back")
    if in_use:
        acc = st.session_state[USER_MODEL].meta.get("test_accuracy")
        st.info(
            f"Every page now uses the network you trained ({acc:.2%} on the test set), in this session only.",
            icon=":material/info:",
        )
    return run
