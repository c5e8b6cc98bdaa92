"""Benchmark the Learn page's trainer against the command line, in the same run.

    python bench/bench_learn.py               # the page's default run (5 epochs), ~1-2 minutes
    python bench/bench_learn.py --one-core    # the same under `taskset -c 0`: Streamlit Cloud gives ~1 CPU
    python bench/bench_learn.py --epochs 2 --repeat 1

Four ways to train the same network (the page's default settings: SGD + momentum,
lr 0.1, batch 128, no augmentation, 60,000 images):

* ``python -m nnviz.train`` as a subprocess, with OpenBLAS's default threads and
  with one thread (what the page uses);
* the page's own runner, ``nnviz.ui.training.TrainingRun.advance`` called in
  slices of ``SLICE_SECONDS`` exactly as the page's fragment calls it;
* the whole page in ``streamlit.testing.v1.AppTest``: press Start, then rerun the
  script until the run ends (each rerun = one slice + drawing every section).

"training s/epoch" is the training loop alone (``Progress.elapsed``, evaluation
excluded), comparable across all four; "compute" adds the page's evaluations on
2,000 test images at each event, and is the page's own count: this thread's CPU
time (``time.thread_time``), so on a loaded machine it can be below "training"; "wall" is everything (for the CLI: interpreter
start, loading MNIST, the final evaluation and saving).  "to 95%" is the first
event with >= 95% test accuracy: computing seconds, and the fragment runs needed;
in the browser those come one per ``TICK_SECONDS`` while a run fits in a tick.
Each way runs ``--repeat`` times and the fastest is kept (noise only ever adds time).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nnviz  # noqa: E402
from nnviz.ui import training  # noqa: E402

TARGET = 0.95


def cli(epochs: int, threads: int | None) -> dict:
    """``python -m nnviz.train`` with the page's default settings, as a subprocess."""
    cfg = training.make_config(epochs=epochs)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable, "-m", "nnviz.train",
            "--epochs", str(cfg.epochs), "--optimizer", cfg.optimizer, "--lr", str(cfg.lr),
            "--batch-size", str(cfg.batch_size), "--dropout", str(cfg.dropout), "--seed", str(cfg.seed),
            "--schedule", cfg.schedule, "--no-augment", "--out", str(Path(tmp) / "m.npz"),
        ]  # fmt: skip
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t0
    # per-epoch lines on stderr: "... test 0.9612   12.3s"; the last line on stdout: "(12.3s of training)"
    tests = [float(m) for m in re.findall(r"test (\d\.\d+)", done.stderr)]
    seconds = [float(s) for s in re.findall(r"test \d\.\d+\s+([\d.]+)s", done.stderr)]
    train_s = float(re.search(r"\(([\d.]+)s of training\)", done.stdout).group(1))
    first = next((i for i, a in enumerate(tests) if a >= TARGET), None)
    return {
        "train": train_s / epochs,
        "compute": None,
        "wall": wall / epochs,
        "accuracy": tests[-1],
        "to95": None if first is None else seconds[first],
        "runs95": None,
    }


LAST_RUN: list[training.TrainingRun] = []  # the runner's last run, for the loss-surface timing


def runner(epochs: int) -> dict:
    """The page's runner, sliced exactly as the page's fragment slices it."""
    train_data, test_data = nnviz.load_mnist("train"), nnviz.load_mnist("test")
    run = training.TrainingRun(training.make_config(epochs=epochs), train_data, test_data)
    t0 = time.perf_counter()
    slices, to95, runs95 = 0, None, None
    while run.running:
        run.advance(training.SLICE_SECONDS)
        slices += 1
        if to95 is None and run.history["test_accuracy"] and run.history["test_accuracy"][-1] >= TARGET:
            to95, runs95 = run.compute, slices
    wall = time.perf_counter() - t0
    LAST_RUN[:] = [run]
    return {
        "train": run.history["elapsed"][-1] / epochs,
        "compute": run.compute / epochs,
        "wall": wall / epochs,
        "accuracy": run.final_accuracy,
        "to95": to95,
        "runs95": runs95,
    }


def surfaces() -> list[tuple[str, float]]:
    """Seconds for the page's two loss surfaces (21 x 21 grid, 2,000 training images) around the trained network."""
    from nnviz.landscape import landscape
    from nnviz.mlp import as_input

    run = LAST_RUN[0]
    images, labels = nnviz.load_mnist("train")
    idx = np.sort(np.random.default_rng(0).choice(len(labels), 2_000, replace=False))
    x, y = as_input(images[idx]), labels[idx]
    out = []
    for kind in ("random", "path"):
        with training.one_blas_thread():
            t0 = time.perf_counter()
            landscape(run.model, x, y, kind=kind, path=run.path())
            out.append(
                (f"loss surface, {kind} directions, path of {len(run.snapshots)} snapshots", time.perf_counter() - t0)
            )
    return out


def page(epochs: int) -> dict:
    """The whole page in AppTest: Start, then rerun until the run ends."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/learn.py")
    at.run()
    at.slider(key="learn_epochs").set_value(epochs)
    t0 = time.perf_counter()
    at.button(key="learn_start").click().run()
    reruns, to95, runs95 = 1, None, None
    run = at.session_state["learn_run"]
    while True:
        acc = run.history["test_accuracy"]
        if to95 is None and acc and acc[-1] >= TARGET:
            to95, runs95 = run.compute, reruns
        if not run.running:
            break
        at.run()
        reruns += 1
    wall = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return {
        "train": run.history["elapsed"][-1] / epochs,
        "compute": run.compute / epochs,
        "wall": wall / epochs,
        "accuracy": run.final_accuracy,
        "to95": to95,
        "runs95": runs95,
    }


def best_of(ways: list[tuple[str, object, tuple]], repeat: int) -> list[tuple[str, dict]]:
    """Each way's fastest run (by training time), the ways taking turns so that a busy spell hits all alike."""
    results: dict[str, list[dict]] = {name: [] for name, _, _ in ways}
    for _ in range(repeat):
        for name, fn, args in ways:
            results[name].append(fn(*args))
    return [(name, min(results[name], key=lambda r: r["train"])) for name, _, _ in ways]


def fmt(v, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=training.default_config().epochs)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--one-core", action="store_true", help="re-run this script under `taskset -c 0`")
    a = p.parse_args()
    if a.one_core and not os.environ.get("NNVIZ_BENCH_PINNED"):
        if not shutil.which("taskset"):
            sys.exit("taskset not found")
        argv = [a for a in sys.argv[1:] if a != "--one-core"]
        env = {**os.environ, "NNVIZ_BENCH_PINNED": "1"}
        os.execvpe("taskset", ["taskset", "-c", "0", sys.executable, __file__, *argv], env)

    cpus = len(os.sched_getaffinity(0))
    print(f"\nLearn page vs command line: {a.epochs} epochs of the page's default run, "
          f"{cpus} CPU(s), numpy {np.__version__}, fastest of {a.repeat}\n")  # fmt: skip
    ways = [
        ("python -m nnviz.train (default BLAS threads)", cli, (a.epochs, None)),
        ("python -m nnviz.train (1 BLAS thread)", cli, (a.epochs, 1)),
        (f"page runner ({training.SLICE_SECONDS} s slices)", runner, (a.epochs,)),
        ("page in AppTest (full reruns)", page, (a.epochs,)),
    ]
    rows = best_of(ways, a.repeat)
    reference = rows[1][1]["train"]
    head = ("way", "train s/epoch", "vs CLI 1 thread", "compute s/epoch", "wall s/epoch", "accuracy",
            "to 95%: compute s", "runs", f"≈ browser s (1 run / {training.TICK_SECONDS} s)")  # fmt: skip
    table = [head]
    for name, r in rows:
        est = None if r["runs95"] is None else r["runs95"] * training.TICK_SECONDS
        table.append((
            name, fmt(r["train"], ".3f"), f"{r['train'] / reference:.2f}x", fmt(r["compute"], ".3f"),
            fmt(r["wall"], ".3f"), fmt(r["accuracy"], ".4f"), fmt(r["to95"], ".2f"), fmt(r["runs95"], "d"),
            fmt(est, ".1f"),
        ))  # fmt: skip
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for name, seconds in surfaces():
        print(f"{name}: {seconds:.2f} s")
    page_ratio = rows[2][1]["train"] / reference
    est = rows[3][1]["runs95"]
    print(
        f"\npage runner / CLI (1 thread), training s/epoch: {page_ratio:.2f} (budget <= 1.20: "
        f"{'ok' if page_ratio <= 1.2 else 'MISS'});  ≥95% in the browser after ≈ "
        f"{fmt(None if est is None else est * training.TICK_SECONDS, '.1f')} s of a run (budget 30 s: "
        f"{'ok' if est is not None and est * training.TICK_SECONDS <= 30 else 'MISS'})"
    )


if __name__ == "__main__":
    main()
