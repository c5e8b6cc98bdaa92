"""Benchmark the core: our trainer and forward pass against scikit-learn and bare NumPy.

    python bench/bench_core.py                       # ~2 minutes on 2 cores
    python bench/bench_core.py --epochs 3 --rounds 1

Prints one table.  Everything is measured in this run, so the ratios hold on a
noisy machine even when the absolute times do not.  Budgets (issue "nnviz core"):
our epoch <= 0.5x scikit-learn's at equal or better accuracy; our one-image
forward pass <= 1.5x the bare-NumPy floor.
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nnviz
from nnviz.mlp import as_input
from nnviz.train import TrainConfig, train


def bench_training(epochs: int, rounds: int) -> tuple[list[tuple], object]:
    import sklearn
    from sklearn.neural_network import MLPClassifier

    x, y = nnviz.load_mnist("train")
    xt, yt = nnviz.load_mnist("test")
    # float32: scikit-learn keeps float32 input's dtype (weights, products and Adam all
    # float32, like ours); float64 input would take it 1.75x as long (2.09 vs 1.19 s an epoch here)
    xf, xtf = as_input(x), as_input(xt)
    # Same data, same architecture, same optimiser (Adam at a constant rate: no warm-up,
    # which scikit-learn does not have), same batch size, same epochs.
    ours_s, sk_s = [], []  # seconds of each epoch
    ours_acc, sk_acc = [], []  # test accuracy of each round
    # The two alternate epoch by epoch (scikit-learn's partial_fit is one epoch of its fit,
    # optimiser state kept), so a slow spell on a shared machine hits both alike.
    # Each round starts both from another seed.  One seed's accuracy differs from another's
    # by ~0.1 point (a dozen test images), so the verdict compares the means over the
    # rounds: "equal" is a difference within two standard errors of it.
    for seed in range(rounds):
        cfg = TrainConfig(
            epochs=epochs,
            augment=False,
            dropout=0.0,
            lr=1e-3,
            batch_size=128,
            schedule="constant",
            warmup_steps=0,
            seed=seed,
        )
        run = train(cfg, train_data=(x, y), test_data=(xt, yt))  # yields once per epoch
        clf = MLPClassifier(
            hidden_layer_sizes=(128,),
            solver="adam",
            batch_size=128,
            learning_rate_init=1e-3,
            n_iter_no_change=10**6,
            tol=0.0,
            alpha=0.0,
            random_state=seed,
        )
        before = 0.0
        for _ in range(epochs):
            event = next(run)
            ours_s.append(event.elapsed - before)  # the training steps; our test-set evaluations are left out
            before = event.elapsed
            t0 = time.perf_counter()
            # partial_fit checks its input at every call (fit: once per run); the NaN scan of
            # 47 M floats is skipped, which leaves ~11 ms a call, about fit's ~8 ms per epoch
            with sklearn.config_context(assume_finite=True):
                clf.partial_fit(xf, y, classes=np.arange(10))
            sk_s.append(time.perf_counter() - t0)
        ours_acc.append(event.test_accuracy)
        sk_acc.append(float((clf.predict(xtf) == yt).mean()))
    ratios = np.array(ours_s) / np.array(sk_s)
    ratio = float(np.median(ratios))
    diff, margin = float(np.mean(ours_acc) - np.mean(sk_acc)), 2 * _standard_error(ours_acc, sk_acc)
    better = diff >= -margin - 1e-9
    verdict = "ok" if ratio <= 0.5 and better else "MISS"
    q1, q3 = np.percentile(ratios, [25, 75])
    return [
        (
            f"train: seconds per epoch (median of {len(ratios)})",
            f"{np.median(ours_s):.2f}",
            f"{np.median(sk_s):.2f} (sklearn)",
            f"{ratio:.2f} [{q1:.2f}-{q3:.2f}] (<=0.5)",
            verdict,
        ),
        (
            f"train: test accuracy (mean of {rounds} seeds)",
            _accuracy(ours_acc),
            f"{_accuracy(sk_acc)} (sklearn)",
            f"{diff:+.4f} (>= -{margin:.4f}, 2 SE)",
            "ok" if better else "MISS",
        ),
    ], clf


def bench_inference(clf) -> list[tuple]:
    model = nnviz.load_model()
    xt, _ = nnviz.load_mnist("test")
    x_all = as_input(xt)
    x_one = x_all[:1]
    W1, b1, W2, b2 = model.W1, model.b1, model.W2, model.b2
    # sklearn with our weights, so the three compute the same numbers
    clf.coefs_ = [W1.astype(np.float64), W2.astype(np.float64)]
    clf.intercepts_ = [b1.astype(np.float64), b2.astype(np.float64)]

    zeros = np.zeros_like(b1)

    def floor(x):
        # the irreducible work: two matrix products, ReLU, a stable softmax, as bare NumPy calls,
        # in place where NumPy allows (no temporaries beyond the two products' results)
        h = x @ W1
        h += b1
        np.maximum(h, zeros, out=h)  # a row of zeros, not the scalar 0: NumPy vectorises this loop
        z = h @ W2
        z += b2
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    rows = []
    for label, x, number in (("1 image", x_one, 2000), ("10,000 images", x_all, 5)):
        # the four alternate, repeat after repeat, so a slow spell hits them alike
        fns = [lambda x=x: floor(x), lambda x=x: model.forward(x), lambda x=x: model.predict_proba(x)]
        fns.append(lambda x=x: clf.predict_proba(x))
        times = np.array([[timeit.timeit(fn, number=number) / number for fn in fns] for _ in range(9)])
        t_floor, t_fwd, t_proba, t_sk = np.median(times, axis=0)
        fwd_ratio = float(np.median(times[:, 1] / times[:, 0]))
        budget = " (<=1.5)" if label == "1 image" else ""
        ok = "ok" if label != "1 image" or fwd_ratio <= 1.5 else "MISS"
        rows += [
            (
                f"infer {label}: MLP.forward (all intermediates)",
                _ms(t_fwd),
                f"{_ms(t_floor)} (floor)",
                f"{fwd_ratio:.2f}{budget}",
                ok,
            ),
            (
                f"infer {label}: MLP.predict_proba",
                _ms(t_proba),
                f"{_ms(t_floor)} (floor)",
                f"{t_proba / t_floor:.2f}",
                "",
            ),
            (
                f"infer {label}: sklearn predict_proba",
                _ms(t_sk),
                f"{_ms(t_floor)} (floor)",
                f"{t_sk / t_floor:.2f}",
                "",
            ),
        ]
    return rows


def _standard_error(a: list[float], b: list[float]) -> float:
    """Of the difference of two means (Welch); 0 for one seed each, which makes "equal" exact."""
    if len(a) < 2 or len(b) < 2:
        return 0.0
    return float(np.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b)))


def _accuracy(per_seed: list[float]) -> str:
    mean = f"{np.mean(per_seed):.4f}"
    return mean if len(per_seed) == 1 else f"{mean} [{min(per_seed):.4f}-{max(per_seed):.4f}]"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms"


def print_table(rows: list[tuple]) -> None:
    head = ("measurement", "ours", "reference", "ratio (budget)", "verdict")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="training runs of each, from seeds 0, 1, ...; their epochs alternate, the time ratio is the median"
        " over all epoch pairs and the accuracies are compared as means",
    )
    a = p.parse_args()
    rows, clf = bench_training(a.epochs, a.rounds)
    rows += bench_inference(clf)
    print(f"\nnnviz core benchmark ({a.epochs} epochs, numpy {np.__version__})\n")
    print_table(rows)


if __name__ == "__main__":
    main()
