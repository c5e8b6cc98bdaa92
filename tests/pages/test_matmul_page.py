"""The Matrix multiplication page under AppTest: shapes, counts and slices from the live model; timings shown."""

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


open_page = partial(app_session.open_page, "matmul")


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.header])


@pytest.fixture(scope="module")
def page():
    return open_page()


def test_opens_with_the_posts_sentence_and_the_shapes(page, model):
    at = page
    assert at.markdown[0].value.startswith("> " + post.sentence("This is due to matrix multiplication"))
    assert at.title[0].value == "Matrix multiplication"
    latex = at.get("latex")[0].proto.body
    assert r"784\times128" in latex and r"128\times10" in latex
    # in words before the symbols: the paragraph that says them comes right before the equations
    order = [type(e).__name__ for e in at.main if type(e).__name__ in ("Markdown", "Latex")]
    words = next(i for i, m in enumerate(at.markdown) if m.value.startswith("The whole network, in words:"))
    assert order.index("Latex") == [i for i, k in enumerate(order) if k == "Markdown"][words] + 1
    text = texts(at)
    assert "**100,352** multiply-adds" in text and "**1,280**" in text and "**101,632** in all" in text
    assert text.count("✓ the same as the network's own") == 2


def test_the_slices_are_test_digit_0s(page, model):
    images, _ = nnviz.load_mnist("test")
    x = as_input(images[:1])
    out = model.forward(x)
    layer1 = figure(page, "layer1")
    results = decode(layer1["data"][2]["z"])
    neurons = [int(s[1:]) for s in layer1["data"][1]["x"]]
    assert neurons == list(np.argsort(-out.hidden[0], kind="stable")[:5])
    np.testing.assert_allclose(results[1], out.z1[0, neurons], rtol=1e-5)
    layer2 = figure(page, "layer2")
    np.testing.assert_allclose(decode(layer2["data"][2]["z"])[2], out.probabilities[0], rtol=1e-5)


def test_timings_are_measured_and_shown(page):
    labels = [m.label for m in page.metric]
    assert labels == ["Python loops, 1 digit", "NumPy, 1 digit", "NumPy, 10,000 digits"]
    assert all(m.value.endswith(" ms") for m in page.metric)
    speed = page.session_state["speed"]
    assert speed.batch_size == 10_000 and speed.same_prediction
    assert f"{speed.speedup:,.0f}× faster" == page.metric[1].delta
    assert "give the same digit" in texts(page)


def test_measure_again(page):
    before = page.session_state["speed"]
    page.button[0].click().run()
    assert not page.exception
    assert page.session_state["speed"] is not before


def test_a_drawing_and_the_readers_own_model(model):
    x = np.zeros(784, np.float32)
    x[100:110] = 1.0
    mine = nnviz.MLP.init(seed=11)
    at = open_page(state={"drawing": Selection(x, "drawing"), "user_model": mine})
    out = mine.forward(x[None])
    layer1 = figure(at, "layer1")
    assert [s for s in layer1["data"][1]["y"]][:5] == [f"px {i}" for i in range(100, 105)]
    results = decode(layer1["data"][2]["z"])
    neurons = [int(s[1:]) for s in layer1["data"][1]["x"]]
    np.testing.assert_allclose(results[1], out.z1[0, neurons], rtol=1e-5)
    assert "your drawing" in texts(at)
