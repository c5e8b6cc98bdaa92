"""The Weights page under AppTest: links, the neuron box, and the numbers shown are the live model's."""

from __future__ import annotations

from functools import partial

import app_session
import numpy as np
import pytest
from plotly_json import decode, figure
from streamlit.testing.v1 import AppTest

import nnviz
from nnviz import post
from nnviz.mlp import as_input
from nnviz.ui import Selection


@pytest.fixture(scope="module")
def model():
    return nnviz.load_model()


@pytest.fixture(scope="module")
def test_set():
    return nnviz.load_mnist("test")


open_page = partial(app_session.open_page, "weights")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.header]
    return "\n".join(parts + [w.value for w in at.warning])


def test_opens_with_the_posts_sentence_and_the_default_neuron(model, test_set):
    at = open_page()
    assert at.markdown[0].value.startswith("> " + post.sentence("total connections, each with a learned weight"))
    assert at.title[0].value == "Weights"
    # with no link, the neuron test digit #0 (the default digit) excites most
    expected = int(model.forward(as_input(test_set[0][:1])).hidden[0].argmax())
    assert at.number_input[0].value == expected
    assert at.header[0].value == f"Neuron {expected}"
    assert "The hidden neuron that test digit #0 (a 7) excites most." in texts(at)  # why this one
    assert len(at.get("plotly_chart")) == 7  # W2 twice: across for a wide screen, upright for a phone
    assert not at.warning


def test_a_link_chooses_the_neuron_and_its_numbers_are_the_models(model, test_set):
    at = open_page({"neuron": "5"})
    assert at.number_input[0].value == 5 and at.header[0].value == "Neuron 5"
    assert "excites most" not in texts(at)  # neuron 5 is the link's, not the digit's strongest
    big = figure(at, "neuron_big")
    np.testing.assert_allclose(decode(big["data"][0]["z"]), model.W1[:, 5].reshape(28, 28), rtol=1e-6)
    bars = figure(at, "neuron_out")
    np.testing.assert_allclose(decode(bars["data"][0]["y"]), model.W2[5], rtol=1e-6)
    w2 = figure(at, "w2")
    np.testing.assert_allclose(decode(w2["data"][0]["z"]), model.W2.T, rtol=1e-6)
    np.testing.assert_allclose(decode(figure(at, "w2_upright")["data"][0]["z"]), model.W2, rtol=1e-6)
    # the top digits really are the ones that excite neuron 5 most
    hidden = model.forward(as_input(test_set[0])).hidden[:, 5]
    top = figure(at, "top")
    shown = [float(t) for t in top["layout"]["xaxis"]["ticktext"]]
    np.testing.assert_allclose(shown, np.sort(hidden)[::-1][:8], atol=0.006)
    page = texts(at)
    assert "which matches the network's own" in page


@pytest.mark.parametrize("bad", ["abc", "-1", "128", "5.5"])
def test_a_bad_link_shows_a_notice_and_the_default(bad, model, test_set):
    at = open_page({"neuron": bad})
    assert at.warning, "a malformed ?neuron= must say so"
    expected = int(model.forward(as_input(test_set[0][:1])).hidden[0].argmax())
    assert at.number_input[0].value == expected


def test_the_number_box_picks_a_neuron_and_updates_the_link():
    at = open_page({"neuron": "5"})
    at.number_input[0].set_value(9)
    at.run()
    assert not at.exception
    assert at.header[0].value == "Neuron 9"
    assert at.query_params["neuron"] in ("9", ["9"])
    at.run()  # and it stays on a plain rerun
    assert at.header[0].value == "Neuron 9"


def test_weight_times_input_for_the_readers_drawing(model):
    x = np.zeros(784, np.float32)
    x[14 * 28 + 5 : 14 * 28 + 23] = 1.0  # a horizontal bar
    at = open_page({"neuron": "3"}, state={"drawing": Selection(x, "drawing")})
    terms = figure(at, "neuron_terms")
    np.testing.assert_allclose(decode(terms["data"][0]["z"]), (x * model.W1[:, 3]).reshape(28, 28), atol=1e-6)
    z = float(x @ model.W1[:, 3] + model.b1[3])
    page = texts(at)
    assert "your drawing" in page and f"z = {z:+.4f}" in page and "which matches" in page


def test_the_readers_own_model_is_shown(test_set):
    mine = nnviz.MLP.init(seed=7)
    at = open_page({"neuron": "2"}, state={"user_model": mine})
    big = figure(at, "neuron_big")
    np.testing.assert_allclose(decode(big["data"][0]["z"]), mine.W1[:, 2].reshape(28, 28), rtol=1e-6)
