"""Canvas or photo -> the 28x28 MNIST-style input, checked against MNIST itself."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import nnviz
from nnviz.preprocess import MIN_LENGTH_OVER_WIDTH, length_over_width, preprocess, to_ink


def canvas_from_digit(digit, size=280, box=(40, 60, 200, 200), invert=False, alpha=False):
    """An MNIST digit drawn large on a canvas: white on black RGBA (or black on white, or on transparent)."""
    top, left, h, w = box
    big = np.asarray(Image.fromarray(digit).resize((w, h), Image.Resampling.BILINEAR))
    grey = np.zeros((size, size), np.uint8)
    grey[top : top + h, left : left + w] = big
    if alpha:
        return np.dstack([np.full_like(grey, 255)] * 3 + [grey])  # white ink, opacity = ink
    if invert:
        grey = 255 - grey
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


@pytest.fixture(scope="module")
def test_digits():
    images, labels = nnviz.load_mnist("test")
    return images[:60], labels[:60]


def test_output_is_mnist_shaped(test_digits):
    prep = preprocess(canvas_from_digit(test_digits[0][0]))
    assert prep.ok and prep.input.shape == (784,) and prep.input.dtype == np.float32
    assert 0.0 <= prep.input.min() and prep.input.max() <= 1.0
    assert max(prep.scaled.shape) == 20
    cy, cx = ndimage.center_of_mass(prep.centred)
    assert abs(cy - 14.0) <= 0.5 and abs(cx - 14.0) <= 0.5  # where MNIST puts it
    assert prep.cropped.shape == (prep.bbox[1] - prep.bbox[0], prep.bbox[3] - prep.bbox[2])


def test_upscaled_mnist_digits_come_back_as_themselves(test_digits):
    images = test_digits[0]
    model = nnviz.load_model()
    recovered = np.stack([preprocess(canvas_from_digit(d)).input for d in images])
    original = images.reshape(len(images), -1) / 255.0
    corr = [np.corrcoef(a, b)[0, 1] for a, b in zip(recovered, original, strict=True)]
    assert np.median(corr) > 0.85
    agree = (model.predict(recovered) == model.predict(original)).mean()
    assert agree >= 0.95


def test_polarity_and_alpha_give_the_same_input(test_digits):
    digit = test_digits[0][3]
    white_on_black = preprocess(canvas_from_digit(digit)).input
    black_on_white = preprocess(canvas_from_digit(digit, invert=True)).input
    on_transparent = preprocess(canvas_from_digit(digit, alpha=True)).input
    np.testing.assert_allclose(black_on_white, white_on_black, atol=0.02)
    np.testing.assert_allclose(on_transparent, white_on_black, atol=0.02)


def test_any_size_and_format(test_digits):
    digit = test_digits[0][5]
    wide = canvas_from_digit(digit, size=600, box=(100, 400, 300, 120))[..., 0]  # 2-D grey, off-centre
    assert preprocess(wide).ok
    assert preprocess(wide.astype(np.float32) / 255).ok  # float input
    rgb = canvas_from_digit(digit, size=90, box=(10, 10, 60, 60))[..., :3]
    assert preprocess(rgb).ok
    # the same pixels as other integer types: a nested list of ints (int64), int32, uint16 scaled up
    as_uint8 = preprocess(wide).input
    np.testing.assert_array_equal(preprocess(wide.tolist()).input, as_uint8)
    np.testing.assert_array_equal(preprocess(wide.astype(np.int32)).input, as_uint8)
    np.testing.assert_allclose(preprocess(wide.astype(np.uint16) * 257).input, as_uint8, atol=1e-6)
    assert preprocess(wide > 127).ok  # a bool mask: ink or not


def test_integers_outside_0_255_are_refused_with_a_message():
    with pytest.raises(ValueError, match="must hold 0-255; it holds -1 to 255"):
        to_ink(np.array([[-1, 0], [255, 3]]))
    with pytest.raises(ValueError, match="must hold 0-255"):
        to_ink(np.full((4, 4), 1000, dtype=np.int32))


def test_position_on_the_canvas_does_not_matter(test_digits):
    digit = test_digits[0][7]
    a = preprocess(canvas_from_digit(digit, box=(10, 10, 120, 120))).input
    b = preprocess(canvas_from_digit(digit, box=(150, 150, 120, 120))).input
    np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((280, 280, 4), np.uint8),  # untouched canvas (transparent)
        np.dstack([np.zeros((280, 280), np.uint8)] * 3 + [np.full((280, 280), 255, np.uint8)]),  # black canvas
        np.full((280, 280), 255, np.uint8),  # white paper
    ],
    ids=["transparent", "black", "white"],
)
def test_empty_canvas_is_no_digit(image):
    prep = preprocess(image)
    assert not prep.ok and prep.input is None and "Draw a digit" in prep.message


def test_a_dot_is_no_digit():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[140:146, 140:146] = 255
    prep = preprocess(canvas)
    assert not prep.ok and "Draw a digit" in prep.message


def _pen(points, width: float, size: int = 280) -> np.ndarray:
    """A canvas with the pen's round tip pressed at each point (a tap is one point)."""
    yy, xx = np.mgrid[:size, :size]
    canvas = np.zeros((size, size), np.uint8)
    for y, x in points:
        canvas[(yy - y) ** 2 + (xx - x) ** 2 <= (width / 2) ** 2] = 255
    return canvas


@pytest.mark.parametrize("width", [8, 18, 30, 40])
@pytest.mark.parametrize("where", [(140, 140), (20, 260), (270, 10)])
def test_a_tap_of_any_pen_is_only_a_dot(width, where):
    # a tap, and a tap whose finger slid a few pixels
    for slide in (0, 4):
        prep = preprocess(_pen([where, (where[0] + slide, where[1] - slide)], width))
        assert not prep.ok and prep.message.startswith("Draw a digit: that is only a dot")


def test_a_short_stroke_is_not_a_dot():
    dash = _pen([(140, x) for x in range(110, 171, 3)], 18)  # 79 x 19 px: a mark, if not much of a digit
    assert length_over_width(dash > 0) == pytest.approx(79 / 19, rel=0.06)
    assert preprocess(dash).ok


def test_mnist_digits_are_longer_than_their_strokes_are_wide():
    images, _ = nnviz.load_mnist("test")
    ratios = np.array([length_over_width(im >= 0.2 * 255) for im in images])
    assert (ratios >= MIN_LENGTH_OVER_WIDTH).all()
    assert 4 < np.median(ratios) < 5


def test_bad_shapes_raise_value_error():
    for bad in (np.zeros((5,)), np.zeros((4, 4, 2)), np.zeros((0, 0))):
        with pytest.raises(ValueError):
            to_ink(bad)


def test_photo_mode_ignores_paper_texture():
    rng = np.random.default_rng(0)
    paper = np.clip(200 + rng.normal(0, 8, (300, 300)) + np.linspace(0, 40, 300)[None], 0, 255)  # grain + shadow
    paper[80:220, 140:155] = 30  # a dark pen stroke: a "1"
    prep = preprocess(paper.astype(np.uint8), photo=True)
    assert prep.ok
    assert prep.bbox[0] >= 75 and prep.bbox[1] <= 225  # the box hugs the stroke, not the noise


def rgba(grey: np.ndarray) -> np.ndarray:
    """A canvas's image_data: opaque RGBA, the grey level in each colour channel."""
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)]).astype(np.uint8)


def test_a_canvas_more_than_half_inked_is_read_with_the_canvas_polarity():
    grey = np.zeros((280, 280), np.uint8)
    grey[:188] = 255  # white ink over the top two thirds: the median pixel is ink
    guessed = preprocess(rgba(grey))
    assert guessed.bbox == (188, 280, 0, 280)  # "auto" takes the black strip for the ink
    known = preprocess(rgba(grey), ink="light")
    assert known.ok and known.bbox == (0, 188, 0, 280)  # the canvas says: the white is the ink
    assert preprocess(rgba(255 - grey), ink="dark").bbox == (0, 188, 0, 280)


def test_a_canvas_scribbled_all_over_is_not_a_digit():
    grey = np.full((280, 280), 255, np.uint8)
    grey[::40, ::40] = 0  # a few specks of black left
    prep = preprocess(rgba(grey), ink="light")
    assert not prep.ok
    assert prep.message == (
        "Draw a digit: that covers 100% of the canvas. Clear it and draw one digit, with dark space around it."
    )
    with pytest.raises(ValueError, match="ink must be one of"):
        preprocess(rgba(grey), ink="white")
