"""Exactly why the network said that: a ReLU network is linear once you know which neurons fired.

For one input x, ReLU either passes a hidden neuron's value (z > 0: "active") or
zeroes it.  Fix that active set A and every step is linear, so each logit is an
ordinary weighted sum of the pixels::

    logit_c = x · w_eff_c + b_eff_c
    w_eff_c = W1[:, A] @ W2[A, c]            (784,)  one weight per pixel
    b_eff_c = b1[A] @ W2[A, c] + b2[c]

No approximation is involved (unlike gradient-based saliency, this is not a
linearisation around x: it is the exact function on the region where A stays
the same).  Two exact decompositions of the same number follow:

* by hidden neuron: ``logit_c = sum_j hidden_j * W2[j, c] + b2[c]``  (a waterfall);
* by pixel: ``logit_c = sum_i x_i * w_eff_c[i] + b_eff_c``  (a 28×28 attribution map).

:class:`Explanation` keeps both, and :meth:`Explanation.checks` confirms they add up
to the logit of the forward pass, to float tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP

__all__ = ["Check", "Explanation", "explain"]


@dataclass(repr=False)
class Check:
    """One way of adding up the logit, against the forward pass's value."""

    name: str
    total: float
    logit: float

    @property
    def error(self) -> float:
        return abs(self.total - self.logit)

    def ok(self, tol: float = 1e-3) -> bool:
        """Equal to float32 rounding (relative to the logit's size)."""
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
