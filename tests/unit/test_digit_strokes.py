"""The browser tests' handwriting (tests/browser/helpers.py: digit_strokes) is read correctly by the model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import nnviz

HELPERS = Path(__file__).resolve().parents[1] / "browser" / "helpers.py"
_spec = importlib.util.spec_from_file_location("browser_helpers", HELPERS)
helpers = importlib.util.module_from_spec(_spec)
sys.modules["browser_helpers"] = helpers  # dataclasses look their module up there
_spec.loader.exec_module(helpers)


@pytest.fixture(scope="module")
def model():
    return nnviz.load_model()


@pytest.mark.parametrize("digit", range(10))
def test_digit_strokes_are_recognised(model, digit):
    image = helpers.render_strokes(helpers.digit_strokes(digit))
    assert image.shape == (280, 280, 4) and image.dtype == np.uint8
    prep = nnviz.preprocess(image)
    assert prep.ok, prep.message
    probabilities = model.forward(prep.input[None]).probabilities[0]
    assert probabilities.argmax() == digit, f"{digit} read as {probabilities.argmax()} ({probabilities.round(2)})"


@pytest.mark.parametrize("digit", range(10))
def test_digit_strokes_stay_on_the_canvas(digit):
    points = np.concatenate([np.asarray(s) for s in helpers.digit_strokes(digit)])
    assert points.min() >= 30 and points.max() <= 250  # room for the 18-px pen inside 280x280


def test_unknown_digit():
    with pytest.raises(ValueError):
        helpers.digit_strokes(10)


def test_the_cross_is_unlike_the_test_digits_and_the_digits_are_not(model):
    """The browser tests' scribble gets the Draw page's caution; their handwritten digits do not."""
    from nnviz.embed import CosineIndex, embed, familiarity, nearest_similarities
    from nnviz.figures.embeddings import UNFAMILIAR

    index = CosineIndex(embed(model, nnviz.load_mnist("test")[0]))
    reference = nearest_similarities(index)

    def share_closer(strokes) -> float:
        x = nnviz.preprocess(helpers.render_strokes(strokes)).input
        return familiarity(index, reference, embed(model, x[None])[0]).share_closer

    assert share_closer(helpers.CROSS) >= UNFAMILIAR
    # the digits, with a margin: the shipped network puts the stroked 4 at about 0.90
    assert max(share_closer(helpers.digit_strokes(d)) for d in range(10)) < 0.95 < UNFAMILIAR
