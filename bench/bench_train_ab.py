"""Is this trainer quicker than another commit's?  Both train side by side, interleaved.

    python bench/bench_train_ab.py 9cbc228              # this checkout's nnviz vs commit 9cbc228's
    python bench/bench_train_ab.py HEAD~3 --augment     # the shipped model's settings (augmentation, dropout)
    python bench/bench_train_ab.py main --epochs 1 --runs 1

A change worth a few percent of a training step is lost in this machine's noise
when two runs are timed one after the other: the same code measures 0.9-1.4 ms a
step from one minute to the next.  So both versions train here, in one process,
each on its own network: ``--chunk`` steps of one, then ``--chunk`` steps of the
other, and so on, so a slow spell hits both alike.  The ratio of each pair of
chunks is kept; the table gives their median and quartiles, the ratio of the
fastest 10% of chunks (noise only ever adds time), and the ratio of the total
times, the only one that counts work done once an epoch (shuffling), which falls
in a single chunk.  Each version's ``train()``
runs with the settings of ``bench/bench_core.py`` (or the shipped model's, with
``--augment``); its ``Progress.elapsed`` is the clock, so the evaluations at each
event are left out on both sides.

The other commit's ``nnviz`` is unpacked with ``git archive`` into a temporary
folder; nothing in the checkout changes.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def load_nnviz(folder: Path):
    """Import the ``nnviz`` package found in ``folder`` under its own module objects."""
    for name in [m for m in sys.modules if m == "nnviz" or m.startswith("nnviz.")]:
        del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        package = importlib.import_module("nnviz")
        trainer = importlib.import_module("nnviz.train")
    finally:
        sys.path.remove(str(folder))
    for name in [m for m in sys.modules if m == "nnviz" or m.startswith("nnviz.")]:
        del sys.modules[name]  # the next import finds the other version; these objects keep working
    return package, trainer


def chunk_times(runs: dict, chunk: int) -> dict[str, np.ndarray]:
    """Advance every run ``chunk`` steps in turn; seconds per step of each chunk (the first chunk dropped)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    last = {name: None for name in runs}
    while True:
        for name, run in runs.items():
            event = next(run, None)
            if event is None:
                return {k: np.array(v[1:]) / chunk for k, v in times.items()}
            if last[name] is not None:
                times[name].append(event.elapsed - last[name])
            last[name] = event.elapsed if not event.done else None


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("ref", help="the commit to compare with (anything git understands)")
    p.add_argument("--epochs", type=int, default=3, help="epochs per run")
    p.add_argument("--runs", type=int, default=2, help="runs of each, one after another")
    p.add_argument("--chunk", type=int, default=20, help="steps of one version before the other's turn")
    p.add_argument("--augment", action="store_true", help="the shipped model's settings instead of bench_core's")
    a = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", a.ref, "nnviz"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        versions = {a.ref: load_nnviz(Path(tmp)), "this checkout": load_nnviz(ROOT)}
    nnviz, _ = versions["this checkout"]
    data = nnviz.load_mnist("train"), nnviz.load_mnist("test")
    test_one = (data[1][0][:1], data[1][1][:1])  # events every chunk: score one image, not 10,000

    per_step: dict[str, list[np.ndarray]] = {name: [] for name in versions}
    for _ in range(a.runs):
        runs = {}
        for name, (_, trainer) in versions.items():
            settings = dict(epochs=a.epochs, eval_every=a.chunk, eval_size=1)
            if a.augment:
                cfg = trainer.TrainConfig(**settings)
            else:  # bench_core's: scikit-learn's Adam, batch and learning rate; no augmentation or dropout
                cfg = trainer.TrainConfig(
                    **settings, augment=False, dropout=0.0, lr=1e-3, batch_size=128, schedule="constant"
                )
            runs[name] = trainer.train(cfg, train_data=data[0], test_data=test_one)
        for name, t in chunk_times(runs, a.chunk).items():
            per_step[name].append(t)
    ref, new = (np.concatenate(per_step[name]) for name in versions)
    ratio = new / ref
    q1, med, q3 = np.percentile(ratio, [25, 50, 75])
    fast = np.percentile(new, 10) / np.percentile(ref, 10)
    print(
        f"\ntraining step, this checkout vs {a.ref} ({'augmented' if a.augment else 'bench_core'} settings, "
        f"{len(ratio)} pairs of {a.chunk}-step chunks)\n"
    )
    rows = [
        ("measurement", "value"),
        (f"{a.ref}: us per step (median)", f"{np.median(ref) * 1e6:.0f}"),
        ("this checkout: us per step (median)", f"{np.median(new) * 1e6:.0f}"),
        ("ratio, median of pairs [quartiles]", f"{med:.3f} [{q1:.3f}-{q3:.3f}]"),
        ("ratio of the fastest 10% of chunks", f"{fast:.3f}"),
        ("ratio of the total times (epoch starts included)", f"{new.sum() / ref.sum():.3f}"),
    ]
    width = max(len(r[0]) for r in rows)
    for i, (k, v) in enumerate(rows):
        print(f"{k.ljust(width)}  {v}")
        if i == 0:
            print(f"{'-' * width}  {'-' * 22}")


if __name__ == "__main__":
    main()
