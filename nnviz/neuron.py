"""One hidden neuron, up close: what excites it, and what it makes of a digit.

Hidden neuron j computes ``z_j = sum_i x_i * W1[i, j] + b1[j]`` and fires
``h_j = max(0, z_j)``.  The 784 products ``x_i * W1[i, j]`` are the
"weight x input" map: where the digit has no ink, x_i = 0 and the pixel adds
nothing, whatever its weight.  :func:`respond` writes that sum out and checks
it against the matrix product the network really computes.

:func:`hidden_activations` and :func:`top_digits` find, over the test set, the
digits that make each neuron fire hardest (a neuron's "preferred stimuli", as
in Zeiler and Fergus's and Olah et al.'s feature-visualisation work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embed import embed
from .mlp import MLP

__all__ = ["NeuronResponse", "TopDigits", "hidden_activations", "respond", "top_digits"]


def hidden_activations(model: MLP, images: np.ndarray, *, batch: int = 2_000) -> np.ndarray:
    """Hidden activations of ``images`` (n, 28, 28) uint8, in batches: (n, H) float32.

    Converting per batch keeps the float copy of the images small (uint8 is
    what stays in memory).
    """
    return embed(model, images, batch=batch)  # the same batched product: one copy of it, in nnviz.embed


@dataclass(frozen=True)
class TopDigits:
    """For each hidden neuron, the k inputs that excite it most.

    Attributes
    ----------
    indices : (H, k) int64
        Row numbers into the activations (test-set indices), most exciting first.
    activations : (H, k) float32
        The neuron's activation on each of them.
    """

    indices: np.ndarray
    activations: np.ndarray

    def __repr__(self) -> str:
        return f"TopDigits(neurons={self.indices.shape[0]}, k={self.indices.shape[1]})"


def top_digits(hidden: np.ndarray, k: int = 8) -> TopDigits:
    """The ``k`` rows of ``hidden`` (n, H) with the largest activation, for every neuron (column).

    Ties are broken by the lower index, so the answer is deterministic.
    """
    hidden = np.asarray(hidden)
    k = min(k, hidden.shape[0])
    # a stable sort of the negated column puts the largest first and keeps index order among ties
    order = np.argsort(-hidden, axis=0, kind="stable")[:k].T  # (H, k)
    acts = np.take_along_axis(hidden.T, order, axis=1)
    return TopDigits(order.astype(np.int64), acts.astype(np.float32))


@dataclass(frozen=True)
class NeuronResponse:
    """Hidden neuron ``neuron``'s sum for one digit, written out term by term.

    Attributes
    ----------
    neuron : int
    terms : (784,) float64
        ``x * W1[:, neuron]``: each pixel's contribution.
    bias : float
        ``b1[neuron]``.
    z : float
        ``terms.sum() + bias``, the pre-activation added up here.
    z_network : float
        The same number from the network's own forward pass (``x @ W1 + b1``).
    activation : float
        ``max(0, z_network)``.
    """

    neuron: int
    terms: np.ndarray
    bias: float
    z: float
    z_network: float
    activation: float

    @property
    def agrees(self) -> bool:
        """True when the sum written out equals the matrix product's value (up to float32 rounding)."""
        return bool(np.isclose(self.z, self.z_network, rtol=1e-4, atol=1e-4))

    @property
    def n_active_pixels(self) -> int:
        """How many of the 784 terms are non-zero (pixels with ink)."""
        return int(np.count_nonzero(self.terms))


def respond(model: MLP, x: np.ndarray, neuron: int) -> NeuronResponse:
    """Neuron ``neuron``'s response to input ``x`` (784,), with its 784 weight x input terms.

    Raises ``IndexError`` for a neuron the model does not have.
    """
    n_hidden = model.sizes[1]
    if not 0 <= neuron < n_hidden:
        raise IndexError(f"neuron {neuron} is outside 0-{n_hidden - 1}")
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    w = model.W1[:, neuron].astype(np.float64)
    terms = x.astype(np.float64) * w  # (784,)
    bias = float(model.b1[neuron])
    z_network = float(model.forward(x[None]).z1[0, neuron])
    return NeuronResponse(
        neuron=neuron,
        terms=terms,
        bias=bias,
        z=float(terms.sum() + bias),
        z_network=z_network,
        activation=max(0.0, z_network),
    )
