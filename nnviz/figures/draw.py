"""Figures for the Draw page: a drawing's way through the network, step by step.

Four figures, in the order the data flows: the preprocessing steps (canvas ->
cropped -> 20×20 -> centred 28×28), the 784 inputs as a 28×28 heatmap, the hidden
activations as a grid, and the 10 output probabilities.  Each has a private
``_*_record`` that does the numeric work and a public ``*_figure`` that maps the
record onto traces, plus a ``*_summary`` giving the one line of text shown under
the chart.  They redraw on every stroke, so each is one or a few cheap traces.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nnviz.preprocess import Preprocessed

from . import common

__all__ = [
    "HIDDEN_COLUMNS",
    "digit_pixels",
    "format_probability",
    "format_probability_short",
    "hidden_figure",
    "hidden_summary",
    "input_figure",
    "input_summary",
    "mistake_text",
    "preprocessing_figure",
    "preprocessing_summary",
    "probabilities_figure",
    "probabilities_summary",
    "probabilities_svg",
    "reads_certain",
]

HIDDEN_COLUMNS = 16  # 128 hidden neurons as 8 rows of 16
THUMBNAIL = 56  # the largest side drawn for the canvas and crop panels: 280 px would be 78,400 cells
EMPTY = "Draw a digit"


# --- preprocessing steps ---------------------------------------------------------------


@dataclass
class _Step:
    title: str
    image: np.ndarray  # (h, w) ink in [0, 1], possibly block-averaged for display
    shape: tuple[int, int]  # the step's true size


def _thumbnail(image: np.ndarray, max_side: int = THUMBNAIL) -> np.ndarray:
    """Block-average ``image`` by a whole factor so its longer side is at most ``max_side``."""
    factor = math.ceil(max(image.shape) / max_side)
    if factor <= 1:
        return image
    h, w = (-(-n // factor) * factor for n in image.shape)  # pad up to a multiple of the factor
    padded = np.zeros((h, w), np.float32)
    padded[: image.shape[0], : image.shape[1]] = image
    return padded.reshape(h // factor, factor, w // factor, factor).mean(axis=(1, 3))


def _preprocessing_record(prep: Preprocessed, source: str = "canvas") -> list[_Step]:
    steps = [
        _Step(source, _thumbnail(prep.ink), prep.ink.shape),
        _Step("cropped", _thumbnail(prep.cropped), prep.cropped.shape),
        _Step("fit to 20×20", prep.scaled, prep.scaled.shape),
        _Step("centred 28×28", prep.centred, prep.centred.shape),
    ]
    return steps


def preprocessing_figure(prep: Preprocessed | None, *, source: str = "canvas", height: int = 190) -> go.Figure:
    """The four preprocessing steps side by side, each as a small greyscale image.

    Parameters
    ----------
    prep : Preprocessed or None
        From :func:`nnviz.preprocess`; None or a canvas with no digit gives an empty figure.
    source : str
        What the first panel shows: "canvas", or "photo" for an upload.

    Returns
    -------
    go.Figure
        One heatmap per step (4 traces, each on its own pair of axes); hover shows
        the pixel's row, column and ink.
    """
    if prep is None or not prep.ok:
        return common.empty_figure(EMPTY if prep is None else prep.message, height=height)
    steps = _preprocessing_record(prep, source)
    n, gap = len(steps), 0.03
    width = (1.0 - gap * (n - 1)) / n
    traces, layout = [], {}
    # Axes laid out by hand: plotly's make_subplots costs ~100 ms, too much for every stroke.
    for i, step in enumerate(steps):
        suffix = "" if i == 0 else str(i + 1)
        left = i * (width + gap)
        traces.append(
            go.Heatmap(
                z=step.image,
                colorscale=common.GREYS,
                zmin=0.0,
                zmax=1.0,
                showscale=False,
                name=step.title,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                hovertemplate="row %{y}, col %{x}<br>ink %{z:.2f}<extra>" + step.title + "</extra>",
            )
        )
        axis = dict(showticklabels=False, showgrid=False, zeroline=False, ticks="", constrain="domain")
        layout[f"xaxis{suffix}"] = dict(axis, domain=[left, left + width], anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(axis, anchor=f"x{suffix}", autorange="reversed", scaleanchor=f"x{suffix}")
    titles = [
        dict(
            # the size on a line of its own, 11 px: <sub> came out at 8 px, unreadable on a phone
            text=f"{s.title}<br><span style='font-size:11px'>{s.shape[1]}×{s.shape[0]}</span>",  # width × height
            x=i * (width + gap) + width / 2,
            y=1.0,
            xref="paper",
            yref="paper",
            xanchor="center",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=12),
        )
        for i, s in enumerate(steps)
    ]
    fig = go.Figure(data=traces, layout=dict(layout, annotations=titles))
    common.layout(fig, height=height)
    fig.update_layout(margin=dict(l=0, r=0, t=45, b=0))
    return fig


def preprocessing_summary(prep: Preprocessed | None, *, source: str = "canvas") -> str:
    """One line: what each step did to this drawing."""
    if prep is None:
        return "Nothing drawn yet."
    if not prep.ok:
        return prep.message
    (h, w), (sh, sw) = prep.cropped.shape, prep.scaled.shape
    dy, dx = prep.shift
    moved = "no shift needed" if (dy, dx) == (0, 0) else f"shifted {dy:+d} rows, {dx:+d} columns"
    return (
        f"Ink found in a {w}×{h} box of the {prep.ink.shape[1]}×{prep.ink.shape[0]} {source} (width × height), "
        f"scaled to {sw}×{sh}, then centred by its centre of mass in 28×28 ({moved})."
    )


# --- the 784 inputs -----------------------------------------------------------------


def _input_record(x: np.ndarray) -> np.ndarray:
    """(784,) -> (28, 28): the inputs laid out as the image they came from."""
    x = np.asarray(x, np.float32).reshape(-1)
    side = math.isqrt(x.size)
    if side * side != x.size:
        raise ValueError(f"expected a square number of inputs, got {x.size}")
    return x.reshape(side, side)


def input_figure(x: np.ndarray | None, *, height: int = 300, colorbar: bool = True) -> go.Figure:
    """The network's inputs as a heatmap: 784 numbers in [0, 1], laid out 28×28.

    Parameters
    ----------
    x : ndarray of shape (784,) or None
    colorbar : bool
        Show the 0-1 scale beside the image (off where space is short).

    Returns
    -------
    go.Figure
        One heatmap; hover gives the row, column, input index (row × 28 + column) and value.
    """
    if x is None:
        return common.empty_figure(EMPTY, height=height)
    z = _input_record(x)
    index = np.arange(z.size).reshape(z.shape)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            customdata=index,
            colorscale=common.GREYS,
            zmin=0.0,
            zmax=1.0,
            showscale=colorbar,
            colorbar=dict(thickness=10, len=0.9, tickvals=[0, 0.5, 1]),
            hovertemplate="row %{y}, col %{x}<br>input #%{customdata}: %{z:.3f}<extra></extra>",
        )
    )
    common.image_axes(fig)
    fig.update_yaxes(constrain="domain")
    return common.layout(fig, height=height)


def input_summary(x: np.ndarray | None) -> str:
    """One line: how many of the inputs carry ink."""
    if x is None:
        return "No input yet."
    x = np.asarray(x).reshape(-1)
    inked = int((x > 0).sum())
    return (
        f"{x.size} inputs: {inked} {common.agree(inked, 'carries', 'carry')} some ink ({inked / x.size:.0%}), {int((x >= 0.5).sum())} at least half "
        f"bright; the other {x.size - inked} are exactly 0."
    )


# --- the hidden layer ---------------------------------------------------------------


@dataclass
class _HiddenRecord:
    z: np.ndarray  # (rows, HIDDEN_COLUMNS) activations, NaN past the last neuron
    neuron: np.ndarray  # (rows, HIDDEN_COLUMNS) neuron numbers, -1 past the last


def _hidden_record(hidden: np.ndarray, columns: int = HIDDEN_COLUMNS) -> _HiddenRecord:
    h = np.asarray(hidden, np.float32).reshape(-1)
    rows = -(-h.size // columns)
    z = np.full(rows * columns, np.nan, np.float32)
    z[: h.size] = h
    neuron = np.arange(rows * columns)
    neuron[h.size :] = -1
    return _HiddenRecord(z.reshape(rows, columns), neuron.reshape(rows, columns))


def hidden_figure(hidden: np.ndarray | None, *, height: int = 260) -> go.Figure:
    """The hidden activations as a grid: neuron n sits at row n // 16, column n % 16.

    Parameters
    ----------
    hidden : ndarray of shape (H,) or None (H = 128 for the shipped network)
        ReLU outputs, >= 0.

    Returns
    -------
    go.Figure
        One heatmap (0 = dark); the axes number the neurons (row start + column), and
        each cell hovers its neuron number and activation.
    """
    if hidden is None:
        return common.empty_figure(EMPTY, height=height)
    rec = _hidden_record(hidden)
    rows, columns = rec.z.shape
    top = float(np.nanmax(rec.z)) if np.isfinite(rec.z).any() else 0.0
    # Neuron numbers on the axes (row start + column), not in the 128 cells: 128 text
    # labels cost the browser more than the rest of the figure, and are unreadable on a phone.
    fig = go.Figure(
        go.Heatmap(
            z=rec.z,
            customdata=rec.neuron,
            colorscale=common.SEQUENTIAL,
            zmin=0.0,
            zmax=top if top > 0 else 1.0,
            xgap=1,
            ygap=1,
            colorbar=dict(thickness=10, len=0.9),
            hovertemplate="neuron %{customdata}<br>activation %{z:.3f}<extra></extra>",
        ),
        layout=dict(
            xaxis=dict(
                tickvals=list(range(0, columns, 3)),
                ticktext=[f"+{c}" for c in range(0, columns, 3)],
                side="top",
                showgrid=False,
                zeroline=False,
            ),
            yaxis=dict(
                tickvals=list(range(rows)),
                ticktext=[str(r * columns) for r in range(rows)],
                autorange="reversed",
                showgrid=False,
                zeroline=False,
            ),
        ),
    )
    return common.layout(fig, height=height)


def hidden_summary(hidden: np.ndarray | None) -> str:
    """One line: how many hidden neurons fired, and the strongest."""
    if hidden is None:
        return "No hidden activations yet."
    h = np.asarray(hidden).reshape(-1)
    active = int((h > 0).sum())
    if active == 0:
        return f"None of the {h.size} hidden neurons fired: every ReLU output is 0."
    top = int(h.argmax())
    return (
        f"{active} of {h.size} hidden neurons fired: their weighted sum of the image's pixels, plus their bias, "
        "came out above 0, and ReLU (the rule each neuron applies: keep a positive sum, make a negative one 0) let it through; "
        "the rest are silent. "
        f"Strongest: neuron {top} at {h[top]:.2f}."
    )


# --- the 10 outputs -----------------------------------------------------------------


def reads_certain(text: str) -> bool:
    """Whether ``text``, a softmax probability printed as a percentage, reads 0% or 100%.

    A softmax is never 0 or 1 (every exp is positive), so such a text is always
    a rounding, also of a p that is 0.0 or 1.0 itself: float32 holds nothing
    between 1 - 6e-8 and 1, and a digit the network is sure of (a logit lead of
    about 17 or more) gets p = 1.0 exactly: 241 of the 10,000 test digits do
    with the shipped network.
    """
    return float(text.rstrip("%")) in (0.0, 100.0)


def format_probability(p: float) -> str:
    """A probability as a percentage with just enough decimals not to round to 0% or 100%.

    0.973 -> '97.3%', 0.99996 -> '99.996%', 4.2e-5 -> '0.004%'; beyond four decimals,
    '<0.0001%' and '>99.9999%', float32's 1.0 and 0.0 included.  A network is never
    *certain* (see :func:`reads_certain`); the screen should not say it is.
    """
    p = float(p)
    for decimals in range(1, 5):
        text = f"{p:.{decimals}%}"
        if not reads_certain(text):
            return text
    return "<0.0001%" if p < 0.5 else ">99.9999%"


def format_probability_short(p: float) -> str:
    """A probability in whole percents for tight spaces, never a rounded 0% or 100%.

    0.973 -> '97%', 0.998 -> '>99%', 0.004 -> '<1%', and float32's 1.0 -> '>99%'.
    """
    p = float(p)
    text = f"{p:.0%}"
    if reads_certain(text):
        return ">99%" if p > 0.5 else "<1%"
    return text


@dataclass
class _ProbabilitiesRecord:
    p: np.ndarray  # (10,)
    prediction: int
    runner_up: int


def _probabilities_record(probabilities: np.ndarray) -> _ProbabilitiesRecord:
    p = np.asarray(probabilities, np.float64).reshape(-1)
    order = np.argsort(-p, kind="stable")
    return _ProbabilitiesRecord(p, int(order[0]), int(order[1]) if p.size > 1 else int(order[0]))


OTHER_BARS_OPACITY = 0.55
"""The probability bars of the digits not chosen, paler than the answer's (in the figure and its SVG
twin alike) yet in view on a white page: at 0.35 a yellow 6 all but vanished."""


def probabilities_figure(probabilities: np.ndarray | None, *, height: int = 260) -> go.Figure:
    """The 10 output probabilities as bars, the predicted digit's bar solid, the others faint.

    Parameters
    ----------
    probabilities : ndarray of shape (10,) or None
        Softmax outputs, summing to 1.

    Returns
    -------
    go.Figure
        One bar trace, x = digit, y = probability, labelled with percentages.
    """
    if probabilities is None:
        return common.empty_figure(EMPTY, height=height)
    rec = _probabilities_record(probabilities)
    digits = np.arange(rec.p.size)
    colours = [common.DIGIT_COLOURS[d % len(common.DIGIT_COLOURS)] for d in digits]
    fig = go.Figure(
        go.Bar(
            x=digits,
            y=rec.p,
            marker=dict(
                color=colours,
                opacity=[1.0 if d == rec.prediction else OTHER_BARS_OPACITY for d in digits],
                line=dict(color=common.MARK_GREY, width=[1.5 if d == rec.prediction else 0 for d in digits]),
            ),
            text=[format_probability(v) if v >= 0.005 else "" for v in rec.p],  # never "100%" short of 1
            textposition="outside",
            cliponaxis=False,
            customdata=[format_probability(v) for v in rec.p],
            hovertemplate="digit %{x}: %{customdata}<extra></extra>",
        )
    )
    fig.update_xaxes(tickmode="array", tickvals=digits, title=None, fixedrange=True)
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", fixedrange=True, gridcolor="rgba(128,128,128,0.2)")
    # Plotly shrinks a label to its bar's width, which left "99.996%" in 5-pixel type: keep it readable
    return common.layout(fig, height=height, showlegend=False, uniformtext=dict(minsize=10, mode="show"))


def probabilities_summary(probabilities: np.ndarray | None) -> str:
    """One line: the prediction, its confidence, and the runner-up."""
    if probabilities is None:
        return "No prediction: draw a digit first."
    rec = _probabilities_record(probabilities)
    return (
        f"The network says {rec.prediction} with {format_probability(rec.p[rec.prediction])} confidence; "
        f"runner-up {rec.runner_up} at {format_probability(rec.p[rec.runner_up])}."
    )


def mistake_text(label: int | None, said: int) -> str | None:
    """A line for a digit whose true label is known and differs from the network's answer, else None."""
    if label is None or label == said:
        return None
    return f"**A mistake:** MNIST labels this digit {common.a_digit(label)}, and the network says {said}."


# --- light versions for the landing page ---------------------------------------------
#
# The landing page must draw fast on a cold server and a phone: these two need no
# plotly (neither its Python import nor its JavaScript bundle), only an <img> and
# an inline SVG.


def digit_pixels(x: np.ndarray, *, scale: int = 5) -> np.ndarray:
    """(784,) inputs in [0, 1] -> uint8 greyscale image (28·scale, 28·scale), each input a crisp square.

    Upscaled here by repetition, because a browser stretching a 28×28 image blurs it.
    """
    z = _input_record(x)
    grey = np.clip(np.rint(z * 255.0), 0, 255).astype(np.uint8)
    return np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)


def digit_thumbnail_html(x: np.ndarray, *, size: int = 44) -> str:
    """A small inline ``<img>`` of the 28×28 input, floated left of the text that follows it (a PNG data URI)."""
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(digit_pixels(x, scale=2)).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" width="{size}" height="{size}" alt="the 28×28 digit being read" '
        'style="float: left; margin: 0.15rem 0.6rem 0 0; border-radius: 4px; image-rendering: pixelated">'
    )


def probabilities_svg(probabilities: np.ndarray, *, width: int = 300, height: int = 130) -> str:
    """The 10 output probabilities as a small inline SVG bar chart.

    The same encoding as :func:`probabilities_figure` (digit colours, the predicted
    bar solid, the others faint); each bar's tooltip (``<title>``) gives its exact
    value, and the whole chart carries :func:`probabilities_summary` as its label.

    Parameters
    ----------
    probabilities : ndarray of shape (10,)

    Returns
    -------
    str
        An ``<svg>`` element, ``width`` wide and ``height`` high (it scales down to fit).
    """
    rec = _probabilities_record(probabilities)
    n = rec.p.size
    top, bottom = 16, 18  # room for the winner's percentage above and the digits below
    plot = height - top - bottom
    slot = width / n
    bars = []
    for d, v in enumerate(rec.p):
        h = max(float(v) * plot, 1.0 if v > 0 else 0.0)
        x = d * slot + slot * 0.15
        colour = common.DIGIT_COLOURS[d % len(common.DIGIT_COLOURS)]
        chosen = d == rec.prediction
        weight = ' font-weight="bold"' if chosen else ""
        bars.append(
            f"<g><title>digit {d}: {html.escape(format_probability(v))}</title>"
            f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{colour}" '
            f'fill-opacity="{1.0 if chosen else OTHER_BARS_OPACITY}"'
            + (' stroke="currentColor" stroke-width="1.5"' if chosen else "")  # the theme's text colour
            + "/>"
            f'<text x="{d * slot + slot / 2:.1f}" y="{height - 4}" text-anchor="middle" font-size="12" '
            f'fill="currentColor"{weight}>{d}</text></g>'
        )
    winner = rec.p[rec.prediction]
    label = (
        f'<text x="{rec.prediction * slot + slot / 2:.1f}" y="{top + plot - winner * plot - 4:.1f}" '
        f'text-anchor="middle" font-size="11" fill="currentColor">{html.escape(format_probability(winner))}</text>'
    )
    summary = html.escape(probabilities_summary(probabilities), quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" role="img" aria-label="{summary}">'
        f'<line x1="0" x2="{width}" y1="{top + plot}" y2="{top + plot}" stroke="currentColor" stroke-opacity="0.3"/>'
        + "".join(bars)
        + label
        + "</svg>"
    )
