"""Figures of the Draw page (nnviz.figures.draw): the data behind each trace."""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import nnviz
from nnviz.figures import common
from nnviz.figures import draw as figs
from nnviz.mlp import as_input


@pytest.fixture(scope="module")
def digit() -> tuple[np.ndarray, int]:
    """Test digit #0 as the canvas would send it: scaled up to 280×280, RGBA, white on black."""
    images, labels = nnviz.load_mnist("test")
    grey = np.asarray(Image.fromarray(images[0]).resize((280, 280), Image.Resampling.BILINEAR))
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 255
    return rgba, int(labels[0])


@pytest.fixture(scope="module")
def prep(digit):
    return nnviz.preprocess(digit[0])


def is_empty(fig: go.Figure) -> bool:
    return len(fig.data) == 0 and len(fig.layout.annotations) == 1


# --- preprocessing ---------------------------------------------------------------


def test_thumbnail_block_averages():
    a = np.arange(16, dtype=np.float32).reshape(4, 4)
    t = figs._thumbnail(a, max_side=2)
    np.testing.assert_allclose(t, [[2.5, 4.5], [10.5, 12.5]])
    assert figs._thumbnail(a, max_side=4) is a  # small enough already
    odd = figs._thumbnail(np.ones((280, 150), np.float32), max_side=56)
    assert odd.shape == (56, 30)  # factor 5; 150 padded to 150


def test_preprocessing_figure_shows_the_four_steps(prep):
    fig = figs.preprocessing_figure(prep)
    assert len(fig.data) == 4
    assert all(isinstance(t, go.Heatmap) for t in fig.data)
    canvas, cropped, scaled, centred = (np.asarray(t.z) for t in fig.data)
    assert max(canvas.shape) <= figs.THUMBNAIL and max(cropped.shape) <= figs.THUMBNAIL
    # the thumbnail keeps the ink: its mean is the canvas' mean (the canvas divides evenly by 5)
    assert canvas.mean() == pytest.approx(prep.ink.mean(), rel=1e-5)
    np.testing.assert_array_equal(scaled, prep.scaled)
    np.testing.assert_array_equal(centred, prep.centred)
    titles = [a.text for a in fig.layout.annotations]
    assert any("280×280" in t for t in titles) and any("28×28" in t for t in titles)
    assert all("<sub>" not in t and "font-size:11px" in t for t in titles)  # sizes readable on a phone
    assert "ink" in fig.data[0].hovertemplate and "row" in fig.data[0].hovertemplate


def test_preprocessing_figure_empty_canvas():
    blank = nnviz.preprocess(np.zeros((280, 280, 4), np.uint8))
    fig = figs.preprocessing_figure(blank)
    assert is_empty(fig)
    assert fig.layout.annotations[0].text == blank.message
    assert is_empty(figs.preprocessing_figure(None))
    assert figs.preprocessing_summary(blank) == blank.message


def test_preprocessing_of_a_photo_says_so(prep):
    fig = figs.preprocessing_figure(prep, source="photo")
    assert fig.data[0].name == "photo" and fig.layout.annotations[0].text.startswith("photo")
    assert "280×280 photo" in figs.preprocessing_summary(prep, source="photo")


def test_preprocessing_summary(prep):
    text = figs.preprocessing_summary(prep)
    h, w = prep.cropped.shape
    assert f"{w}×{h} box" in text and "280×280 canvas (width × height)" in text  # sizes as width × height
    assert f"scaled to {prep.scaled.shape[1]}×{prep.scaled.shape[0]}," in text
    # a portrait photo: 600 wide, 800 tall
    ink = np.zeros((800, 600), np.float32)
    ink[300:500, 250:330] = 1.0
    tall = nnviz.preprocess(ink, ink="light")
    assert "of the 600×800 photo" in figs.preprocessing_summary(tall, source="photo")


# --- inputs ------------------------------------------------------------------------


def test_input_figure_is_the_784_numbers(prep):
    fig = figs.input_figure(prep.input)
    (trace,) = fig.data
    z = np.asarray(trace.z)
    assert z.shape == (28, 28)
    np.testing.assert_array_equal(z.reshape(-1), prep.input)
    np.testing.assert_array_equal(np.asarray(trace.customdata).reshape(-1), np.arange(784))
    assert (trace.zmin, trace.zmax) == (0.0, 1.0)
    assert "input #%{customdata}" in trace.hovertemplate and "row %{y}, col %{x}" in trace.hovertemplate
    assert figs.input_figure(prep.input, colorbar=False).data[0].showscale is False


def test_input_figure_empty_and_bad_sizes():
    assert is_empty(figs.input_figure(None))
    with pytest.raises(ValueError):
        figs.input_figure(np.zeros(10))


def test_input_summary_counts_ink():
    x = np.zeros(784, np.float32)
    x[:10] = 1.0
    x[10:15] = 0.25
    x[15] = 0.5  # exactly half: counts as half bright
    assert figs.input_summary(x) == (
        "784 inputs: 16 carry some ink (2%), 11 at least half bright; the other 768 are exactly 0."
    )


# --- hidden ------------------------------------------------------------------------


def test_hidden_figure_grid_of_128():
    h = np.linspace(0, 3, 128).astype(np.float32)
    fig = figs.hidden_figure(h)
    (trace,) = fig.data
    z = np.asarray(trace.z, dtype=float)
    assert z.shape == (8, 16)
    np.testing.assert_allclose(z.reshape(-1), h, rtol=1e-6)
    neuron = np.asarray(trace.customdata)
    assert neuron[2, 5] == 2 * 16 + 5 and z[2, 5] == pytest.approx(h[37])
    assert list(fig.layout.xaxis.ticktext)[:2] == ["+0", "+3"]
    assert trace.zmin == 0.0 and trace.zmax == pytest.approx(3.0)
    assert list(fig.layout.yaxis.ticktext) == [str(16 * r) for r in range(8)]
    assert "neuron %{customdata}" in trace.hovertemplate


def test_hidden_figure_pads_other_sizes():
    fig = figs.hidden_figure(np.ones(100, np.float32))
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (7, 16)
    assert np.isnan(z).sum() == 12
    assert np.asarray(fig.data[0].customdata)[6, 15] == -1


def test_hidden_figure_all_silent():
    fig = figs.hidden_figure(np.zeros(128, np.float32))
    assert fig.data[0].zmax == 1.0  # a valid scale even with nothing above zero
    assert figs.hidden_summary(np.zeros(128)) == "None of the 128 hidden neurons fired: every ReLU output is 0."
    assert is_empty(figs.hidden_figure(None))


def test_hidden_summary():
    h = np.zeros(128, np.float32)
    h[[3, 40, 99]] = [0.5, 2.25, 1.0]
    text = figs.hidden_summary(h)
    assert text.startswith("3 of 128 hidden neurons fired")
    assert "plus their bias, came out above 0" in text  # z1 = x @ W1 + b1 is what ReLU sees
    assert "neuron 40 at 2.25" in text


# --- probabilities ---------------------------------------------------------------


def test_probabilities_figure_highlights_the_prediction():
    p = np.array([0.01, 0.02, 0.05, 0.7, 0.02, 0.1, 0.02, 0.03, 0.03, 0.02])
    fig = figs.probabilities_figure(p)
    (bar,) = fig.data
    assert isinstance(bar, go.Bar)
    np.testing.assert_allclose(bar.y, p)
    np.testing.assert_array_equal(bar.x, np.arange(10))
    opacity = np.asarray(bar.marker.opacity)
    assert opacity[3] == 1.0 and (np.delete(opacity, 3) < 1).all()
    assert list(bar.marker.color) == common.DIGIT_COLOURS
    assert bar.text[3] == "70.0%"
    sure = figs.probabilities_figure(np.r_[0.99996, np.full(9, 0.00004 / 9)]).data[0]
    assert sure.text[0] == "99.996%" and sure.customdata[0] == "99.996%"  # not 100%, on the bar or in the hover
    assert fig.layout.yaxis.tickformat == ".0%"
    assert figs.probabilities_summary(p) == "The network says 3 with 70.0% confidence; runner-up 5 at 10.0%."


def test_probabilities_of_a_real_digit(digit, prep):
    model = nnviz.load_model()
    p = model.forward(prep.input[None]).probabilities[0]
    fig = figs.probabilities_figure(p)
    assert int(np.argmax(fig.data[0].y)) == digit[1]
    assert figs.probabilities_summary(p).startswith(f"The network says {digit[1]} with")
    assert is_empty(figs.probabilities_figure(None))
    assert figs.probabilities_summary(None) == "No prediction: draw a digit first."


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.973, "97.3%"),
        (0.5, "50.0%"),
        (1.0, ">99.9999%"),  # float32's rounding of a softmax within 6e-8 of 1: never certain
        (0.0, "<0.0001%"),
        (0.99996, "99.996%"),
        (4.2e-5, "0.004%"),
        (1e-9, "<0.0001%"),
        (1 - 1e-9, ">99.9999%"),
    ],
)
def test_format_probability_never_rounds_to_certainty(p, text):
    assert figs.format_probability(p) == text


def test_digit_pixels_are_crisp_squares():
    x = np.zeros(784, np.float32)
    x[0] = 1.0
    x[29] = 0.5  # row 1, col 1
    img = figs.digit_pixels(x, scale=4)
    assert img.shape == (112, 112) and img.dtype == np.uint8
    assert (img[:4, :4] == 255).all() and img[4, 4] == 128 and (img[4:8, 4:8] == 128).all()
    assert img[:4, 4:].max() == 0


def test_probabilities_svg_carries_the_values():
    p = np.array([0.01, 0.02, 0.05, 0.7, 0.02, 0.1, 0.02, 0.03, 0.03, 0.02])
    svg = figs.probabilities_svg(p, width=300, height=130)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<rect") == 10
    assert "<title>digit 3: 70.0%</title>" in svg and "<title>digit 5: 10.0%</title>" in svg
    assert f'aria-label="{figs.probabilities_summary(p)}"' in svg
    heights = [float(h) for h in re.findall(r'<rect[^>]* height="([0-9.]+)"', svg)]
    assert int(np.argmax(heights)) == 3
    assert heights[3] == pytest.approx(0.7 * (130 - 16 - 18), rel=1e-3)  # bar height is the probability
    assert heights[5] / heights[3] == pytest.approx(0.1 / 0.7, rel=1e-2)
    assert svg.count('fill-opacity="1.0"') == 1  # only the prediction is solid
    # styled as the page's figure is: the others as pale, the answer outlined in the theme's text colour
    # (a grey outline vanished on the dark page, and on a grey 7)
    fig = figs.probabilities_figure(p)
    others = {o for d, o in enumerate(fig.data[0].marker.opacity) if d != 3}
    assert others == {figs.OTHER_BARS_OPACITY} and svg.count(f'fill-opacity="{figs.OTHER_BARS_OPACITY}"') == 9
    assert len(re.findall(r'<rect[^>]*stroke="currentColor"', svg)) == 1


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.973, "97%"), (0.998, ">99%"), (0.004, "<1%"), (1.0, ">99%"), (0.0, "<1%"), (0.5, "50%")],
)
def test_format_probability_short_never_rounds_to_certainty(p, text):
    assert figs.format_probability_short(p) == text


def test_a_test_digit_float32_rounds_to_certain_is_not_called_certain(certain_three):
    # A 3 whose lead in logits is so large that float32 softmax gives p = 1.0 exactly; the summary
    # read "The network says 3 with 100.0% confidence; runner-up 2 at < 0.0001%".
    images, _ = nnviz.load_mnist("test")
    i = certain_three
    p = nnviz.load_model().forward(as_input(images[i : i + 1])).probabilities[0]
    assert p.max() == 1.0 and p.dtype == np.float32
    text = figs.probabilities_summary(p)
    assert "100" not in text and ">99.9999% confidence" in text
    fig = figs.probabilities_figure(p)
    assert "100.0%" not in fig.data[0].customdata and ">99.9999%" in fig.data[0].customdata


def test_a_mistake_is_named_only_when_the_label_is_known_and_differs():
    from nnviz.figures.draw import mistake_text

    assert mistake_text(6, 0) == "**A mistake:** MNIST labels this digit a 6, and the network says 0."
    assert mistake_text(6, 6) is None and mistake_text(None, 3) is None  # right, or a drawing (no label)


def _luminance(colour: str) -> float:
    """WCAG relative luminance of "#RRGGBB"."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_digit_colour_shows_on_the_dark_theme():
    """The app follows the reader's dark theme: a digit's dots, bars and map labels sit on #0E1117 there."""
    dark = _luminance("#0E1117")
    for d, colour in enumerate([*common.DIGIT_COLOURS, common.MARK_GREY]):
        contrast = (_luminance(colour) + 0.05) / (dark + 0.05)
        assert contrast >= 3.0, f"colour {d} ({colour}): {contrast:.2f}:1 on the dark background"
    assert len(set(common.DIGIT_COLOURS)) == 10


def test_lists_of_digits_and_sentence_starts():
    assert common.digits_plural([2, 5]) == "2s and 5s" and common.digits_plural([2, 3, 5]) == "2s, 3s and 5s"
    assert common.digits_plural([5]) == "5s"
    with pytest.raises(ValueError, match="at least one digit"):
        common.digits_plural([])
    assert common.sentence_start("test digit #8 (an 8)") == "Test digit #8 (an 8)"
    assert common.sentence_start("on the 10,000 MNIST test digits") == "On the 10,000 MNIST test digits"  # not "mnist"
    assert common.sentence_start("") == ""


def test_counts_agree_with_their_nouns_and_verbs():
    assert [common.agree(n, "pushes", "push") for n in (0, 1, 2)] == ["push", "pushes", "push"]
    assert [common.count(n, "time") for n in (0, 1, 2, 1_000)] == ["0 times", "1 time", "2 times", "1,000 times"]
    assert common.n_of_k_are(1, 10, "neighbours", 8) == "1 of 10 neighbours is an 8"
    assert common.n_of_k_are(0, 10, "neighbours", 5) == "0 of 10 neighbours are 5s"
    x = np.zeros(784, np.float32)
    x[400] = 1.0
    assert figs.input_summary(x).startswith("784 inputs: 1 carries some ink")


def test_digits_take_the_article_they_are_read_aloud_with():
    assert [common.a_digit(d) for d in range(10)] == [f"a {d}" for d in range(8)] + ["an 8", "a 9"]
    assert common.a_digit(np.int64(8)) == "an 8"  # labels arrive as NumPy integers
    assert figs.mistake_text(8, 3) == "**A mistake:** MNIST labels this digit an 8, and the network says 3."
