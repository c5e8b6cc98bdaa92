"""Cached analyses of the test set for the "Inside the network" pages.

Embeddings, PCA, the evaluation and the ablation are computed once per model
and shared by every session (``st.cache_resource``; arrays made read-only).  The
reader may train their own network on the Learn page, so each cache is keyed by
a fingerprint of the weights, not by the shipped file: a retrained model gets
its own entry, and the shipped one is computed once per server.  Readers' own
networks share a few places (:data:`MAX_MODELS`, least recently used first out);
the shipped network's results are kept for the server's life, so a wave of
readers training their own never makes the next reader of the shipped one wait.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import streamlit as st

from nnviz.embed import (
    CosineIndex,
    Familiarity,
    PCAMap,
    embed,
    familiarity,
    fit_pca,
    kept_neighbours,
    lonely_rows,
    nearest_rows,
)
from nnviz.evaluate import (
    Evaluation,
    ablation,
    dead_neurons,
    evaluate,
    firing_rate,
    mean_activation_per_digit,
    preferred_digit,
    probabilities_from_hidden,
)
from nnviz.figures.embeddings import UNFAMILIAR, LonelyAccuracy
from nnviz.mlp import MLP, as_input
from nnviz.tsne import MapError, TSNEMap, load_tsne
from nnviz.ui import mnist, model_key, shipped_model
from nnviz.ui.params import MAP_LABELS, MAPS, query_choice

__all__ = [
    "NEIGHBOURS_K",
    "Analysis",
    "Atlas",
    "analysis",
    "atlas",
    "how_familiar",
    "kept_on_map",
    "lonely_accuracy",
    "map_choice",
    "model_key",
    "pixel_index",
    "tsne_map",
]

MAX_MODELS = 4  # readers' own networks with results cached at once (the shipped one aside)
NEIGHBOURS_K = 10  # each test digit's nearest test digits, kept to check the maps by

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _kept_for_the_shipped_network() -> dict[tuple, Any]:
    """(cache, its code, key, arguments) -> result, for the shipped network only: one dict per server."""
    return {}


def per_network(spinner: str | bool, entries: int = MAX_MODELS) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``st.cache_resource`` for a function of ``(key, _model, ...)``, the shipped network's results kept.

    Results go into an LRU cache of ``entries`` places (where the shipped network's
    first result also sits, until pushed out); the shipped network's results also
    go into a dict that nothing evicts.  Keyed there by the function's code too, as
    Streamlit keys its caches: an edited function computes afresh.
    """

    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        lru = st.cache_resource(show_spinner=spinner, max_entries=entries)(fn)
        code = hashlib.blake2b(fn.__code__.co_code + repr(fn.__code__.co_consts).encode(), digest_size=8).hexdigest()

        @functools.wraps(fn)
        def cached(key: str, _model: MLP, *args: Any) -> T:
            if _model is not shipped_model():
                return lru(key, _model, *args)
            kept, name = _kept_for_the_shipped_network(), (fn.__name__, code, key, *args)
            if name not in kept:
                kept[name] = lru(key, _model, *args)
            return kept[name]

        return cached

    return wrap


def _readonly(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.flags.writeable = False


@dataclass(frozen=True)
class Analysis:
    """One model on the 10,000 test digits: embeddings, answers, the map and the search index."""

    hidden: np.ndarray  # (n, H) the embeddings
    evaluation: Evaluation
    index: CosineIndex  # over ``hidden``
    map: PCAMap


@dataclass(frozen=True)
class Atlas:
    """Per-neuron facts for the neuron atlas."""

    drops: np.ndarray  # (H,) accuracy lost when each neuron is silenced
    dead: np.ndarray  # (H,) bool: never fires on the test set
    means: np.ndarray  # (10, H) mean activation per digit
    firing: np.ndarray  # (H,) share of test digits each neuron fires for
    preferred: np.ndarray  # (H,) the digit each neuron fires for most on average


@per_network("Computing the embeddings of the test digits…")
def _analysis(key: str, _model: MLP) -> Analysis:
    images, labels = mnist("test")
    hidden = embed(_model, images)
    ev = evaluate(probabilities_from_hidden(_model, hidden), labels)
    pca_map = fit_pca(hidden)
    _readonly(hidden, ev.probabilities, ev.predictions, ev.confusion, pca_map.coords)
    return Analysis(hidden, ev, CosineIndex(hidden), pca_map)


def analysis(model: MLP) -> Analysis:
    """:class:`Analysis` of ``model``, computed once per distinct set of weights."""
    return _analysis(model_key(model), model)


@per_network("Finding each test digit's nearest neighbours…")
def _neighbourhoods(key: str, _model: MLP) -> tuple[np.ndarray, np.ndarray]:
    from nnviz.train import one_blas_thread  # imported here: only this cache needs it

    with one_blas_thread():  # one thread per computation on a shared server (see there)
        indices, similarities = nearest_rows(analysis(_model).index, NEIGHBOURS_K)
    _readonly(indices, similarities)
    return indices, similarities


def _nearest(key: str, _model: MLP) -> np.ndarray:
    """Each test digit's similarity to its nearest other test digit (:func:`nnviz.embed.nearest_similarities`)."""
    return _neighbourhoods(key, _model)[1][:, 0]


def lonely_accuracy(model: MLP) -> LonelyAccuracy:
    """How well ``model`` reads the loneliest test digits (those the Draw page would caution about), and the rest."""
    return _lonely_accuracy(model_key(model), model)


@per_network(False)
def _lonely_accuracy(key: str, _model: MLP) -> LonelyAccuracy:
    # once per model, not on every stroke: the Draw page asks for it on each rerun
    _, labels = mnist("test")
    right = _analysis(key, _model).evaluation.predictions == labels
    lonely = lonely_rows(_nearest(key, _model), UNFAMILIAR)
    rest = ~lonely
    return LonelyAccuracy(
        int(lonely.sum()),
        float(right[lonely].mean()) if lonely.any() else float("nan"),
        float(right[rest].mean()) if rest.any() else float("nan"),
    )


def how_familiar(model: MLP, embedding: np.ndarray, *, exclude: int | None = None) -> Familiarity | None:
    """:func:`nnviz.embed.familiarity` of an embedding among ``model``'s embeddings of the test digits.

    None for a zero embedding (no neuron fired).  ``exclude``: the test digit's
    own index, when the embedding is one of them.
    """
    key = model_key(model)
    return familiarity(_analysis(key, model).index, _nearest(key, model), embedding, exclude=exclude)


@per_network("Silencing each hidden neuron in turn…")
def _atlas(key: str, _model: MLP) -> Atlas:
    _, labels = mnist("test")
    hidden = analysis(_model).hidden
    means = mean_activation_per_digit(hidden, labels)
    result = Atlas(
        ablation(_model, hidden, labels), dead_neurons(hidden), means, firing_rate(hidden), preferred_digit(means)
    )
    _readonly(result.drops, result.dead, result.means, result.firing, result.preferred)
    return result


def atlas(model: MLP) -> Atlas:
    """:class:`Atlas` of ``model``, computed once per distinct set of weights."""
    return _atlas(model_key(model), model)


@st.cache_resource(show_spinner=False)
def pixel_index() -> CosineIndex:
    """Cosine index over the raw pixels of the test digits (no network involved): computed once per server."""
    images, _ = mnist("test")
    return CosineIndex(as_input(images), copy=False)  # a fresh array: normalised where it lies


@st.cache_resource(show_spinner=False)
def _shipped_tsne() -> TSNEMap | str:
    """The t-SNE map in ``nnviz/assets/tsne.npz``, read once per server; or why it could not be read."""
    try:
        tsne = load_tsne()
    except MapError as exc:
        return str(exc)
    _readonly(tsne.coords)
    return tsne


def tsne_map(model: MLP) -> tuple[TSNEMap | None, str]:
    """The shipped t-SNE map if it was made from ``model``'s embeddings, else None and why not."""
    tsne = _shipped_tsne()
    if isinstance(tsne, str):
        return None, f"The t-SNE map could not be read: {tsne}"
    if not tsne.matches(model, len(mnist("test")[1])):
        seconds = tsne.meta.get("seconds")
        work = f" ({seconds:.0f} seconds of work when it was made)" if isinstance(seconds, (int, float)) else ""
        return None, (
            f"The t-SNE map is computed ahead of time{work} for the shipped network only: "
            "this network gets the PCA map."
        )
    return tsne, ""


def kept_on_map(model: MLP, kind: str) -> float | None:
    """:func:`nnviz.embed.kept_neighbours` of ``model``'s "pca" or "tsne" map, once per model and map.

    Over the test digits that have neighbours (an embedding with a direction:
    positive similarity to all its ``NEIGHBOURS_K`` nearest); None when fewer
    than 1% of them do (a network whose neurons died): no number to give.
    """
    return _kept_on_map(model_key(model), model, kind)


@per_network("Checking the map against the full space…", entries=2 * MAX_MODELS)
def _kept_on_map(key: str, _model: MLP, kind: str) -> float | None:
    if kind == "tsne":
        tsne, why_not = tsne_map(_model)
        if tsne is None:
            raise ValueError(why_not)
        coords = tsne.coords
    else:
        coords = _analysis(key, _model).map.coords
    indices, similarities = _neighbourhoods(key, _model)
    rows = similarities[:, -1] > 0
    if rows.sum() < 0.01 * len(rows):
        return None
    return kept_neighbours(indices, coords, rows=rows)


_MAP_KEY = "map_kind"


def _map_to_url() -> None:
    """The radio's callback: the reader's choice goes into the URL before the rerun reads it."""
    _sync_map_url(st.session_state[_MAP_KEY])


def _sync_map_url(label: str | None) -> None:
    """``?map=tsne`` while the t-SNE map shows; no ``map`` for PCA, the default (a shared link shows the view)."""
    want = "tsne" if label == MAP_LABELS["tsne"] else None
    if want is None:
        if "map" in st.query_params:
            del st.query_params["map"]
    elif st.query_params.get("map") != want:
        st.query_params["map"] = want


def map_choice(tsne_available: bool) -> str:
    """The PCA / t-SNE radio (only when the t-SNE map is there), kept in step with ``?map=``; the map chosen.

    Returns the map's key in :data:`~nnviz.ui.params.MAP_LABELS`: "pca" or "tsne".

    A link naming a map wins over the session's choice (it was opened just now);
    a click on the radio goes into the URL at once, so it wins the next run.  The
    choice is kept for the session: back from another page (which clears the
    address), the same map shows and the address names it again.
    """
    if not tsne_available:
        _sync_map_url(None)
        return "pca"
    linked = query_choice("map", MAPS)  # check_url_state has already dropped a bad value
    if linked is not None:
        st.session_state[_MAP_KEY] = MAP_LABELS[linked]
    label = st.radio(
        "Map",
        list(MAP_LABELS.values()),
        horizontal=True,
        key=_MAP_KEY,
        persist_state="session",  # the choice outlives a visit to another page
        on_change=_map_to_url,
        help="PCA: the embeddings' shadow on the two directions in which they vary most (linear). "
        "t-SNE: a layout that tries to keep each digit's nearest neighbours near it.",
    )
    _sync_map_url(label)  # after a page switch (which clears the query string), name the map again
    return next(key for key, shown in MAP_LABELS.items() if shown == label)
