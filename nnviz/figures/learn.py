"""Figures for the Learn page (the post's Part 2): training curves, neurons learning, one step, the loss surface.

Each figure has a private ``_*_record`` doing the numeric work and a public
``*_figure`` mapping it onto traces, plus a ``*_summary`` with the one line shown
under the chart.  Builders are pure: arrays in, ``go.Figure`` out; empty input
gives :func:`common.empty_figure`.  The training figures redraw several times a
second while a network trains, so each is a handful of cheap traces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from nnviz.landscape import Landscape

from . import common
from .draw import format_probability, reads_certain

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "accuracy_figure",
    "accuracy_summary",
    "before_after_figure",
    "before_after_summary",
    "chance_level",
    "dead_neurons_summary",
    "error_text",
    "gradient_figure",
    "gradient_summary",
    "landscape_figure",
    "landscape_summary",
    "loss_figure",
    "loss_pair",
    "loss_summary",
    "neuron_strip_figure",
    "output_error_figure",
    "output_error_summary",
    "probability_pair",
    "trained_summary",
    "unchanged_step_summary",
]

# The two ends of the diverging scale, for bars whose sign matters (p - y).
NEGATIVE = "#2166AC"  # RdBu blue
POSITIVE = "#B2182B"  # RdBu red
BEFORE = "#BBBBBB"
AFTER = "#0072B2"  # Okabe-Ito blue, the theme's primary colour
DIGITS = [str(d) for d in range(10)]
LABEL_SHARE = 0.05  # output-error bars at least this share of the largest get their value printed


# --- training curves ---------------------------------------------------------------


def loss_figure(epoch: np.ndarray, loss: np.ndarray, *, height: int = 260) -> go.Figure:
    """The training loss against epochs.

    Parameters
    ----------
    epoch : ndarray of shape (m,)
        Fractional epochs at each progress event.
    loss : ndarray of shape (m,)
        Mean training cross-entropy since the previous event.
    """
    epoch, loss = np.asarray(epoch, float), np.asarray(loss, float)
    if epoch.size == 0:
        return common.empty_figure("Press Start: the loss appears here", height=height)
    fig = go.Figure(
        go.Scatter(
            x=epoch,
            y=loss,
            mode="lines+markers",
            marker=dict(size=4),
            line=dict(color=AFTER),
            name="training loss",
            hovertemplate="epoch %{x:.2f}<br>loss %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    fig.update_yaxes(title_text="loss (cross-entropy)", rangemode="tozero")
    return common.layout(fig, height=height, title="Loss", showlegend=False)


def loss_summary(epoch: np.ndarray, loss: np.ndarray) -> str:
    """One line: where the loss started and where it is now."""
    if len(loss) == 0:
        return "No training yet."
    if len(loss) == 1:
        return f"Training loss {loss[0]:.3f} after {epoch[0]:.2f} epochs."
    first, last = f"{loss[0]:.3f}", f"{loss[-1]:.3f}"
    if first == last:
        return f"Training loss stayed at {first} over {epoch[-1]:.2f} epochs: the steps did not lower it."
    if loss[-1] > loss[0]:
        return (
            f"Training loss rose from {first} to {last} over {epoch[-1]:.2f} epochs: "
            "the steps made the network worse, not better."
        )
    return f"Training loss fell from {first} to {last} over {epoch[-1]:.2f} epochs."


def accuracy_figure(
    epoch: np.ndarray,
    train_accuracy: np.ndarray,
    test_accuracy: np.ndarray,
    *,
    final: float | None = None,
    height: int = 260,
) -> go.Figure:
    """Training and test accuracy against epochs, with the final test accuracy marked.

    Parameters
    ----------
    epoch, train_accuracy, test_accuracy : ndarray of shape (m,)
    final : float, optional
        Test accuracy on all 10,000 test images, drawn as a dashed line.
    """
    epoch = np.asarray(epoch, float)
    if epoch.size == 0:
        return common.empty_figure("Press Start: the accuracy appears here", height=height)
    fig = go.Figure()
    for name, values, colour in (
        ("training batches", train_accuracy, BEFORE),
        ("test images", test_accuracy, common.DIGIT_COLOURS[2]),
    ):
        fig.add_trace(
            go.Scatter(
                x=epoch,
                y=np.asarray(values, float) * 100,
                mode="lines+markers",
                marker=dict(size=4),
                line=dict(color=colour),
                name=name,
                hovertemplate=f"{name}<br>epoch %{{x:.2f}}<br>%{{y:.2f}}%<extra></extra>",
            )
        )
    if final is not None:
        fig.add_hline(
            y=final * 100,
            line=dict(dash="dash", color=common.DIGIT_COLOURS[2]),
            annotation_text=f"final {final:.2%}",
            # top left: the curves end near the line (they would run through a label at the right),
            # and start far below it
            annotation_position="top left",
        )
    fig.update_xaxes(title_text="epoch", rangemode="tozero")
    # both curves in view: the first training-batch figure (averaged over the first steps, from a
    # guess) is often far below the first test figure (taken after them)
    lowest = min(float(np.min(train_accuracy)), float(np.min(test_accuracy)))
    fig.update_yaxes(title_text="accuracy (%)", range=[max(0.0, lowest * 100 - 5), 100.5])
    return common.layout(
        fig, height=height, title="Accuracy", legend=dict(orientation="h", y=-0.3, x=0.0), showlegend=True
    )


def accuracy_summary(
    test_accuracy: np.ndarray, *, final: float | None = None, eval_size: int = 0, n_test: int = 0
) -> str:
    """One line: the latest test accuracy (on ``eval_size`` images), or the final one on all ``n_test``."""
    if final is not None:
        return f"Final test accuracy: {final:.2%} on all {n_test:,} test images, digits the network never trained on."
    if len(test_accuracy) == 0:
        return "No training yet."
    return f"Test accuracy so far: {test_accuracy[-1]:.2%} on {eval_size:,} test images (all {n_test:,} at the end)."


# --- a strip of neurons' incoming weights ------------------------------------------


@dataclass
class _Mosaic:
    """Square images tiled into one array (NaN between tiles), so a strip is one cheap heatmap."""

    z: np.ndarray  # (rows * (side + title_room), cols * (side + gap) - gap)
    index: np.ndarray  # same shape: which image each cell belongs to (-1 in the gaps)
    pixel: np.ndarray  # same shape + (2,): (row, col) of the cell inside its image
    origins: list[tuple[int, int]]  # top-left (y, x) of each tile
    side: int
    rows: int
    cols: int


def _mosaic(images: np.ndarray, columns: int, gap: int = 2, title_room: int = 6) -> _Mosaic:
    """Tile ``images`` (k, side, side) row by row, ``columns`` to a row, with room above each row for titles."""
    k, side = len(images), images.shape[1]
    cols = max(1, min(columns, k))
    rows = math.ceil(k / cols)
    step_x, step_y = side + gap, side + title_room
    z = np.full((rows * step_y, cols * step_x - gap), np.nan, np.float32)
    index = np.full(z.shape, -1, int)
    pixel = np.zeros((*z.shape, 2), int)
    rr, cc = np.mgrid[0:side, 0:side]
    origins = []
    for i, image in enumerate(images):
        y, x = (i // cols) * step_y + title_room, (i % cols) * step_x
        z[y : y + side, x : x + side] = image
        index[y : y + side, x : x + side] = i
        pixel[y : y + side, x : x + side, 0], pixel[y : y + side, x : x + side, 1] = rr, cc
        origins.append((y, x))
    return _Mosaic(z, index, pixel, origins, side, rows, cols)


def _tile_titles(fig: go.Figure, mosaic: _Mosaic, titles: list[str]) -> None:
    """A small title above each tile, as one text trace (one annotation each is ten times slower to build)."""
    ys = [y - 0.5 for y, _ in mosaic.origins]  # the y axis points down: "above" is a smaller y
    xs = [x + (mosaic.side - 1) / 2 for _, x in mosaic.origins]
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            text=titles,
            mode="text",
            textposition="top center",  # text sits above its point: in the room left above the tile
            textfont=dict(size=11),
            hoverinfo="skip",
            showlegend=False,
            name="titles",
        )
    )


def _image_layout(fig: go.Figure, rows: int, *, height: int | None, row_height: int, top: int = 8) -> go.Figure:
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    common.layout(fig, height=height or top + row_height * rows)
    return fig.update_layout(margin=dict(l=0, r=0, t=top, b=0))


def neuron_strip_figure(
    weights: np.ndarray, neurons: np.ndarray, *, columns: int = 4, height: int | None = None
) -> go.Figure:
    """A few hidden neurons' incoming weights, each as a 28×28 image on one diverging scale.

    One heatmap of the tiled images (not one subplot each): it redraws several
    times a second while training.

    Parameters
    ----------
    weights : ndarray of shape (k, 784)
        ``W1[:, neurons].T``: row i is what neuron ``neurons[i]`` multiplies each pixel by.
    neurons : ndarray of int, shape (k,)
    columns : int
        Images per row.
    """
    weights = np.asarray(weights, np.float32)
    if weights.size == 0:
        return common.empty_figure("No neurons to show", height=height or 200)
    side = round(math.sqrt(weights.shape[1]))
    mosaic = _mosaic(weights.reshape(len(weights), side, side), columns)
    neurons = np.asarray(neurons)
    lo, hi = common.symmetric_range(weights)
    who = np.where(mosaic.index >= 0, neurons[np.maximum(mosaic.index, 0)], -1)
    custom = np.dstack([who, mosaic.pixel])  # (H, W, 3): neuron, pixel row, pixel col
    fig = go.Figure(
        go.Heatmap(
            z=mosaic.z,
            customdata=custom,
            zmin=lo,
            zmax=hi,
            colorscale=common.DIVERGING,
            hoverongaps=False,
            colorbar=dict(title="weight", thickness=10, len=0.9),
            hovertemplate="neuron %{customdata[0]}<br>pixel (%{customdata[1]}, %{customdata[2]})"
            "<br>weight %{z:.3f}<extra></extra>",
        )
    )
    _tile_titles(fig, mosaic, [f"neuron {n}" for n in neurons])
    return _image_layout(fig, mosaic.rows, height=height, row_height=120)


# --- one step of backpropagation ---------------------------------------------------


def output_error_figure(output_error: np.ndarray, label: int, *, height: int = 240) -> go.Figure:
    """The output error p - y as ten bars: negative for the true digit, positive for the rest.

    Parameters
    ----------
    output_error : ndarray of shape (10,)
    label : int
    """
    err = np.asarray(output_error, float)
    if err.size == 0:
        return common.empty_figure("No digit", height=height)
    # For a digit the network is sure of the whole error is ~1e-5: on a fixed axis the bars
    # would be flat and two decimals would print "-0.00".  So the axis is in units of
    # 10^k when the largest error is under 0.01, and the bars that stand out get two digits.
    m = float(np.abs(err).max())
    power = math.floor(math.log10(m)) if 0.0 < m < 0.01 else 0
    shown = err / 10.0**power
    big = np.abs(err) >= LABEL_SHARE * m
    if power:
        text = [f"{v:+.1f}" for v in shown]
        title = f"p − y  (× 10<sup>{power:d}</sup>)".replace("-", "−")
    else:
        text = [error_text(v, 2) for v in err]
        title = "p − y"
    fig = go.Figure(
        go.Bar(
            x=DIGITS[: err.size],
            y=shown,
            customdata=err,
            marker_color=[NEGATIVE if v < 0 else POSITIVE for v in err],
            text=[t if b else "" for t, b in zip(text, big, strict=True)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="digit %{x}<br>p − y = %{customdata:+.3g}<extra></extra>",
        )
    )
    top = float(np.abs(shown).max()) or 1.0
    fig.update_yaxes(title_text=title, range=[-1.25 * top, 1.25 * top], zeroline=True)
    fig.update_xaxes(title_text=f"digit (target: {label})", type="category")
    return common.layout(fig, height=height, title="Output error p − y")


def output_error_summary(output_error: np.ndarray, label: int) -> str:
    """One line: how hard the error pushes the true digit up and the strongest rival down."""
    err = np.asarray(output_error, float)
    others = np.delete(np.arange(err.size), label)
    rival = int(others[np.argmax(err[others])])
    if err[label] == 0.0:  # p = 1.0 in float32 (a lead of about 17 in the logits): the target and p agree
        true = f"The true digit {label} gets 0: float32 rounds p({label}) to exactly 1, so its own score gets no push"
    else:
        true = f"The true digit {label} gets {error_text(err[label], 3)} (pushed up)"
    return (
        f"{true}; the strongest wrong answer, {rival}, gets {error_text(err[rival], 3)} (pushed down). "
        f"{_error_total(err)}"
    )


def _error_total(err: np.ndarray) -> str:
    """Σ (p − y) is 1 − 1 = 0; say so, and how far float32 rounding leaves the sum from it."""
    rest = float(np.sum(err, dtype=np.float64))
    rounding = "exactly, here" if rest == 0.0 else f"float32 rounding leaves {rest:+.1e}"
    return f"The ten numbers add up to 0, as the probabilities and y each add up to 1 ({rounding})."


def error_text(v: float, significant: int) -> str:
    """An output error ``p - y`` with ``significant`` digits, signed: plain decimals, e-notation below 1e-6.

    At most six decimals: near p = 1 a float32 probability is only good to about
    1e-7, so a seventh would be rounding noise.  -0.195 -> "-0.195",
    -3.6e-5 -> "-0.000036".  Below 1e-6 (a wrong digit's p, which float32 does
    hold to its own size) in e-notation: 3.6e-8 -> "+3.6e-08", not "+0.000000".
    """
    v = float(v)
    if v == 0.0:
        return "0"
    if abs(v) < 1e-6:
        return f"{v:+.{significant - 1}e}"
    decimals = min(6, max(significant, significant - 1 - math.floor(math.log10(abs(v)))))
    return f"{v:+.{decimals}f}"


def before_after_figure(
    before: np.ndarray, after: np.ndarray, label: int, *, lr: float | None = None, height: int = 240
) -> go.Figure:
    """The ten probabilities before and after one gradient step, side by side.

    Parameters
    ----------
    before, after : ndarray of shape (10,)
    label : int
    """
    before, after = np.asarray(before, float), np.asarray(after, float)
    if before.size == 0:
        return common.empty_figure("No digit", height=height)
    fig = go.Figure()
    step = "after one step" if lr is None else f"after one step (lr {lr:g})"
    for name, values, colour in (("before", before, BEFORE), (step, after, AFTER)):
        fig.add_trace(
            go.Bar(
                x=DIGITS[: values.size],
                y=values,
                name=name,
                marker_color=colour,
                customdata=[format_probability(v) for v in values],  # never "100.00%" short of 1
                hovertemplate=f"{name}<br>digit %{{x}}: %{{customdata}}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text="probability", range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(title_text=f"digit (target: {label})", type="category")
    return common.layout(
        fig,
        height=height,
        title="Probabilities before and after",
        barmode="group",
        legend=dict(orientation="h", y=1.12, x=1.0, xanchor="right"),
    )


def before_after_summary(before: np.ndarray, after: np.ndarray, label: int, loss: float, loss_after: float) -> str:
    """One line: what the step did to p[label] and to the loss.

    Probabilities get enough decimals to tell before from after (see
    :func:`probability_pair`), losses four significant digits or as many more
    as tell them apart (a confident digit's loss is about 1e-5, and a small
    step moves it in the fifth digit), and the loss's change is written out.  When
    float32 p cannot tell them apart, the line says so and gives the change
    that the loss (exact, from the logits) implies: p = exp(-loss).
    """
    p, p_after = probability_pair(float(before[label]), float(after[label]))
    if p != p_after:
        moved = f"p({label}) went from {p} to {p_after}"
    elif loss_after == loss:
        moved = f"p({label}) stayed at {p}"
    else:
        # A step too small for float32 p to resolve, on a digit the network is sure of: the change
        # p = exp(-loss) implies, from the loss, which is computed exactly from the logits.
        change = math.exp(-loss) * math.expm1(loss - loss_after)
        moved = (
            f"p({label}) stayed at {p} to the digits shown (p {'rose' if change > 0 else 'fell'} by {abs(change):.2g})"
        )
    if loss_after == loss:
        return f"{moved}; the loss −log p({label}) stayed at {loss:.4g}."
    before_loss, after_loss = loss_pair(loss, loss_after)
    return f"{moved}; the loss −log p({label}) from {before_loss} to {after_loss} ({loss_after - loss:+.3g})."


def chance_level(labels: np.ndarray) -> tuple[int, float]:
    """The commonest digit among ``labels`` and its share: the accuracy of always answering it."""
    counts = np.bincount(np.asarray(labels), minlength=10)
    return int(counts.argmax()), float(counts.max() / counts.sum())


def trained_summary(accuracy: float, n_test: int, how: str, labels: np.ndarray) -> tuple[bool, str]:
    """A finished run's report, and whether it learned anything (False: near chance, say so).

    Parameters
    ----------
    accuracy : float
        On the ``n_test`` test digits.
    how : str
        How the run ended ("after all its epochs", ...).
    labels : (n_test,) the test digits' labels, for the chance level

    Returns
    -------
    (learned, text) : learned is False when the accuracy is within 5 points of
        always answering the commonest digit.
    """
    digit, share = chance_level(labels)
    text = f"**{accuracy:.2%}** of the {n_test:,} test digits right, {how}"
    if accuracy < share + 0.05:
        return False, (
            f"Trained, but it learned next to nothing: {text}. Always answering {digit} "
            f"(the commonest digit) would score {share:.2%}."
        )
    return True, f"Trained: {text}"


def shipped_recipe(meta: dict) -> str:
    """How the shipped network was trained, from its file's record, to set beside a reader's run ("" if unrecorded).

    The page's defaults are a quick run (seconds); the shipped network had a longer
    recipe, which is why it scores higher with the same architecture.

    Parameters
    ----------
    meta : dict
        :attr:`MLP.meta` of the shipped network (``config``, ``test_accuracy``,
        ``train_seconds``, as :mod:`nnviz.train` writes them).
    """
    cfg, accuracy = meta.get("config"), meta.get("test_accuracy")
    if not isinstance(cfg, dict) or not isinstance(accuracy, float):
        return ""
    try:
        optimizer = "Adam" if cfg["optimizer"] == "adam" else f"SGD + momentum {cfg['momentum']:g}"
        steps = [
            f"{optimizer} (peak learning rate {cfg['lr']:g}, {cfg['schedule']} schedule)",
            f"batches of {cfg['batch_size']}",
            f"{cfg['epochs']} epochs"
            + (" of randomly shifted, rotated, scaled and thickened digits" if cfg["augment"] else ""),
        ]
        if cfg["dropout"]:
            steps.append(f"dropout {cfg['dropout']:g}")
        if cfg["l2"]:
            steps.append(f"weight decay {cfg['l2']:g}")
    except (KeyError, TypeError, ValueError):
        return ""
    seconds = meta.get("train_seconds")
    took = f" in {seconds:.0f} s of computing" if isinstance(seconds, (int, float)) else ""
    return (
        f"For comparison, the shipped network that the other pages use ({cfg['hidden']} hidden neurons) reached "
        f"{accuracy:.2%} with {', '.join(steps)}: trained{took} by `python -m nnviz.train`."
    )


def dead_neurons_summary(dead: int, hidden: int) -> str:
    """A sentence to add to a finished run's report when some hidden neurons never fire ("" when none).

    Parameters
    ----------
    dead : int
        Hidden neurons that fire for none of the test images.
    hidden : int
        All the hidden neurons.
    """
    if dead == 0:
        return ""
    text = f" {dead} of its {hidden} hidden neurons never {common.agree(dead, 'fires', 'fire')} on the test digits."
    if 2 * dead > hidden:
        text += (
            " That is the usual mark of too large a learning rate: a step pushes a neuron to where no digit lifts "
            "its sum above 0, and a neuron that never fires gets no gradient to bring it back (ReLU is flat "
            "there). A smaller learning rate usually keeps more of them alive."
        )
    return text


def unchanged_step_summary(changed: int, total: int, largest: float) -> str:
    """Why a step left the loss exactly as it was: its updates fell below float32's resolution.

    Parameters
    ----------
    changed : int
        Parameters whose float32 value the step changed.
    total : int
        All the parameters (101,770).
    largest : float
        The largest update the step asked for, ``lr * max |dL/dw|``.
    """
    moved = "none" if changed == 0 else f"only {changed:,}"
    return (
        f"The step changed {moved} of the {total:,} numbers (the largest update it asked for is {largest:.2g}): "
        "too little to move any logit in float32, so the loss is exactly what it was. A digit the network "
        "is this sure of has almost nothing left to teach it."
    )


def loss_pair(a: float, b: float, *, fewest: int = 4, most: int = 8) -> tuple[str, str]:
    """Two losses with the fewest significant digits (at least ``fewest``) that tell them apart.

    1.80126e-05 and 1.80102e-05 -> ("1.8013e-05", "1.8010e-05"), where four digits read the same.
    """
    for digits in range(fewest, most + 1):
        texts = f"{a:#.{digits}g}", f"{b:#.{digits}g}"  # "#": trailing zeros kept
        if texts[0] != texts[1] or a == b:
            break
    return texts


def probability_pair(a: float, b: float, *, most: int = 6) -> tuple[str, str]:
    """Two probabilities as percentages with one number of decimals (1 to ``most``).

    Enough decimals that neither reads a rounded 0% or 100% (as
    :func:`nnviz.figures.draw.format_probability`) and that two different
    probabilities read differently: a small step on a digit the network is
    sure of moves p in the fourth decimal of a percent or beyond.  If one of
    them reads 0% or 100% at ``most`` decimals, both are written as
    :func:`~nnviz.figures.draw.format_probability` writes them (">99.9999%").
    """
    for decimals in range(1, most + 1):
        texts = f"{a:.{decimals}%}", f"{b:.{decimals}%}"
        certain = reads_certain(texts[0]) or reads_certain(texts[1])
        if not certain and (texts[0] != texts[1] or a == b):
            break
    return (format_probability(a), format_probability(b)) if certain else texts


def gradient_figure(
    x: np.ndarray, dW1: np.ndarray, dz1: np.ndarray, neurons: np.ndarray, *, columns: int = 3, height: int | None = None
) -> go.Figure:
    """The input, then ∂L/∂W1[:, j] for a few neurons j, each a 28×28 image; gradients on one diverging scale.

    Parameters
    ----------
    x : ndarray of shape (784,)
        The input drawing.
    dW1 : ndarray of shape (k, 784)
        The gradient of each shown neuron's incoming weights (= x * dz1[j]).
    dz1 : ndarray of shape (k,)
        Those neurons' error signals.
    neurons : ndarray of int, shape (k,)
    columns : int
        Panels per row, the input included.
    """
    dW1 = np.asarray(dW1, np.float32)
    if dW1.size == 0:
        return common.empty_figure("No neuron fired, so no gradient reaches the first layer", height=height or 200)
    x = np.asarray(x, np.float32)
    side = round(math.sqrt(x.size))
    neurons, dz1 = np.asarray(neurons), np.asarray(dz1, float)
    # One mosaic holding a blank first tile where the input goes: the input has
    # its own grey scale, so it is a second heatmap laid over that tile.
    tiles = np.concatenate([np.full((1, side, side), np.nan, np.float32), dW1.reshape(len(dW1), side, side)])
    mosaic = _mosaic(tiles, columns, title_room=9)  # two lines of title above each tile
    lo, hi = common.symmetric_range(dW1)
    who = np.where(mosaic.index >= 1, neurons[np.maximum(mosaic.index - 1, 0)], -1)
    signal = np.where(mosaic.index >= 1, dz1[np.maximum(mosaic.index - 1, 0)], np.nan)
    # float32 (exact for the integers, 7 digits of dz1 where the hover shows 4): half the bytes of float64
    custom = np.dstack([who, mosaic.pixel, signal]).astype(np.float32)
    fig = go.Figure(
        [
            go.Heatmap(
                z=x.reshape(side, side),
                y0=mosaic.origins[0][0],  # over the blank first tile
                x0=mosaic.origins[0][1],
                colorscale=common.GREYS,
                zmin=0,
                zmax=1,
                showscale=False,
                name="input",
                customdata=np.dstack(np.mgrid[0:side, 0:side]),  # (side, side, 2): pixel row, col
                hovertemplate="input pixel (%{customdata[0]}, %{customdata[1]})<br>x = %{z:.3f}<extra></extra>",
            ),
            go.Heatmap(
                z=mosaic.z,
                customdata=custom,
                zmin=lo,
                zmax=hi,
                colorscale=common.DIVERGING,
                hoverongaps=False,
                name="gradients",
                colorbar=dict(title="∂L/∂w", thickness=10, len=0.9, tickformat=".2~g"),
                hovertemplate="neuron %{customdata[0]}<br>pixel (%{customdata[1]}, %{customdata[2]})"
                "<br>∂L/∂W1 = %{z:.3e}<br>= x × dz1 (%{customdata[3]:+.3e})<extra></extra>",
            ),
        ]
    )
    titles = ["the input<br>x"] + [f"neuron {n}<br>x · ({d:+.2g})" for n, d in zip(neurons, dz1, strict=True)]
    _tile_titles(fig, mosaic, titles)
    # A fixed height: on a wide screen the tiles shrink to fit it, on a phone to the width.
    return _image_layout(fig, mosaic.rows, height=height, row_height=170)


def gradient_summary(dz1: np.ndarray, neurons: np.ndarray, identity_error: float, active: int, hidden: int) -> str:
    """One line: which neurons, how strongly, and the identity's check on this digit."""
    if len(neurons) == 0:
        return (
            f"None of the {hidden} hidden neurons fired, so no error gets past them: W1 and b1 get gradient 0, "
            "and so does W2, whose gradient is h · (p − y) with h all zeros. This step moves only the 10 output "
            "biases b2. A neuron that never fires never learns: ReLU's flat side passes no gradient."
        )
    top = ", ".join(f"{n} ({d:+#.3g})" for n, d in zip(neurons, dz1, strict=True))
    passes = (
        "only it passes the error back. Its error signal dz1"
        if active == 1
        else "only they pass the error back. Largest error signals dz1"
    )
    check = "exactly" if identity_error == 0 else f"to within {identity_error:.1e}"
    return (
        f"{active} of {hidden} hidden neurons fired; {passes}: {top}. Each picture is the input's pixels times that "
        f"neuron's dz1 (∂L/∂W1[:, j] = x · dz1[j], the chain rule's last step), and the gradient backpropagation "
        f"computed matches it {check}."
    )


# --- the loss surface --------------------------------------------------------------


@dataclass
class _LandscapeRecord:
    z: np.ndarray  # log10 of the loss, for the colours
    ticks: np.ndarray  # loss values for colourbar ticks
    path: np.ndarray | None
    path_loss: np.ndarray | None


def _landscape_record(ls: Landscape) -> _LandscapeRecord:
    loss = np.maximum(np.asarray(ls.loss, float), 1e-6)
    lo, hi = float(loss.min()), float(loss.max())
    # Loss spans orders of magnitude away from the centre: colour by its logarithm.
    candidates = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20])
    ticks = candidates[(candidates >= lo * 0.9) & (candidates <= hi * 1.1)]
    if ticks.size < 2:
        ticks = np.array([lo, hi])
    return _LandscapeRecord(np.log10(loss), ticks, ls.path, ls.path_loss)


def landscape_figure(ls: Landscape | None, *, height: int = 420) -> go.Figure:
    """Contours of the loss on a plane through the weights, with the training path on it.

    Parameters
    ----------
    ls : Landscape or None
        From :func:`nnviz.landscape.landscape`.
    """
    if ls is None or np.asarray(ls.loss).size == 0:
        return common.empty_figure("No loss surface yet", height=height)
    rec = _landscape_record(ls)
    fig = go.Figure(
        go.Contour(
            x=ls.alphas,
            y=ls.betas,
            z=rec.z,
            text=np.vectorize(lambda v: f"{v:.4f}")(np.asarray(ls.loss, float)),
            colorscale=common.SEQUENTIAL,
            reversescale=True,  # low loss bright: the valley glows
            ncontours=18,
            contours=dict(showlines=True),
            line=dict(width=0.5, color="rgba(255,255,255,0.5)"),
            colorbar=dict(
                title="loss", tickvals=np.log10(rec.ticks), ticktext=[f"{t:g}" for t in rec.ticks], thickness=12
            ),
            hovertemplate="a %{x:.3f}, b %{y:.3f}<br>loss on this plane %{text}<extra></extra>",
        )
    )
    if rec.path is not None and len(rec.path):
        custom = rec.path_loss if rec.path_loss is not None else np.full(len(rec.path), np.nan)
        fig.add_trace(
            go.Scatter(
                x=rec.path[:, 0],
                y=rec.path[:, 1],
                mode="lines+markers",
                line=dict(color="#FFFFFF", width=2),
                marker=dict(size=6, color="#D55E00", line=dict(color="#FFFFFF", width=1)),
                customdata=custom,
                name="training path",
                hovertemplate="snapshot %{pointNumber}<br>true loss %{customdata:.4f}<extra>path</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=rec.path[:1, 0],
                y=rec.path[:1, 1],
                mode="markers+text",
                marker=dict(size=11, color="#E69F00", symbol="circle", line=dict(color="#000000", width=1)),
                text=["start"],
                textposition="top center",
                textfont=dict(color="#FFFFFF"),
                name="start",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            marker=dict(size=14, color="#FFFFFF", symbol="star", line=dict(color="#000000", width=1)),
            name="current parameters",
            hovertemplate=f"current parameters<br>loss {ls.centre_loss:.4f}<extra></extra>",
        )
    )
    axis = "principal direction" if ls.kind == "path" else "random direction"
    fig.update_xaxes(title_text=f"{axis} 1", showgrid=False, zeroline=False)
    fig.update_yaxes(title_text=f"{axis} 2", showgrid=False, zeroline=False)
    return common.layout(fig, height=height, showlegend=False)


def landscape_summary(ls: Landscape) -> str:
    """One line: the loss at the centre, the range on the plane, and how much of the path the plane holds."""
    text = (
        f"Loss on {ls.n_images:,} MNIST training images picked at random: {ls.centre_loss:.3f} at the current "
        f"parameters (the star), from {float(np.min(ls.loss)):.3f} to {float(np.max(ls.loss)):.2f} on this slice."
    )
    if ls.kind == "path" and ls.explained is not None:
        text += (
            f" The two directions hold {float(np.sum(ls.explained)):.1%} of the path's movement; a step of 1 along "
            "either moves the parameters a distance of 1 (the square root of the sum of their squared changes)."
        )
    else:
        text += (
            " A step of 1 along a random direction changes each neuron's incoming weights by as much as their own "
            "size (the directions are scaled neuron by neuron, after Li et al., 2018)."
        )
        if ls.path is not None:
            text += " Random directions are nearly at right angles to the path, so it barely shows: try the path's directions."
    return text
