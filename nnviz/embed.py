"""The hidden layer as an embedding: what the previous post's vector database would store.

The 128 hidden activations the network computes for a digit are a vector, an
*embedding*: digits the network finds alike get vectors pointing the same way.
This module turns the 10,000 test digits into such vectors and runs the one
operation a vector database serves, nearest-neighbour search by cosine
similarity, here in plain NumPy:

* :func:`embed` -- hidden activations, shape (n, 128).
* :class:`CosineIndex` -- rows normalised once; a query is one matrix-vector
  product plus ``argpartition`` (no sort of all n scores).
* :func:`knn_vote` -- the labels of the k nearest neighbours vote: a second
  classifier, built from the embedding alone, to hold against the network's own answer.
* :func:`fit_pca` -- a 2-D map of the 128-D space (principal components, fitted once);
  :mod:`nnviz.tsne` ships another.
* :func:`nearest_rows` -- every stored row's k nearest others (the index queried
  against itself), and :func:`kept_neighbours` -- the share of those a 2-D map
  keeps as neighbours: how far to trust a map.
* :func:`familiarity` -- how near a query comes to the stored digits, against how
  near they come to each other (:func:`nearest_similarities`): a shape unlike any
  digit is far from all of them, however sure the network's softmax sounds.

The same index over raw pixels (784-D) shows what the hidden layer adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .mlp import MLP, as_input, relu

__all__ = [
    "CosineIndex",
    "Familiarity",
    "Neighbours",
    "PCAMap",
    "Vote",
    "embed",
    "familiarity",
    "fit_pca",
    "kept_neighbours",
    "knn_vote",
    "lonely_rows",
    "nearest_rows",
    "nearest_similarities",
]

EPS = 1e-12  # below this norm a vector has no direction; it is left at zero


def embed(model: MLP, images: np.ndarray, *, batch: int = 2_000) -> np.ndarray:
    """Hidden activations of ``images``: the embedding of each digit.

    Parameters
    ----------
    model : MLP
    images : ndarray of shape (n, 28, 28) uint8, or (n, 784) float in [0, 1]
    batch : int
        Images converted to float per step, so 60,000 digits never need 188 MB at once.

    Returns
    -------
    ndarray of float32, shape (n, n_hidden)
        ``relu(x @ W1 + b1)`` for each image.
    """
    n = len(images)
    out = np.empty((n, model.sizes[1]), dtype=np.float32)
    for start in range(0, n, batch):
        x = as_input(images[start : start + batch])  # (b, 784)
        out[start : start + batch] = relu(x @ model.W1 + model.b1)  # (b, 128)
    return out


def _unit_rows(vectors: np.ndarray, *, in_place: bool = False, block: int = 1_000) -> np.ndarray:
    """Each row divided by its length; rows of (near) zero length become zero.

    ``in_place``: overwrite ``vectors`` (float32 and writable) instead of returning a
    new array.  Rows go ``block`` at a time, so no temporary is bigger than a block:
    ``np.linalg.norm`` squares its whole input first, which for the 10,000 test digits'
    pixels is 31 MB, and a freed temporary that size may stay in the server's memory.
    """
    given = vectors
    vectors = np.asarray(vectors, dtype=np.float32)
    if in_place and (vectors is not given or not vectors.flags.writeable):
        raise ValueError("in_place needs a writable float32 array")
    out = vectors if in_place else np.empty_like(vectors)  # every row is written below
    rows, out_rows = vectors.reshape(-1, vectors.shape[-1]), out.reshape(-1, vectors.shape[-1])
    for start in range(0, len(rows), block):
        v, o = rows[start : start + block], out_rows[start : start + block]
        norms = np.linalg.norm(v, axis=-1, keepdims=True)  # row by row: the same numbers in any block
        long_enough = norms > EPS
        np.divide(v, norms, out=o, where=long_enough)
        o[~long_enough[:, 0]] = 0.0
    return out


@dataclass(repr=False)
class Neighbours:
    """The answer to one query, most similar first.

    Attributes
    ----------
    indices : (k,) int
        Rows of the index.
    similarities : (k,) float32
        Cosine similarity of each to the query, in [-1, 1] (in [0, 1] for ReLU embeddings).
    """

    indices: np.ndarray
    similarities: np.ndarray

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Neighbours(k={len(self)}, best={float(self.similarities[0]) if len(self) else None})"


class CosineIndex:
    """Brute-force cosine search, the simplest vector database there is.

    Cosine similarity is the dot product of unit vectors, so the rows are
    normalised once when the index is built; a query then costs one
    matrix-vector product over all rows (n x d multiply-adds) and an
    ``argpartition`` that finds the top k in O(n) without sorting everything.

    Parameters
    ----------
    vectors : ndarray of shape (n, d)
        One row per stored item (an embedding, or raw pixels).
    copy : bool
        False: normalise ``vectors`` in place and keep it (it must be float32 and
        writable; the caller gives it up), so the index never holds two copies.
    """

    def __init__(self, vectors: np.ndarray, *, copy: bool = True) -> None:
        self.unit = _unit_rows(vectors, in_place=not copy)  # (n, d), rows of length 1 (or 0)
        self.unit.flags.writeable = False

    @property
    def shape(self) -> tuple[int, int]:
        """(n items, d dimensions)."""
        return self.unit.shape

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """(n,) cosine similarity of ``query`` (d,) to every stored row."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        if q.shape != self.unit.shape[1:]:
            raise ValueError(f"the query has {q.size} numbers; this index's rows have {self.unit.shape[1]}")
        q = _unit_rows(q)
        # (n,): one matrix-vector product.  einsum runs it in NumPy's own single-threaded
        # loop; ``unit @ q`` hands it to multi-threaded BLAS, which is about as fast when
        # the machine is idle but, on a busy shared server, often waits 10-50x longer for
        # its threads (bench/bench_knn.py shows both, median and 90th percentile).
        return np.einsum("nd,d->n", self.unit, q)

    def query(self, query: np.ndarray, k: int = 8, *, exclude: int | None = None) -> Neighbours:
        """The ``k`` stored rows most similar to ``query``.

        Parameters
        ----------
        query : ndarray of shape (d,)
        k : int
        exclude : int, optional
            A row to leave out -- the query itself, when it is one of the stored items.
        """
        scores = self.similarities(query)
        if exclude is not None:
            scores[exclude] = -np.inf
        n_valid = len(scores) - (exclude is not None)
        k = max(0, min(k, n_valid))
        if k == 0:
            return Neighbours(np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32))
        top = np.argpartition(-scores, k - 1)[:k]  # the k best, in no order: O(n)
        top = top[np.argsort(-scores[top], kind="stable")]  # sort only those k
        return Neighbours(top, scores[top])

    def __repr__(self) -> str:
        n, d = self.shape
        return f"CosineIndex(n={n}, d={d})"


def _best_of_each_row(
    scores_of: Callable[[slice], np.ndarray], n: int, k: int, block: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each of n rows' k best-scoring *other* rows, best first, one block of rows at a time.

    ``scores_of(rows)`` gives the (b, n) scores of a slice of rows against all n
    (larger: nearer); only one block of them is in memory at a time.
    """
    k = max(0, min(k, n - 1))
    indices = np.empty((n, k), dtype=np.intp)
    best_scores = np.empty((n, k), dtype=np.float32)
    if k == 0:
        return indices, best_scores
    for start in range(0, n, block):
        scores = scores_of(slice(start, start + block))  # (b, n)
        rows = np.arange(len(scores))
        scores[rows, start + rows] = -np.inf  # a row is not its own neighbour
        top = np.argpartition(scores, -k, axis=1)[:, -k:]  # the k best of each row, in no order: O(n)
        best = np.take_along_axis(scores, top, axis=1)
        del scores  # before the next block's: one block of scores in memory at a time
        order = np.argsort(-best, axis=1, kind="stable")
        indices[start : start + block] = np.take_along_axis(top, order, axis=1)
        best_scores[start : start + block] = np.take_along_axis(best, order, axis=1)
    return indices, best_scores


def nearest_rows(index: CosineIndex, k: int = 10, *, block: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Each stored row's ``k`` nearest *other* stored rows: the whole index queried against itself.

    Parameters
    ----------
    index : CosineIndex with n rows
    k : int
        Neighbours per row (at most n - 1).
    block : int
        Rows compared with all n at a time: the memory is ``block x n`` floats
        and as many indices (12 MB for the 10,000 test digits), on a server
        that may be small.  Measured here on the test digits: 100 rows add
        nothing to the process's peak memory and take 0.26 s; 250 rows raised
        the peak by 40 MB and were no quicker.

    Returns
    -------
    indices : ndarray of int, shape (n, k)
        Most similar first.
    similarities : ndarray of float32, shape (n, k)
        Their cosine similarities.  A row of zeros (no direction) is similar to
        nothing: its similarities are all 0 and its "neighbours" arbitrary.
    """
    unit = index.unit
    return _best_of_each_row(lambda rows: unit[rows] @ unit.T, len(unit), k, block)


def nearest_similarities(index: CosineIndex, *, block: int = 100) -> np.ndarray:
    """Each stored row's cosine similarity to its nearest *other* stored row.

    Parameters
    ----------
    index : CosineIndex with n rows
    block : int
        As in :func:`nearest_rows`.

    Returns
    -------
    ndarray of float32, shape (n,)
        A row of zeros (no direction) gets 0: it is similar to nothing.  A lone row gets 0.
    """
    if len(index.unit) < 2:
        return np.zeros(len(index.unit), dtype=np.float32)
    return nearest_rows(index, 1, block=block)[1][:, 0].copy()


def kept_neighbours(
    neighbours: np.ndarray, coords: np.ndarray, *, rows: np.ndarray | None = None, block: int = 100
) -> float:
    """How well a 2-D map keeps the embedding's neighbourhoods: a number to check a map by.

    For every row: of its k nearest other rows in the full space (``neighbours``,
    from :func:`nearest_rows`), the share that are also among its k nearest
    other points on the map (Euclidean), averaged over all rows.  1.0: the map
    keeps every neighbourhood; about k / n: no better than chance.

    Parameters
    ----------
    neighbours : (n, k) int
        Each row's nearest rows in the full space.
    coords : (n, 2) float
        The same rows' map positions.
    rows : (n,) bool, optional
        Average over these rows only: those that have neighbours (a row of zeros
        has none, only arbitrary ties).  Default all.
    block : int
        Rows compared with all n at a time, as in :func:`nearest_rows`.

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ValueError
        If ``rows`` selects none.
    """
    neighbours = np.asarray(neighbours)
    xy = np.asarray(coords, dtype=np.float32)
    n, k = neighbours.shape
    if len(xy) != n:
        raise ValueError(f"coords has {len(xy)} rows for {n} rows of neighbours")
    if rows is not None and not np.any(rows):
        raise ValueError("no row to average over")
    if k == 0:
        return 1.0

    def nearness(rows: slice) -> np.ndarray:  # minus the squared distance, worked out per axis (no cancellation)
        d = xy[rows, 0, None] - xy[:, 0]  # (b, n), then squared and summed in place: two blocks at a time
        d *= d
        dy = xy[rows, 1, None] - xy[:, 1]
        dy *= dy
        d += dy
        return np.negative(d, out=d)

    on_map, _ = _best_of_each_row(nearness, n, k, block)
    shared = (neighbours[:, :, None] == on_map[:, None, :]).any(axis=2)
    if rows is not None:
        shared = shared[np.asarray(rows, dtype=bool)]
    return float(shared.mean())


@dataclass(frozen=True)
class Familiarity:
    """How near a query comes to the stored rows, against how near they come to each other.

    Attributes
    ----------
    nearest : float
        Cosine similarity of the query to its nearest stored row.
    closer : int
        Stored rows whose own nearest other row is more similar than ``nearest``.
    total : int
        Stored rows.
    searched : int
        Rows the query was compared with (``total``, less its own row if excluded).
    """

    nearest: float
    closer: int
    total: int
    searched: int

    @property
    def share_closer(self) -> float:
        """``closer / total``: 0.99 means the query is lonelier than 99% of the stored rows."""
        return self.closer / self.total


def lonely_rows(reference: np.ndarray, share: float) -> np.ndarray:
    """(n,) bool: the stored rows whose own nearest neighbour is further off than ``share`` of the rows' are.

    The same test as ``familiarity(...).share_closer >= share``, applied to each
    stored row with its own nearest-neighbour similarity (``reference``).
    """
    ordered = np.sort(reference)
    closer = len(reference) - np.searchsorted(ordered, reference, side="right")  # rows with a nearer neighbour
    return closer / len(reference) >= share


def familiarity(
    index: CosineIndex, reference: np.ndarray, query: np.ndarray, *, exclude: int | None = None
) -> Familiarity | None:
    """Where ``query``'s nearest-neighbour similarity falls among the stored rows' own.

    Parameters
    ----------
    index : CosineIndex with n rows
    reference : ndarray of shape (n,)
        :func:`nearest_similarities` of ``index``.
    query : ndarray of shape (d,)
    exclude : int, optional
        The query's own row, when it is one of the stored items.

    Returns
    -------
    Familiarity, or None for a zero query (it has no direction, so no cosine similarity).
    """
    if not np.any(query):
        return None
    nearest = index.query(query, 1, exclude=exclude)
    similarity = float(nearest.similarities[0])
    closer = np.count_nonzero(reference > similarity)
    if exclude is not None:  # its own entry is this same similarity (summed in another order): not "nearer"
        closer -= bool(reference[exclude] > similarity)
    return Familiarity(similarity, int(closer), len(reference), len(reference) - (exclude is not None))


@dataclass(repr=False)
class Vote:
    """A k-nearest-neighbour vote.

    Attributes
    ----------
    counts : (n_classes,) int
        Votes per digit.
    winner : int
        The digit with most votes; a tie goes to the higher summed similarity.
    k : int
        Number of voters.
    """

    counts: np.ndarray
    winner: int
    k: int

    @property
    def share(self) -> float:
        """Fraction of the voters that chose the winner."""
        return float(self.counts[self.winner]) / self.k if self.k else 0.0

    def __repr__(self) -> str:
        return f"Vote(winner={self.winner}, {int(self.counts[self.winner])}/{self.k})"


def knn_vote(labels: np.ndarray, similarities: np.ndarray, n_classes: int = 10) -> Vote:
    """Let the neighbours' labels vote.

    Parameters
    ----------
    labels : (k,) int
        The true digit of each neighbour.
    similarities : (k,) float
        Their similarity to the query, used only to break ties.
    n_classes : int

    Returns
    -------
    Vote
    """
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.bincount(labels, minlength=n_classes)
    weight = np.bincount(labels, weights=np.asarray(similarities, dtype=np.float64), minlength=n_classes)
    # lexsort: the last key is primary -- most votes first, then most summed similarity
    winner = int(np.lexsort((weight, counts))[-1])
    return Vote(counts, winner, len(labels))


@dataclass(repr=False)
class PCAMap:
    """A 2-D picture of the embedding space.

    Attributes
    ----------
    mean : (d,) float32
        The embeddings' mean, subtracted before projecting.
    components : (2, d) float32
        The two principal directions (unit vectors), most variance first.
    coords : (n, 2) float32
        The fitted embeddings on the map.
    explained : (2,) float
        Share of the embeddings' variance each axis keeps.
    """

    mean: np.ndarray
    components: np.ndarray
    coords: np.ndarray
    explained: np.ndarray

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """(m, 2) map positions of embeddings (m, d) (or (2,) for one (d,))."""
        vectors = np.asarray(vectors, dtype=np.float32)
        return ((vectors - self.mean) @ self.components.T).astype(np.float32)

    def __repr__(self) -> str:
        return f"PCAMap(n={len(self.coords)}, explained={self.explained.sum():.1%})"


def fit_pca(embeddings: np.ndarray) -> PCAMap:
    """Fit a 2-component PCA to ``embeddings`` (n, d) and place them on the map.

    PCA keeps the two directions along which the embeddings vary most; it is
    linear, so distances on the map are honest shadows of distances in 128-D
    (clusters can overlap on the map and still be apart in the full space).

    The maths is scikit-learn's ``PCA(n_components=2)`` (the tests check it
    against it), done here as the eigendecomposition of the 128x128 covariance:
    importing ``sklearn.decomposition`` costs the server ~125 MB of memory,
    a third of its budget, for a computation this small.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    mean = x.mean(axis=0)
    centred = x - mean
    covariance = centred.T @ centred / max(len(x) - 1, 1)  # (d, d)
    variances, vectors = np.linalg.eigh(covariance)  # ascending eigenvalues
    order = np.argsort(variances)[::-1][:2]
    components = vectors[:, order].T  # (2, d)
    # A direction's sign is arbitrary; fix it (largest loading positive) so the map is stable.
    components *= np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])[:, None]
    total = variances.sum()
    explained = variances[order] / total if total > 0 else np.zeros(2)
    return PCAMap(
        mean.astype(np.float32),
        components.astype(np.float32),
        (centred @ components.T).astype(np.float32),
        explained,
    )
