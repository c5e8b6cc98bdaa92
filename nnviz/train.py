"""Training: mini-batch gradient descent on MNIST, as a generator of progress events.

The command line and the app's Learn page share this one loop: each consumes the
:class:`Progress` events it yields, and may stop early by simply not asking for
the next one.

    python -m nnviz.train                       # reproduces nnviz/assets/model.npz
    python -m nnviz.train --epochs 3 --out /tmp/m.npz
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from . import __version__
from .augment import Augment, augment
from .data import SHA256, SPLITS, load_mnist
from .mlp import MLP, SGD, Adam, as_input, cross_entropy, inked_columns

__all__ = ["Progress", "TrainConfig", "blas_kernel", "main", "one_blas_thread", "train"]

MODEL_PATH = Path(__file__).resolve().parent / "assets" / "model.npz"


@dataclass
class TrainConfig:
    """Everything that decides a training run; the defaults made the shipped model.

    Attributes
    ----------
    hidden : int            neurons in the hidden layer (the post's network: 128)
    epochs : int            passes over the training set
    batch_size : int        images per gradient step
    optimizer : str         "adam" or "sgd" (with momentum)
    lr : float              peak learning rate
    momentum : float        SGD only
    schedule : str          "cosine" (decay to zero over the run) or "constant"
    warmup_steps : int      linear ramp up to ``lr`` at the start
    l2 : float              weight decay on W1 and W2
    dropout : float         probability of dropping each hidden activation in training
    augment : bool          train on randomly distorted digits (see nnviz.augment)
    seed : int              initial weights, batch order, augmentation and dropout
    train_size : int or None  use only the first N training images (quick runs)
    eval_every : int        steps between progress events; 0 = once per epoch
    eval_size : int         test images scored at intermediate events (all at the end)
    """

    hidden: int = 128
    epochs: int = 50
    batch_size: int = 128
    optimizer: str = "adam"
    lr: float = 3e-3
    momentum: float = 0.9
    schedule: str = "cosine"
    warmup_steps: int = 200
    l2: float = 0.0
    dropout: float = 0.1
    augment: bool = True
    seed: int = 0
    train_size: int | None = None
    eval_every: int = 0
    eval_size: int = 10_000

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', not {self.optimizer!r}")
        if self.schedule not in ("cosine", "constant"):
            raise ValueError(f"schedule must be 'cosine' or 'constant', not {self.schedule!r}")
        if self.hidden < 1 or self.epochs < 1 or self.batch_size < 1 or self.lr <= 0:
            raise ValueError("hidden, epochs, batch_size and lr must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError("dropout must be in [0, 1)")
        if self.train_size is not None and self.train_size < 1:
            raise ValueError(f"train_size must be at least 1 (or None for all the images), not {self.train_size}")
        if self.eval_size < 1 or self.eval_every < 0:
            raise ValueError("eval_size must be at least 1, and eval_every 0 (once an epoch) or more")
        if self.l2 < 0 or self.momentum < 0 or self.warmup_steps < 0:
            raise ValueError("l2, momentum and warmup_steps cannot be negative")


@dataclass(repr=False)
class Progress:
    """One report from the training loop.

    Attributes
    ----------
    step : int                 gradient steps taken so far
    total_steps : int
    epoch : float              fractional epochs done
    loss : float               mean training loss since the previous event
    train_accuracy : float     accuracy on the (augmented) batches since the previous event
    test_accuracy : float      on ``eval_size`` test images (all 10,000 at the end)
    elapsed : float            seconds of training so far, evaluation excluded
    lr : float                 the learning rate of the last step
    done : bool                True on the final event
    model : MLP                the live network (copy it to keep a snapshot)
    """

    step: int
    total_steps: int
    epoch: float
    loss: float
    train_accuracy: float
    test_accuracy: float
    elapsed: float
    lr: float
    done: bool
    model: MLP = field(repr=False)

    @property
    def fraction(self) -> float:
        """Share of the run completed, 0 to 1."""
        return self.step / self.total_steps

    def __repr__(self) -> str:
        return (
            f"Progress(step={self.step}/{self.total_steps}, epoch={self.epoch:.2f}, loss={self.loss:.4f}, "
            f"train_acc={self.train_accuracy:.4f}, test_acc={self.test_accuracy:.4f}, {self.elapsed:.1f}s)"
        )


def one_blas_thread() -> threadpool_limits:
    """Matrix products on one thread while this block runs.

    Measured here (``bench/bench_learn.py``): with the CPU shared by other work,
    OpenBLAS's threads spin waiting for each other and an epoch took 10-16 times
    longer than on one thread; on an idle machine the second thread gains little
    for matrices this small.  A server shared by many readers wants one thread per
    computation, and one thread gives the same numbers on any core count (a second
    thread sums the products in another order).
    """
    return threadpool_limits(limits=1, user_api="blas")


def blas_kernel() -> str:
    """NumPy's BLAS and the CPU kernel it chose at run time, e.g. ``"openblas 0.3.31.188.0 Haswell"``.

    Matrix products round differently from one kernel to another, so a training
    run is bit for bit repeatable only on the same one: the model file records it.
    ``"unknown"`` when threadpoolctl cannot tell which library is NumPy's.
    """
    for lib in threadpool_info():
        if lib.get("user_api") == "blas" and "numpy" in Path(lib.get("filepath") or "").parent.name:
            return " ".join(str(lib[k]) for k in ("internal_api", "version", "architecture") if lib.get(k))
    return "unknown"


WARMUP_SHARE = 10
"""The warm-up takes at most 1/WARMUP_SHARE of a run's steps."""


def learning_rate(cfg: TrainConfig, step: int, total: int) -> float:
    """The schedule: linear warm-up, then constant or a cosine decay to zero."""
    warm = min(cfg.warmup_steps, total // WARMUP_SHARE)
    if step < warm:
        return cfg.lr * (step + 1) / warm
    if cfg.schedule == "constant":
        return cfg.lr
    progress = (step - warm) / max(1, total - warm)
    return cfg.lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def train(
    cfg: TrainConfig | None = None,
    *,
    model: MLP | None = None,
    train_data: tuple[np.ndarray, np.ndarray] | None = None,
    test_data: tuple[np.ndarray, np.ndarray] | None = None,
) -> Iterator[Progress]:
    """Train a network, yielding :class:`Progress` as it goes.

    Parameters
    ----------
    cfg : TrainConfig, optional
        Default ``TrainConfig()``: the settings of the shipped model.
    model : MLP, optional
        Continue from this network (trained in place); default a fresh
        ``MLP.init(cfg.hidden, seed=cfg.seed)``.
    train_data, test_data : (images uint8 (n, 28, 28), labels (n,)), optional
        Default: MNIST's training and test sets.

    Yields
    ------
    Progress
        Every ``cfg.eval_every`` steps (or each epoch), and a final one with
        ``done=True`` whose ``model.meta`` records the run.
    """
    cfg = cfg if cfg is not None else TrainConfig()
    rng = np.random.default_rng(cfg.seed)
    net = model if model is not None else MLP.init(cfg.hidden, seed=rng)
    x_train, y_train = train_data if train_data is not None else load_mnist("train")
    x_test, y_test = test_data if test_data is not None else load_mnist("test")
    if cfg.train_size is not None:
        x_train, y_train = x_train[: cfg.train_size], y_train[: cfg.train_size]
    n = len(y_train)
    steps_per_epoch = math.ceil(n / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    every = cfg.eval_every or steps_per_epoch
    opt = Adam(cfg.lr) if cfg.optimizer == "adam" else SGD(cfg.lr, cfg.momentum)
    aug = Augment()
    # one vector for all the parameters (and one for their gradients): each of the
    # optimizer's formulas is one NumPy call for the whole network
    params, grad_vector = {"all": net.flat}, np.empty_like(net.flat)
    x_eval, y_eval = x_test[: cfg.eval_size], y_test[: cfg.eval_size]

    step, elapsed, seen = 0, 0.0, 0
    # Filled step by step for the next event (and part of the timed training work, as
    # scikit-learn's per-batch loss is of its): each image's 10 probabilities and its
    # label.  The event's loss and accuracy are then a few calls over all of them,
    # rather than a few calls every step.
    seen_probabilities = np.empty((min(every, total) * cfg.batch_size, net.sizes[2]), dtype=np.float32)
    seen_labels = np.empty(len(seen_probabilities), dtype=y_train.dtype)
    # One batch's images at a time, gathered into this buffer: no shuffled copy of the
    # training set (47 MB for MNIST, held as long as a reader's paused run lives).
    # np.take per batch costs what one take for the whole epoch does (4.7 vs 4.3 ms an epoch).
    batch_images = np.empty((cfg.batch_size, *x_train.shape[1:]), dtype=x_train.dtype)
    for _ in range(cfg.epochs):
        tick = time.perf_counter()
        order = rng.permutation(n)
        y_shuffled = y_train[order]
        elapsed += time.perf_counter() - tick  # shuffling is training work too
        for start in range(0, n, cfg.batch_size):
            tick = time.perf_counter()
            stop = start + cfg.batch_size
            rows = order[start:stop]
            # "clip": no bounds check (and no temporary buffer)
            images = np.take(x_train, rows, axis=0, out=batch_images[: len(rows)], mode="clip")
            yb = y_shuffled[start:stop]
            if cfg.augment:
                xb, inked = augment(images, rng, aug).reshape(len(yb), -1), None
            else:
                # Only the pixels inked in some image of the batch matter (the others add
                # exact zeros): find them in the uint8 images and convert just those.
                pixels = images.reshape(len(yb), -1)
                inked = inked_columns(pixels)
                xb = as_input(pixels if inked is None else pixels[:, inked])
            fwd = net.forward(xb, dropout=cfg.dropout, rng=rng, inked=inked)
            net.backward(fwd, yb, l2=cfg.l2, out=grad_vector, scale=opt.gradient_scale)
            opt.lr = learning_rate(cfg, step, total)
            opt.step(params, {"all": grad_vector}, premultiplied=True, scratch=True)
            seen_probabilities[seen : seen + len(yb)] = fwd.probabilities
            seen_labels[seen : seen + len(yb)] = yb
            seen += len(yb)
            step += 1
            done = step == total
            report = step % every == 0 or done
            if report:
                probabilities, labels = seen_probabilities[:seen], seen_labels[:seen]
                loss = cross_entropy(probabilities, labels)
                train_accuracy = np.count_nonzero(probabilities.argmax(axis=1) == labels) / seen
            elapsed += time.perf_counter() - tick
            if report:
                x_score, y_score = (x_test, y_test) if done else (x_eval, y_eval)
                event = Progress(
                    step=step,
                    total_steps=total,
                    epoch=step / steps_per_epoch,
                    loss=loss,
                    train_accuracy=train_accuracy,
                    test_accuracy=net.accuracy(x_score, y_score),
                    elapsed=elapsed,
                    lr=opt.lr,
                    done=done,
                    model=net,
                )
                if done:
                    net.meta = _meta(cfg, event)
                seen = 0
                yield event


def _meta(cfg: TrainConfig, final: Progress) -> dict:
    """The provenance saved inside the model file."""
    return {
        "format": "nnviz-mlp",
        "nnviz_version": __version__,
        "numpy_version": np.__version__,
        "blas": blas_kernel(),
        "architecture": list(final.model.sizes),
        "activation": "relu",
        "output": "softmax",
        "config": asdict(cfg),
        "seed": cfg.seed,
        "epochs": cfg.epochs,
        "steps": final.step,
        "train_seconds": round(final.elapsed, 2),
        "test_accuracy": final.test_accuracy,
        "final_train_loss": final.loss,
        "data_sha256": {name: SHA256[name] for split in SPLITS.values() for name in split[:2]},
    }


# --- command line -----------------------------------------------------------------


def _bar(fraction: float, width: int = 30) -> str:
    filled = round(fraction * width)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def main(argv: list[str] | None = None) -> int:
    """``python -m nnviz.train``: train, print progress, save the model."""
    d = TrainConfig()
    p = argparse.ArgumentParser(prog="python -m nnviz.train", description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=d.epochs, help=f"passes over the training images (default {d.epochs})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"weights, batch order, augmentation (default {d.seed})")
    p.add_argument("--out", type=Path, default=MODEL_PATH, help=f"where to save (default {MODEL_PATH})")
    p.add_argument("--hidden", type=int, default=d.hidden, help=f"hidden neurons (default {d.hidden})")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help=f"images per step (default {d.batch_size})")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default=d.optimizer, help=f"(default {d.optimizer})")
    p.add_argument("--lr", type=float, default=d.lr, help=f"peak learning rate (default {d.lr:g})")
    p.add_argument("--momentum", type=float, default=d.momentum, help=f"SGD's (default {d.momentum:g})")
    p.add_argument(
        "--schedule",
        choices=("cosine", "constant"),
        default=d.schedule,
        help=f"after a warm-up of up to {d.warmup_steps} steps (default {d.schedule})",
    )
    p.add_argument("--l2", type=float, default=d.l2, help=f"weight decay (default {d.l2:g})")
    p.add_argument("--dropout", type=float, default=d.dropout, help=f"on the hidden layer (default {d.dropout:g})")
    p.add_argument(
        "--no-augment", dest="augment", action="store_false", help="train on the plain images (default augmented)"
    )
    p.add_argument("--train-size", type=int, default=None, help="use only the first N training images (default all)")
    p.add_argument("--quiet", action="store_true", help="print only the final line")
    a = p.parse_args(argv)
    try:
        cfg = TrainConfig(
            hidden=a.hidden,
            epochs=a.epochs,
            batch_size=a.batch_size,
            optimizer=a.optimizer,
            lr=a.lr,
            momentum=a.momentum,
            schedule=a.schedule,
            l2=a.l2,
            dropout=a.dropout,
            augment=a.augment,
            seed=a.seed,
            train_size=a.train_size,
        )
    except ValueError as e:
        p.error(str(e))  # usage and the reason, exit status 2: no traceback
    final = None
    with one_blas_thread():  # the same file on any machine's core count
        for event in train(cfg):
            final = event
            if not a.quiet:
                print(
                    f"{_bar(event.fraction)} epoch {event.epoch:5.2f}/{cfg.epochs}  loss {event.loss:.4f}  "
                    f"train {event.train_accuracy:.4f}  test {event.test_accuracy:.4f}  {event.elapsed:6.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
    assert final is not None
    final.model.save(a.out)
    print(f"saved {final.model!r} to {a.out} ({final.elapsed:.1f}s of training)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
