"""What the hidden neurons look for: the first layer's weights drawn as pictures.

Each hidden neuron j has one weight per pixel, the column ``W1[:, j]`` of 784
numbers; laid out as 28x28 it shows the stroke pattern that excites the neuron
(red: ink there raises its sum) and the one that inhibits it (blue).

* :func:`mosaic_figure` -- all the neurons' weight pictures as tiles of ONE heatmap
  (not one subplot per neuron: a single trace stays quick to draw and to click).
  :func:`neuron_at` maps a clicked point back to its neuron.
* :func:`neuron_figure` -- one neuron's 784 weights, large.
* :func:`outgoing_figure` -- its 10 weights to the output digits, as bars.
* :func:`top_digits_figure` -- the test digits that excite it most, as one strip.
* :func:`contribution_figure` -- weight x input for one digit: the 784 terms whose
  sum (plus the bias) is the neuron's pre-activation.
* :func:`output_weights_figure` -- the second layer, ``W2``, as one heatmap.

Each has a ``*_summary`` giving the one line of text shown under the chart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from . import common

if TYPE_CHECKING:
    from ..neuron import NeuronResponse

__all__ = [
    "MosaicRecord",
    "contribution_figure",
    "contribution_summary",
    "mosaic_columns",
    "mosaic_figure",
    "mosaic_summary",
    "neuron_at",
    "neuron_figure",
    "neuron_summary",
    "outgoing_figure",
    "outgoing_summary",
    "output_weights_figure",
    "output_weights_summary",
    "sum_check_text",
    "top_digits_figure",
    "top_digits_summary",
]

SIDE = 28  # an MNIST image is 28x28
GAP = 1  # pixels between tiles
HOVER_EVERY = 2  # hover/click points on every 2nd pixel row and column of the mosaic
# The mosaic's colour scale ends at this percentile of |weight|: a few large weights
# would otherwise wash the other 100,000 out to white.  Larger ones saturate; the
# hover still gives every exact value.
MOSAIC_PERCENTILE = 99.5


def _image(values: np.ndarray) -> np.ndarray:
    """(784,) -> (28, 28), row-major as the pixels were flattened."""
    return np.asarray(values, dtype=np.float32).reshape(SIDE, SIDE)


# --- the mosaic --------------------------------------------------------------------


@dataclass
class MosaicRecord:
    """All the neurons' 28x28 weight pictures tiled into one image.

    Attributes
    ----------
    codes : (rows * 29 - 1, columns * 29 - 1) uint8
        The weights quantised to 0..254 for display (127 = weight 0, also used
        for the 1-pixel gaps, which therefore show white); weights beyond the
        ``MOSAIC_PERCENTILE`` of |weight| saturate at 0 or 254.
    scale : float
        Weight per code step: ``weight ~= (code - 127) * scale``.
    x, y : (n_points,) int16
        Mosaic column and row of the pixels that carry a hover/click point
        (every ``every``-th row and column of each tile).
    customdata : (n_points, 3) uint8
        (neuron, pixel row, pixel column) of each of those pixels.
    weights : (n_points,) float32
        The exact weight there, for the hover.
    rows, columns : int
        Tiles down and across.
    """

    codes: np.ndarray
    scale: float
    x: np.ndarray
    y: np.ndarray
    customdata: np.ndarray
    weights: np.ndarray
    rows: int
    columns: int


def mosaic_columns(n_hidden: int) -> int:
    """Tiles per row: a mosaic about twice as tall as wide, which fits a phone.

    128 neurons -> 8 (16 rows of 8), 16 -> 3, 256 -> 11: a network trained on the
    Learn page gets tiles as large as the shipped one's, not two rows of specks.
    """
    return max(1, min(n_hidden, round(math.sqrt(n_hidden / 2))))


def _mosaic_record(W1: np.ndarray, columns: int | None = None, gap: int = GAP, every: int = 1) -> MosaicRecord:
    n_in, n_hidden = W1.shape
    if n_in != SIDE * SIDE:
        raise ValueError(f"W1 must have {SIDE * SIDE} rows (one per pixel), got {W1.shape}")
    columns = mosaic_columns(n_hidden) if columns is None else max(1, min(columns, n_hidden))
    rows = -(-n_hidden // columns)  # ceiling division
    step = SIDE + gap
    _, m = common.symmetric_range(np.array([np.percentile(np.abs(W1), MOSAIC_PERCENTILE)]))
    scale = m / 127.0
    codes = np.full((rows * step - gap, columns * step - gap), 127, dtype=np.uint8)
    j = np.repeat(np.arange(n_hidden), n_in)  # neuron of each (neuron, pixel) pair, neuron-major
    pixel = np.tile(np.arange(n_in), n_hidden)
    r, c = pixel // SIDE, pixel % SIDE
    y = (j // columns) * step + r
    x = (j % columns) * step + c
    weights = np.asarray(W1, dtype=np.float32).T.reshape(-1)  # (H * 784,), same order as j, pixel
    codes[y, x] = np.clip(np.rint(weights / scale) + 127, 0, 254).astype(np.uint8)
    custom = np.stack([j, r, c], axis=1).astype(np.uint8 if n_hidden <= 256 else np.uint16)  # small for a phone
    keep = (r % every == 0) & (c % every == 0)  # the pixels that get a hover/click point
    return MosaicRecord(
        codes, scale, x[keep].astype(np.int16), y[keep].astype(np.int16), custom[keep], weights[keep], rows, columns
    )


def neuron_at(x: float, y: float, n_hidden: int, columns: int | None = None, gap: int = GAP) -> int | None:
    """The neuron whose tile holds mosaic cell (x, y) (column, row), or None in a gap or outside.

    The inverse of the layout in :func:`mosaic_figure`, for clicks on it (``columns``
    as given to it; default :func:`mosaic_columns`).
    """
    columns = mosaic_columns(n_hidden) if columns is None else columns
    step = SIDE + gap
    col, row = round(float(x)), round(float(y))
    if col < 0 or row < 0 or col % step >= SIDE or row % step >= SIDE:
        return None
    tile_col = col // step
    j = (row // step) * columns + tile_col
    return j if tile_col < columns and j < n_hidden else None


def mosaic_figure(
    W1: np.ndarray,
    *,
    selected: int | None = None,
    columns: int | None = None,
    hover_every: int = HOVER_EVERY,
    height: int = 700,
) -> go.Figure:
    """Every hidden neuron's 784 incoming weights as a 28x28 tile, in one picture.

    Two traces: a heatmap draws the tiles (weights quantised to 255 levels, plenty
    for the eye and a quarter of the bytes), and an invisible WebGL scatter carries
    the exact weights for the hover and makes the tiles clickable -- Plotly cannot
    select points of a heatmap, so Streamlit's ``on_select`` needs the scatter.  The
    scatter has a point on every ``hover_every``-th pixel row and column (2: a
    quarter of the 100,352 points, which keeps the page light and still leaves no
    spot of a tile unclickable); the hover names that pixel and its exact weight.
    Map a selected point back with :func:`neuron_at`.

    Parameters
    ----------
    W1 : ndarray of shape (784, H)
        First-layer weights; column j belongs to hidden neuron j.
    selected : int, optional
        A neuron to outline.
    columns : int, optional
        Tiles per row (neuron j sits at row ``j // columns``, column ``j % columns``);
        default :func:`mosaic_columns`.
    hover_every : int
        Hover/click points on every this-many pixel rows and columns.
    """
    W1 = np.asarray(W1)
    if W1.size == 0:
        return common.empty_figure("No weights to show", height=height)
    rec = _mosaic_record(W1, columns, every=hover_every)
    ticks = np.linspace(-rec.scale * 127, rec.scale * 127, 5)
    fig = go.Figure(
        [
            go.Heatmap(
                z=rec.codes,
                colorscale=common.DIVERGING,
                zmin=0,
                zmax=254,
                hoverinfo="skip",
                colorbar=dict(
                    title=dict(text="weight", side="top"),
                    orientation="h",  # below the tiles: the full width goes to the tiles, on a phone too
                    thickness=10,
                    len=0.6,
                    y=-0.02,
                    yanchor="top",
                    tickvals=ticks / rec.scale + 127,
                    ticktext=[f"{t:+.2f}" for t in ticks],
                ),
            ),
            go.Scattergl(
                x=rec.x,
                y=rec.y,
                customdata=rec.customdata,
                marker=dict(color=rec.weights, opacity=0, size=3, showscale=False),
                selected=dict(marker=dict(opacity=0)),
                unselected=dict(marker=dict(opacity=0)),
                mode="markers",
                showlegend=False,
                hovertemplate="neuron %{customdata[0]}<br>pixel row %{customdata[1]}, col %{customdata[2]}"
                "<br>weight %{marker.color:.4f}<extra></extra>",
            ),
        ]
    )
    if selected is not None and 0 <= selected < W1.shape[1]:
        step = SIDE + GAP
        top, left = (selected // rec.columns) * step, (selected % rec.columns) * step
        fig.add_shape(
            type="rect",
            x0=left - 1,
            x1=left + SIDE,
            y0=top - 1,
            y1=top + SIDE,
            line=dict(color="#000000", width=2),
            fillcolor="rgba(0,0,0,0)",
        )
    common.layout(fig, height=height, clickmode="event+select", dragmode=False, hoverdistance=4)
    fig.update_layout(margin=dict(b=70))  # room for the colour bar below
    return common.image_axes(fig)


def mosaic_summary(W1: np.ndarray) -> str:
    """One line under the mosaic."""
    W1 = np.asarray(W1)
    if W1.size == 0:
        return "No weights to show."
    n_in, n_hidden = W1.shape
    share_pos = float((W1 > 0).mean())
    m = float(np.percentile(np.abs(W1), MOSAIC_PERCENTILE))
    return (
        f"{n_hidden} hidden neurons × {n_in} weights each = {W1.size:,} weights, "
        f"from {W1.min():+.3f} to {W1.max():+.3f}; {share_pos:.0%} of them are positive. "
        f"The colours run from {-m:+.2f} (blue) to {m:+.2f} (red), where {MOSAIC_PERCENTILE:g}% of the weights lie."
    )


# --- one neuron --------------------------------------------------------------------


def _picture(values: np.ndarray, *, name: str, colorbar: str, height: int) -> go.Figure:
    z = _image(values)
    lo, hi = common.symmetric_range(z)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=common.DIVERGING,
            zmin=lo,
            zmax=hi,
            zmid=0.0,
            hovertemplate=f"pixel row %{{y}}, col %{{x}}<br>{name} %{{z:.4f}}<extra></extra>",
            colorbar=dict(title=dict(text=colorbar, side="right"), thickness=12),
        )
    )
    common.layout(fig, height=height)
    return common.image_axes(fig)


def neuron_figure(w: np.ndarray, neuron: int, *, height: int = 320) -> go.Figure:
    """Hidden neuron ``neuron``'s incoming weights ``w`` (784,) as one large 28x28 picture."""
    w = np.asarray(w)
    if w.size == 0:
        return common.empty_figure("No neuron chosen", height=height)
    return _picture(w, name="weight", colorbar="weight", height=height)


def neuron_summary(w: np.ndarray, neuron: int, bias: float) -> str:
    """One line under the large picture of a neuron."""
    w = np.asarray(w, dtype=np.float64)
    top = int(np.argmax(w))
    bottom = int(np.argmin(w))
    return (
        f"Neuron {neuron}: {w.size} weights, {int((w > 0).sum())} positive and {int((w < 0).sum())} negative; "
        f"ink at pixel (row {top // SIDE}, col {top % SIDE}) raises its sum most ({w[top]:+.3f} per unit of ink), "
        f"ink at (row {bottom // SIDE}, col {bottom % SIDE}) lowers it most ({w[bottom]:+.3f}); bias {bias:+.3f}."
    )


def outgoing_figure(w2: np.ndarray, neuron: int, *, height: int = 260) -> go.Figure:
    """Hidden neuron ``neuron``'s 10 outgoing weights ``w2`` (10,) -- one per digit -- as bars."""
    w2 = np.asarray(w2, dtype=np.float64)
    if w2.size == 0:
        return common.empty_figure("No neuron chosen", height=height)
    digits = np.arange(w2.size)
    fig = go.Figure(
        go.Bar(
            x=digits,
            y=w2,
            # by sign, in the weight maps' red and blue: shaded by size, the largest bars were the
            # darkest, and nearly vanished on a dark page (the small ones, near white, on a light one)
            marker=dict(color=[common.RAISES if v > 0 else common.LOWERS for v in w2]),
            hovertemplate=f"neuron {neuron} → digit %{{x}}<br>weight %{{y:.4f}}<extra></extra>",
        )
    )
    fig.update_xaxes(title="output digit", tickmode="array", tickvals=digits, fixedrange=True)
    fig.update_yaxes(title="weight", zeroline=True, zerolinecolor="#888888", fixedrange=True)
    return common.layout(fig, height=height)


def outgoing_summary(w2: np.ndarray, neuron: int) -> str:
    """One line under the outgoing-weights bars."""
    w2 = np.asarray(w2, dtype=np.float64)
    up, down = int(np.argmax(w2)), int(np.argmin(w2))
    return (
        f"When neuron {neuron} fires it votes most for digit {up} ({w2[up]:+.3f} per unit of activation) "
        f"and most against digit {down} ({w2[down]:+.3f})."
    )


def top_digits_figure(
    images: np.ndarray,
    indices: np.ndarray,
    labels: np.ndarray,
    activations: np.ndarray,
    *,
    neuron: int | None = None,
    height: int = 150,
) -> go.Figure:
    """The test digits that excite a neuron most, side by side in one heatmap strip.

    Parameters
    ----------
    images : ndarray of shape (k, 28, 28)
        The digits, uint8 0-255 or float in [0, 1], most exciting first.
    indices, labels, activations : ndarray of shape (k,)
        Their test-set indices, true labels and the neuron's activation on each.
    """
    images = np.asarray(images)
    k = len(images)
    if k == 0:
        return common.empty_figure("No digits", height=height)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    step = SIDE + 2  # each digit 28 columns wide, 2 empty columns between them
    who = f"neuron {neuron}" if neuron is not None else "activation"
    # One heatmap per digit, each with its own hover text: no per-pixel copy of the
    # digit's index, label and activation to send (that was 3 numbers for each of ~6,700 pixels).
    fig = go.Figure(
        [
            go.Heatmap(
                z=(images[i].reshape(SIDE, SIDE) / scale).astype(np.float32),
                x0=i * step,
                dx=1,
                colorscale=common.GREYS,
                zmin=0.0,
                zmax=1.0,
                showscale=False,
                hovertemplate=f"test digit #{int(indices[i])}: {common.a_digit(labels[i])}<br>{who}: "
                f"{float(activations[i]):.3f}<extra></extra>",
            )
            for i in range(k)
        ]
    )
    fig.update_xaxes(
        tickmode="array",
        tickvals=[i * step + (SIDE - 1) / 2 for i in range(k)],
        ticktext=[f"{float(a):.2f}" for a in activations],
        showticklabels=True,
    )
    common.layout(fig, height=height)
    common.image_axes(fig)
    fig.update_xaxes(showticklabels=True, tickfont=dict(size=11), title=dict(text=f"{who}", font=dict(size=12)))
    return fig


def top_digits_summary(labels: np.ndarray, activations: np.ndarray, neuron: int, n_images: int) -> str:
    """One line under the strip of most exciting digits."""
    labels = np.asarray(labels)
    if labels.size == 0:  # the page passes only the digits that make the neuron fire
        return (
            f"No test digit makes neuron {neuron} fire: its activation is 0 on all {n_images:,} of them "
            "(a dead neuron)."
        )
    counts = np.bincount(labels, minlength=10)
    common_digit = int(np.argmax(counts))
    if labels.size == 1:
        return (
            f"Of the {n_images:,} test digits, only one makes neuron {neuron} fire "
            f"(activation {float(activations[0]):.2f}, under it): {common.a_digit(common_digit)}."
        )
    most = (
        f"{int(counts[common_digit])} of them are {common_digit}s"
        if counts[common_digit] > 1
        else "no two of them are the same digit"
    )
    return (
        f"Of the {n_images:,} test digits, these {labels.size} make neuron {neuron} fire hardest "
        f"(activation under each, from {float(activations[0]):.2f} down to {float(activations[-1]):.2f}); "
        f"{most}."
    )


def contribution_figure(terms: np.ndarray, neuron: int, *, height: int = 320) -> go.Figure:
    """Weight x input for one digit: the 784 terms of neuron ``neuron``'s sum, as a 28x28 picture.

    Pixels without ink contribute exactly 0 (white): only the drawn strokes count.
    """
    terms = np.asarray(terms)
    if terms.size == 0:
        return common.empty_figure("Draw a digit to see its weight × input map", height=height)
    return _picture(terms, name="weight × input", colorbar="w × x", height=height)


def contribution_summary(terms: np.ndarray, bias: float, z: float, activation: float, neuron: int) -> str:
    """One line under the weight x input map: the sum written out."""
    terms = np.asarray(terms, dtype=np.float64)
    # rounded so that the sum as printed adds up; the bias is printed as it is elsewhere
    pos, neg, bias = common.rounded_parts([terms[terms > 0].sum(), terms[terms < 0].sum(), bias], z, 3, fixed=[2])
    fires = f"fires at {activation:.3f}" if activation > 0 else "stays silent (ReLU turns the negative sum into 0)"
    return (
        f"Red pixels add {pos:+.3f}, blue ones {neg:+.3f}, bias {bias:+.3f}: "
        f"pre-activation z = {z:+.3f}, so neuron {neuron} {fires}."
    )


def sum_check_text(r: NeuronResponse) -> str:
    """``r`` (a :class:`nnviz.neuron.NeuronResponse`) as one line of Markdown: the sum added up and checked.

    The sum of the terms is rounded so that, as printed, it and the bias add up to z.
    """
    terms_sum, bias = common.rounded_parts([float(np.sum(r.terms)), r.bias], r.z, 4, fixed=[1])
    check = "matches" if r.agrees else "does NOT match"
    return (
        f"The {r.n_active_pixels} non-zero terms sum to {terms_sum:+.4f}; + bias {bias:+.4f} "
        f"= **z = {r.z:+.4f}**, which {check} the network's own `x @ W1 + b1` = {r.z_network:+.4f}. "
        f"After ReLU the neuron's activation is **{r.activation:.4f}**."
    )


# --- the second layer --------------------------------------------------------------


def output_weights_figure(
    W2: np.ndarray, *, selected: int | None = None, height: int | None = None, upright: bool = False
) -> go.Figure:
    """``W2`` (H, 10) as one heatmap: digits down the side, hidden neurons across.

    ``upright``: the other way round, neurons down and the 10 digits across, for a
    phone's narrow screen (128 neurons across 200 px would be under 2 px each).
    Default height: 260 px, or about 3 px per neuron upright.
    """
    W2 = np.asarray(W2)
    n_hidden, n_out = W2.shape
    if height is None:
        height = max(260, 3 * n_hidden + 110) if upright else 260
    if W2.size == 0:
        return common.empty_figure("No weights to show", height=height)
    lo, hi = common.symmetric_range(W2)
    neurons, digits = np.arange(n_hidden), np.arange(n_out)
    fig = go.Figure(
        go.Heatmap(
            z=W2 if upright else W2.T,
            x=digits if upright else neurons,
            y=neurons if upright else digits,
            colorscale=common.DIVERGING,
            zmin=lo,
            zmax=hi,
            zmid=0.0,
            hovertemplate=("neuron %{y} → digit %{x}" if upright else "neuron %{x} → digit %{y}")
            + "<br>weight %{z:.4f}<extra></extra>",
            colorbar=dict(title=dict(text="weight", side="right"), thickness=12),
        )
    )
    if selected is not None and 0 <= selected < n_hidden:
        along, across = (selected - 0.5, selected + 0.5), (-0.5, n_out - 0.5)  # the neuron's band, all digits
        (x0, x1), (y0, y1) = (across, along) if upright else (along, across)
        fig.add_shape(type="rect", x0=x0, x1=x1, y0=y0, y1=y1, line=dict(color="#000000", width=2))
    neuron_axis = dict(title="hidden neuron", showgrid=False, zeroline=False)
    digit_axis = dict(title="digit", tickmode="array", tickvals=digits, showgrid=False, zeroline=False)
    if upright:
        fig.update_xaxes(**digit_axis, side="top")
        fig.update_yaxes(**neuron_axis, autorange="reversed")
    else:
        fig.update_xaxes(**neuron_axis)
        fig.update_yaxes(**digit_axis, autorange="reversed")
    return common.layout(fig, height=height)


def output_weights_summary(W2: np.ndarray) -> str:
    """One line under the W2 heatmap."""
    W2 = np.asarray(W2, dtype=np.float64)
    n_hidden, n_out = W2.shape
    spread = W2.std(axis=0)
    return (
        f"{n_hidden} × {n_out} = {W2.size:,} weights from the hidden neurons to the digits, "
        f"from {W2.min():+.3f} to {W2.max():+.3f}; digit {int(np.argmax(spread))} has the most spread-out "
        f"weights (standard deviation {spread.max():.3f}), digit {int(np.argmin(spread))} the least ({spread.min():.3f})."
    )
