"""The network drawn as layers: every mark sits where its pixel, neuron or digit is, and the numbers are the paths'."""

import math

import numpy as np
import pytest

import nnviz
from nnviz.explain import strongest_paths
from nnviz.figures import network
from nnviz.figures.draw import HIDDEN_COLUMNS


@pytest.fixture(scope="module")
def drawn():
    model = nnviz.load_model()
    images, _ = nnviz.load_mnist("test")
    x = images[3].reshape(-1).astype(np.float32) / 255.0
    out = model.forward(x[None])
    return model, x, out, strongest_paths(model, x)


def trace(fig, name):
    return next(t for t in fig.data if t.name == name)


def test_the_layers_are_the_digit_the_hidden_layer_and_the_outputs(drawn):
    _, x, out, paths = drawn
    fig = network.network_figure(x, out.hidden[0], out.probabilities[0], paths)
    np.testing.assert_array_equal(np.asarray(trace(fig, "inputs").z), x.reshape(28, 28))
    grid = np.asarray(trace(fig, "hidden neurons").z, dtype=float)
    np.testing.assert_array_equal(grid.ravel()[: out.hidden.shape[1]], out.hidden[0])
    assert grid.shape[1] == HIDDEN_COLUMNS
    outputs = trace(fig, "outputs")
    assert list(outputs.text) == [str(d) for d in range(10)]
    answer = int(out.probabilities[0].argmax())
    assert list(trace(fig, "answer").text) == [str(answer)]
    assert trace(fig, "answer").x[0] == outputs.x[answer]


def test_every_mark_sits_where_its_pixel_or_neuron_is(drawn):
    _, x, out, paths = drawn
    fig = network.network_figure(x, out.hidden[0], out.probabilities[0], paths)
    pixels = trace(fig, "pixels")
    chosen = paths.pixels[paths.pixels >= 0]
    np.testing.assert_allclose(pixels.x, chosen % 28 + 0.5)  # column, pixel centre
    np.testing.assert_allclose(pixels.y, chosen // 28 + 0.5)  # row
    assert [c == network.ADDS for c in pixels.marker.color] == list(paths.terms[paths.pixels >= 0] >= 0)
    frames = trace(fig, "neurons")
    cell = 28 / HIDDEN_COLUMNS
    np.testing.assert_allclose(frames.x, (paths.neurons % HIDDEN_COLUMNS + 0.5) * cell)
    np.testing.assert_allclose(frames.y, network.HIDDEN_TOP + (paths.neurons // HIDDEN_COLUMNS + 0.5) * cell)
    # one band per line, in its colour: as many polygons (NaN-separated) as positive and negative terms
    values = np.concatenate([paths.contributions, paths.terms[paths.pixels >= 0]])
    for name, count in (("adds", (values >= 0).sum()), ("subtracts", (values < 0).sum())):
        bands = [t for t in fig.data if t.name == name]
        assert (np.isnan(np.asarray(bands[0].x)).sum() if bands else 0) == count
    # and each band goes on inside the layers as a thread of its colour, to its pixel or neuron:
    # two stretches (NaN pairs) a line, never grey (a grey thread left the band looking like it ended on the edge)
    threads = [t for t in fig.data if t.name == "threads"]
    by_colour = {t.line.color: np.isnan(np.asarray(t.x)).sum() for t in threads}
    assert set(by_colour) <= {network.ADDS, network.SUBTRACTS}
    assert by_colour.get(network.ADDS, 0) == 2 * (values >= 0).sum()
    assert by_colour.get(network.SUBTRACTS, 0) == 2 * (values < 0).sum()
    # the open stretch of each pixel line runs from the image's bottom edge to the grid's top
    ends = trace(fig, "line ends")
    hovers = list(ends.hovertext)
    ys = [y for y, h in zip(ends.y, hovers, strict=True) if h.startswith("pixel")]
    assert set(np.round(ys, 6)) == {28.0, float(network.HIDDEN_TOP)}


def test_thicker_is_more():
    w = network._widths(np.array([0.5, -1.0, 0.25]))
    assert w[1] == pytest.approx(network.WIDTHS[1]) and w[0] > w[2] > network.WIDTHS[0]


def test_the_words_are_the_paths_numbers(drawn):
    model, _, _, paths = drawn
    text = network.network_summary(paths, model.n_weights)
    drawn_lines = len(paths.neurons) + int((paths.pixels >= 0).sum())
    assert f"{drawn_lines} of the network's 101,632 connections" in text
    assert (
        f"add {paths.contributions.astype(np.float64).sum():+.2f} to it, and all {paths.n_active} active neurons together {paths.active_total:+.2f}"
        in text
    )
    assert f"{paths.logit:.2f}" in text
    # the connections that carry a share of the score, counted term by term
    _, x, out, _ = drawn
    h = out.hidden[0]
    carrying = np.count_nonzero(x[:, None] * model.W1 * (h > 0)) + np.count_nonzero(h * model.W2[:, paths.target])
    assert paths.n_carrying == carrying
    assert f"Only the {carrying:,} connections from inked pixels into neurons that fired" in text
    assert f"the other {101_632 - carrying:,} add exactly 0 to it." in text
    legend = network.network_legend(paths, *model.sizes)
    assert "the 784 inputs" in legend and "the 128 hidden neurons" in legend and "the 10 outputs" in legend
    assert f"marks the {len(paths.neurons)} that move the score of {paths.target} most" in legend
    gist = network.network_gist(paths)  # shown first; the legend waits in an expander
    assert f"the strongest pushes on the score of {paths.target}" in gist and "**Red adds, blue subtracts**" in gist
    assert len(gist) < len(legend) / 2


def test_nothing_drawn_and_nothing_fired():
    assert len(network.network_figure(None, None, None, None).data) == 0
    model = nnviz.load_model()
    silent = nnviz.MLP(model.W1, np.full_like(model.b1, -100.0), model.W2, model.b2)
    x = np.zeros(784, np.float32)
    x[300] = 1.0
    out = silent.forward(x[None])
    paths = strongest_paths(silent, x)
    fig = network.network_figure(x, out.hidden[0], out.probabilities[0], paths)
    assert {t.name for t in fig.data} == {"inputs", "hidden neurons", "outputs", "answer", "probabilities"}  # no lines
    assert "No hidden neuron fired" in network.network_summary(paths, silent.n_weights)
    assert not math.isnan(float(out.probabilities.sum()))


def test_under_each_output_its_probability_unless_below_one_percent():
    model = nnviz.load_model()
    x = np.zeros(784, np.float32)
    p = np.array([0.004, 0.62, 0.0, 0.30, 0.07, 0.006, 0.0, 0.0, 0.0, 0.0], np.float32)
    out = model.forward(x[None])
    labels = list(trace(network.network_figure(x, out.hidden[0], p, None), "probabilities").text)
    assert labels == ["", "<b>62%</b>", "", "30%", "7%", "1%", "", "", "", ""]
    certain = np.array([0.0] * 9 + [1.0], np.float32)  # float32's 1.0: still never "100%"
    assert list(trace(network.network_figure(x, out.hidden[0], certain, None), "probabilities").text)[-1] == (
        "<b>>99%</b>"
    )


def test_one_neuron_and_one_pixel_are_named_in_the_singular():
    model = nnviz.load_model()
    b1 = np.full_like(model.b1, -100.0)
    b1[7] = 100.0  # only neuron 7 fires
    lone = nnviz.MLP(model.W1, b1, model.W2, model.b2)
    x = np.zeros(784, np.float32)
    x[300] = 1.0  # one inked pixel
    paths = strongest_paths(lone, x)
    assert paths.n_active == 1 and list(paths.neurons) == [7]
    text = network.network_summary(paths, lone.n_weights)
    assert (
        f"the one active neuron adds {paths.contributions.astype(np.float64).sum():+.2f} to it; with the output bias the score is"
        in text
    )
    legend = network.network_legend(paths, *lone.sizes)
    assert "A white frame marks the one that moves the score" in legend and "its strongest term x × W1" in legend
