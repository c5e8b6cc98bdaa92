"""Every page on a network whose hidden neurons have died: true sentences, not nonsense about zeros.

Adam at the Learn page's largest learning rate (1.0) leaves 123 of 128 neurons dead
and 9,914 of the 10,000 test digits firing none.  Here the same state, made exactly:
the shipped weights with every hidden bias at -1000, so no neuron fires for any digit.
"""

from __future__ import annotations

import numpy as np
import pytest
from app_session import open_page

import nnviz
import nnviz.ui


@pytest.fixture(scope="module")
def dead():
    model = nnviz.load_model().copy()
    model.b1 = np.full(128, -1000.0)
    model.meta["test_accuracy"] = 0.1  # what the Learn page would record; the sidebar shows it
    return model


def open_dead(page: str, model):
    return open_page(page, state={"user_model": model, "drawing": nnviz.ui.sample_selection(1)}, timeout=60)


def texts(at) -> str:
    return " ".join(e.value for kind in (at.caption, at.markdown, at.info) for e in kind)


def test_embeddings_has_no_neighbours_for_a_zero_vector(dead):
    at = open_dead("embeddings", dead)
    text = texts(at)
    assert "its embedding is 128 zeros" in text and "no nearest neighbours" in text  # st.info
    assert "no hidden neuron fired for it, so its embedding is all zeros" in text  # the map's caption
    assert "No vote" in text and "embedding neighbours and" not in text  # no count of arbitrary "neighbours"
    assert "nearest neighbour is a" not in text
    # every embedding is the zero vector: no variance to keep, no neighbourhoods to count
    assert "all 10,000 are the same vector: they vary in no direction, so the map is a single point" in text
    assert "% of the variance" not in text and "nearest neighbours in the full space" not in text


def test_why_says_the_logit_is_the_bias_alone(dead):
    at = open_dead("why", dead)
    text = texts(at)
    assert "None of the 128 neurons fired, so every one adds exactly 0" in text
    assert "no hidden neuron fired, so w_eff is 0 at every pixel" in text and "+0.00 and +0.00" not in text
    assert "lands on the forward pass's numbers, exactly." in text  # not "a gap of 0.0e+00 is float32 rounding"
    assert "None of its 128 hidden neurons fired; ReLU zeroes them all." in text


def test_matmul_writes_the_bias_alone(dead):
    text = texts(open_dead("matmul", dead))
    assert "all 128 terms are 0 × something, so the bias is all there is" in text and "+  =" not in text


def test_learn_says_no_error_gets_past_the_hidden_layer(dead):
    text = texts(open_dead("learn", dead))
    assert "None of the 128 hidden neurons fired, so no error gets past them" in text
    assert "Largest error signals" not in text and "The update for neuron" not in text


def test_neurons_and_weights_call_dead_neurons_dead(dead):
    text = texts(open_dead("neurons", dead))
    assert "Silencing any one of the 128 neurons loses no test digit" in text and "costs the most" not in text
    assert "No neuron fires for any test digit." in text and "prefer 0s" not in text
    assert "it fires for none of the test digits" in text
    text = texts(open_dead("weights", dead))
    assert "No test digit makes neuron 0 fire" in text and "fire hardest" not in text


def test_draw_draws_no_paths(dead):
    at = open_dead("draw", dead)
    text = texts(at)
    assert "No hidden neuron fired, so no path reaches the outputs" in text
    assert "Red adds, blue subtracts" not in text  # no legend for lines that are not there
