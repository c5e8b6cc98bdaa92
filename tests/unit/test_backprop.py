"""One step of backpropagation on one digit: the identity it teaches, the step, and the untouched original."""

import numpy as np
import pytest

import nnviz
from nnviz.backprop import backprop_step, rank_neurons
from nnviz.mlp import MLP, as_input


@pytest.fixture(scope="module")
def digits():
    images, labels = nnviz.load_mnist("test")
    return as_input(images[:20]), labels[:20]


@pytest.fixture(scope="module")
def shipped():
    model = nnviz.load_model()
    for p in model.params().values():
        p.flags.writeable = False  # as the app holds it: shared and read-only
    return model


def small_net(seed=0, hidden=16):
    net = MLP.init(hidden, seed=seed)
    net.b1[:] = np.random.default_rng(seed + 1).normal(0, 0.05, hidden)
    return net


def test_weight_gradient_is_the_drawing_scaled_by_the_error_signal(digits):
    x, y = digits
    step = backprop_step(small_net(), x[0], int(y[0]), lr=0.1, top=5)
    dz1 = step.dz1
    # every column, not only the ones shown: dL/dW1[:, j] = x * dz1[j]
    np.testing.assert_allclose(step.gradients.W1, np.outer(step.x, dz1), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(step.dW1, step.x[None, :] * dz1[step.neurons][:, None], rtol=1e-6, atol=1e-9)
    assert step.identity_error < 1e-7
    # blank pixels get no gradient at all
    assert np.all(step.gradients.W1[step.x == 0] == 0)
    # neurons that did not fire pass no error back
    assert np.all(dz1[step.z1 <= 0] == 0)


def test_output_error_is_p_minus_one_hot(digits):
    x, _y = digits
    model = small_net(2)
    step = backprop_step(model, x[1], 4)
    onehot = np.eye(10)[4]
    np.testing.assert_allclose(step.output_error, step.probabilities - onehot, atol=1e-7)
    np.testing.assert_allclose(step.probabilities, model.forward(x[1:2]).probabilities[0], atol=1e-7)
    assert step.output_error.sum() == pytest.approx(0.0, abs=1e-6)
    assert step.loss == pytest.approx(-np.log(step.probabilities[4]), rel=1e-6)


def test_neurons_are_ranked_by_error_signal_and_by_gradient_norm(digits):
    x, y = digits
    step = backprop_step(small_net(3), x[2], int(y[2]), top=6)
    magnitude = np.abs(step.dz1[step.neurons])
    assert np.all(np.diff(magnitude) <= 0)
    assert magnitude[0] == np.abs(step.dz1).max()
    norms = np.linalg.norm(step.gradients.W1, axis=0)
    assert set(step.neurons) == set(np.argsort(-norms)[:6])
    assert list(rank_neurons(np.array([0.1, -0.5, 0.0, 0.3]), 2)) == [1, 3]
    assert len(rank_neurons(np.zeros(3), 10)) == 3


@pytest.mark.parametrize("label", [0, 3, 7, 9])
def test_a_small_step_lowers_the_loss_on_that_digit(digits, label):
    x, _ = digits
    step = backprop_step(small_net(4), x[3], label, lr=0.01)
    assert step.loss_after < step.loss
    assert step.probabilities_after[label] > step.probabilities[label]
    np.testing.assert_allclose(step.probabilities_after.sum(), 1.0, atol=1e-5)


def test_a_small_step_lowers_the_loss_even_on_a_digit_the_network_is_sure_of(shipped, digits):
    x, y = digits
    # test digit #0, a 7, p = 0.99998: the step moves p by less than float32 resolves near 1,
    # so -log p worked out from p read the same before and after
    step = backprop_step(shipped, x[0], int(y[0]), lr=0.01)
    assert 0 < step.loss_after < step.loss < 1e-4


def test_the_step_is_plain_sgd_on_a_copy(digits):
    x, y = digits
    model = small_net(5)
    before = {k: v.copy() for k, v in model.params().items()}
    step = backprop_step(model, x[4], int(y[4]), lr=0.5)
    for name, grad in step.gradients.params().items():
        np.testing.assert_array_equal(getattr(model, name), before[name])  # the original: untouched
        np.testing.assert_allclose(getattr(step.model_after, name), before[name] - 0.5 * grad, atol=1e-6)
    np.testing.assert_allclose(step.update, -0.5 * step.dW1)
    np.testing.assert_array_equal(step.weights, before["W1"][:, step.neurons].T)


def test_the_shipped_model_is_untouched(shipped, digits):
    x, y = digits
    snapshot = {k: v.copy() for k, v in shipped.params().items()}
    step = backprop_step(shipped, x[0], (int(y[0]) + 1) % 10, lr=1.0)
    assert step.loss_after < step.loss
    for name, value in shipped.params().items():
        np.testing.assert_array_equal(value, snapshot[name])
        assert not value.flags.writeable
    assert step.model_after.W1.flags.writeable


def test_bad_arguments_are_refused(digits):
    x, _ = digits
    with pytest.raises(ValueError, match="label"):
        backprop_step(small_net(), x[0], 10)
    with pytest.raises(ValueError, match="lr"):
        backprop_step(small_net(), x[0], 1, lr=0.0)


def test_a_blank_input_has_no_first_layer_gradient():
    net = small_net()
    net.b1[:] = -1.0  # nothing fires on a blank image
    step = backprop_step(net, np.zeros(784, np.float32), 2, top=4)
    assert step.active == 0
    assert not np.any(step.gradients.W1)
    assert step.identity_error == 0.0


def test_only_neurons_that_fired_are_shown_and_a_silent_layer_passes_nothing(digits):
    x, y = digits
    net = small_net(3)
    net.b1[:] = -1000.0  # nothing fires (a "dead" layer, as a far too large learning rate leaves one)
    net.b1[5] = 1000.0  # ... but one neuron
    step = backprop_step(net, x[0], int(y[0]), top=4)
    assert list(step.neurons) == [5] and step.active == 1  # not three silent neurons with dz1 = 0 beside it
    net.b1[5] = -1000.0
    step = backprop_step(net, x[0], int(y[0]), top=4)
    assert len(step.neurons) == 0 and step.active == 0
    g = step.gradients
    assert not g.W1.any() and not g.b1.any() and not g.W2.any()  # h = 0: no gradient past the output biases
    np.testing.assert_allclose(g.b2, step.output_error)
    assert step.changed == 10  # the step moves the 10 output biases only
