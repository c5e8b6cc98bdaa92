"""The Weights page's figures: the data behind each trace is the model's own numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nnviz.figures import common
from nnviz.figures import weights as figs

rng = np.random.default_rng(0)
W1 = rng.normal(0, 0.1, (784, 20)).astype(np.float32)
W2 = rng.normal(0, 0.3, (20, 10)).astype(np.float32)


def test_mosaic_tiles_hold_each_neurons_weights():
    rec = figs._mosaic_record(W1, columns=8)
    assert rec.rows == 3 and rec.columns == 8  # 20 neurons -> 3 rows of 8
    assert rec.codes.shape == (3 * 29 - 1, 8 * 29 - 1) and rec.codes.dtype == np.uint8
    for j in (0, 7, 8, 19):
        top, left = (j // 8) * 29, (j % 8) * 29
        tile = rec.codes[top : top + 28, left : left + 28].astype(float) - 127
        expected = np.clip(W1[:, j].reshape(28, 28) / rec.scale, -127, 127)
        assert np.abs(tile - expected).max() <= 0.5 + 1e-6
    # gaps between tiles and the empty tile slots are weight 0 (white)
    assert (rec.codes[28, :] == 127).all() and (rec.codes[:, 28] == 127).all()
    assert (rec.codes[2 * 29 :, 4 * 29 :] == 127).all()


def test_mosaic_hover_points_carry_exact_weights():
    rec = figs._mosaic_record(W1, columns=8, every=1)
    assert len(rec.x) == W1.size
    j, r, c = rec.customdata.astype(int).T
    np.testing.assert_array_equal(rec.weights, W1[r * 28 + c, j])
    np.testing.assert_array_equal(rec.x, (j % 8) * 29 + c)
    np.testing.assert_array_equal(rec.y, (j // 8) * 29 + r)
    sparse = figs._mosaic_record(W1, columns=8, every=2)
    assert len(sparse.x) == W1.size // 4 and set(sparse.customdata[:, 1] % 2) == {0}


def test_mosaic_hover_names_every_neuron_of_a_wide_layer():
    wide = np.random.default_rng(1).normal(size=(784, 300)).astype(np.float32)  # more neurons than a byte counts
    rec = figs._mosaic_record(wide, columns=20, every=4)
    assert rec.customdata[:, 0].max() == 299 and rec.customdata.dtype == np.uint16
    assert figs._mosaic_record(W1, columns=8).customdata.dtype == np.uint8  # up to 256: one byte each


def test_neuron_at_inverts_the_layout():
    rec = figs._mosaic_record(W1, columns=8, every=1)
    picks = rng.integers(0, len(rec.x), 200)
    for i in picks:
        assert figs.neuron_at(rec.x[i], rec.y[i], 20, columns=8) == rec.customdata[i, 0]
    assert figs.neuron_at(28, 5, 20, columns=8) is None  # the gap after tile 0
    assert figs.neuron_at(5, 28, 20, columns=8) is None
    assert figs.neuron_at(-1, 0, 20, columns=8) is None
    assert figs.neuron_at(4 * 29 + 3, 2 * 29 + 3, 20, columns=8) is None  # empty slot after neuron 19
    assert figs.neuron_at(8 * 29 + 3, 3, 20, columns=8) is None  # right of the last column


def test_mosaic_figure_traces_outline_and_colour_scale():
    fig = figs.mosaic_figure(W1, selected=9, columns=8)
    heat, points = fig.data
    assert heat.type == "heatmap" and points.type == "scattergl"
    assert (heat.zmin, heat.zmax) == (0, 254) and heat.colorscale is not None
    ticks = np.asarray(heat.colorbar.tickvals)
    np.testing.assert_allclose(ticks - 127, -(ticks[::-1] - 127))  # symmetric around weight 0 = code 127
    assert "neuron %{customdata[0]}" in points.hovertemplate and "%{marker.color" in points.hovertemplate
    (shape,) = fig.layout.shapes
    assert (shape.x0, shape.y0) == (29 - 1, 29 - 1)  # neuron 9: second row, second column
    assert fig.layout.clickmode == "event+select"
    json.loads(fig.to_json())  # serialisable


def test_mosaic_colour_range_ignores_a_few_outliers():
    W = W1.copy()
    W[0, 0] = 50.0
    rec = figs._mosaic_record(W)
    assert rec.scale * 127 < 1.0  # set by the 99.5th percentile, not by the outlier
    assert "99.5%" in figs.mosaic_summary(W) and "+50.000" in figs.mosaic_summary(W)


def test_empty_inputs_give_labelled_figures():
    for fig in (
        figs.mosaic_figure(np.zeros((784, 0))),
        figs.neuron_figure(np.zeros(0), 0),
        figs.outgoing_figure(np.zeros(0), 0),
        figs.top_digits_figure(np.zeros((0, 28, 28)), [], [], []),
        figs.contribution_figure(np.zeros(0), 0),
        figs.output_weights_figure(np.zeros((0, 10))),
    ):
        assert not fig.data and fig.layout.annotations


def test_neuron_and_contribution_pictures():
    fig = figs.neuron_figure(W1[:, 3], 3)
    np.testing.assert_array_equal(fig.data[0].z, W1[:, 3].reshape(28, 28))
    assert fig.data[0].zmin == -fig.data[0].zmax and fig.data[0].zmid == 0
    terms = W1[:, 3] * (rng.random(784) > 0.8)
    fig = figs.contribution_figure(terms, 3)
    np.testing.assert_allclose(fig.data[0].z, terms.reshape(28, 28))
    text = figs.contribution_summary(terms, 0.1, float(terms.sum()) + 0.1, 0.0, 3)
    pos = float(text.split("Red pixels add ")[1].split(",")[0])
    assert abs(pos - terms[terms > 0].sum()) <= 0.001 and "silent" in text  # rounded so the sum adds up
    assert "fires at 1.250" in figs.contribution_summary(terms, 0.1, 1.25, 1.25, 3)


def test_neuron_summary_names_the_extremes():
    w = np.zeros(784)
    w[5 * 28 + 6], w[20 * 28 + 1] = 0.9, -0.7
    text = figs.neuron_summary(w, 4, 0.25)
    assert "ink at pixel (row 5, col 6) raises its sum most (+0.900 per unit of ink)" in text
    assert "ink at (row 20, col 1) lowers it most (-0.700)" in text and "bias +0.250" in text


def test_outgoing_bars_are_the_neurons_row_of_W2():
    fig = figs.outgoing_figure(W2[4], 4)
    np.testing.assert_array_equal(fig.data[0].y, W2[4])
    np.testing.assert_array_equal(fig.data[0].x, np.arange(10))
    # coloured by sign, as the weight maps are: red adds to that digit's score, blue takes away
    assert list(fig.data[0].marker.color) == [common.RAISES if v > 0 else common.LOWERS for v in W2[4]]
    assert common.RAISES in fig.data[0].marker.color and common.LOWERS in fig.data[0].marker.color
    up = int(np.argmax(W2[4]))
    assert f"digit {up} ({W2[4, up]:+.3f}" in figs.outgoing_summary(W2[4], 4)


def test_top_digits_strip():
    images = rng.integers(0, 256, (3, 28, 28)).astype(np.uint8)
    acts = np.array([3.0, 2.5, 1.0])
    fig = figs.top_digits_figure(images, np.array([10, 20, 30]), np.array([1, 1, 7]), acts, neuron=2)
    assert len(fig.data) == 3  # one heatmap per digit, 28 columns wide and 2 apart
    assert [t.x0 for t in fig.data] == [0, 30, 60] and {t.z.shape for t in fig.data} == {(28, 28)}
    np.testing.assert_allclose(fig.data[1].z, images[1] / 255.0)
    assert list(fig.layout.xaxis.tickvals) == [13.5, 43.5, 73.5]  # each activation under its digit
    assert list(fig.layout.xaxis.ticktext) == ["3.00", "2.50", "1.00"]
    assert fig.data[2].hovertemplate == "test digit #30: a 7<br>neuron 2: 1.000<extra></extra>"
    eight = figs.top_digits_figure(images[:1], np.array([5]), np.array([8]), acts[:1], neuron=2)
    assert eight.data[0].hovertemplate.startswith("test digit #5: an 8<br>")
    text = figs.top_digits_summary(np.array([1, 1, 7]), acts, 2, 10_000)
    assert "10,000" in text and "2 of them are 1s" in text
    apart = figs.top_digits_summary(np.array([1, 7, 8]), acts, 2, 10_000)  # no digit twice: no "1 of them are"
    assert apart.endswith("no two of them are the same digit.")
    one = figs.top_digits_summary(np.array([8]), acts[:1], 2, 10_000)
    assert one == "Of the 10,000 test digits, only one makes neuron 2 fire (activation 3.00, under it): an 8."
    # a dead neuron: the page passes no digits (none makes it fire), not eight with activation 0.00
    dead = figs.top_digits_summary(np.array([], int), np.array([]), 2, 10_000)
    assert dead == "No test digit makes neuron 2 fire: its activation is 0 on all 10,000 of them (a dead neuron)."


def test_output_weights_heatmap():
    fig = figs.output_weights_figure(W2, selected=3)
    np.testing.assert_array_equal(fig.data[0].z, W2.T)
    assert fig.data[0].zmin == -fig.data[0].zmax
    assert fig.layout.shapes[0].x0 == 2.5
    assert "20 × 10 = 200 weights" in figs.output_weights_summary(W2)


@pytest.mark.parametrize("bad", [np.zeros((100, 5))])
def test_mosaic_rejects_non_image_weights(bad):
    with pytest.raises(ValueError, match="784"):
        figs.mosaic_figure(bad)


@pytest.mark.parametrize(("hidden", "columns"), [(128, 8), (16, 3), (32, 4), (64, 6), (256, 11), (1, 1)])
def test_mosaic_is_about_twice_as_tall_as_wide_for_every_size(hidden, columns):
    assert figs.mosaic_columns(hidden) == columns
    w = np.random.default_rng(0).normal(size=(784, hidden)).astype(np.float32)
    rec = figs._mosaic_record(w)  # the default layout, as the page draws it
    assert rec.columns == columns
    # a click on the middle of the last neuron's tile finds it, with neuron_at's own default
    j = hidden - 1
    x, y = (j % columns) * 29 + 14, (j // columns) * 29 + 14
    assert figs.neuron_at(x, y, hidden) == j
