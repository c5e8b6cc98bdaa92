"""nnviz.evaluate: confusion matrix against scikit-learn, mistakes, ablation against silencing by hand."""

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion

import nnviz
from nnviz.embed import embed
from nnviz.evaluate import (
    ablation,
    confusion_matrix,
    dead_neurons,
    evaluate,
    firing_rate,
    mean_activation_per_digit,
    probabilities_from_hidden,
)
from nnviz.mlp import MLP, as_input


@pytest.fixture(scope="module")
def real():
    model = nnviz.load_model()
    images, labels = nnviz.load_mnist("test")
    hidden = embed(model, images)
    return model, images, labels, hidden


def test_confusion_matrix_matches_sklearn_and_totals():
    rng = np.random.default_rng(0)
    labels, predictions = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    cm = confusion_matrix(labels, predictions)
    np.testing.assert_array_equal(cm, sk_confusion(labels, predictions, labels=range(10)))
    assert cm.sum() == 500
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(labels, minlength=10))


def test_evaluation_of_the_shipped_model(real):
    model, images, labels, hidden = real
    ev = evaluate(probabilities_from_hidden(model, hidden), labels)
    assert ev.accuracy == pytest.approx(model.accuracy(images, labels))
    assert ev.confusion.sum() == len(labels) == 10_000
    assert ev.n_mistakes == int((ev.predictions != labels).sum())
    for d in range(10):
        mask = labels == d
        assert ev.per_digit[d] == pytest.approx((ev.predictions[mask] == d).mean())
    true, said = ev.worst_confusion()
    off = ev.confusion.copy()
    np.fill_diagonal(off, 0)
    assert true != said and ev.confusion[true, said] == off.max()


def test_probabilities_from_hidden_finish_the_forward_pass(real):
    model, images, _, hidden = real
    np.testing.assert_allclose(
        probabilities_from_hidden(model, hidden[:100]), model.forward(as_input(images[:100])).probabilities, atol=1e-6
    )


def test_mistakes_of_a_cell(real):
    model, _, labels, hidden = real
    ev = evaluate(probabilities_from_hidden(model, hidden), labels)
    true, said = ev.worst_confusion()
    found = ev.mistakes(true, said)
    assert len(found) == ev.confusion[true, said]
    assert np.all(labels[found] == true) and np.all(ev.predictions[found] == said)
    confidence = ev.probabilities[found, said]
    assert np.all(np.diff(confidence) <= 0)  # most confident mistake first
    right = ev.mistakes(3, 3)  # the diagonal: right answers, least sure first
    assert len(right) == ev.confusion[3, 3] and np.all(np.diff(ev.probabilities[right, 3]) >= 0)


def test_no_mistakes():
    probabilities = np.eye(10, dtype=np.float32)
    ev = evaluate(probabilities, np.arange(10))
    assert ev.accuracy == 1.0 and ev.worst_confusion() is None and ev.n_mistakes == 0
    assert len(ev.mistakes(1, 2)) == 0


def _accuracy_without(model: MLP, x: np.ndarray, labels: np.ndarray, j: int) -> float:
    """The oracle: a real forward pass with neuron j zeroed."""
    out = model.forward(x)
    hidden = out.hidden.copy()
    hidden[:, j] = 0.0
    return float(((hidden @ model.W2 + model.b2).argmax(axis=1) == labels).mean())


def test_ablation_equals_silencing_each_neuron_by_hand_small():
    rng = np.random.default_rng(0)
    model = MLP.init(12, seed=1, n_inputs=20, n_outputs=4)
    x = rng.random((300, 20)).astype(np.float32)
    labels = model.predict(x)  # the full model is right everywhere, so every silencing can only cost
    labels[:60] = rng.integers(0, 4, 60)
    hidden = model.forward(x).hidden
    full = float((model.predict(x) == labels).mean())
    drops = ablation(model, hidden, labels, batch=64)
    want = np.array([full - _accuracy_without(model, x, labels, j) for j in range(12)])
    np.testing.assert_allclose(drops, want, atol=1e-12)
    assert np.any(drops != 0)


def test_ablation_on_the_shipped_model(real):
    model, images, labels, hidden = real
    drops = ablation(model, hidden, labels)
    assert drops.shape == (model.sizes[1],)
    x = as_input(images)
    full = model.accuracy(images, labels)
    for j in {int(np.argmax(drops)), int(np.argmin(drops)), 0}:
        assert drops[j] == pytest.approx(full - _accuracy_without(model, x, labels, j), abs=1e-9)


def test_dead_neurons_never_fire_and_cost_nothing():
    rng = np.random.default_rng(0)
    model = MLP.init(6, seed=2, n_inputs=10, n_outputs=3)
    b1 = model.b1.copy()
    b1[[1, 4]] = -1e3  # pushed so far below zero that ReLU always outputs 0
    model = MLP(model.W1, b1, model.W2, model.b2)
    x = rng.random((200, 10)).astype(np.float32)
    hidden = model.forward(x).hidden
    dead = dead_neurons(hidden)
    assert dead.tolist() == [False, True, False, False, True, False]
    assert firing_rate(hidden)[[1, 4]].tolist() == [0.0, 0.0]
    drops = ablation(model, hidden, model.predict(x))
    assert drops[1] == 0 and drops[4] == 0


def test_mean_activation_per_digit_against_a_loop():
    rng = np.random.default_rng(0)
    hidden = rng.random((300, 5)).astype(np.float32)
    labels = rng.integers(0, 9, 300)  # no 9s: that row is NaN
    means = mean_activation_per_digit(hidden, labels)
    assert means.shape == (10, 5)
    for d in range(9):
        np.testing.assert_allclose(means[d], hidden[labels == d].mean(axis=0), rtol=1e-6)
    assert np.all(np.isnan(means[9]))


def test_preferred_digit_ignores_classes_without_digits():
    means = np.array([[0.1, 0.9], [0.5, np.nan], [np.nan, np.nan]])
    from nnviz.evaluate import preferred_digit

    assert preferred_digit(means).tolist() == [1, 0]


def test_a_label_outside_the_classes_is_refused_with_a_message():
    with pytest.raises(ValueError, match="labels must be classes 0-9; found 0 to 10"):
        confusion_matrix(np.array([0, 10]), np.array([0, 1]))
    with pytest.raises(ValueError, match="predictions must be classes 0-9"):
        confusion_matrix(np.array([0, 1]), np.array([-1, 1]))
