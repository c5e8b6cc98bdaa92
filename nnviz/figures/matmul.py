"""The forward pass drawn as matrix products, with the real numbers in the cells.

:func:`product_figure` lays a product out so that what multiplies what is side by
side: the input stands on end beside the weights, each entry level with the row
of weights it multiplies, and each result sits below the weight column that made
it.  Only slices fit on a screen; titles state the full shapes.

:func:`speed_figure` compares the measured times as dots on a log scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.matmul import MatrixSlice, SpeedTest, Trace

from . import common
from .draw import format_probability, format_probability_short

__all__ = [
    "layer1_figure",
    "layer1_summary",
    "layer2_figure",
    "layer2_summary",
    "product_figure",
    "speed_figure",
    "speed_summary",
]

CELL_FONT = dict(size=11)


def _shape(s: MatrixSlice) -> str:
    return "×".join(str(n) for n in s.shape)


@dataclass
class _Block:
    """One heatmap block of the scheme: values, row and column labels, colour range."""

    z: np.ndarray
    rows: list[str]
    cols: list[str]
    zmax: float


def _block(values: np.ndarray, rows: list[str], cols: list[str]) -> _Block:
    _, m = common.symmetric_range(np.asarray(values))
    return _Block(np.asarray(values, dtype=np.float64), rows, cols, m)


def product_figure(
    left: MatrixSlice,
    top: MatrixSlice,
    results: list[MatrixSlice],
    *,
    left_labels: list[str],
    top_col_labels: list[str],
    result_labels: list[str],
    titles: tuple[str, str, str],
    decimals: int = 2,
    probability_row: int | None = None,
    height: int = 360,
) -> go.Figure:
    """``left`` (1 x k) times ``top`` (k x m), with ``results`` (each 1 x m) below ``top``.

    The input row stands on end beside the weights, each entry level with the
    row of weights it multiplies; each result sits below its weight column, so a
    result is its column times the strip, plus the row below.  One cell of input
    beside the weights, rather than a row of k cells below them, leaves the
    weights the width they need on a phone.

    Parameters
    ----------
    left : MatrixSlice with values of shape (1, k)
        The input row (pixels, or hidden activations).
    top : MatrixSlice with values of shape (k, m)
        The weights: row i multiplies ``left``'s entry i.
    results : list of MatrixSlice, values of shape (1, m)
        Rows under the weights (bias, sum, activation...), labelled by ``result_labels``.
    left_labels : list of str
        The names of ``left``'s k entries, which are also the weights' row names.
    titles : (str, str, str)
        Titles of the input, weight and result blocks ("x (1×784)", ...): the
        first two are written as their product over the weights.
    probability_row : int, optional
        The result row (an index into ``results``) that holds probabilities: its
        cells read as percentages, never a rounded 0% or 100% (">99%", "<1%").
    """
    if left.values.size == 0 or top.values.size == 0:
        return common.empty_figure("Nothing to multiply", height=height)
    k, m = top.values.shape
    n_res = len(results)
    spacing = 0.02
    strip = (1 - spacing) / (m + 1)  # one cell, as wide as a weight column
    fig = make_subplots(
        rows=2,
        cols=2,
        column_widths=[strip, 1 - spacing - strip],
        row_heights=[k / (k + n_res), n_res / (k + n_res)],
        horizontal_spacing=spacing,
        vertical_spacing=0.1,
        subplot_titles=("", f"{titles[0]} · {titles[1]}", "", titles[2]),
    )
    name = titles[0].split(" (")[0]  # "x (1×784)" -> "x"
    blocks = [
        (1, 1, _block(left.values.reshape(k, 1), left_labels, [name]), "input"),
        (1, 2, _block(top.values, left_labels, top_col_labels), "weight"),
    ]
    result_values = np.vstack([r.values.reshape(1, -1) for r in results])
    blocks.append((2, 2, _block(result_values, result_labels, top_col_labels), "value"))
    cells = [[f"{v:.{decimals}f}" for v in r] for r in result_values]  # what %{z:.Nf} would write
    hovers = [[f"value {v:.6f}" for v in r] for r in result_values]
    if probability_row is not None:
        cells[probability_row] = [format_probability_short(v) for v in result_values[probability_row]]
        hovers[probability_row] = [f"probability {format_probability(v)}" for v in result_values[probability_row]]
    for row, col, b, kind in blocks:
        own = kind == "value" and probability_row is not None  # the results written out cell by cell
        fig.add_trace(
            go.Heatmap(
                z=b.z,
                x=b.cols,
                y=b.rows,
                colorscale=common.DIVERGING,
                zmin=-b.zmax,
                zmax=b.zmax,
                zmid=0.0,
                showscale=False,
                text=cells if own else None,
                customdata=hovers if own else None,
                texttemplate="%{text}" if own else f"%{{z:.{decimals}f}}",
                textfont=CELL_FONT,
                xgap=1,
                ygap=1,
                hovertemplate=f"%{{y}} %{{x}}<br>{'%{customdata}' if own else kind + ' %{z:.6f}'}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        fig.update_yaxes(autorange="reversed", type="category", row=row, col=col, fixedrange=True)
        fig.update_xaxes(type="category", row=row, col=col, fixedrange=True, side="top")
    fig.update_xaxes(showticklabels=False, row=2, col=2)  # the weights' column labels above say it
    fig.update_yaxes(showticklabels=False, row=1, col=2)  # the strip beside names the weights' rows
    fig.update_xaxes(visible=False, row=2, col=1)  # nothing under the strip: the results' labels go there
    fig.update_yaxes(visible=False, row=2, col=1)
    fig.update_xaxes(ticks="")
    fig.update_yaxes(ticks="")
    fig.update_annotations(font=dict(size=12))
    # the weights' title sits above their column labels ("h104", "0"...), not on them
    fig.update_annotations(selector=dict(text=f"{titles[0]} · {titles[1]}"), yshift=22)
    common.layout(fig, height=height)
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    return fig


def layer1_figure(t: Trace, *, height: int = 380) -> go.Figure:
    """``x @ W1 + b1 = z1``, then ``h = relu(z1)``, for the inkiest pixels and the most active neurons."""
    return product_figure(
        t.x,
        t.W1,
        [t.b1, t.z1, t.hidden],
        left_labels=[f"px {i}" for i in t.pixels],
        top_col_labels=[f"h{j}" for j in t.neurons],
        result_labels=["+b1", "=z1", "h"],
        titles=(f"x ({_shape(t.x)})", f"W1 ({_shape(t.W1)})", f"z1 = x·W1 + b1, h = ReLU(z1) ({_shape(t.z1)})"),
        height=height,
    )


def layer1_summary(t: Trace) -> str:
    """One line under the first product."""
    x = t.forward.x[0]
    n_ink = int(np.count_nonzero(x))
    active = int(np.count_nonzero(t.forward.hidden[0]))
    return (
        f"Shown: {len(t.pixels)} of the {x.size} rows of W1 ({_which_pixels(len(t.pixels), n_ink)}), "
        f"each beside the pixel value x that multiplies it, and {len(t.neurons)} of its {t.W1.shape[1]} columns "
        f"({_which_neurons(len(t.neurons), active)}). "
        f"Each z1 adds all {x.size} products x × weight down its column, plus its bias; "
        f"{active} of the {t.forward.hidden.shape[1]} hidden neurons end up above 0 after ReLU."
    )


def _which_pixels(shown: int, n_ink: int) -> str:
    """Which rows of W1 the slice shows: ``trace`` picks the largest inputs, zeros once the ink runs out."""
    if n_ink >= shown:
        return f"the inkiest of the {n_ink} pixels with ink"
    if n_ink == 0:
        return "no pixel has ink"
    return f"{common.agree(n_ink, 'the one pixel', f'all {n_ink} pixels')} with ink, then blank ones"


def _which_neurons(shown: int, active: int) -> str:
    """Which columns of W1 the slice shows: the largest activations, silent neurons once they run out."""
    if active >= shown:
        return "the hidden neurons that fire hardest"
    if active == 0:
        return "no hidden neuron fired"
    return f"{common.agree(active, 'the one hidden neuron that fired', f'all {active} that fired')}, then silent ones"


def layer2_figure(t: Trace, *, height: int = 360) -> go.Figure:
    """``h @ W2 + b2 = z2``, then ``p = softmax(z2)``, for the most active neurons and all 10 digits."""
    digits = [str(d) for d in t.W2.cols]
    return product_figure(
        t.hidden,
        t.W2,
        [t.b2, t.logits, t.probabilities],
        left_labels=[f"h{j}" for j in t.neurons],
        top_col_labels=digits,
        result_labels=["+b2", "=z2", "p"],
        titles=(
            f"h ({_shape(t.hidden)})",
            f"W2 ({_shape(t.W2)})",
            f"z2 = h·W2 + b2, p = softmax(z2) ({_shape(t.logits)})",
        ),
        decimals=1,
        probability_row=2,
        height=height,
    )


def layer2_summary(t: Trace) -> str:
    """One line under the second product."""
    p = t.forward.probabilities[0]
    d = t.prediction
    second = int(np.argsort(-p)[1])
    return (
        f"Shown: the same {len(t.neurons)} hidden neurons' rows of W2, each beside its activation h, "
        f"and all {p.size} digit columns. "
        f"The {p.size} scores z2 become probabilities that sum to {p.sum():.3f}: the network reads {common.a_digit(d)} "
        f"with probability {format_probability(p[d])}; next best {second} ({format_probability(p[second])})."
    )


def speed_figure(s: SpeedTest, *, height: int = 260) -> go.Figure:
    """The three measured times as dots on a log scale (milliseconds), each labelled.

    Dots, not bars: on a log axis a bar's length depends on where the axis
    happens to start, and a reader compares lengths (a bar a quarter as long
    was 1,871 times shorter).  A dot's place is all there is to read, and equal
    ratios are equal distances; each label says the ratio in words.
    """
    labels = [
        "Python loops, 1 digit",
        "NumPy, 1 digit",
        f"NumPy, {s.batch_size:,} digits",
    ]
    ms = np.array([s.loops, s.numpy, s.batch]) * 1000.0
    notes = [
        f"{ms[0]:.3g} ms",
        f"{ms[1]:.3g} ms: {s.speedup:,.0f}× faster",
        f"{ms[2]:.3g} ms: {s.per_digit_in_batch * 1e6:.2g} µs a digit",
    ]
    right = ms == ms.max()  # the rightmost dot's label goes to its left, inside the plot
    fig = go.Figure(
        go.Scatter(
            x=ms,
            y=labels,
            mode="markers+text",
            marker=dict(
                size=16,
                color=[common.DIGIT_COLOURS[3], common.DIGIT_COLOURS[0], common.DIGIT_COLOURS[2]],
                line=dict(color="#333333", width=1),
            ),
            text=notes,
            textposition=["middle left" if r else "middle right" for r in right],
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.4g} ms<extra></extra>",
        )
    )
    lo, hi = float(np.log10(ms.min())), float(np.log10(ms.max()))
    # room for the labels: to the right of the fastest dots, and a little beyond the slowest
    span = [lo - 0.4, hi + 0.4]
    fig.update_xaxes(type="log", dtick=1, range=span, title="milliseconds (log scale)")
    fig.update_xaxes(fixedrange=True, showgrid=True)
    fig.update_yaxes(autorange="reversed", fixedrange=True, automargin=True)
    return common.layout(fig, height=height, showlegend=False)


def speed_summary(s: SpeedTest) -> str:
    """One line under the timings."""
    return (
        f"NumPy's two matrix products (one per layer) are {s.speedup:,.0f}× faster than the loops; "
        f"{s.batch_size:,} digits through the same two products take {s.batch * 1000:,.0f} ms, "
        f"{s.per_digit_in_batch * 1e6:.1f} µs each ({s.batch_rate / 1e9:.1f} billion multiply-adds per second, "
        f"against {s.loops_rate / 1e6:.1f} million in Python)."
    )


def worked_sum_text(ws, *, result: str, a_name: str, w_name: str, b_name: str, labels: list[str]) -> str:
    """``ws`` (a :class:`nnviz.matmul.WorkedSum`) as one line of Markdown: the sum written out and checked.

    ``labels[i]`` names term ``i`` (e.g. "px 350").  Each written-out term shows
    its two factors and its value; the values (rounded with
    :func:`nnviz.figures.common.rounded_parts`, the bias as usual) add up, as
    printed, to the printed total.  The factors are printed to 4 decimals (a pixel
    like 198/255 has no short decimal), so a product of them can still differ from
    the printed value in its last digit.
    """
    others = ws.n_nonzero - len(ws.index)
    values = [ws.bias, *(ws.a * ws.w)] + ([ws.rest] if others else [])
    bias, *terms = common.rounded_parts(values, ws.total, 4, fixed=[0])
    named = terms[: len(ws.index)]
    shown = " + ".join(
        f"[{a:.4f}×({w:+.4f}) = {t:+.4f}]<sub>{labels[int(i)]}</sub>"
        for i, a, w, t in zip(ws.index, ws.a, ws.w, named, strict=True)
    )
    rest = f" + ({common.count(others, 'more non-zero term')}: {terms[-1]:+.4f})" if others else ""
    zeros = ws.n_terms - ws.n_nonzero
    check = "✓ the same as" if ws.agrees else "✗ NOT the same as"
    if ws.n_nonzero == 0:  # every term is 0 (no pixel inked, or no hidden neuron fired): the bias alone
        return (
            f"**{result}** = {bias:+.4f} (bias) = **{ws.total:+.4f}** — all {ws.n_terms} terms are 0 × something, "
            f"so the bias is all there is. {check} the network's own {a_name} · {w_name} + {b_name} ({ws.network:+.4f})."
        )
    return (
        f"**{result}** = {bias:+.4f} (bias) + {shown}{rest} = **{ws.total:+.4f}** "
        f"— the other {zeros} of the {ws.n_terms} terms {common.agree(zeros, 'is', 'are')} 0 × something. "
        f"{check} the network's own {a_name} · {w_name} + {b_name} ({ws.network:+.4f})."
    )
