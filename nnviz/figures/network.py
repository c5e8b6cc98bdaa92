"""The network drawn as a network: 784 inputs, 128 hidden neurons, 10 outputs, and its strongest paths.

Textbooks draw a neural network as layers of nodes joined by lines, one line
per weight.  All 101,632 lines of this network would be a grey blur, so the
figure draws the three layers as they are (the 28×28 input, the hidden layer in
the Draw page's own 8 × 16 grid, the 10 outputs) and only the lines that matter
most for the digit on screen, from :func:`nnviz.explain.strongest_paths`:

* hidden -> output: the neurons that move the answer's score most, each line
  ``h_j × W2[j, digit]``;
* input -> hidden: for each of those neurons, the pixels whose ``x_i × W1[i, j]``
  move its sum most.

Red lines add, blue ones subtract, and the thicker the line the larger the term.
The layers sit one under another, so the figure reads top to bottom on a phone.
It redraws on every stroke, so it is a few traces, not one per line: the lines
of a colour are one trace of thin filled quadrilaterals (their widths in the
figure's units), and one trace of markers at their ends carries the hovers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nnviz.explain import Paths

from . import common
from .draw import HIDDEN_COLUMNS, _hidden_record, format_probability, format_probability_short

__all__ = ["network_figure", "network_gist", "network_legend", "network_summary"]

SIDE = 28  # the input image, one unit per pixel
CELL = SIDE / HIDDEN_COLUMNS  # hidden neurons: the 16 columns span the image's width
HIDDEN_TOP = SIDE + 12  # the layers' top edges, in pixel units, y pointing down
ADDS, SUBTRACTS = common.RAISES, common.LOWERS  # the ends of the RdBu scale the weight maps use
NODE_RADIUS = 1.2  # an output node's radius, in pixel units (22 px markers at ~10 px a unit)
WIDTHS = (0.12, 0.8)  # line widths, in pixel units (~10 screen px each), for the smallest and largest term


@dataclass
class _Line:
    start: tuple[float, float]
    end: tuple[float, float]
    value: float
    width: float
    hover: str
    gap: tuple[float, float]  # the y range between the two layers, where the line runs in the open
    from_pixel: bool  # input -> hidden (else hidden -> output)

    def at(self, y: float) -> tuple[float, float]:
        """The point of the line at height ``y``."""
        (x0, y0), (x1, y1) = self.start, self.end
        t = (y - y0) / (y1 - y0)
        return x0 + t * (x1 - x0), y


@dataclass
class _Layout:
    hidden_rows: int
    output_y: float
    output_x: np.ndarray  # (10,)
    bottom: float


def _layout(n_hidden: int, n_outputs: int) -> _Layout:
    rows = -(-n_hidden // HIDDEN_COLUMNS)
    output_y = HIDDEN_TOP + rows * CELL + 10
    spacing = SIDE / n_outputs
    return _Layout(rows, output_y, spacing * (np.arange(n_outputs) + 0.5), output_y + 4)


def _pixel_centre(i: int) -> tuple[float, float]:
    return i % SIDE + 0.5, i // SIDE + 0.5


def _neuron_centre(j: int) -> tuple[float, float]:
    return (j % HIDDEN_COLUMNS + 0.5) * CELL, HIDDEN_TOP + (j // HIDDEN_COLUMNS + 0.5) * CELL


def _widths(values: np.ndarray) -> np.ndarray:
    """Line widths proportional to |value|, the layer's largest at WIDTHS[1]."""
    size = np.abs(np.asarray(values, dtype=np.float64))
    top = size.max() if size.size and size.max() > 0 else 1.0
    return WIDTHS[0] + (WIDTHS[1] - WIDTHS[0]) * size / top


def _lines(paths: Paths, lay: _Layout) -> list[_Line]:
    lines = []
    into = (float(lay.output_x[paths.target]), lay.output_y - NODE_RADIUS)  # the node's top: its digit stays clear
    for j, c, w in zip(paths.neurons, paths.contributions, _widths(paths.contributions), strict=True):
        lines.append(
            _Line(
                _neuron_centre(int(j)),
                into,
                float(c),
                float(w),
                f"neuron {j} → digit {paths.target}: h × w = {c:+.3f}",
                (HIDDEN_TOP + lay.hidden_rows * CELL, into[1]),
                from_pixel=False,
            )
        )
    used = paths.pixels >= 0
    widths = np.zeros(paths.terms.shape)
    widths[used] = _widths(paths.terms[used])
    for row, j in enumerate(paths.neurons):
        for i, t, w in zip(paths.pixels[row], paths.terms[row], widths[row], strict=True):
            if i < 0:
                continue
            r, col = divmod(int(i), SIDE)
            lines.append(
                _Line(
                    _pixel_centre(int(i)),
                    _neuron_centre(int(j)),
                    float(t),
                    float(w),
                    f"pixel (row {r}, col {col}) → neuron {j}: x × w = {t:+.3f}",
                    (SIDE, HIDDEN_TOP),
                    from_pixel=True,
                )
            )
    return lines


def _band(line: _Line, a: tuple[float, float], b: tuple[float, float]) -> list[float]:
    """The corners of the line's stretch from a to b as a quadrilateral ``line.width`` wide, then a break.

    Returns x and y interleaved: [x0, y0, x1, y1, ...]; NaN, NaN ends the polygon (a gap to Plotly).
    """
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay) or 1.0
    nx, ny = -(by - ay) / length * line.width / 2, (bx - ax) / length * line.width / 2
    corners = [(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny), (ax + nx, ay + ny)]
    return [c for point in corners for c in point] + [math.nan, math.nan]


def network_figure(
    x: np.ndarray | None,
    hidden: np.ndarray | None,
    probabilities: np.ndarray | None,
    paths: Paths | None,
    *,
    height: int = 800,
) -> go.Figure:
    """The three layers, top to bottom, with the strongest paths to the answer drawn between them.

    Parameters
    ----------
    x : (784,) the input pixels, or None (nothing drawn yet)
    hidden : (H,) the hidden activations
    probabilities : (10,) the outputs
    paths : Paths, or None to draw the layers alone
    """
    if x is None or hidden is None or probabilities is None:
        return common.empty_figure("Draw a digit", height=height)
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    hidden = np.asarray(hidden, dtype=np.float32).reshape(-1)
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    lay = _layout(hidden.size, p.size)
    lines = _lines(paths, lay) if paths is not None else []
    traces: list[go.BaseTraceType] = [
        go.Heatmap(
            z=x.reshape(SIDE, SIDE),
            x0=0.5,
            dx=1,
            y0=0.5,
            dy=1,
            colorscale=common.GREYS,
            zmin=0.0,
            zmax=1.0,
            showscale=False,
            customdata=np.dstack(np.mgrid[0:SIDE, 0:SIDE]),  # (row, col) of each cell, as the lines' hovers name it
            hovertemplate="pixel (row %{customdata[0]}, col %{customdata[1]})<br>x = %{z:.2f}<extra></extra>",
            name="inputs",
        )
    ]
    grid = _hidden_record(hidden)  # the Draw page's grid: NaN past the last neuron
    top = float(hidden.max()) if hidden.size and hidden.max() > 0 else 1.0
    traces.append(
        go.Heatmap(
            z=grid.z,
            x0=CELL / 2,
            dx=CELL,
            y0=HIDDEN_TOP + CELL / 2,
            dy=CELL,
            customdata=grid.neuron,
            colorscale=common.SEQUENTIAL,
            zmin=0.0,
            zmax=top,
            xgap=1,
            ygap=1,
            showscale=False,
            hovertemplate="neuron %{customdata}<br>activation %{z:.3f}<extra></extra>",
            name="hidden neurons",
        )
    )
    if lines:
        # Each line runs in full between two layers; across a layer (over the image, through
        # the grid) it is a faint thread, so the pixels and neurons under it stay visible.
        # The thread is the band's own colour, so the eye follows it from where the band
        # meets the layer's edge to the pixel or neuron it is for.
        threads: dict[str, list[float]] = {ADDS: [], SUBTRACTS: []}
        bands: dict[str, list[float]] = {ADDS: [], SUBTRACTS: []}
        ends, hovers = [], []
        for line in lines:
            a, b = line.at(line.gap[0]), line.at(line.gap[1])
            colour = ADDS if line.value >= 0 else SUBTRACTS
            threads[colour] += [*line.start, *a, math.nan, math.nan, *b, *line.end, math.nan, math.nan]
            bands[colour] += _band(line, a, b)
            ends += [a, b]
            hovers += [line.hover] * 2
        for colour, thread in threads.items():
            if thread:
                traces.append(
                    go.Scatter(
                        x=np.array(thread[0::2]),  # arrays, not lists: Plotly checks a list item by item
                        y=np.array(thread[1::2]),
                        mode="lines",
                        line=dict(color=colour, width=1.5),
                        opacity=0.9,
                        hoverinfo="skip",
                        name="threads",
                    )
                )
        for colour, band in bands.items():
            if band:
                traces.append(
                    go.Scatter(
                        x=np.array(band[0::2]),
                        y=np.array(band[1::2]),
                        mode="lines",
                        fill="toself",
                        fillcolor=colour,
                        line=dict(width=0, color=colour),
                        opacity=0.85,
                        hoverinfo="skip",
                        name="adds" if colour == ADDS else "subtracts",
                    )
                )
        traces.append(  # where the hovers live: both ends of every line's open stretch
            go.Scatter(
                x=np.array([e[0] for e in ends]),
                y=np.array([e[1] for e in ends]),
                mode="markers",
                marker=dict(size=10, color="rgba(0,0,0,0)"),
                hovertext=hovers,
                hoverinfo="text",
                name="line ends",
            )
        )
        starts = [line for line in lines if line.from_pixel]
        traces.append(  # the chosen pixels, on the image
            go.Scatter(
                x=[line.start[0] for line in starts],
                y=[line.start[1] for line in starts],
                mode="markers",
                marker=dict(
                    size=7,
                    color=[ADDS if line.value >= 0 else SUBTRACTS for line in starts],
                    line=dict(color="#FFFFFF", width=1),
                ),
                hovertext=[line.hover for line in starts],
                hoverinfo="text",
                name="pixels",
            )
        )
        centres = [_neuron_centre(int(j)) for j in paths.neurons]
        traces.append(  # the chosen neurons, framed on the grid
            go.Scatter(
                x=[c[0] for c in centres],
                y=[c[1] for c in centres],
                mode="markers",
                marker=dict(symbol="square-open", size=15, color="#FFFFFF", line=dict(width=2)),
                hovertext=[
                    f"neuron {j}: activation {hidden[j]:.3f}, adds {c:+.3f} to the score of {paths.target}"
                    for j, c in zip(paths.neurons, paths.contributions, strict=True)
                ],
                hoverinfo="text",
                name="neurons",
            )
        )
    answer = int(p.argmax())
    digits = np.arange(p.size)
    colours = [common.DIGIT_COLOURS[d % len(common.DIGIT_COLOURS)] for d in digits]
    hovers = [f"digit {d}: {format_probability(v)}" for d, v in zip(digits, p, strict=True)]
    traces.append(  # the ten outputs as rings, their digits in the theme's text colour
        go.Scatter(
            x=lay.output_x,
            y=np.full(p.size, lay.output_y),
            mode="markers+text",
            marker=dict(symbol="circle-open", size=22, color=colours, line=dict(width=2)),
            text=[str(d) for d in digits],
            textfont=dict(size=13),
            hovertext=hovers,
            hoverinfo="text",
            name="outputs",
        )
    )
    traces.append(  # the answer, filled, its digit in black or white, whichever reads on its colour
        go.Scatter(
            x=[lay.output_x[answer]],
            y=[lay.output_y],
            mode="markers+text",
            marker=dict(size=24, color=colours[answer], line=dict(color=common.MARK_GREY, width=2)),
            text=[str(answer)],
            textfont=dict(size=13, color=common.ink_on(colours[answer])),
            hovertext=[hovers[answer]],
            hoverinfo="text",
            name="answer",
        )
    )
    # each output's probability under it, the answer's in bold; "<1%" ten times over would only crowd
    # the row (on a phone the labels touch), so those stay in the hover and the bar chart
    labels = [format_probability_short(v) for v in p]
    traces.append(
        go.Scatter(
            x=lay.output_x,
            y=np.full(p.size, lay.output_y + 3.2),
            mode="text",
            text=[
                f"<b>{label}</b>" if d == answer else "" if label == "<1%" else label
                for d, label in zip(digits, labels, strict=True)
            ],
            textfont=dict(size=10),
            hoverinfo="skip",
            name="probabilities",
        )
    )
    fig = go.Figure(traces)
    fig.add_annotation(  # above the image, where no line runs; the legend beside names the other layers
        x=0, y=0, text=f"{x.size} inputs: the pixels", showarrow=False, xanchor="left", yanchor="bottom"
    )
    fig.update_xaxes(visible=False, range=[-0.5, SIDE + 0.5], fixedrange=True)
    fig.update_yaxes(visible=False, range=[lay.bottom + 1, -2.5], scaleanchor="x", constrain="domain", fixedrange=True)
    return common.layout(fig, height=height, showlegend=False, hovermode="closest")


def network_summary(paths: Paths | None, n_weights: int) -> str:
    """One line under the figure: how many connections it draws, and how much of the score they carry."""
    if paths is None:
        return "Nothing drawn yet."
    if paths.n_active == 0:
        return f"No hidden neuron fired, so no path reaches the outputs: the score of {paths.target} is its bias alone."
    m = len(paths.neurons)
    lines = m + int((paths.pixels >= 0).sum())
    drawn = paths.contributions.astype(np.float64).sum()
    if paths.n_active == 1:  # one neuron fired: it is the one drawn
        neurons = f"the one active neuron adds {drawn:+.2f} to it"
    else:
        neurons = (
            f"{common.agree(m, 'the one neuron drawn adds', f'the {m} neurons drawn add')} {drawn:+.2f} to it, "
            f"and all {paths.n_active} active neurons together {paths.active_total:+.2f}"
        )
    return (
        f"{lines} of the network's {n_weights:,} connections, the strongest paths to the score of {paths.target}: "
        f"{neurons}; with the output bias the score is {paths.logit:.2f} (the logit, the number softmax turns "
        f"into a probability). Only the {paths.n_carrying:,} connections from inked pixels into neurons that "
        f"fired, and from those neurons to {paths.target}, carry a share of it; the other "
        f"{n_weights - paths.n_carrying:,} add exactly 0 to it."
    )


def network_gist(paths: Paths) -> str:
    """The figure in two lines, before the full :func:`network_legend`: what to look at first."""
    return (
        f"Pixels at the top, hidden neurons in the middle, the 10 outputs at the bottom; the lines are the "
        f"strongest pushes on the score of {paths.target}. **Red adds, blue subtracts**, thicker is more. "
        "Hover over (or tap) a dot, a frame or a line's end for its numbers."
    )


def network_legend(paths: Paths, n_inputs: int, n_hidden: int, n_outputs: int) -> str:
    """How to read the figure, as Markdown bullets, with this drawing's numbers."""
    m = len(paths.neurons)
    p = int((paths.pixels[0] >= 0).sum()) if m else 0
    return "\n".join(
        [
            f"- **Top:** the {n_inputs} inputs, the image's pixels. A dot marks each pixel a line starts from.",
            f"- **Middle:** the {n_hidden} hidden neurons, {HIDDEN_COLUMNS} to a row, coloured by activation (dark: 0, "
            "not firing; yellow: the strongest). A white frame marks "
            f"{common.agree(m, 'the one that moves', f'the {m} that move')} the score of {paths.target} most.",
            f"- **Bottom:** the {n_outputs} outputs, each with its probability when it rounds to 1% or more; the filled one is the answer.",
            f"- **Lines:** into digit {paths.target}, each neuron's activation × its weight to it (h × W2); into "
            f"each framed neuron, {common.agree(p, 'its strongest term', f'its {p} strongest terms')} x × W1 from the "
            "pixels. **Red adds, blue subtracts**, each to the sum it flows into (a pixel's line to its neuron's, "
            "a neuron's line to the score), and thicker is more: a red line into a neuron whose own line is blue "
            "lowers the score. Inside a layer each line goes on as a thin thread of its colour to its pixel or "
            "neuron, so it hides nothing under it.",
            "- Hover over (or tap) a dot, a frame or the end of a line for its numbers.",
        ]
    )
