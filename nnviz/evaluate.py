"""Where the network errs, and what each hidden neuron is worth.

Two honest looks at a trained network on the 10,000 test digits it never trained on:

* :func:`evaluate` -- accuracy, accuracy per digit, the confusion matrix, and
  (:meth:`Evaluation.mistakes`) every mistake of one kind with its probabilities.
* :func:`ablation` -- silence one hidden neuron at a time and measure the drop in
  test accuracy; all 128 in one vectorised pass.  With :func:`dead_neurons` (never
  fire) and :func:`mean_activation_per_digit`, the data of the neuron atlas.

Everything takes the hidden activations and probabilities of one forward pass
over the test set, so a page computes that pass once and reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .mlp import MLP, softmax

__all__ = [
    "Evaluation",
    "ablation",
    "confusion_matrix",
    "dead_neurons",
    "evaluate",
    "firing_rate",
    "mean_activation_per_digit",
    "preferred_digit",
    "probabilities_from_hidden",
]


def probabilities_from_hidden(model: MLP, hidden: np.ndarray) -> np.ndarray:
    """(n, 10) the network's probabilities, finishing a forward pass from the hidden activations (n, H).

    The pages compute the hidden layer of the test set once (:func:`nnviz.embed.embed`)
    and reuse it here, for the ablation and for the embeddings.
    """
    return softmax(np.asarray(hidden, dtype=np.float32) @ model.W2 + model.b2)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """(n_classes, n_classes) counts: row = true digit, column = the network's answer.

    The diagonal holds the digits it got right; every other cell is one kind of mistake.
    """
    labels = np.asarray(labels, dtype=np.int64)
    predictions = np.asarray(predictions, dtype=np.int64)
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values.size and (values.min() < 0 or values.max() >= n_classes):
            raise ValueError(f"{name} must be classes 0-{n_classes - 1}; found {values.min()} to {values.max()}")
    # one bincount over the flattened (true, predicted) pair index
    return np.bincount(labels * n_classes + predictions, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


@dataclass(repr=False)
class Evaluation:
    """The network's answers on a labelled set.

    Attributes
    ----------
    labels : (n,) int
    probabilities : (n, 10) float32
    predictions : (n,) int
    confusion : (10, 10) int
        Row = true digit, column = predicted digit.
    """

    labels: np.ndarray
    probabilities: np.ndarray
    predictions: np.ndarray
    confusion: np.ndarray

    @property
    def accuracy(self) -> float:
        """Fraction right: the diagonal of the confusion matrix over its total."""
        return float(np.trace(self.confusion)) / float(self.confusion.sum())

    @property
    def per_digit(self) -> np.ndarray:
        """(10,) accuracy on the digits of each true class (NaN for a class with none)."""
        totals = self.confusion.sum(axis=1)
        return np.divide(np.diag(self.confusion), totals, out=np.full(len(totals), np.nan), where=totals > 0).astype(
            np.float64
        )

    @property
    def n_mistakes(self) -> int:
        return int(self.confusion.sum() - np.trace(self.confusion))

    def worst_confusion(self) -> tuple[int, int] | None:
        """(true, predicted) of the most frequent mistake, or None if there are none."""
        off = self.confusion.copy()
        np.fill_diagonal(off, 0)
        if off.max() == 0:
            return None
        true, predicted = np.unravel_index(int(off.argmax()), off.shape)
        return int(true), int(predicted)

    def mistakes(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the digits labelled ``true`` that the network called ``predicted``.

        Most confident first (highest probability on the wrong answer): those are
        the mistakes worth looking at.  For ``true == predicted`` these are the
        digits it got right, least confident first.
        """
        idx = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        confidence = self.probabilities[idx, predicted]
        order = np.argsort(confidence if true == predicted else -confidence, kind="stable")
        return idx[order]

    def __repr__(self) -> str:
        return f"Evaluation(n={len(self.labels)}, accuracy={self.accuracy:.4f}, mistakes={self.n_mistakes})"


def evaluate(probabilities: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Score the network's probabilities (n, 10) against the true ``labels`` (n,)."""
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels, dtype=np.int64)
    predictions = probabilities.argmax(axis=1)
    return Evaluation(labels, probabilities, predictions, confusion_matrix(labels, predictions, probabilities.shape[1]))


def ablation(model: MLP, hidden: np.ndarray, labels: np.ndarray, *, batch: int = 1_000) -> np.ndarray:
    """Drop in accuracy from silencing each hidden neuron, all of them in one pass.

    Silencing neuron j (forcing its activation to 0) removes exactly its
    contribution ``hidden[:, j] * W2[j]`` from the logits, so the logits of all
    128 ablated networks are ``logits[:, None, :] - hidden[:, :, None] * W2[None]``
    -- a (batch, 128, 10) array, with no second forward pass.

    Parameters
    ----------
    model : MLP
    hidden : (n, H) float
        Hidden activations of the test set (from :func:`nnviz.embed.embed`).
    labels : (n,) int
    batch : int
        Rows per step; memory is batch x H x 10 floats (5 MB for 1,000).

    Returns
    -------
    ndarray of float64, shape (H,)
        Accuracy of the full network minus accuracy without neuron j.  Positive:
        the network needs that neuron; negative: it does better without it.
    """
    hidden = np.asarray(hidden, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    n, n_hidden = hidden.shape
    correct_full = 0
    correct_without = np.zeros(n_hidden, dtype=np.int64)
    for start in range(0, n, batch):
        h = hidden[start : start + batch]  # (b, H)
        y = labels[start : start + batch]  # (b,)
        logits = h @ model.W2 + model.b2  # (b, 10)
        correct_full += int((logits.argmax(axis=1) == y).sum())
        without = logits[:, None, :] - h[:, :, None] * model.W2[None, :, :]  # (b, H, 10)
        correct_without += (without.argmax(axis=2) == y[:, None]).sum(axis=0)
    return (correct_full - correct_without) / n


def dead_neurons(hidden: np.ndarray) -> np.ndarray:
    """(H,) bool: neurons whose activation is 0 on every row of ``hidden`` (n, H) -- they never fire."""
    return ~(np.asarray(hidden) > 0).any(axis=0)


def firing_rate(hidden: np.ndarray) -> np.ndarray:
    """(H,) share of the rows of ``hidden`` (n, H) on which each neuron fires (activation > 0)."""
    return (np.asarray(hidden) > 0).mean(axis=0)


def preferred_digit(means: np.ndarray) -> np.ndarray:
    """(H,) the digit each neuron fires for most on average, from :func:`mean_activation_per_digit` (10, H)."""
    return np.nan_to_num(np.asarray(means, dtype=float), nan=-np.inf).argmax(axis=0)


def mean_activation_per_digit(hidden: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """(n_classes, H) average activation of each neuron over the digits of each class (NaN if none)."""
    hidden = np.asarray(hidden, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.int64)
    onehot = np.eye(n_classes)[labels]  # (n, 10)
    counts = onehot.sum(axis=0)[:, None]  # (10, 1)
    sums = onehot.T @ hidden  # (10, H): one product sums every class at once
    return np.divide(sums, counts, out=np.full(sums.shape, np.nan), where=counts > 0)
