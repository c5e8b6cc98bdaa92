"""One step of backpropagation on one digit, with every number kept for display.

The Learn page shows the post's Part 2 on the reader's own drawing: the loss,
the output error ``p - y``, the gradient of the loss with respect to the first
layer's weights for the hidden neurons most affected, and what one step of
gradient descent does to the probabilities.

Nothing here re-derives the maths: the forward pass, the gradients and the update
are :meth:`nnviz.MLP.forward`, :meth:`nnviz.MLP.backward` and :class:`nnviz.mlp.SGD`,
applied to a *copy* of the network, so the model passed in (the shipped one is
read-only and shared by every reader) is never touched.

The identity the page teaches.  The hidden layer computes
``z1[j] = sum_i x[i] * W1[i, j] + b1[j]``, so ``dz1[j] / dW1[i, j] = x[i]`` and, by
the chain rule,

    dL/dW1[:, j] = x * dL/dz1[j]

-- the gradient of neuron j's 784 incoming weights is the drawing itself, scaled by
one number, that neuron's error signal ``dz1[j]``.  Pixels without ink (x = 0) get
no gradient: only the weights that saw ink change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP, SGD, Gradients, log_loss

__all__ = ["BackpropStep", "backprop_step", "rank_neurons"]


@dataclass(repr=False)
class BackpropStep:
    """Everything one SGD step on one digit did.

    Attributes
    ----------
    x : (784,) float32
        The input pixels.
    label : int
        The digit the reader says it is (the target y).
    lr : float
        The learning rate of the step.
    probabilities : (10,)
        Before the step.
    probabilities_after : (10,)
        After the step, from the updated copy of the network.
    loss, loss_after : float
        Cross-entropy ``-log p[label]`` before and after, from the logits
        (:func:`nnviz.mlp.log_loss`: exact even where p rounds to 1).
    output_error : (10,)
        ``p - y``: dL/dlogits for this one digit (y one-hot).
    dz1 : (H,)
        dL/dz1, each hidden neuron's error signal (zero where the neuron was off).
    z1 : (H,)
        The hidden pre-activations (the neuron fired where z1 > 0).
    neurons : (k,) int
        The hidden neurons most affected, largest ``|dz1|`` first; only those
        with an error signal (a neuron that did not fire has none), so fewer
        than ``top`` when fewer fired.
    dW1 : (k, 784)
        ``dL/dW1[:, j]`` for those neurons, straight from :meth:`MLP.backward`.
    identity_error : float
        ``max |dW1[:, j] - x * dz1[j]|`` over the shown neurons: zero up to rounding.
    update : (k, 784)
        The change the step makes to those neurons' weights, ``-lr * dW1``.
    weights : (k, 784)
        Those neurons' weights before the step.
    gradients : Gradients
        The full gradients of the step.
    model_after : MLP
        The updated copy.
    changed : int
        How many of the parameters the step changed in float32 (an update far
        below a weight's size rounds away).
    largest_update : float
        ``lr * max |dL/dw|``: the largest change the step asked for.
    """

    x: np.ndarray
    label: int
    lr: float
    probabilities: np.ndarray
    probabilities_after: np.ndarray
    loss: float
    loss_after: float
    output_error: np.ndarray
    dz1: np.ndarray
    z1: np.ndarray
    neurons: np.ndarray
    dW1: np.ndarray
    identity_error: float
    update: np.ndarray
    weights: np.ndarray
    gradients: Gradients
    model_after: MLP
    changed: int
    largest_update: float

    @property
    def active(self) -> int:
        """How many hidden neurons fired (only they pass an error back)."""
        return int((self.z1 > 0).sum())

    def __repr__(self) -> str:
        return (
            f"BackpropStep(label={self.label}, lr={self.lr}, loss {self.loss:.4f} -> {self.loss_after:.4f}, "
            f"p[label] {self.probabilities[self.label]:.4f} -> {self.probabilities_after[self.label]:.4f})"
        )


def rank_neurons(dz1: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` hidden neurons with the largest error signal ``|dz1|``, largest first.

    Because ``dW1[:, j] = x * dz1[j]``, this is also the order of the norms of
    their weight gradients: ``|dW1[:, j]| = |x| * |dz1[j]|``.

    Parameters
    ----------
    dz1 : ndarray of shape (H,)
    k : int

    Returns
    -------
    ndarray of int, shape (min(k, H),)
    """
    dz1 = np.asarray(dz1)
    k = max(0, min(int(k), dz1.size))
    order = np.argsort(-np.abs(dz1), kind="stable")  # stable: ties keep neuron order
    return order[:k]


def backprop_step(model: MLP, x: np.ndarray, label: int, *, lr: float = 0.1, top: int = 4) -> BackpropStep:
    """One step of gradient descent on one digit, on a copy of ``model``.

    Parameters
    ----------
    model : MLP
        Not modified (it may be the read-only shipped network).
    x : array_like of shape (784,)
        Pixel intensities in [0, 1].
    label : int
        The target digit, 0-9.
    lr : float
        Learning rate: plain SGD, ``W <- W - lr * dL/dW`` (no momentum).
    top : int
        How many of the most affected hidden neurons to report.

    Returns
    -------
    BackpropStep
    """
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    n_outputs = model.sizes[2]
    if not 0 <= int(label) < n_outputs:
        raise ValueError(f"label must be in 0..{n_outputs - 1}, got {label}")
    if lr <= 0:
        raise ValueError("lr must be positive")
    label = int(label)
    labels = np.array([label])

    fwd = model.forward(x[None])  # a batch of one: every intermediate kept
    grads = model.backward(fwd, labels)  # n = 1, so dlogits is exactly p - y

    neurons = rank_neurons(grads.dz1[0], top)
    neurons = neurons[grads.dz1[0, neurons] != 0]  # a silent neuron has no error signal, nothing to show
    dW1 = grads.W1[:, neurons].T.copy()  # (k, 784)
    # The identity, checked on this very digit rather than asserted.
    predicted = x[None, :] * grads.dz1[0, neurons][:, None]  # (k, 784)
    identity_error = float(np.abs(dW1 - predicted).max()) if len(neurons) else 0.0

    after = model.copy()  # the original is never touched
    SGD(lr=lr, momentum=0.0).step(after.params(), grads.params())
    fwd_after = after.forward(x[None])

    return BackpropStep(
        x=x,
        label=label,
        lr=float(lr),
        probabilities=fwd.probabilities[0],
        probabilities_after=fwd_after.probabilities[0],
        # from the logits: a confident digit's p rounds to 1 in float32, and -log p would read 0
        loss=log_loss(fwd.logits, labels),
        loss_after=log_loss(fwd_after.logits, labels) + 0.0,  # + 0.0: no "-0.0000" on screen
        output_error=grads.dlogits[0],
        dz1=grads.dz1[0],
        z1=fwd.z1[0],
        neurons=neurons,
        dW1=dW1,
        identity_error=identity_error,
        update=-lr * dW1,
        weights=model.W1[:, neurons].T.copy(),
        gradients=grads,
        model_after=after,
        changed=int(np.count_nonzero(after.flat != model.flat)),
        largest_update=float(lr * np.abs(grads.flat).max()),
    )
