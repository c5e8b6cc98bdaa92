"""Exactly why the network said that: a ReLU network is linear once you know which neurons fired.

For one input x, ReLU either passes a hidden neuron's value (z > 0: "active") or
zeroes it.  Fix that active set A and every step is linear, so each logit is an
ordinary weighted sum of the pixels::

    logit_c = x · w_eff_c + b_eff_c
    w_eff_c = W1[:, A] @ W2[A, c]            (784,)  one weight per pixel
    b_eff_c = b1[A] @ W2[A, c] + b2[c]

No approximation is involved: on the region where A stays the same this is the
network's function itself, not a linearisation around x.  (``w_eff_c`` is the
gradient of logit_c with respect to x, so the pixel terms below are "gradient
times input"; for a ReLU network they add up to the logit exactly, with
``b_eff_c``.)  Two exact decompositions of the same number follow:

* by hidden neuron: ``logit_c = sum_j hidden_j * W2[j, c] + b2[c]``  (a waterfall);
* by pixel: ``logit_c = sum_i x_i * w_eff_c[i] + b_eff_c``  (a 28×28 attribution map).

:func:`strongest_paths` follows the largest terms of both sums through the
network's own layers, pixel -> hidden neuron -> digit: what a drawing of the
network can show of its 101,632 connections.

:class:`Explanation` keeps both, and :meth:`Explanation.checks` confirms they add up
to the logit of the forward pass, to float tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP

__all__ = ["Check", "Contrast", "Explanation", "Paths", "contrast", "explain", "strongest_paths"]


@dataclass(repr=False)
class Check:
    """One way of adding up the logit, against the forward pass's value."""

    name: str
    total: float
    logit: float

    @property
    def error(self) -> float:
        return abs(self.total - self.logit)

    def ok(self, tol: float = 1e-4) -> bool:
        """Equal up to float32 rounding, relative to the logit's size (at least 1).

        The sums run over hundreds of float32 terms in another order than the
        forward pass's products.  Measured on test digits, random inks and
        untrained networks, the gap stays below 1e-5 of the logit (float32's
        epsilon is 1.2e-7); ``tol`` leaves a margin of ten over that and is still
        far below any difference a wrong decomposition would leave.
        """
        return self.error <= tol * max(1.0, abs(self.logit))

    def __repr__(self) -> str:
        return f"Check({self.name}: {self.total:.6f} vs {self.logit:.6f})"


@dataclass(repr=False)
class Explanation:
    """The exact linear account of one logit for one input.

    Attributes
    ----------
    x : (784,) float32
        The input pixels.
    target : int
        The digit whose logit is explained (by default the network's answer).
    logits : (10,) float32
        The forward pass's logits.
    hidden : (H,) float32
        Hidden activations; ``active = hidden > 0``.
    active : (H,) bool
        Neurons that fired (z1 > 0).
    contributions : (H,) float32
        ``hidden_j * W2[j, target]``: what each neuron adds to the logit (0 if silent).
    output_bias : float
        ``b2[target]``.
    w_eff : (784,) float32
        Effective weight of each pixel on this logit, given the active set.
    b_eff : float
        Effective bias: the hidden biases routed through the active neurons, plus ``b2[target]``.
    attribution : (784,) float32
        ``x * w_eff``: each pixel's share of the logit (reshape to 28×28).
    """

    x: np.ndarray
    target: int
    logits: np.ndarray
    hidden: np.ndarray
    active: np.ndarray
    contributions: np.ndarray
    output_bias: float
    w_eff: np.ndarray
    b_eff: float
    attribution: np.ndarray

    @property
    def logit(self) -> float:
        """The explained logit, as the forward pass computed it."""
        return float(self.logits[self.target])

    @property
    def prediction(self) -> int:
        return int(np.argmax(self.logits))

    def checks(self) -> list[Check]:
        """The two decompositions, summed in float64, against the forward pass's logit."""
        by_neuron = float(self.contributions.astype(np.float64).sum()) + self.output_bias
        by_pixel = float(self.attribution.astype(np.float64).sum()) + self.b_eff
        return [
            Check("Σ neuron contributions + b2[c]", by_neuron, self.logit),
            Check("Σ pixel attributions + b_eff", by_pixel, self.logit),
        ]

    def __repr__(self) -> str:
        return (
            f"Explanation(digit {self.target}, logit={self.logit:.3f}, "
            f"{int(self.active.sum())}/{len(self.active)} neurons active)"
        )


def explain(model: MLP, x: np.ndarray, target: int | None = None) -> Explanation:
    """Explain one logit of one input exactly.

    Parameters
    ----------
    model : MLP
    x : array_like of shape (784,)
        Pixels in [0, 1], ink = 1.
    target : int, optional
        The digit to explain; default the network's answer.

    Returns
    -------
    Explanation
    """
    out = model.forward(np.asarray(x, dtype=np.float32).reshape(1, -1))
    x = out.x[0]  # (784,)
    hidden = out.hidden[0]  # (H,)
    logits = out.logits[0]  # (10,)
    c = int(np.argmax(logits)) if target is None else int(target)
    if not 0 <= c < len(logits):
        raise ValueError(f"target must be a digit 0-{len(logits) - 1}, got {target}")
    active = out.z1[0] > 0  # (H,): the neurons ReLU lets through
    w2c = model.W2[active, c]  # (|A|,)
    w_eff = model.W1[:, active] @ w2c  # (784,): W1 restricted to the active columns, routed to logit c
    b_eff = float(model.b1[active] @ w2c) + float(model.b2[c])
    return Explanation(
        x=x,
        target=c,
        logits=logits,
        hidden=hidden,
        active=active,
        contributions=hidden * model.W2[:, c],  # (H,)
        output_bias=float(model.b2[c]),
        w_eff=w_eff,
        b_eff=b_eff,
        attribution=x * w_eff,  # (784,)
    )


@dataclass(repr=False)
class Contrast:
    """Why one digit's score beats another's: their difference, taken apart by pixel, exactly.

    Softmax turns the ten scores into probabilities and ignores anything added to
    all of them alike: what decides between two digits is the *difference* of
    their scores.  With the set of firing neurons fixed it is linear too:
    ``logit[a] - logit[b] = x · (w_eff[a] - w_eff[b]) + (b_eff[a] - b_eff[b])``.

    Attributes
    ----------
    a, b : int
        The two digits (``a`` is usually the answer).
    attribution : (784,) float32
        Each pixel's share of the difference: positive favours ``a``.
    bias : float
        ``b_eff[a] - b_eff[b]``.
    gap : float
        ``logit[a] - logit[b]`` from the forward pass.
    own : (784,) float32
        Each pixel's share of ``a``'s own score (:attr:`Explanation.attribution`),
        to show where the two accounts differ.
    """

    a: int
    b: int
    attribution: np.ndarray
    bias: float
    gap: float
    own: np.ndarray

    def check(self) -> Check:
        """The pixel shares plus the bias difference, in float64, against the forward pass's difference."""
        total = float(self.attribution.astype(np.float64).sum()) + self.bias
        return Check(f"Σ pixel shares of {self.a} − {self.b} + bias difference", total, self.gap)


def contrast(model: MLP, x: np.ndarray, a: int, b: int) -> Contrast:
    """The difference of the scores of digits ``a`` and ``b`` for input ``x`` (784,), by pixel (see :class:`Contrast`)."""
    ea, eb = explain(model, x, a), explain(model, x, b)
    return Contrast(
        a=ea.target,
        b=eb.target,
        attribution=ea.attribution - eb.attribution,
        bias=ea.b_eff - eb.b_eff,
        gap=float(ea.logits[ea.target]) - float(ea.logits[eb.target]),
        own=ea.attribution,
    )


@dataclass(repr=False)
class Paths:
    """The strongest routes from an input's ink to one logit, layer by layer.

    Attributes
    ----------
    target : int
        The digit whose logit the paths lead to.
    neurons : (m,) int
        Hidden neurons that fired, largest ``|contribution|`` first (at most the number asked for).
    contributions : (m,) float32
        ``hidden_j * W2[j, target]``: what each adds to the logit.
    pixels : (m, p) int
        For each neuron, the input pixels (0-783, row-major 28×28) whose terms
        ``x_i * W1[i, j]`` in its pre-activation are largest in size; -1 pads a
        row when fewer than p pixels carry ink.
    terms : (m, p) float32
        Those terms (0 where padded).
    active_total : float
        The sum of all active neurons' contributions: the logit less ``b2[target]``.
    n_active : int
        How many hidden neurons fired.
    logit : float
    n_inked : int
        How many input pixels carry ink (nonzero): with ``n_active``, it says how
        many connections carry a share of the logit at all.
    """

    target: int
    neurons: np.ndarray
    contributions: np.ndarray
    pixels: np.ndarray
    terms: np.ndarray
    active_total: float
    n_active: int
    logit: float
    n_inked: int = 0

    @property
    def n_carrying(self) -> int:
        """Connections with a nonzero share of the logit: inked pixel -> fired neuron, and fired neuron -> target.

        Every other connection multiplies a 0 (a blank pixel, a silent neuron) or
        leads to another digit's score.
        """
        return self.n_inked * self.n_active + self.n_active

    def __repr__(self) -> str:
        return f"Paths(digit {self.target}, {len(self.neurons)} of {self.n_active} active neurons)"


def strongest_paths(
    model: MLP, x: np.ndarray, target: int | None = None, *, neurons: int = 6, pixels: int = 3
) -> Paths:
    """The ``neurons`` hidden neurons that move the logit of ``target`` most, and each one's ``pixels`` strongest inputs.

    Parameters
    ----------
    model : MLP
    x : array_like of shape (784,)
    target : int, optional
        Default: the network's answer.
    neurons, pixels : int
        How many of each to keep.

    Returns
    -------
    Paths
    """
    e = explain(model, x, target)
    active = np.flatnonzero(e.active)
    chosen = active[np.argsort(-np.abs(e.contributions[active]), kind="stable")][:neurons]
    inked = np.flatnonzero(e.x)  # a blank pixel's term is exactly 0
    terms = e.x[inked, None] * model.W1[np.ix_(inked, chosen)]  # (k, m): x_i * W1[i, j]
    p = min(pixels, len(inked))
    order = np.argsort(-np.abs(terms), axis=0, kind="stable")[:p].T  # (m, p) rows of ``terms``
    top_pixels = np.full((len(chosen), pixels), -1, dtype=np.intp)
    top_terms = np.zeros((len(chosen), pixels), dtype=np.float32)
    top_pixels[:, :p] = inked[order]
    top_terms[:, :p] = np.take_along_axis(terms.T, order, axis=1)
    return Paths(
        target=e.target,
        neurons=chosen,
        contributions=e.contributions[chosen],
        pixels=top_pixels,
        terms=top_terms,
        active_total=float(e.contributions[active].astype(np.float64).sum()),
        n_active=len(active),
        logit=e.logit,
        n_inked=len(inked),
    )
