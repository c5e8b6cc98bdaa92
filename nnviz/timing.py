"""Measure the post's claim that a trained network classifies a digit "in milliseconds".

Timings are taken on whatever machine runs this code -- the server, when the app
shows them -- never typed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .mlp import MLP, relu, softmax

__all__ = ["as_lists", "forward_loops", "forward_numpy", "median_seconds", "multiply_adds"]


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


def as_lists(model: MLP) -> tuple[list, list, list, list]:
    """The parameters W1, b1, W2, b2 as nested Python lists of floats, for :func:`forward_loops`."""
    return model.W1.tolist(), model.b1.tolist(), model.W2.tolist(), model.b2.tolist()


def forward_loops(model: MLP, x: np.ndarray | list[float], *, lists: tuple | None = None) -> list[float]:
    """The same forward pass for one image (784,) as plain Python loops, one multiply-add at a time.

    This is what "a single mathematical operation" replaces: 100,352 + 1,280
    multiply-adds written out.  Returns the 10 probabilities.

    ``lists``: :func:`as_lists` of ``model``, made once; a timing passes it (and
    ``x`` as a list), so that it times the multiply-adds, not turning 101,770
    NumPy numbers into Python ones (30% of a run when done inside it).
    """
    W1, b1, W2, b2 = as_lists(model) if lists is None else lists
    pixels = x if isinstance(x, list) else [float(v) for v in np.asarray(x).reshape(-1)]
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
