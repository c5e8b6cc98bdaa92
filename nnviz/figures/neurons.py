"""The neuron atlas: what each of the hidden neurons is worth, and what it fires for.

* :func:`ablation_figure` -- every neuron ranked by the test digits lost when it is
  silenced; neurons that never fire are flagged.
* :func:`mean_activation_figure` -- each neuron's mean activation on each digit
  (10 × H), neurons ordered by the digit they prefer so the blocks show.
* :func:`neuron_profile_figure` -- one neuron's 10 means as bars.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import common
from .selection import point_customdata

__all__ = [
    "AblationRecord",
    "ablation_figure",
    "ablation_summary",
    "firing_share",
    "mean_activation_figure",
    "neuron_from_selection",
    "neuron_profile_figure",
    "preference_order",
    "preference_summary",
]

NEEDED = "#D55E00"  # vermillion: the network loses digits without it
HARMFUL = "#0072B2"  # blue: it does better without it
NEUTRAL = "#BBBBBB"  # grey: no change
DEAD = common.MARK_GREY  # never fires (black would vanish on the dark theme)
CHOSEN = "#009E73"  # bluish green: the neuron shown below the chart (neither colour of the bars)


@dataclass
class AblationRecord:
    order: np.ndarray  # (H,) neuron numbers, most needed first
    digits_lost: np.ndarray  # (H,) int, in that order: test digits lost without the neuron (negative: gained)
    colours: list[str]  # (H,)
    dead: np.ndarray  # (H,) bool, in that order


def _ablation_record(drops: np.ndarray, dead: np.ndarray, n_test: int) -> AblationRecord:
    drops = np.asarray(drops, dtype=float)
    order = np.argsort(-drops, kind="stable")
    lost = np.rint(drops[order] * n_test).astype(int)
    dead_sorted = np.asarray(dead, dtype=bool)[order]
    colours = [
        DEAD if d else NEEDED if v > 0 else HARMFUL if v < 0 else NEUTRAL
        for v, d in zip(lost, dead_sorted, strict=True)
    ]
    return AblationRecord(order, lost, colours, dead_sorted)


def ablation_figure(
    drops: np.ndarray, dead: np.ndarray, n_test: int, *, selected: int | None = None, height: int = 320
) -> go.Figure:
    """Neurons ranked by the drop in test accuracy when each is silenced.

    Parameters
    ----------
    drops : (H,) float
        Accuracy with all neurons minus accuracy without neuron j.
    dead : (H,) bool
        Neurons that never fire on the test set (their drop is 0 by construction).
    n_test : int
        Test set size, to state the drop in digits.
    selected : int, optional
        A neuron to outline.
    """
    drops = np.asarray(drops, dtype=float)
    if drops.size == 0:
        return common.empty_figure("No hidden neurons.", height=height)
    rec = _ablation_record(drops, dead, n_test)
    labels = [f"#{j}" for j in rec.order]
    rank = np.arange(1, len(rec.order) + 1)
    status = np.where(rec.dead, "· never fires", "")
    line_width = [3 if selected is not None and j == selected else 0 for j in rec.order]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=rec.digits_lost,
            marker=dict(color=rec.colours, line=dict(color=CHOSEN, width=line_width)),
            customdata=np.column_stack([rec.order, rank, drops[rec.order] * 100]),
            hovertext=status,
            hovertemplate="neuron %{customdata[0]:.0f} (rank %{customdata[1]:.0f})<br>test digits lost when "
            "silenced: %{y} (%{customdata[2]:.2f} points of accuracy) %{hovertext}<extra></extra>",
        )
    )
    if rec.dead.any():
        fig.add_trace(
            go.Scatter(
                x=[lab for lab, d in zip(labels, rec.dead, strict=True) if d],
                y=np.zeros(int(rec.dead.sum())),
                mode="markers",
                marker=dict(symbol="x", size=8, color=DEAD),
                name="never fires",
                hovertemplate="neuron %{x} never fires on the test set<extra></extra>",
            )
        )
    if selected is not None and selected in rec.order:
        # a pointer above the chosen bar: its outline alone is lost among 128 bars 3 px wide on a phone
        i = int(np.flatnonzero(rec.order == selected)[0])
        span = max(float(rec.digits_lost.max()) - min(float(rec.digits_lost.min()), 0.0), 1.0)
        fig.add_trace(
            go.Scatter(
                x=[labels[i]],
                y=[max(float(rec.digits_lost[i]), 0.0) + 0.12 * span],
                mode="markers",
                marker=dict(symbol="triangle-down", size=13, color=CHOSEN),
                customdata=[[selected, i + 1, drops[selected] * 100]],
                hovertemplate=f"neuron {selected}, the one shown below<extra></extra>",
                name="chosen",
            )
        )
    fig.update_xaxes(title="hidden neuron, most needed first", type="category", showticklabels=False)
    fig.update_yaxes(title="test digits lost", zeroline=True, zerolinecolor="#888888")
    return common.layout(fig, height=height, showlegend=False, bargap=0.1, dragmode=False)


def ablation_summary(drops: np.ndarray, dead: np.ndarray, n_test: int) -> str:
    """One line: the most needed neuron, how many matter, how many never fire."""
    drops = np.asarray(drops, dtype=float)
    lost = np.rint(drops * n_test).astype(int)
    top = int(np.argmax(drops))
    n_dead = int(np.asarray(dead).sum())
    dead_text = (
        f"{n_dead} never {common.agree(n_dead, 'fires', 'fire')} on the test set (marked ×)."
        if n_dead
        else "Every neuron fires for some test digit."
    )
    gains, needed = int((lost < 0).sum()), int((lost > 0).sum())
    if lost[top] <= 0:  # no neuron is needed (a network whose neurons have died, say)
        some_gain = f"; silencing {gains} of them even gains some" if gains else ""
        return f"Silencing any one of the {len(drops)} neurons loses no test digit{some_gain}. {dead_text}"
    text = (
        f"Silencing neuron {top} costs the most: {lost[top]} of {n_test:,} test digits. "
        f"{needed} of {len(drops)} neurons {common.agree(needed, 'loses', 'lose')} digits when silenced, {gains} gain. "
        f"{dead_text}"
    )
    if lost[top] < 0.01 * n_test:  # even the most needed neuron holds under 1% of the answers
        text += (
            f" So no single neuron is essential: losing the most needed one costs {lost[top] / n_test:.1%} of the "
            "digits. What the network knows is spread over many neurons."
        )
    return text


def firing_share(share: float, n: int) -> str:
    """The share of ``n`` digits a neuron fires for, in whole percents, never a rounded 0% or 100%.

    0.31 -> "31%"; 3 of 10,000 -> "3 of 10,000", not "0%"; 0 -> "0%".
    """
    text = f"{share:.0%}"
    if text in ("0%", "100%") and 0.0 < share < 1.0:
        return f"{round(share * n):,} of {n:,}"
    return text


def preference_summary(preferred: np.ndarray, dead: np.ndarray) -> str:
    """The caption's last sentence: the digit most neurons fire most for, among the neurons that fire at all.

    A dead neuron's mean activation is 0 for every digit, so its "preferred" digit
    is an argmax over zeros: it is left out of the count.
    """
    alive = ~np.asarray(dead, dtype=bool)
    if not alive.any():
        return "No neuron fires for any test digit."
    counts = np.bincount(np.asarray(preferred)[alive])
    favourites = [int(d) for d in np.flatnonzero(counts == counts.max())]
    if alive.sum() == 1:
        return f"The one neuron that fires at all prefers {favourites[0]}s."
    among = "" if alive.all() else f"Of the {int(alive.sum())} neurons that fire at all, "
    if len(favourites) > 1:
        return f"{among}{common.digits_plural(favourites)} tie for the most neurons ({counts.max()} each)."
    if alive.all():
        return f"More neurons prefer {favourites[0]}s than any other digit."
    return f"{among}more prefer {favourites[0]}s than any other digit."


def preference_order(means: np.ndarray) -> np.ndarray:
    """(H,) neurons sorted by the digit they fire most for, then by how strongly."""
    means = np.nan_to_num(np.asarray(means, dtype=float))
    preferred = means.argmax(axis=0)
    strength = means.max(axis=0)
    return np.lexsort((-strength, preferred))  # primary key last: preferred digit


def mean_activation_figure(means: np.ndarray, *, order: np.ndarray | None = None, height: int = 320) -> go.Figure:
    """Mean activation of every neuron (columns) on every digit (rows).

    Parameters
    ----------
    means : (10, H) float
    order : (H,) int, optional
        Column order (default :func:`preference_order`).
    """
    means = np.asarray(means, dtype=float)
    if means.size == 0:
        return common.empty_figure("No activations.", height=height)
    order = preference_order(means) if order is None else np.asarray(order)
    z = means[:, order]
    neuron = np.broadcast_to(order, z.shape)  # which neuron each column is, for the hover
    fig = go.Figure(
        go.Heatmap(
            z=z,
            # x by position: string labels like "#87" were drawn as one column by Streamlit's Plotly
            x=np.arange(len(order)),
            y=[str(d) for d in range(means.shape[0])],
            colorscale=common.SEQUENTIAL,
            zmin=0,  # ReLU: never below 0; and for a network whose neurons all died (all 0), not Plotly's -0.5..0.5
            zmax=float(z.max()) if z.max() > 0 else 1.0,
            customdata=neuron,
            colorbar=dict(title=dict(text="mean", side="right"), thickness=10),
            hovertemplate="neuron %{customdata}, digit %{y}: mean activation %{z:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="hidden neuron (grouped by the digit it fires most for)", showticklabels=False)
    fig.update_yaxes(title="digit", autorange="reversed", type="category")
    return common.layout(fig, height=height, dragmode=False)


def neuron_profile_figure(profile: np.ndarray, neuron: int, *, height: int = 240) -> go.Figure:
    """One neuron's mean activation on each digit, as bars in the digit colours."""
    profile = np.asarray(profile, dtype=float)
    if profile.size == 0:
        return common.empty_figure("No activations.", height=height)
    digits = [str(d) for d in range(len(profile))]
    fig = go.Figure(
        go.Bar(
            x=digits,
            y=profile,
            marker_color=common.DIGIT_COLOURS[: len(digits)],
            marker_line=dict(color="#333333", width=0.5),
            hovertemplate=f"neuron {neuron}, digit " + "%{x}: mean activation %{y:.3f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="digit", type="category")
    fig.update_yaxes(title="mean activation", rangemode="tozero")
    return common.layout(
        fig, height=height, showlegend=False, title=f"Neuron {neuron}: mean activation per digit", dragmode=False
    )


def neuron_from_selection(points: list[dict]) -> int | None:
    """The neuron number of the first clicked bar of :func:`ablation_figure`, or None."""
    for point in points or []:
        custom = point_customdata(point)
        try:
            return int(float(custom[0]))
        except (IndexError, TypeError, ValueError):
            continue
    return None
