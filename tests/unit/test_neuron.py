"""One hidden neuron up close: top digits and the weight x input sum, against the network's own forward pass."""

from __future__ import annotations

import numpy as np
import pytest

import nnviz
from nnviz.mlp import MLP, as_input
from nnviz.neuron import NeuronResponse, hidden_activations, respond, top_digits


@pytest.fixture(scope="module")
def model():
    m = MLP.init(seed=1)
    m.b1 = np.random.default_rng(4).normal(0, 0.5, m.b1.shape)  # non-zero biases, so the sum must include them
    return m


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(2).integers(0, 256, (23, 28, 28)).astype(np.uint8)


def test_hidden_activations_match_forward_across_batches(model, images):
    expected = model.forward(as_input(images)).hidden
    got = hidden_activations(model, images, batch=7)  # 23 = 3 full batches + 2
    assert got.shape == (23, model.sizes[1]) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_top_digits_against_a_full_sort():
    hidden = np.random.default_rng(3).random((50, 6)).astype(np.float32)
    hidden[:, 2] = 0.0  # a dead neuron: ties everywhere
    top = top_digits(hidden, k=5)
    assert top.indices.shape == (6, 5) and top.activations.shape == (6, 5)
    for j in (0, 1, 3, 5):
        ref = np.argsort(hidden[:, j])[::-1][:5]
        np.testing.assert_array_equal(top.indices[j], ref)
        np.testing.assert_array_equal(top.activations[j], hidden[ref, j])
    np.testing.assert_array_equal(top.indices[2], np.arange(5))  # ties: lowest index first
    assert top_digits(hidden, k=100).indices.shape == (6, 50)


def test_respond_writes_out_the_sum(model):
    x = np.zeros(784, np.float32)
    x[300:340] = np.linspace(0.1, 1.0, 40)
    for j in (0, 17, model.sizes[1] - 1):
        r = respond(model, x, j)
        assert r.terms.shape == (784,)
        assert (r.terms[x == 0] == 0).all() and r.n_active_pixels <= 40
        np.testing.assert_allclose(r.terms, x * model.W1[:, j], rtol=1e-6)
        assert r.z == pytest.approx(float(r.terms.sum()) + float(model.b1[j]))
        assert r.agrees and r.z_network == pytest.approx(r.z, abs=1e-4)
        assert r.activation == max(0.0, r.z_network)


def test_respond_on_the_shipped_model_and_a_real_digit():
    model = nnviz.load_model()
    images, _ = nnviz.load_mnist("test")
    x = as_input(images[:1])[0]
    hidden = model.forward(x[None]).hidden[0]
    j = int(hidden.argmax())
    r = respond(model, x, j)
    assert r.agrees and r.activation == pytest.approx(float(hidden[j]), rel=1e-5)


def test_a_mismatch_is_reported():
    r = NeuronResponse(0, np.zeros(784), 0.0, z=1.0, z_network=1.5, activation=1.5)
    assert not r.agrees


def test_respond_rejects_a_missing_neuron(model):
    with pytest.raises(IndexError):
        respond(model, np.zeros(784), model.sizes[1])
    with pytest.raises(IndexError):
        respond(model, np.zeros(784), -1)
