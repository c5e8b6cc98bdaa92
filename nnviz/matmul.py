"""The forward pass as matrix multiplication, with the real shapes and numbers of one digit.

The post: "a trained network classifies digits in milliseconds. This is due to
matrix multiplication - transforming 784 inputs through weighted connections in a
single mathematical operation."  For one digit x (1x784)::

    z1 = x @ W1 + b1          (1x784) . (784x128) + (128,)  -> (1x128)
    h  = relu(z1)                                            -> (1x128)
    z2 = h @ W2 + b2          (1x128) . (128x10)  + (10,)   -> (1x10)
    p  = softmax(z2)                                         -> (1x10)

A screen cannot show a 784x128 matrix as numbers, so :func:`trace` picks the
rows and columns that matter for this digit (the inkiest pixels, the hidden
neurons that fire hardest) and :func:`worked_sum` writes one entry of a product
out term by term.  :func:`speed_test` times the same pass written as plain
Python loops, as NumPy's two matrix products, and for 10,000 digits in the same two products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP, Forward, as_input
from .timing import as_lists, forward_loops, forward_numpy, median_seconds, multiply_adds

__all__ = ["MatrixSlice", "SpeedTest", "Trace", "WorkedSum", "speed_test", "trace", "worked_sum"]


@dataclass(frozen=True)
class MatrixSlice:
    """Some rows and columns of a matrix (or vector), and the full shape they come from.

    Attributes
    ----------
    name : str
        "W1", "x", ...
    shape : tuple of int
        The whole matrix's shape, e.g. (784, 128).
    rows, cols : (r,), (c,) int64
        Which rows and columns are shown.
    values : (r, c) float
        ``matrix[rows][:, cols]``.
    """

    name: str
    shape: tuple[int, ...]
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray

    @property
    def fraction_shown(self) -> float:
        """Share of the matrix's entries that the slice shows."""
        return self.values.size / float(np.prod(self.shape))


def _take(name: str, matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> MatrixSlice:
    matrix = np.atleast_2d(matrix)
    return MatrixSlice(name, matrix.shape, rows, cols, np.asarray(matrix[np.ix_(rows, cols)], dtype=np.float64))


@dataclass(frozen=True)
class Trace:
    """One digit's forward pass, with the slices worth showing.

    Attributes
    ----------
    forward : Forward
        Every intermediate (each (1, n)).
    pixels : (k,) int64
        The k inputs with the most ink, in pixel order: the rows of W1 shown.
    neurons : (m,) int64
        The m hidden neurons with the highest activation, strongest first: the
        columns of W1 and the rows of W2 shown.
    x, W1, b1, z1, hidden, W2, b2, logits, probabilities : MatrixSlice
        The matching slices (vectors as 1-row matrices; W2, b2, logits and
        probabilities keep all 10 digits).
    """

    forward: Forward
    pixels: np.ndarray
    neurons: np.ndarray
    x: MatrixSlice
    W1: MatrixSlice
    b1: MatrixSlice
    z1: MatrixSlice
    hidden: MatrixSlice
    W2: MatrixSlice
    b2: MatrixSlice
    logits: MatrixSlice
    probabilities: MatrixSlice

    @property
    def prediction(self) -> int:
        return int(self.forward.prediction[0])


def trace(model: MLP, x: np.ndarray, *, k: int = 6, m: int = 6) -> Trace:
    """The forward pass of ``x`` (784,) with ``k`` input rows and ``m`` hidden neurons picked to show.

    Pixels are the ``k`` largest inputs (ties: lower index first) shown in pixel
    order; hidden neurons are the ``m`` with the largest activation.
    """
    x = np.asarray(x, dtype=np.float32).reshape(1, -1)  # (1, 784): one digit is a batch of one
    out = model.forward(x)
    n_out = model.sizes[2]
    pixels = np.sort(np.argsort(-x[0], kind="stable")[:k])
    neurons = np.argsort(-out.hidden[0], kind="stable")[:m]
    one, digits = np.array([0]), np.arange(n_out)
    return Trace(
        forward=out,
        pixels=pixels,
        neurons=neurons,
        x=_take("x", x, one, pixels),
        W1=_take("W1", model.W1, pixels, neurons),
        b1=_take("b1", model.b1[None], one, neurons),
        z1=_take("z1", out.z1, one, neurons),
        hidden=_take("h", out.hidden, one, neurons),
        W2=_take("W2", model.W2, neurons, digits),
        b2=_take("b2", model.b2[None], one, digits),
        logits=_take("z2", out.logits, one, digits),
        probabilities=_take("p", out.probabilities, one, digits),
    )


@dataclass(frozen=True)
class WorkedSum:
    """One entry of ``a @ W + b`` written out: ``bias + sum_i a_i * w_i``.

    Attributes
    ----------
    index : (t,) int64
        Which terms are written out: the largest in size, largest first.
    a, w : (t,) float64
        Their two factors.
    n_nonzero : int
        Terms that are not exactly zero (``a_i != 0``).
    n_terms : int
        All terms (784 for a hidden neuron, 128 for a digit).
    rest : float
        The sum of every term not written out.
    bias : float
    total : float
        ``bias + sum of all terms``, added up here in float64.
    network : float
        The same entry from the network's own matrix product.
    """

    index: np.ndarray
    a: np.ndarray
    w: np.ndarray
    n_nonzero: int
    n_terms: int
    rest: float
    bias: float
    total: float
    network: float

    @property
    def agrees(self) -> bool:
        """The written-out sum equals the matrix product (up to float32 rounding)."""
        return bool(np.isclose(self.total, self.network, rtol=1e-4, atol=1e-4))


def worked_sum(a: np.ndarray, w: np.ndarray, bias: float, network: float, *, show: int = 3) -> WorkedSum:
    """Write ``bias + a . w`` out, with the ``show`` largest terms named.

    Parameters
    ----------
    a : ndarray of shape (n,)
        The layer's input (pixels, or hidden activations).
    w : ndarray of shape (n,)
        One column of the weight matrix.
    bias : float
    network : float
        The value the network computed, to check the sum against.
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    w = np.asarray(w, dtype=np.float64).reshape(-1)
    terms = a * w
    order = np.argsort(-np.abs(terms), kind="stable")
    nonzero = int(np.count_nonzero(terms))
    index = order[: min(show, nonzero)]
    rest = float(terms.sum() - terms[index].sum())
    return WorkedSum(
        index=index,
        a=a[index],
        w=w[index],
        n_nonzero=nonzero,
        n_terms=a.size,
        rest=rest,
        bias=float(bias),
        total=float(terms.sum() + bias),
        network=float(network),
    )


@dataclass(frozen=True)
class SpeedTest:
    """The forward pass timed three ways on this machine (median seconds).

    Attributes
    ----------
    loops : float
        One digit, pure Python: a multiply-add at a time (:func:`nnviz.timing.forward_loops`).
    numpy : float
        One digit, two NumPy matrix products (:func:`nnviz.timing.forward_numpy`).
    batch : float
        ``batch_size`` digits in the same two products, all at once.
    batch_size : int
    multiply_adds : int
        Multiply-adds for one digit (both layers).
    max_difference : float
        Largest difference between the loops' and NumPy's probabilities.
    same_prediction : bool
        Both give the same digit.
    """

    loops: float
    numpy: float
    batch: float
    batch_size: int
    multiply_adds: int
    max_difference: float
    same_prediction: bool

    @property
    def speedup(self) -> float:
        """How many times faster NumPy's two matrix products are than the Python loops."""
        return self.loops / self.numpy

    @property
    def per_digit_in_batch(self) -> float:
        """Seconds per digit when ``batch_size`` go through the two products at once."""
        return self.batch / self.batch_size

    @property
    def loops_rate(self) -> float:
        """Multiply-adds per second in pure Python."""
        return self.multiply_adds / self.loops

    @property
    def batch_rate(self) -> float:
        """Multiply-adds per second in the batched NumPy products."""
        return self.multiply_adds * self.batch_size / self.batch


def speed_test(model: MLP, x: np.ndarray, images: np.ndarray, *, budget: float = 1.0) -> SpeedTest:
    """Time one digit ``x`` (784,) by loops and by NumPy, and ``images`` (n, 28, 28) uint8 all at once.

    Each timing is a median over several runs, within about ``budget`` seconds
    each (the loops take milliseconds a run; NumPy on one digit, microseconds).
    """
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    one = x[None]  # (1, 784)
    p_loops = np.asarray(forward_loops(model, x))
    p_numpy = forward_numpy(model, one)[0]
    # both timings start from what each way keeps ready: Python lists for the loops, arrays for NumPy
    lists, pixels = as_lists(model), [float(v) for v in x]
    loops = median_seconds(lambda: forward_loops(model, pixels, lists=lists), repeats=7, budget=budget)
    numpy = median_seconds(lambda: forward_numpy(model, one), repeats=300, budget=budget / 4)
    batch_x = as_input(images)  # (n, 784) float32: converted outside the timing, as a server would keep it
    forward_numpy(model, batch_x[:10])  # warm up
    batch = median_seconds(lambda: forward_numpy(model, batch_x), repeats=5, budget=budget)
    a, b = multiply_adds(model)
    return SpeedTest(
        loops=loops,
        numpy=numpy,
        batch=batch,
        batch_size=len(batch_x),
        multiply_adds=a + b,
        max_difference=float(np.abs(p_loops - p_numpy).max()),
        same_prediction=int(p_loops.argmax()) == int(p_numpy.argmax()),
    )
