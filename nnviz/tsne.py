"""A t-SNE map of the shipped network's test embeddings, computed once and shipped.

PCA (:func:`nnviz.embed.fit_pca`) draws the 128-D embeddings as their shadow on
the two directions of most variance: honest about distances, but the ten digits
overlap there.  t-SNE (van der Maaten and Hinton, 2008) draws a different
picture: it places the points so that each one's nearest neighbours in 128-D
(by cosine distance, the vector search's own measure) stay its neighbours on
the map.  The clusters then come apart, at a price the page states: sizes of
clusters and gaps between them mean little, and there is no formula that places
a new point.

So the map is computed once, for the shipped network (~30 s on two cores, with
scikit-learn's ``TSNE``), and saved in ``nnviz/assets/tsne.npz`` with the
fingerprint of the weights it was made from; a network the reader trains gets
the PCA map only.  A new digit (the reader's drawing) is placed where its
nearest test digits are: :meth:`TSNEMap.place`.

    python -m nnviz.tsne                  # rewrites nnviz/assets/tsne.npz for the shipped model
"""

from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__
from .mlp import MLP
from .npzfile import load_file, read_npz, write_npz

__all__ = ["TSNE_PATH", "MapError", "TSNEMap", "fit_tsne", "load_tsne", "main"]

TSNE_PATH = Path(__file__).resolve().parent / "assets" / "tsne.npz"
PLACE_K = 5  # a new point sits at the mean position of this many nearest test digits


class MapError(RuntimeError):
    """A map file that is missing, damaged or of the wrong kind."""


@dataclass(repr=False)
class TSNEMap:
    """Precomputed 2-D positions of the test digits' embeddings.

    Attributes
    ----------
    coords : (n, 2) float32
        Where each test digit sits on the map (row i: test digit #i).
    meta : dict
        How it was made: the network's fingerprint, perplexity, seed, versions.
    """

    coords: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """:meth:`nnviz.MLP.fingerprint` of the network whose embeddings were mapped."""
        return str(self.meta.get("model_fingerprint", ""))

    def matches(self, model: MLP, n: int) -> bool:
        """True if this map was made from ``model``'s embeddings of ``n`` digits."""
        return len(self.coords) == n and self.fingerprint == model.fingerprint()

    def place(self, neighbours: np.ndarray, similarities: np.ndarray, k: int = PLACE_K) -> np.ndarray:
        """Where a new embedding goes: the similarity-weighted mean position of its ``k`` nearest test digits.

        t-SNE has no function from 128-D to the map (it moved the n points
        themselves), so a new point can only be put among its neighbours.  Each
        of the ``k`` is weighted by its cosine similarity to the new point.

        Parameters
        ----------
        neighbours : (m,) int
            Test digits, most similar first (a :class:`nnviz.embed.Neighbours`'s indices).
        similarities : (m,) float
            Their cosine similarities to the new point.
        k : int
            How many of them to use (at most m).

        Returns
        -------
        (2,) float32
        """
        idx = np.asarray(neighbours, dtype=np.intp)[:k]
        if len(idx) == 0:
            raise ValueError("a point needs at least one neighbour to be placed")
        w = np.clip(np.asarray(similarities, dtype=np.float64)[: len(idx)], 0.0, None)
        w = w if w.sum() > 0 else np.ones(len(idx))
        return (w @ self.coords[idx].astype(np.float64) / w.sum()).astype(np.float32)

    def save(self, path: str | os.PathLike) -> None:
        """Write a compressed ``.npz``: the positions and ``meta`` as a JSON string (nothing pickled)."""
        write_npz(path, {"coords": self.coords}, self.meta)

    def __repr__(self) -> str:
        return f"TSNEMap(n={len(self.coords)}, perplexity={self.meta.get('perplexity')})"


def fit_tsne(embeddings: np.ndarray, *, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """scikit-learn's t-SNE of ``embeddings`` (n, d) by cosine distance: (n, 2) float32.

    Initialised from PCA (stable from run to run) with the learning rate
    n / 12 that scikit-learn's ``"auto"`` picks.  Imported here, not at the top:
    the app only reads the saved map and never pays for ``sklearn.manifold``.
    """
    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        metric="cosine",
        init="pca",
        learning_rate="auto",
        random_state=seed,
    )
    return tsne.fit_transform(np.asarray(embeddings, dtype=np.float32)).astype(np.float32)


def load_tsne(path: str | os.PathLike | None = None) -> TSNEMap:
    """Read a map written by :meth:`TSNEMap.save` (default ``nnviz/assets/tsne.npz``).

    Raises
    ------
    MapError
        If the file is missing, not an ``.npz``, holds anything pickled, or its
        positions are not finite (n, 2) numbers.
    """
    return load_file(TSNE_PATH if path is None else path, _map_from_bytes, MapError, "Map")


def _map_from_bytes(blob: bytes) -> TSNEMap:
    """A map from the bytes of an ``.npz`` written by :meth:`TSNEMap.save`."""
    arrays, meta = read_npz(blob, ("coords",), MapError, "map")
    coords = arrays["coords"]
    if coords.ndim != 2 or coords.shape[1] != 2 or not np.issubdtype(coords.dtype, np.floating):
        raise MapError(f"positions must be (n, 2) floats, got {coords.dtype} {coords.shape}.")
    if not np.isfinite(coords).all():
        raise MapError("positions contain NaN or infinity.")
    return TSNEMap(coords.astype(np.float32), meta)


def main(argv: list[str] | None = None) -> int:
    """``python -m nnviz.tsne``: map the shipped network's test embeddings and save the map."""
    import sklearn

    from . import load_mnist, load_model
    from .embed import embed

    p = argparse.ArgumentParser(prog="python -m nnviz.tsne", description=main.__doc__)
    p.add_argument("--out", type=Path, default=TSNE_PATH, help=f"where to save (default {TSNE_PATH})")
    p.add_argument("--seed", type=int, default=0, help="t-SNE's random start (default 0)")
    p.add_argument(
        "--perplexity",
        type=float,
        default=30.0,
        help="the effective number of neighbours each point weighs (default 30)",
    )
    a = p.parse_args(argv)
    model = load_model()
    images, _ = load_mnist("test")
    tick = time.perf_counter()
    coords = fit_tsne(embed(model, images), seed=a.seed, perplexity=a.perplexity)
    seconds = time.perf_counter() - tick
    meta = {
        "format": "nnviz-tsne",
        "model_fingerprint": model.fingerprint(),
        "split": "test",
        "metric": "cosine",
        "perplexity": a.perplexity,
        "seed": a.seed,
        "seconds": round(seconds, 1),
        "nnviz_version": __version__,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
    }
    TSNEMap(coords, meta).save(a.out)
    print(f"saved the t-SNE map of {len(coords):,} test embeddings to {a.out} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
