"""The embedding map: 10,000 test digits placed by the PCA (or t-SNE) of their hidden activations.

Every trace is WebGL (``Scattergl``): 10,000 points draw fast, and SVG traces
would sit underneath the WebGL layer, hiding the star.  Plotly cannot show an
image inside a hover label, so the map carries each
digit's test index in ``customdata``: hovering names the digit, and clicking
a point selects it (``st.plotly_chart(on_select="rerun")``), after which the
page shows its picture beside the map (:func:`selected_index` reads the click).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nnviz.embed import Familiarity

from . import common
from .draw import format_probability
from .selection import point_customdata

__all__ = [
    "UNFAMILIAR",
    "LonelyAccuracy",
    "MapRecord",
    "embedding_map_figure",
    "explained_percents",
    "familiarity_summary",
    "map_summary",
    "selected_index",
    "silent_embedding_note",
    "tsne_summary",
    "unfamiliar_note",
    "vote_figure",
]

READER = -1  # customdata index of the reader's star: not a test digit
# A digit whose nearest neighbour is further off than this share of the test digits' own is
# called unlike them.  About 1 in 100 real digits is that lonely too (test digits, and
# test digits redrawn as on the canvas, alike): the note says "unlike", never "not a digit".
UNFAMILIAR = 0.99


@dataclass(frozen=True)
class LonelyAccuracy:
    """The network's accuracy on the test digits lonelier than ``UNFAMILIAR`` of them, and on the rest."""

    n_lonely: int
    lonely: float  # NaN when there are none
    rest: float


@dataclass
class MapRecord:
    """What the map draws, per digit class."""

    xy: list[np.ndarray]  # per digit d: (n_d, 2) map positions
    customdata: list[np.ndarray]  # per digit d: (n_d, 3) int: test index, true digit, predicted digit
    confidence: list[np.ndarray]  # per digit d: (n_d,) the network's probability for its answer, in %


def _map_record(
    coords: np.ndarray, labels: np.ndarray, predictions: np.ndarray, confidence: np.ndarray, n_classes: int = 10
) -> MapRecord:
    index = np.arange(len(labels))
    xy, custom, conf = [], [], []
    for d in range(n_classes):
        rows = labels == d
        xy.append(np.asarray(coords[rows], dtype=np.float32))
        custom.append(np.stack([index[rows], labels[rows], predictions[rows]], axis=1).astype(np.int32))
        conf.append(np.round(100.0 * np.asarray(confidence[rows], dtype=np.float32), 1))
    return MapRecord(xy, custom, conf)


def embedding_map_figure(
    coords: np.ndarray,
    labels: np.ndarray,
    predictions: np.ndarray,
    confidence: np.ndarray,
    *,
    reader: np.ndarray | None = None,
    reader_name: str = "your digit",
    neighbours: np.ndarray | None = None,
    explained: np.ndarray | None = None,
    axis_titles: tuple[str, str] | None = None,
    height: int = 460,
) -> go.Figure:
    """The map of the embeddings (PCA, or another given by ``coords``), coloured by true digit.

    Parameters
    ----------
    coords : (n, 2) map positions of the test digits.
    labels, predictions : (n,) true digit and the network's answer.
    confidence : (n,) the network's probability for its answer.
    reader : (2,), optional
        The reader's digit on the same map: drawn as a star.
    neighbours : (k,) int, optional
        Test indices to ring (the reader's nearest neighbours in 128-D).
    explained : (2,), optional
        Variance share of each PCA axis, for the axis titles.
    axis_titles : (str, str), optional
        The axes' titles, for a map that is not PCA's (default: PCA's, with ``explained``).
    """
    if len(labels) == 0:
        return common.empty_figure("No embeddings to map.", height=height)
    rec = _map_record(coords, np.asarray(labels), np.asarray(predictions), np.asarray(confidence))
    fig = go.Figure()
    for d, (xy, custom, conf) in enumerate(zip(rec.xy, rec.customdata, rec.confidence, strict=True)):
        # Each digit's points in up to two traces: those whose confidence would print as
        # 100.0% say ">99.9%" instead (a softmax is never 1; see draw.reads_certain).
        sure = conf >= 100.0
        for part, confidence_text in ((~sure, "%{customdata[2]:.1f}%"), (sure, ">99.9%")):
            if not part.any():
                continue
            fig.add_trace(
                go.Scattergl(
                    x=xy[part, 0],
                    y=xy[part, 1],
                    mode="markers",
                    name=str(d),
                    marker=dict(color=common.DIGIT_COLOURS[d], size=4, opacity=0.6),
                    # test index, predicted digit, confidence %: float32 (exact for these integers)
                    # rather than NumPy's float64 for a mixed stack, half the bytes to the browser;
                    # the true digit is this trace's own
                    customdata=np.column_stack([custom[part][:, [0, 2]], conf[part]]).astype(np.float32),
                    hovertemplate=f"test digit #%{{customdata[0]}}: {common.a_digit(d)}<br>"
                    f"network says %{{customdata[1]}} ({confidence_text})<extra></extra>",
                )
            )
    # name each cluster on the map itself (a legend of 12 entries would crowd a phone);
    # annotations sit above the WebGL layer and can have a background
    for d, xy in enumerate(rec.xy):
        if len(xy):
            cx, cy = np.median(xy, axis=0)
            fig.add_annotation(
                x=float(cx),
                y=float(cy),
                text=f"<b>{d}</b>",
                showarrow=False,
                font=dict(size=15, color=common.ink_on(common.DIGIT_COLOURS[d])),
                bgcolor=common.DIGIT_COLOURS[d],
                bordercolor="#FFFFFF",
                borderwidth=1,
                opacity=0.9,
            )
    if neighbours is not None and len(neighbours):
        nb = np.asarray(neighbours, dtype=np.int64)
        # a dark ring on a light halo: one of the two shows on either theme's background
        hover = dict(
            customdata=np.column_stack([nb, np.asarray(labels)[nb]]),
            text=[common.a_digit(d) for d in np.asarray(labels)[nb]],
            hovertemplate="neighbour: test digit #%{customdata[0]}, %{text}<extra></extra>",
        )
        for name, colour, width, extra in (
            ("halo", "#FFFFFF", 4.5, dict(hoverinfo="skip")),
            ("nearest neighbours", "#222222", 2, hover),
        ):
            fig.add_trace(
                go.Scattergl(
                    x=coords[nb, 0],
                    y=coords[nb, 1],
                    mode="markers",
                    name=name,
                    marker=dict(symbol="circle-open", size=13, color=colour, line=dict(width=width)),
                    **extra,
                )
            )
    if reader is not None:
        fig.add_trace(
            go.Scattergl(
                x=[float(reader[0])],
                y=[float(reader[1])],
                mode="markers",
                name=reader_name,
                marker=dict(symbol="star", size=22, color="#FFD700", line=dict(width=1.5, color="#000000")),
                customdata=[[READER]],
                hovertemplate=f"{reader_name}<extra></extra>",
            )
        )
    if axis_titles is None:
        pct = explained_percents(explained)[:2] if explained is not None else ("?", "?")
        axis_titles = (f"PCA axis 1 ({pct[0]}% of variance)", f"PCA axis 2 ({pct[1]}% of variance)")
    fig.update_xaxes(title=axis_titles[0], zeroline=False, showgrid=False)
    fig.update_yaxes(title=axis_titles[1], zeroline=False, showgrid=False)
    # no drag-to-zoom: on a phone a finger on the map must still scroll the page (zoom: the modebar)
    common.layout(fig, height=height, showlegend=False, hovermode="closest", dragmode=False)
    return fig


def selected_index(points: list[dict]) -> int | None:
    """The test index of the first clicked point of a map selection, or None (nothing, or the star)."""
    for point in points or []:
        custom = point_customdata(point)
        try:
            index = int(custom[0])
        except (IndexError, TypeError, ValueError):
            continue
        if index != READER and index >= 0:
            return index
    return None


def explained_percents(explained: np.ndarray) -> tuple[str, str, str]:
    """The two axes' shares of the variance and their sum, in whole percents that add up as printed.

    Rounded one by one, 11.4% and 10.4% print as 11% and 10% beside a total of
    22%; here the axes are rounded so their sum is the total's rounding.
    """
    shares = [100.0 * float(v) for v in np.asarray(explained, dtype=np.float64)[:2]]
    total = sum(shares)
    first, second = common.rounded_parts(shares, total, 0)
    return f"{first:.0f}", f"{second:.0f}", f"{total:.0f}"


def _kept_text(kept: float, k: int, where: str) -> str:
    return (
        f"of each digit's {k} nearest neighbours in the full space (by cosine similarity), {kept:.0%} are among its "
        f"{k} nearest {where}"
    )


def _reader_text(reader_nearest_label: int | None, silent: bool, placed: str = "", name: str = "your digit") -> str:
    if silent:
        return f" The star is {name}: no hidden neuron fired for it, so its embedding is all zeros."
    if reader_nearest_label is not None:
        return f" The star is {name}{placed}; its nearest neighbour is {common.a_digit(reader_nearest_label)}."
    return ""


def map_summary(
    explained: np.ndarray,
    n: int,
    dims: int,
    reader_nearest_label: int | None = None,
    *,
    silent: bool = False,
    kept: float | None = None,
    k: int = 10,
    reader_name: str = "your digit",
) -> str:
    """One line under the PCA map, from the data it shows: ``n`` embeddings of ``dims`` numbers.

    ``silent``: no hidden neuron fired for the reader's digit (see :func:`silent_embedding_note`).
    ``kept``: :func:`nnviz.embed.kept_neighbours` of this map, for ``k`` neighbours.
    ``reader_name``: what the star is ("your drawing", "test digit #445 (a 6)").
    """
    if not np.any(np.asarray(explained) > 0):  # PCA of identical points: no direction to flatten onto
        text = (
            f"{n:,} test digits, each a {dims}-number embedding, and all {n:,} are the same vector: they vary in no "
            "direction, so the map is a single point."
        )
        return text + _reader_text(reader_nearest_label, silent, name=reader_name)
    text = (
        f"{n:,} test digits, each a {dims}-number embedding, flattened onto the 2 directions in which they "
        f"vary most; those keep {explained_percents(explained)[2]}% of the variance, so clusters that overlap here "
        "may still be apart in the full space"
    )
    text += f" ({_kept_text(kept, k, 'on this map')})." if kept is not None else "."
    return text + _reader_text(reader_nearest_label, silent, name=reader_name)


def tsne_summary(
    n: int,
    dims: int,
    kept: float,
    kept_pca: float | None,
    reader_nearest_label: int | None = None,
    *,
    k: int = 10,
    star: str = "test digit",
    placed_among: int = 5,
    placed_labels: np.ndarray | None = None,
    silent: bool = False,
    reader_name: str = "your digit",
) -> str:
    """One line under the t-SNE map: what t-SNE keeps, measured, what it does not, and where the star sits.

    ``kept``, ``kept_pca``: :func:`nnviz.embed.kept_neighbours` of this map and of the PCA map.
    ``star``: "test digit" (the reader's digit is a test digit: t-SNE placed it),
    "placed" (a new digit, put among its ``placed_among`` nearest test digits by
    :meth:`nnviz.tsne.TSNEMap.place`), or "none" (no star: a new digit with an
    all-zero embedding has no nearest test digits).
    ``placed_labels``: those nearest test digits' labels; when they are not all
    one digit, they sit in different clusters and the star's place is a rough guess.
    """
    if star not in ("test digit", "placed", "none"):
        raise ValueError(f"star must be 'test digit', 'placed' or 'none', not {star!r}")
    pca = f" (on the PCA map, {kept_pca:.0%})" if kept_pca is not None else ""
    text = (
        f"{n:,} test digits, each a {dims}-number embedding, laid out by t-SNE, computed once for the shipped "
        f"network, to keep neighbours together: {_kept_text(kept, k, 'here')}{pca}. The price: the sizes of the "
        "clusters and the distances between them mean little."
    )
    if star == "none":
        return text + f" {common.sentence_start(reader_name)} has no place here: no hidden neuron fired for it."
    placed = (
        f", put at the mean position of its {placed_among} nearest test digits, weighted by similarity (t-SNE has "
        "no formula for a new point)"
        if star == "placed"
        else ", where t-SNE put it"
    )
    text += _reader_text(reader_nearest_label, silent, placed, name=reader_name)
    if star == "placed" and placed_labels is not None and len(set(np.asarray(placed_labels).tolist())) > 1:
        names = common.digits_plural(sorted(set(np.asarray(placed_labels).tolist())))
        text += (
            f" Those {placed_among} are {names}, and t-SNE keeps each digit mostly to a cluster of its own: the "
            "star's place between them is only a rough guess."
        )
    return text


def silent_embedding_note(dims: int) -> str:
    """Why a digit that fires no hidden neuron has no nearest neighbours by embedding."""
    return (
        f"None of the {dims} hidden neurons fired for this digit, so its embedding is {dims} zeros. A zero vector "
        "points in no direction: its cosine similarity to any digit is 0 / 0, undefined, so there are no nearest "
        "neighbours to fetch and no vote. (A network whose neurons have died, from too large a learning rate on "
        "the Train it yourself page, does this to most digits.)"
    )


def _others(f: Familiarity) -> str:
    """ "the 10,000 test digits", or "the other 9,999" when the query is one of them."""
    return f"the {f.searched:,} test digits" if f.searched == f.total else f"the other {f.searched:,} test digits"


def familiarity_summary(f: Familiarity) -> str:
    """One line: how near the digit's nearest neighbour is, against the test digits' own nearest neighbours."""
    text = (
        f"An outlier check by nearest neighbour: its nearest embedding among {_others(f)} has similarity "
        f"{f.nearest:.3f}, and {f.closer:,} of the {f.total:,} test digits {common.agree(f.closer, 'has', 'have')} a nearer neighbour of "
        "their own"
    )
    if f.share_closer >= UNFAMILIAR:
        return text + f". Lonelier than {UNFAMILIAR:.0%} of them: an outlier, unlike the MNIST digits."
    # rounded down, so a digit short of the line never reads as on it (98.96% is "98.9%", not "99.0%")
    share = f.closer * 1000 // f.total / 10  # in whole tenths of a percent, without float rounding
    return (
        text
        + f", so it is lonelier than {share:.1f}% of them. Not an outlier: this check draws the line at {UNFAMILIAR:.0%}."
    )


def unfamiliar_note(
    f: Familiarity | None,
    *,
    dims: int,
    prediction: int,
    probability: float,
    accuracy: LonelyAccuracy | None = None,
) -> str | None:
    """A caution when the digit is lonelier in the embedding than 99% of the test digits, else None.

    A softmax always shares out 100% among the ten digits: a scribble gets an
    answer, sometimes a confident one.  What does tell it apart is distance: its
    embedding is far from every one of the MNIST test digits'.
    """
    if f is None or f.share_closer < UNFAMILIAR:
        return None
    # the plain sentence first, then the numbers behind it
    return (
        f"**Unlike the MNIST digits.** The network answers anyway, {format_probability(probability)} for "
        f"{common.a_digit(prediction)}: softmax shares out 100% among the ten digits and has no 'none of these'."
        + (_lonely_accuracy_text(accuracy) if accuracy is not None else "")
        + f" The numbers: its embedding (the {dims} hidden activations) has cosine similarity {f.nearest:.3f} to "
        f"the nearest of {_others(f)}; {f.closer:,} of the {f.total:,} test digits "
        f"{common.agree(f.closer, 'has', 'have')} a nearer neighbour of their own."
    )


def _lonely_accuracy_text(a: LonelyAccuracy) -> str:
    if a.n_lonely == 0 or np.isnan(a.lonely):
        return ""
    return (
        f" On the {a.n_lonely:,} loneliest test digits (the ones this note would be shown for) it is right "
        f"{a.lonely:.1%} of the time, against {a.rest:.1%} on the others."
    )


def vote_figure(counts: np.ndarray, network_answer: int, *, height: int = 220) -> go.Figure:
    """The neighbours' votes per digit; the network's own answer is marked ▼ (and outlined).

    Parameters
    ----------
    counts : (10,) int
        Votes per digit (from :func:`nnviz.embed.knn_vote`).
    network_answer : int
        The digit the network itself chose.
    """
    counts = np.asarray(counts)
    if counts.size == 0 or counts.sum() == 0:
        return common.empty_figure("No neighbours voted.", height=height)
    digits = [str(d) for d in range(len(counts))]
    fig = go.Figure(
        go.Bar(
            x=digits,
            y=counts,
            marker=dict(
                color=common.DIGIT_COLOURS[: len(digits)],
                line=dict(color=common.MARK_GREY, width=[3 if d == network_answer else 0 for d in range(len(counts))]),
            ),
            hovertemplate="votes for %{x}: %{y}<extra></extra>",
        )
    )
    # a marker in the theme's own text colour (no colour set): the outline alone vanishes on a dark page
    fig.add_annotation(
        x=digits[network_answer], y=float(counts[network_answer]), text="▼", showarrow=False, yanchor="bottom"
    )
    # (the outline is grey, which is also the 7's colour: the ▼ is what always shows)
    fig.update_xaxes(title="digit (▼: the network's answer)", type="category")
    top = float(counts.max())
    # whole votes only, and at most about six labels on a chart 220 px high
    fig.update_yaxes(title="votes", dtick=max(1, math.ceil(top / 5)), range=[0, top * 1.15 + 0.5])  # room for ▼
    return common.layout(fig, height=height, showlegend=False, dragmode=False)
