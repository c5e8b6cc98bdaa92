"""nnviz: the network of "Neural Networks Part 1" (784 -> 128 -> 10), from scratch in NumPy.

The library's face::

    import nnviz
    model = nnviz.load_model()                   # the shipped network, an nnviz.MLP
    images, labels = nnviz.load_mnist("test")    # uint8 (10000, 28, 28), int64 (10000,)
    prep = nnviz.preprocess(image)               # canvas RGBA or grey array, any size
    out = model.forward(prep.input[None])        # every intermediate; out.probabilities is (1, 10)
"""

from __future__ import annotations

import os
from pathlib import Path

__version__ = "0.1.0"

from .data import DataError, load_mnist
from .mlp import MLP, Forward, Gradients, ModelError
from .preprocess import Preprocessed, preprocess

MODEL_PATH = Path(__file__).resolve().parent / "assets" / "model.npz"

__all__ = [
    "MLP",
    "MODEL_PATH",
    "DataError",
    "Forward",
    "Gradients",
    "ModelError",
    "Preprocessed",
    "load_mnist",
    "load_model",
    "preprocess",
]


def load_model(path: str | os.PathLike | None = None) -> MLP:
    """The shipped network (``nnviz/assets/model.npz``), or the ``.npz`` at ``path``.

    Without ``path``, ``$NNVIZ_MODEL`` names the file if set (another trained
    network, or a damaged copy to test the app's error page).

    Raises :class:`ModelError` with a clear message if the file is missing or damaged.
    """
    if path is None:
        path = os.environ.get("NNVIZ_MODEL") or MODEL_PATH
    return MLP.load(path)
