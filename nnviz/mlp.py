"""The post's network, from scratch in NumPy: 784 inputs -> 128 hidden -> 10 outputs.

    x (n, 784) --W1, b1--> z1 (n, 128) --ReLU--> hidden (n, 128)
               --W2, b2--> logits (n, 10) --softmax--> probabilities (n, 10)

Written to be read.  Each step's forward formula sits next to its backward rule,
so every gradient is beside the formula it differentiates.  Rows are samples,
everything is float32, and weights are stored ``(inputs, outputs)`` -- the same
layout as scikit-learn's ``MLPClassifier.coefs_`` -- so a forward pass is one
matrix product per layer: ``x @ W1 + b1``.

Non-goals: other layer types, autograd, GPUs.  For those, use a framework; this
file exists so that every number the app shows can be traced to one line here.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .npzfile import load_file, read_npz, write_npz

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "Forward",
    "Gradients",
    "ModelError",
    "cross_entropy",
    "log_loss",
    "log_losses",
    "negative_log_likelihood",
    "relu",
    "softmax",
    "split_parameters",
]

DTYPE = np.float32
PARAMS = ("W1", "b1", "W2", "b2")


class ModelError(RuntimeError):
    """A model file is missing, damaged, or not an nnviz network."""


# --- the three functions of the maths -------------------------------------------


def relu(z: np.ndarray) -> np.ndarray:
    """max(0, z), elementwise."""
    z = np.asarray(z)
    # Against a row of zeros rather than the scalar 0: the same numbers (-0.0 and NaN
    # included), but NumPy's loop for a scalar operand is not vectorised, and for
    # 10,000 x 128 activations this one is 1.8x quicker.
    return np.maximum(z, np.zeros(z.shape[-1:], dtype=z.dtype))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable: subtracting the row max changes nothing but overflow."""
    e = logits - _row_max(logits)
    np.exp(e, out=e)  # in place: one temporary array instead of three
    e /= np.add.reduce(e, axis=1, keepdims=True)
    return e


def _row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1, keepdims=True)`` of a 2-D array, the same numbers, quicker for many short rows.

    NumPy takes the maximum along a row of 10 as one short loop per row: 5.7 µs
    for a training batch of 128 rows, 0.4 ms for 10,000.  Read down the columns of
    a transposed copy it is 10 vectorised passes: 1.7 µs and 34 µs (measured
    here).  A maximum involves no rounding, so the result is identical.
    """
    if a.ndim != 2 or a.shape[0] < 16 or a.shape[1] > 64:  # one row, or long rows: the plain way is quicker
        return np.maximum.reduce(a, axis=1, keepdims=True)
    return np.maximum.reduce(np.ascontiguousarray(a.T), axis=0)[:, None]


def cross_entropy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Mean of -log p[label] over the rows; p is clipped so a certain mistake costs ~16, not inf."""
    return negative_log_likelihood(probabilities[np.arange(len(labels)), labels])


def log_loss(logits: np.ndarray, labels: np.ndarray) -> float:
    """Mean of -log softmax(logits)[label], worked out from the logits in float64, without clipping.

    The same number as :func:`cross_entropy` where that one is exact, and the
    true one where it is not: a float32 softmax rounds p to exactly 1 once the
    other logits are about 17 below the true one (so -log p reads 0, and a
    small step "changes nothing"), and the clip caps a certain mistake at about
    16.  For showing a loss; training keeps the cheaper :func:`cross_entropy`.

    Parameters
    ----------
    logits : (n, k) the scores before softmax
    labels : (n,) int, the true classes

    Returns
    -------
    float
    """
    return float(log_losses(np.asarray(logits, dtype=np.float64), labels).mean())


def log_losses(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-log softmax(logits)[label] for each row, in the logits' own float type.

    Per row this is ``log(sum_k exp(z_k - z_label))``: ``log1p`` of the other
    terms when the true logit is the largest (no cancellation for a confident
    answer), shifted by the largest difference otherwise (no overflow for a
    wrong one).  One ``exp`` over the array.

    Parameters
    ----------
    logits : (n, k)
    labels : (n,) int

    Returns
    -------
    (n,) ndarray
    """
    z = np.asarray(logits)
    labels = np.asarray(labels)
    rows = np.arange(len(labels))
    d = z - z[rows, labels][:, None]  # z_k - z_label: 0 in the label's own column
    d[rows, labels] = -np.inf  # leave the label's own term (exp 0 = 1) out of the sum
    top = d.max(axis=1)
    shift = np.maximum(top, 0)
    d -= shift[:, None]
    others = np.exp(d, out=d).sum(axis=1)  # sum over k != label of exp(z_k - z_label - shift)
    return np.where(top > 0, shift + np.log(np.exp(-shift) + others), np.log1p(others))


def negative_log_likelihood(p_true: np.ndarray) -> float:
    """Mean of -log p over the probabilities each image gave its true label (clipped at 1e-7, as above)."""
    return float(-np.log(np.clip(p_true, 1e-7, 1.0)).mean())


def inked_columns(
    x: np.ndarray, *, min_rows: int = 16, max_rows: int = 1024, max_fraction: float = 0.9
) -> np.ndarray | None:
    """The input pixels that are nonzero in some row of a batch, when skipping the rest pays.

    A pixel that is 0 in every row adds exactly 0 to the first layer's products,
    forward and backward.  A handwritten digit leaves most pixels blank: in a
    batch of 128 MNIST digits about a third of the 784 are blank in all of them.

    Parameters
    ----------
    x : (n, d) inputs
    min_rows, max_rows : int
        Outside this many rows, returns None: below, the plain product is
        already cheap; above, copying out the inked columns costs as much as it
        saves (a training batch is in between; 10,000 test images are not).
    max_fraction : float
        With more than this fraction of columns inked, returns None.

    Returns
    -------
    (k,) int ndarray of column indices, or None for "use every column"
    """
    if not min_rows <= len(x) <= max_rows:
        return None
    # for unsigned integers (uint8 images) "nonzero somewhere" is "max > 0", which is quicker
    cols = np.flatnonzero(x.max(axis=0) if x.dtype.kind == "u" else x.any(axis=0))
    return None if len(cols) > max_fraction * x.shape[1] else cols


def input_gradient(
    x: np.ndarray,
    dz: np.ndarray,
    cols: np.ndarray | None = None,
    x_cols: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """``x.T @ dz``, the gradient of a first-layer weight matrix, multiplying only inked pixels.

    Parameters
    ----------
    x : (n, d) inputs; or (n, k), only the columns ``cols``, with ``out`` given
        (the trainer's compact batches: d cannot be read from them)
    dz : (n, h) the error signal at the layer's pre-activations
    cols : (k,) int, optional
        Columns of ``x`` that may be nonzero, ascending (from :func:`inked_columns`);
        the gradient's other rows are exactly zero.  None: all of them.
    x_cols : (n, k), optional
        ``x[:, cols]`` when the caller already has it (the forward pass made it).
    out : (d, h) ndarray, optional
        Where to write the result (the backward pass's gradient vector).

    Returns
    -------
    (d, h) ndarray

    Raises
    ------
    ValueError
        If ``x`` is compact (a column index in ``cols`` is past its last column)
        and ``out`` is not given.
    """
    compact = cols is not None and len(cols) > 0 and cols[-1] >= x.shape[1]
    if out is None:
        if compact:
            raise ValueError(
                f"x holds only the {x.shape[1]} columns in cols, so the gradient's row count is unknown: pass out"
            )
        out = np.empty((x.shape[1], dz.shape[1]), dtype=np.result_type(x, dz))
    if cols is None:
        return np.matmul(x.T, dz, out=out)
    x_cols = (x if compact else x[:, cols]) if x_cols is None else x_cols
    out[cols] = x_cols.T @ dz
    blank = np.ones(len(out), dtype=bool)
    blank[cols] = False
    out[blank] = 0  # zeroing only the other rows is quicker than filling all of them first
    return out


# --- records of one pass ----------------------------------------------------------


@dataclass(repr=False)
class Forward:
    """Every intermediate of one forward pass (the pages show each of them).

    Attributes
    ----------
    x : (n, 784) the input pixels, ink = 1; or (n, k), only the ``inked`` columns,
        when the caller passed it so (the trainer does)
    z1 : (n, H) pre-activations of the hidden layer, ``x @ W1 + b1``
    hidden : (n, H) hidden activations, ``relu(z1)`` (times the dropout mask in training)
    logits : (n, 10) ``hidden @ W2 + b2``
    probabilities : (n, 10) ``softmax(logits)``; each row sums to 1
    mask : (n, H) the inverted-dropout mask used, or None
    inked : (k,) the input columns that are nonzero somewhere in the batch, when
        the first layer multiplied only those (a shortcut for big batches), or None
    x_inked : (n, k) ``x[:, inked]``, kept for the backward pass, or None
    """

    x: np.ndarray
    z1: np.ndarray
    hidden: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    mask: np.ndarray | None = None
    inked: np.ndarray | None = None
    x_inked: np.ndarray | None = None

    @property
    def prediction(self) -> np.ndarray:
        """(n,) the most probable digit of each row."""
        return self.probabilities.argmax(axis=1)

    def __repr__(self) -> str:
        return f"Forward(n={len(self.x)}, hidden={self.hidden.shape[1]})"


@dataclass(repr=False)
class Gradients:
    """dL/d(everything) for the mean cross-entropy over a batch.

    ``dlogits`` is the output error (p - y) / n, ``dz1`` the hidden error signal;
    ``W1 ... b2`` have the shapes of the parameters they update.  All of them are
    multiplied by the ``scale`` passed to :meth:`MLP.backward` (default 1).  ``flat`` holds
    all four in one vector laid out like :attr:`MLP.flat` (``W1 ... b2`` are views
    of it), so an optimizer can take one step for the whole network.
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    dlogits: np.ndarray
    dhidden: np.ndarray
    dz1: np.ndarray
    flat: np.ndarray | None = None

    def params(self) -> dict[str, np.ndarray]:
        """The parameter gradients keyed like :meth:`MLP.params`."""
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}

    def __repr__(self) -> str:
        norms = ", ".join(f"|d{k}|={np.linalg.norm(v):.3g}" for k, v in self.params().items())
        return f"Gradients({norms})"


# --- the network ------------------------------------------------------------------


@dataclass(repr=False)
class MLP:
    """A two-layer perceptron: ReLU hidden layer, softmax output.

    Parameters
    ----------
    W1 : ndarray of shape (n_inputs, n_hidden)
    b1 : ndarray of shape (n_hidden,)
    W2 : ndarray of shape (n_hidden, n_outputs)
    b2 : ndarray of shape (n_outputs,)
    meta : dict
        Provenance (training settings, seed, accuracy, ...), saved with the weights.

    Attributes
    ----------
    flat : ndarray of shape (n_params,)
        Every parameter in one float32 vector, in the order W1, b1, W2, b2.
        ``W1 ... b2`` are views of it (the arrays passed in are copied), so an
        optimizer updates the whole network with one NumPy call per formula
        instead of one per array.  Assigning ``net.W1 = a`` copies ``a`` in.
    """

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        arrays = {name: np.asarray(getattr(self, name), dtype=DTYPE) for name in PARAMS}
        _check_shapes(arrays)
        flat = np.empty(sum(a.size for a in arrays.values()), dtype=DTYPE)
        for name, view in split_parameters(flat, {k: a.shape for k, a in arrays.items()}).items():
            view[...] = arrays[name]
            object.__setattr__(self, name, view)
        object.__setattr__(self, "flat", flat)

    def __setattr__(self, name: str, value: Any) -> None:
        if (name in PARAMS or name == "flat") and "flat" in self.__dict__:
            # keep W1 ... b2 views of the one vector: write the new values into it
            target = getattr(self, name)
            value = np.asarray(value, dtype=DTYPE)
            if value.shape != target.shape:
                raise ValueError(f"{name} has shape {target.shape}; cannot assign one of shape {value.shape}")
            target[...] = value
        else:
            super().__setattr__(name, value)

    def __reduce__(self) -> tuple:
        # copy, deepcopy and pickle rebuild through the constructor, so the views stay views
        return (type(self), (*self.params().values(), self.meta))

    @classmethod
    def init(
        cls, n_hidden: int = 128, *, seed: int | np.random.Generator = 0, n_inputs: int = 784, n_outputs: int = 10
    ) -> MLP:
        """A fresh network with He initialisation.

        Weights are drawn from N(0, 2 / fan_in) (He et al., 2015): ReLU zeroes
        about half of a layer's outputs, which halves the mean square of what the
        next layer receives, and the factor 2 makes up for it, so the scale of
        the signal stays the same from layer to layer.  Biases start at zero.
        """
        rng = np.random.default_rng(seed)
        W1 = rng.normal(0.0, math.sqrt(2.0 / n_inputs), (n_inputs, n_hidden))
        W2 = rng.normal(0.0, math.sqrt(2.0 / n_hidden), (n_hidden, n_outputs))
        return cls(W1, np.zeros(n_hidden), W2, np.zeros(n_outputs))

    # -- sizes --

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(inputs, hidden, outputs), e.g. (784, 128, 10)."""
        return self.W1.shape[0], self.W1.shape[1], self.W2.shape[1]

    @property
    def n_weights(self) -> int:
        """Number of connection weights: 784*128 + 128*10 for the post's network."""
        return self.W1.size + self.W2.size

    @property
    def n_biases(self) -> int:
        """One bias per hidden and output neuron: 128 + 10."""
        return self.b1.size + self.b2.size

    @property
    def n_params(self) -> int:
        """Weights plus biases."""
        return self.n_weights + self.n_biases

    def params(self) -> dict[str, np.ndarray]:
        """The four parameter arrays, by name (the live arrays, not copies)."""
        return {name: getattr(self, name) for name in PARAMS}

    def _views_of(self, vector: np.ndarray) -> tuple[np.ndarray, ...]:
        """W1-, b1-, W2- and b2-shaped views of a vector laid out like :attr:`flat` (the last one is kept)."""
        cached = self.__dict__.get("_views")
        if cached is None or cached[0] is not vector:
            shapes = {name: getattr(self, name).shape for name in PARAMS}
            cached = (vector, tuple(split_parameters(vector, shapes).values()))
            object.__setattr__(self, "_views", cached)
        return cached[1]

    def fingerprint(self) -> str:
        """A hex digest of the weights: equal for equal networks, different after any change.

        Files computed from one network (the shipped t-SNE map) record it, so
        they are never shown beside another network.
        """
        h = hashlib.blake2b(digest_size=16)
        for p in self.params().values():
            h.update(str(p.shape).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        return h.hexdigest()

    def copy(self) -> MLP:
        """A deep copy, so a page can experiment without touching the original."""
        return MLP(*(p.copy() for p in self.params().values()), meta=json.loads(json.dumps(self.meta)))

    # -- forward and backward, side by side --

    def forward(
        self,
        x: np.ndarray,
        *,
        dropout: float = 0.0,
        rng: np.random.Generator | None = None,
        inked: np.ndarray | None = None,
    ) -> Forward:
        """Run the network on a batch and keep every intermediate.

        Parameters
        ----------
        x : array_like of shape (n, 784)
            Pixel intensities in [0, 1], ink = 1.  One image is ``x[None]``.
        dropout : float
            Training only: the probability of zeroing each hidden activation.
            Inverted dropout scales survivors by 1 / (1 - dropout), so inference
            needs no change.
        rng : numpy.random.Generator, optional
            Source of the dropout mask.
        inked : (k,) int ndarray, optional
            The input columns that hold all the batch's nonzero pixels, when the
            caller already knows them; default :func:`inked_columns` of ``x``.
            ``x`` may then be just those columns, shape (n, k): the trainer cuts
            them out of the uint8 images and converts only them, which is quicker.

        Returns
        -------
        Forward
        """
        x = np.asarray(x, dtype=DTYPE)
        compact = inked is not None and x.ndim == 2 and x.shape[1] == len(inked)
        if not compact and (x.ndim != 2 or x.shape[1] != self.W1.shape[0]):
            raise ValueError(f"x must have shape (n, {self.W1.shape[0]}), got {x.shape}")
        inked = inked_columns(x) if inked is None else inked
        x_inked = x if compact else None if inked is None else x[:, inked]
        if inked is None:
            z1 = x @ self.W1  # (n, 128): one matrix product for the whole layer
        else:  # the same product without the pixels that are blank in every image (exact zeros)
            z1 = x_inked @ np.take(self.W1, inked, axis=0)
        z1 += self.b1
        hidden = relu(z1)  # (n, 128)
        mask = None
        if dropout > 0.0:
            rng = rng if rng is not None else np.random.default_rng()
            mask = (rng.random(hidden.shape, dtype=DTYPE) >= dropout) / DTYPE(1.0 - dropout)
            hidden = hidden * mask
        logits = hidden @ self.W2  # (n, 10)
        logits += self.b2
        return Forward(x, z1, hidden, logits, softmax(logits), mask, inked, x_inked)

    def backward(
        self,
        fwd: Forward,
        labels: np.ndarray,
        *,
        l2: float = 0.0,
        out: np.ndarray | None = None,
        scale: float = 1.0,
    ) -> Gradients:
        """Backpropagation: the gradient of the mean cross-entropy, layer by layer.

        Each line is the chain rule applied to one line of :meth:`forward`, walked
        in reverse.

        Parameters
        ----------
        fwd : Forward
            The pass to differentiate (from :meth:`forward` on the same batch).
        labels : array_like of int, shape (n,)
        l2 : float
            Weight decay: adds ``l2 * W`` to each weight gradient, the gradient of
            ``l2 / 2 * sum(W**2)``.  Biases are not decayed.
        out : ndarray of shape (n_params,), optional
            Write the parameter gradients into this vector (laid out like
            :attr:`flat`; a training loop reuses one) instead of a new one.
        scale : float
            Multiply every gradient (and ``dlogits``, ``dhidden``, ``dz1``) by
            this.  Adam takes its gradients multiplied by a factor of its own
            (:attr:`Adam.gradient_scale`): multiplying the 128 x 10 output
            error here is free, and saves Adam a pass over all the weights.
        """
        labels = np.asarray(labels)
        n = len(labels)
        # softmax + cross-entropy together have the simplest derivative there is:
        # dL/dlogits = p - y (y one-hot), divided by n for the mean.
        # (y one-hot as a comparison: one pass over the small array, no fancy indexing)
        dlogits = np.subtract(fwd.probabilities, labels[:, None] == np.arange(fwd.probabilities.shape[1]))
        dlogits *= scale / n  # (n, 10); every gradient below is a product of it, so scaled alike
        # the parameters' gradients go into one vector laid out like self.flat
        flat = np.empty_like(self.flat) if out is None else out
        dW1, db1, dW2, db2 = self._views_of(flat)
        # logits = hidden @ W2 + b2
        np.matmul(fwd.hidden.T, dlogits, out=dW2)  # (128, 10)
        dlogits.sum(axis=0, out=db2)  # (10,)
        dhidden = dlogits @ self.W2.T  # (n, 128)
        # hidden = relu(z1) * mask: the gradient flows only where the neuron fired
        dz1 = dhidden * (fwd.z1 > 0)
        if fwd.mask is not None:
            dz1 *= fwd.mask
        # z1 = x @ W1 + b1
        # (784, 128): each column is the input scaled by that neuron's error
        input_gradient(fwd.x, dz1, fwd.inked, fwd.x_inked, out=dW1)
        dz1.sum(axis=0, out=db1)  # (128,)
        if l2:
            dW1 += (scale * l2) * self.W1
            dW2 += (scale * l2) * self.W2
        return Gradients(dW1, db1, dW2, db2, dlogits, dhidden, dz1, flat)

    def loss(self, x: np.ndarray, labels: np.ndarray, *, l2: float = 0.0) -> float:
        """Mean cross-entropy on a batch, plus ``l2 / 2 * sum(W**2)`` if asked.

        Exact (:func:`log_loss`, from the logits, no clip): the function whose
        gradient :meth:`backward` computes, and the one the loss surface shows.
        """
        value = log_loss(self.forward(x).logits, np.asarray(labels))
        if l2:
            value += 0.5 * l2 * float((self.W1**2).sum() + (self.W2**2).sum())
        return value

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """(n, 10) probabilities; the fast path with no intermediates kept."""
        x = np.asarray(x, dtype=DTYPE)
        return softmax(relu(x @ self.W1 + self.b1) @ self.W2 + self.b2)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """(n,) predicted digits."""
        x = np.asarray(x, dtype=DTYPE)
        return (relu(x @ self.W1 + self.b1) @ self.W2 + self.b2).argmax(axis=1)

    def accuracy(self, images: np.ndarray, labels: np.ndarray, *, batch: int = 10_000) -> float:
        """Fraction of ``images`` (uint8 (n, 28, 28) or float (n, 784)) classified right."""
        correct = 0
        for start in range(0, len(labels), batch):
            xb = as_input(images[start : start + batch])
            correct += int((self.predict(xb) == labels[start : start + batch]).sum())
        return correct / len(labels)

    # -- files --

    def save(self, path: str | os.PathLike) -> None:
        """Write a compressed ``.npz``: the four arrays and ``meta`` as a JSON string.

        No Python objects are pickled, so loading the file can never run code.
        """
        write_npz(path, self.params(), self.meta)

    @classmethod
    def load(cls, path: str | os.PathLike) -> MLP:
        """Read a network written by :meth:`save`.

        Raises
        ------
        ModelError
            If the file is missing, not an ``.npz``, lacks an array, holds
            anything pickled, or has shapes that do not chain together.
        """
        return load_file(path, cls.from_bytes, ModelError, "Model")

    @classmethod
    def from_bytes(cls, blob: bytes) -> MLP:
        """Read a network from the bytes of an ``.npz`` (an upload, say)."""
        arrays, meta = read_npz(blob, PARAMS, ModelError, "model")
        for name, array in arrays.items():
            if not np.issubdtype(array.dtype, np.floating):
                raise ModelError(f"{name} has dtype {array.dtype}; expected floating point.")
            if not np.isfinite(array).all():
                raise ModelError(f"{name} contains NaN or infinity.")
        try:
            return cls(**arrays, meta=meta)
        except ValueError as exc:
            raise ModelError(str(exc)) from exc

    def __repr__(self) -> str:
        i, h, o = self.sizes
        acc = self.meta.get("test_accuracy")
        extra = f", test_accuracy={acc:.4f}" if isinstance(acc, float) else ""
        return f"MLP({i}->{h}->{o}, params={self.n_params:,}{extra})"


def split_parameters(vector: np.ndarray, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """Cut a vector into consecutive views with the given shapes (the layout of :attr:`MLP.flat`).

    Parameters
    ----------
    vector : (P,) ndarray, P the sum of the shapes' sizes
    shapes : name -> shape, in order (W1, b1, W2, b2)

    Returns
    -------
    name -> view of ``vector`` (no copies)
    """
    parts, start = {}, 0
    for name, shape in shapes.items():
        size = math.prod(shape)
        parts[name] = vector[start : start + size].reshape(shape)
        start += size
    if start != vector.size:
        raise ValueError(f"vector has {vector.size} entries, the shapes {start}")
    return parts


def _check_shapes(p: dict[str, np.ndarray]) -> None:
    W1, b1, W2, b2 = (p[k] for k in PARAMS)
    if W1.ndim != 2 or W2.ndim != 2 or b1.ndim != 1 or b2.ndim != 1:
        raise ValueError(f"W1, W2 must be 2-D and b1, b2 1-D; got {[p[k].shape for k in PARAMS]}")
    if b1.shape[0] != W1.shape[1] or W2.shape[0] != W1.shape[1] or b2.shape[0] != W2.shape[1]:
        raise ValueError("shapes do not chain: W1 {}, b1 {}, W2 {}, b2 {}".format(*(p[k].shape for k in PARAMS)))


def as_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) -> float32 (n, 784) in [0, 1]; float input passes through."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        x = images.reshape(len(images), -1).astype(DTYPE)
        x /= DTYPE(255.0)  # in place: the same numbers, one array fewer
        return x
    return images.reshape(len(images), -1).astype(DTYPE, copy=False)


# --- optimizers: how a gradient becomes a step --------------------------------------


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum.

    v <- momentum * v - lr * g ;  w <- w + v.   momentum = 0 is plain SGD: w <- w - lr * g.
    """

    gradient_scale = 1.0  # takes the gradient as it is (see Adam.gradient_scale)

    def __init__(self, lr: float = 0.1, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.velocity: dict[str, np.ndarray] = {}

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray],
        *,
        premultiplied: bool = False,
        scratch: bool = False,
    ) -> None:
        """Update ``params`` in place (``premultiplied`` and ``scratch`` change nothing here)."""
        for name, w in params.items():
            if name not in self.velocity:  # first step: start at rest
                self.velocity[name] = np.zeros_like(w)
            v = self.velocity[name]
            v *= self.momentum
            v -= self.lr * grads[name]
            w += v

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum})"


class Adam:
    """Adam (Kingma & Ba, 2015): momentum on the gradient and on its square, bias-corrected.

    m <- b1 m + (1-b1) g ;  v <- b2 v + (1-b2) g^2 ;  w <- w - lr_t * m / (sqrt(v) + eps)

    with lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t): the bias corrections of m and v
    folded into the step size, the paper's "more efficient" order (its section 2),
    which is also scikit-learn's.  It equals lr * m_hat / (sqrt(v_hat) + eps)
    up to where eps sits, and costs fewer passes over the weights.

    The moments are stored rescaled, which saves passes and is exact algebra:
    ``m`` holds r m and ``v`` holds (k r)^2 v, with k = (1 - b1) / sqrt(1 - b2)
    and a scale r that grows by 1 / sqrt(b2) each step.  Then

    - a gradient that arrives multiplied by c = (1 - b1) r (``premultiplied``;
      :meth:`MLP.backward` does it for free with ``scale=gradient_scale``) is
      added to ``m`` as it stands, and its square to ``v`` as it stands;
    - the stored ``v`` needs no decay pass: b2 v, rescaled by the growth of
      (k r)^2, which is 1 / b2, is v again;
    - m / (sqrt(v) + eps) = k m_stored / (sqrt(v_stored) + eps k r): the scales
      cancel into the step size and eps.

    r is brought back down by a power of two (exact in floating point) before it
    gets large.  A step is 9 NumPy passes over the weights instead of 12.
    """

    _rescale_above = 2.0**16  # r's ceiling; the stored moments are then multiplied by 2**-16 and 2**-32

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m: dict[str, np.ndarray] = {}  # r times the paper's m (see above)
        self.v: dict[str, np.ndarray] = {}  # (k r)^2 times the paper's v
        self._r = 1.0  # the scale of the last step
        self._scratch: dict[str, np.ndarray] = {}

    @property
    def _k(self) -> float:
        """k = (1 - b1) / sqrt(1 - b2): sqrt of the stored v carries k r (see above)."""
        return (1 - self.beta1) / math.sqrt(1 - self.beta2)

    @property
    def gradient_scale(self) -> float:
        """The factor that :meth:`step` with ``premultiplied=True`` expects on the next step's gradients.

        It changes from step to step: read it just before computing the gradient.
        """
        return (1 - self.beta1) * self._r / math.sqrt(self.beta2)

    def moments(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The paper's m and v for one parameter array, as new (unscaled) arrays."""
        if name not in self.m:
            raise KeyError(f"no step has updated {name!r} yet")
        return self.m[name] / self._r, self.v[name] / (self._k * self._r) ** 2

    def step(
        self,
        params: dict[str, np.ndarray],
        grads: dict[str, np.ndarray],
        *,
        premultiplied: bool = False,
        scratch: bool = False,
    ) -> None:
        """Update ``params`` in place.

        ``premultiplied``: the gradients are ``gradient_scale`` * g rather than g.
        ``scratch``: the gradient arrays may be overwritten.
        """
        c = self.gradient_scale
        self.t += 1
        self._r /= math.sqrt(self.beta2)
        k = self._k
        # bias corrections (m and v start at zero) folded into the step size, times k
        lr_t = self.lr * math.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t) * k
        rescale = self._r > self._rescale_above
        for name, w in params.items():
            g = grads[name]
            if name not in self.m:  # first step: both moments start at zero
                self.m[name], self.v[name] = np.zeros_like(w), np.zeros_like(w)
                self._scratch[name] = np.empty_like(w)
            m, v, tmp = self.m[name], self.v[name], self._scratch[name]
            if not premultiplied:
                g = np.multiply(g, c, out=tmp)
            elif scratch:
                tmp = g
            m *= self.beta1 / math.sqrt(self.beta2)  # b1, and the growth of r
            m += g  # m <- b1 m + (1-b1) g, all times r
            np.multiply(g, g, out=tmp)
            v += tmp  # v <- b2 v + (1-b2) g^2, all times (k r)^2: b2 cancels r's growth
            # w -= lr_t * m / (sqrt(v) + eps), computed in the scratch buffer
            np.sqrt(v, out=tmp)
            tmp += self.eps * k * self._r
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            w -= tmp
            if rescale:  # powers of two: no rounding
                m *= 2.0**-16
                v *= 2.0**-32
        if rescale:
            self._r *= 2.0**-16

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, beta1={self.beta1}, beta2={self.beta2})"
