"""Exactly why it said that: the logit taken apart by neuron (waterfall) and by pixel (map).

Both figures take the arrays of an :class:`nnviz.explain.Explanation`.  The
waterfall shows the ``top`` largest contributions one by one, the rest of the
active neurons summed into one bar, then the output bias, ending at the logit;
silent neurons contribute exactly 0 and are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from . import common

__all__ = [
    "WaterfallRecord",
    "attribution_figure",
    "attribution_summary",
    "contrast_summary",
    "waterfall_figure",
    "waterfall_summary",
]

SIDE = 28


@dataclass
class WaterfallRecord:
    labels: list[str]  # bar names, first to last
    values: np.ndarray  # (m,) each bar's step; the last is the total
    measures: list[str]  # "relative" for steps, "total" for the logit
    neurons: np.ndarray  # (m,) neuron number of each bar, -1 for aggregate bars


def _waterfall_record(
    contributions: np.ndarray, active: np.ndarray, output_bias: float, logit: float, top: int
) -> WaterfallRecord:
    contributions = np.asarray(contributions, dtype=np.float64)
    active_idx = np.flatnonzero(active)
    ranked = active_idx[np.argsort(-np.abs(contributions[active_idx]), kind="stable")]
    shown, rest = ranked[:top], ranked[top:]
    labels = [f"neuron {j}" for j in shown]
    values = list(contributions[shown])
    neurons = list(shown)
    if len(rest):
        labels.append(f"other {len(rest)} active neurons")
        values.append(float(contributions[rest].sum()))
        neurons.append(-1)
    labels += ["output bias b2", "logit"]
    values += [float(output_bias), float(logit)]
    neurons += [-1, -1]
    measures = ["relative"] * (len(labels) - 1) + ["total"]
    return WaterfallRecord(labels, np.asarray(values), measures, np.asarray(neurons))


def waterfall_figure(
    contributions: np.ndarray,
    active: np.ndarray,
    output_bias: float,
    logit: float,
    digit: int,
    *,
    top: int = 12,
    height: int | None = None,
) -> go.Figure:
    """How the logit of ``digit`` is built, neuron by neuron.

    Parameters
    ----------
    contributions : (H,) float
        ``hidden_j * W2[j, digit]`` for every hidden neuron.
    active : (H,) bool
        Neurons that fired.
    output_bias : float
        ``b2[digit]``.
    logit : float
        The forward pass's logit (drawn as the total; Plotly's running sum should land on it).
    top : int
        Neurons shown individually (largest |contribution| first).
    """
    contributions = np.asarray(contributions)
    if contributions.size == 0:
        return common.empty_figure("Nothing to explain.", height=height or 300)
    rec = _waterfall_record(contributions, active, output_bias, logit, top)
    # each bar's label, rounded so that the labels add up to the logit's (the bias's is rounded as usual)
    steps = common.rounded_parts(rec.values[:-1], rec.values[-1], 2, fixed=[len(rec.values) - 2])
    bar_text = [f"{v:+.2f}" for v in [*steps, rec.values[-1]]]
    # horizontal, first step at the top: long labels read on a phone
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=rec.labels,
            x=rec.values,
            measure=rec.measures,
            increasing=dict(marker=dict(color=common.RAISES)),  # red raises, blue lowers, as on the pixel map
            decreasing=dict(marker=dict(color=common.LOWERS)),
            totals=dict(marker=dict(color="#555555")),
            connector=dict(line=dict(color="#999999", width=1)),
            hovertemplate="%{y}: %{x:+.3f}<extra></extra>",
            text=bar_text,
            texttemplate="%{text}",
            textposition="outside",
            cliponaxis=False,
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=f"logit of digit {digit}", zeroline=True, zerolinecolor="#888888")
    common.layout(fig, height=height or 80 + 24 * len(rec.labels), showlegend=False, dragmode=False)
    fig.update_layout(margin=dict(r=60))  # room for the value printed beyond the longest bar
    return fig


def waterfall_summary(contributions: np.ndarray, active: np.ndarray, output_bias: float, logit: float) -> str:
    """One line: how many neurons push up, how many down, and by how much."""
    contributions = np.asarray(contributions, dtype=np.float64)
    on = np.asarray(active, dtype=bool)
    if not on.any():
        return (
            f"None of the {len(on)} neurons fired, so every one adds exactly 0: "
            f"the logit is the output bias alone, {logit:.2f}."
        )
    up = contributions[on & (contributions > 0)]
    down = contributions[on & (contributions < 0)]
    # rounded so that, as printed, the sum adds up; the bias is printed as the waterfall prints it
    up_sum, down_sum, bias = common.rounded_parts([up.sum(), down.sum(), output_bias], logit, 2, fixed=[2])
    silent = int((~on).sum())
    rest = (
        ""
        if silent == 0
        else " The other one is silent and adds exactly 0."
        if silent == 1
        else f" The other {silent} are silent and add exactly 0."
    )
    return (
        f"{int(on.sum())} of {len(on)} neurons fired: {len(up)} {common.agree(len(up), 'pushes', 'push')} this logit up "
        f"(by {up_sum:+.2f} in all), {len(down)} {common.agree(len(down), 'pushes', 'push')} it down ({down_sum:+.2f}); "
        f"with the bias {bias:+.2f} that makes {logit:.2f}.{rest}"
    )


def attribution_figure(values: np.ndarray, *, title: str, colorbar_title: str = "", height: int = 300) -> go.Figure:
    """A 28×28 map of per-pixel values on a diverging scale symmetric around zero (white = 0).

    Parameters
    ----------
    values : (784,) or (28, 28) float
        Effective weights ``w_eff`` or attributions ``x * w_eff``.
    """
    values = np.asarray(values, dtype=float)
    if values.size != SIDE * SIDE:
        return common.empty_figure("No digit to explain.", height=height)
    z = values.reshape(SIDE, SIDE)
    lo, hi = common.symmetric_range(z)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            colorscale=common.DIVERGING,
            zmin=lo,
            zmax=hi,
            zmid=0,
            colorbar=dict(title=dict(text=colorbar_title, side="right"), thickness=10),
            hovertemplate="row %{y}, column %{x}: %{z:+.4f}<extra></extra>",
        )
    )
    common.image_axes(fig)
    return common.layout(fig, height=height, title=title, dragmode=False)


def contrast_summary(c, x: np.ndarray) -> str:
    """Under the map of a :class:`nnviz.explain.Contrast`: the gap it explains, and the pixels whose two accounts differ."""
    shares = np.asarray(c.attribution, dtype=np.float64)
    inked = np.asarray(x).reshape(-1) > 0
    favour, against, bias = common.rounded_parts(
        [shares[shares > 0].sum(), shares[shares < 0].sum(), c.bias], c.gap, 2, fixed=[2]
    )
    text = (
        f"Score of {c.a} minus score of {c.b}: {c.gap:+.2f}. Pixels for {c.a} over {c.b} add {favour:+.2f}, "
        f"pixels for {c.b} add {against:+.2f}, and the biases {bias:+.2f}."
    )
    turncoats = int(np.count_nonzero(inked & (np.asarray(c.own) > 0) & (shares < 0)))
    if turncoats:
        text += (
            f" {common.agree(turncoats, 'One inked pixel', f'{turncoats} inked pixels')} red on the map of "
            f"{c.a}'s own score {common.agree(turncoats, 'is', 'are')} blue here: "
            f"{common.agree(turncoats, 'it raises', 'they raise')} the score of {c.a}, but that of {c.b} more."
        )
    return text


def attribution_summary(attribution: np.ndarray, x: np.ndarray, b_eff: float, logit: float) -> str:
    """One line under the attribution map: where the logit comes from, pixel-wise."""
    attribution = np.asarray(attribution, dtype=np.float64).reshape(-1)
    inked = np.asarray(x).reshape(-1) > 0
    if not attribution.any():  # no neuron fired (w_eff = 0), or no ink
        why = "no pixel is inked" if not inked.any() else "no hidden neuron fired, so w_eff is 0 at every pixel"
        return f"Here {why}: no pixel counts, and the logit is the effective bias alone, {logit:.2f}."
    # rounded so that, as printed, both sums add up: up + down = total, total + b_eff = logit
    up, down, b_eff = common.rounded_parts(
        [attribution[attribution > 0].sum(), attribution[attribution < 0].sum(), b_eff], logit, 2, fixed=[2]
    )
    if inked.sum() == 1:
        adds = f"Only the one inked pixel can count (x = 0 elsewhere): it adds {round(up + down, 2):+.2f}"
    else:
        adds = (
            f"Only the {int(inked.sum())} inked pixels can count (x = 0 elsewhere): together they add {up:+.2f} and "
            f"{down:+.2f}, a total of {round(up + down, 2):+.2f}"
        )
    return f"{adds}; with the effective bias {b_eff:+.2f} that is the logit {logit:.2f}."
