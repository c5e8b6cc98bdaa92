"""Measure the post's claim that a trained network classifies a digit "in milliseconds".

Timings are taken on whatever machine runs this code -- the server, when the app
shows them -- never typed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .mlp import MLP, relu, softmax

__all__ = ["forward_loops", "forward_numpy", "median_seconds", "multiply_adds"]


def median_seconds(fn: Callable[[], object], *, repeats: int = 15, budget: float = 0.5) -> float:
    """Median wall time of ``fn()`` over up to ``repeats`` calls, stopping after ``budget`` seconds."""
    times: list[float] = []
    start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget and len(times) >= 3:
            break
    return float(np.median(times))


def forward_numpy(model: MLP, x: np.ndarray) -> np.ndarray:
    """Probabilities (n, 10) by two matrix products: how the network really runs."""
    return softmax(relu(x @ model.W1 + model.b1) @ model.W2 + model.b2)


def forward_loops(model: MLP, x: np.ndarray) -> list[float]:
    """The same forward pass for one image (784,) as plain Python loops, one multiply-add at a time.

    This is what "a single mathematical operation" replaces: 100,352 + 1,280
    multiply-adds written out.  Returns the 10 probabilities.
    """
    W1, b1, W2, b2 = (p.tolist() for p in (model.W1, model.b1, model.W2, model.b2))
    pixels = [float(v) for v in np.asarray(x).reshape(-1)]
    n_in, n_hidden, n_out = model.sizes
    hidden = []
    for j in range(n_hidden):
        z = b1[j]
        for i in range(n_in):
            z += pixels[i] * W1[i][j]
        hidden.append(z if z > 0.0 else 0.0)
    logits = []
    for k in range(n_out):
        z = b2[k]
        for j in range(n_hidden):
            z += hidden[j] * W2[j][k]
        logits.append(z)
    top = max(logits)
    exps = [float(np.exp(v - top)) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def multiply_adds(model: MLP) -> tuple[int, int]:
    """Multiply-adds for one image: (input -> hidden, hidden -> output)."""
    n_in, n_hidden, n_out = model.sizes
    return n_in * n_hidden, n_hidden * n_out
