"""Where the network errs: the confusion matrix and accuracy per digit.

Streamlit's chart selection does not report clicks on a ``go.Heatmap``
(streamlit/streamlit#8760), so the confusion matrix is a heatmap for the colour
plus one invisible-but-clickable scatter marker at every cell centre; a click
selects that marker, and :func:`cell_from_selection` maps it back to (true,
predicted).  The diagonal -- digits it got right -- is drawn grey, so the
colour scale is spent on the mistakes instead of on ~1,000 correct answers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import common
from .selection import point_customdata

__all__ = [
    "ConfusionRecord",
    "cell_from_selection",
    "confusion_figure",
    "confusion_summary",
    "mistakes_heading",
    "per_digit_axis_start",
    "per_digit_figure",
    "per_digit_summary",
]

MISTAKES = "Reds"  # sequential: white (no mistakes) to dark red (many)
CORRECT = "#D9D9D9"  # the diagonal: neutral grey


@dataclass
class ConfusionRecord:
    mistakes: np.ndarray  # (10, 10) float: off-diagonal counts, NaN on the diagonal
    correct: np.ndarray  # (10, 10) float: diagonal counts, NaN elsewhere
    cells: np.ndarray  # (100, 2) int: (true, predicted) of every cell, row-major
    counts: np.ndarray  # (100,) int


def _confusion_record(confusion: np.ndarray) -> ConfusionRecord:
    confusion = np.asarray(confusion)
    k = confusion.shape[0]
    diag = np.eye(k, dtype=bool)
    mistakes = np.where(diag, np.nan, confusion.astype(float))
    correct = np.where(diag, confusion.astype(float), np.nan)
    true, predicted = np.divmod(np.arange(k * k), k)
    return ConfusionRecord(mistakes, correct, np.stack([true, predicted], axis=1), confusion.reshape(-1))


def confusion_figure(confusion: np.ndarray, *, selected: tuple[int, int] | None = None, height: int = 400) -> go.Figure:
    """The confusion matrix, every cell clickable.

    Parameters
    ----------
    confusion : (10, 10) int
        Row = true digit, column = the network's answer.
    selected : (true, predicted), optional
        The cell to outline (its mistakes are shown below the chart).
    """
    confusion = np.asarray(confusion)
    if confusion.size == 0 or confusion.sum() == 0:
        return common.empty_figure("No digits evaluated.", height=height)
    rec = _confusion_record(confusion)
    k = confusion.shape[0]
    digits = list(range(k))
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=rec.mistakes,
            x=digits,
            y=digits,
            colorscale=MISTAKES,
            zmin=0,
            showscale=False,
            hoverinfo="skip",
            texttemplate="%{z:.0f}",  # Plotly picks a readable text colour per cell
            xgap=1,
            ygap=1,
            name="mistakes",
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=rec.correct,
            x=digits,
            y=digits,
            colorscale=[[0.0, CORRECT], [1.0, CORRECT]],
            showscale=False,
            hoverinfo="skip",
            texttemplate="%{z:.0f}",
            xgap=1,
            ygap=1,
            name="correct",
        )
    )
    # the click layer: one invisible marker per cell centre; Plotly hit-tests by
    # distance, so clicking anywhere in a cell selects its marker
    true, predicted = rec.cells[:, 0], rec.cells[:, 1]
    fig.add_trace(
        go.Scatter(
            x=predicted,
            y=true,
            mode="markers",
            marker=dict(symbol="square", size=26, color="rgba(0,0,0,0)"),
            customdata=np.column_stack([true, predicted, rec.counts]),
            text=[common.count(int(n), "digit") for n in rec.counts],  # "1 digit", "976 digits"
            hovertemplate="true %{customdata[0]}, network said %{customdata[1]}: %{text}<extra></extra>",
            selected=dict(marker=dict(opacity=0)),
            unselected=dict(marker=dict(opacity=0)),
            name="cells",
            showlegend=False,
        )
    )
    if selected is not None:
        t, p = selected
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5, line=dict(color="#0072B2", width=3))
    fig.update_xaxes(
        title="the network said", tickmode="array", tickvals=digits, side="top", showgrid=False, zeroline=False
    )
    fig.update_yaxes(
        title="true digit",
        tickmode="array",
        tickvals=digits,
        autorange="reversed",
        scaleanchor="x",
        constrain="domain",
        showgrid=False,
        zeroline=False,
    )
    common.layout(fig, height=height, showlegend=False, hovermode="closest", dragmode=False)
    return fig


def cell_from_selection(points: list[dict]) -> tuple[int, int] | None:
    """(true, predicted) of the clicked cell from ``event.selection.points``, or None.

    Reads the cell's ``customdata`` (true, predicted, count); falls back to the
    point's ``y`` and ``x`` (true on the y axis, the answer on the x axis).
    """
    for point in points or []:
        custom = point_customdata(point)
        try:
            if len(custom) >= 2:
                return int(custom[0]), int(custom[1])
            if "x" in point and "y" in point:
                return round(float(point["y"])), round(float(point["x"]))
        except (TypeError, ValueError):
            continue
    return None


def mistakes_heading(n: int, true: int, said: int) -> str:
    """The heading over one off-diagonal cell's digits: "8 times a 9 was read as a 4, ...", "Just once, ..."."""
    if n == 0:
        return f"No {true} was read as {common.a_digit(said)}"
    if n == 1:
        return f"Just once, {common.a_digit(true)} was read as {common.a_digit(said)}"
    return f"{n:,} times {common.a_digit(true)} was read as {common.a_digit(said)}, most confident mistakes first"


def confusion_summary(confusion: np.ndarray) -> str:
    """One line under the matrix: total mistakes and the most common one."""
    confusion = np.asarray(confusion)
    total = int(confusion.sum())
    wrong = total - int(np.trace(confusion))
    if wrong == 0:
        return f"No mistakes on {total:,} digits."
    off = confusion.copy()
    np.fill_diagonal(off, 0)
    t, p = np.unravel_index(int(off.argmax()), off.shape)
    return (
        f"{wrong:,} mistakes out of {total:,} digits; the most common: {common.a_digit(t)} read as {common.a_digit(p)} "
        f"({common.count(int(off[t, p]), 'time')}). Tap a cell to see its mistakes."
    )


def per_digit_figure(per_digit: np.ndarray, totals: np.ndarray, *, height: int = 260) -> go.Figure:
    """Accuracy on each true digit, as bars in the digit colours.

    Parameters
    ----------
    per_digit : (10,) float in [0, 1]
    totals : (10,) int
        How many test digits of each class (for the hover).
    """
    per_digit = np.asarray(per_digit, dtype=float)
    if per_digit.size == 0:
        return common.empty_figure("No digits evaluated.", height=height)
    digits = [str(d) for d in range(len(per_digit))]
    fig = go.Figure(
        go.Bar(
            x=digits,
            y=per_digit,
            marker_color=common.DIGIT_COLOURS[: len(digits)],
            marker_line=dict(color="#333333", width=0.5),
            text=[f"{v:.1%}" for v in per_digit],
            # up the inside of each bar: ten "99.4%" side by side are wider than the bars, on a phone too
            textposition="inside",
            textangle=-90,
            insidetextanchor="end",
            textfont=dict(size=10),
            customdata=np.column_stack([np.rint(per_digit * totals), totals]),
            hovertemplate="digit %{x}: %{y:.2%} right (%{customdata[0]:.0f} of %{customdata[1]:.0f})<extra></extra>",
        )
    )
    start = per_digit_axis_start(per_digit)
    # zoom so the differences show, but say so: the axis does not start at 0
    step = next(s for s in (0.02, 0.05, 0.1, 0.2) if (1.0 - start) / s <= 6)
    ticks = np.round(np.arange(math.ceil(start / step - 1e-9) * step, 1.0 + 1e-9, step), 4)
    fig.update_yaxes(
        range=[start, 1.0],
        tickvals=ticks,
        tickformat=".0%",
        title=f"accuracy (axis from {start:.0%})",
    )
    fig.update_xaxes(title="true digit", type="category")
    # one size for all ten labels; a bar too short for its label (the hover still has it) drops it
    return common.layout(fig, height=height, showlegend=False, dragmode=False, uniformtext=dict(minsize=9, mode="hide"))


def per_digit_axis_start(per_digit: np.ndarray) -> float:
    """Where :func:`per_digit_figure`'s accuracy axis starts: 5 points below the hardest digit, down to a whole percent, or 0.

    A whole percent, so the caption's "starts at 92%" is where it starts (97.9% - 5 points is 92.9%).
    """
    start = float(np.nanmin(np.asarray(per_digit, dtype=float))) - 0.05
    return max(0.0, math.floor(start * 100 + 1e-9) / 100)


def per_digit_summary(per_digit: np.ndarray) -> str:
    """One line: the hardest and easiest digits, and where the bars' axis starts when not at 0."""
    per_digit = np.asarray(per_digit, dtype=float)
    worst, best = int(np.nanargmin(per_digit)), int(np.nanargmax(per_digit))
    text = f"Hardest digit: {worst} ({per_digit[worst]:.1%} right); easiest: {best} ({per_digit[best]:.1%})."
    start = per_digit_axis_start(per_digit)
    if start > 0:
        text += f" The axis starts at {start:.0%}, not 0, so the differences show."
    return text
