"""nnviz.explain: the active set makes the network linear; the parts add up to the logit."""

import numpy as np
import pytest

import nnviz
from nnviz.explain import contrast, explain, strongest_paths
from nnviz.mlp import MLP


@pytest.fixture(scope="module")
def shipped():
    return nnviz.load_model()


@pytest.fixture(scope="module")
def digits():
    images, labels = nnviz.load_mnist("test")
    return images[:20].reshape(20, -1).astype(np.float32) / 255.0, labels[:20]


def test_parts_add_up_to_the_logit(shipped, digits):
    for x in digits[0]:
        e = explain(shipped, x)
        logit = float(shipped.forward(x[None]).logits[0, e.target])
        assert e.logit == pytest.approx(logit)
        assert float(e.contributions.astype(np.float64).sum()) + e.output_bias == pytest.approx(logit, abs=1e-4)
        assert float(e.attribution.astype(np.float64).sum()) + e.b_eff == pytest.approx(logit, abs=1e-4)
        assert all(c.ok() for c in e.checks())


def test_default_target_is_the_answer_and_any_digit_can_be_explained(shipped, digits):
    x = digits[0][0]
    e = explain(shipped, x)
    assert e.target == e.prediction == int(shipped.predict(x[None])[0])
    for c in range(10):
        assert all(check.ok() for check in explain(shipped, x, c).checks())
    with pytest.raises(ValueError, match="digit"):
        explain(shipped, x, 10)


def test_silent_neurons_contribute_exactly_zero(shipped, digits):
    e = explain(shipped, digits[0][1])
    assert np.all(e.contributions[~e.active] == 0)
    assert np.array_equal(e.active, e.hidden > 0)
    assert 0 < e.active.sum() < len(e.active)


def test_effective_weights_are_the_exact_linear_function_near_x(shipped, digits):
    """Move x a little without changing which neurons fire: the logit follows x' · w_eff + b_eff exactly."""
    x = digits[0][2]
    e = explain(shipped, x)
    rng = np.random.default_rng(0)
    margin = float(np.abs(shipped.forward(x[None]).z1).min())  # how far the nearest neuron is from switching
    for _ in range(5):
        d = rng.normal(0, 1, x.shape).astype(np.float32)
        step = 0.5 * margin / float(np.abs(d @ shipped.W1).max())  # small enough that no z1 changes sign
        x2 = x + step * d
        out = shipped.forward(x2[None])
        assert np.array_equal(out.z1[0] > 0, e.active)  # still the same linear piece
        predicted = float(x2.astype(np.float64) @ e.w_eff.astype(np.float64)) + e.b_eff
        assert predicted == pytest.approx(float(out.logits[0, e.target]), abs=1e-4)


def test_effective_weights_are_the_gradient():
    """w_eff is d logit / d x: check against central finite differences in float64 on a small network."""
    model = MLP.init(7, seed=3, n_inputs=6, n_outputs=3)
    x = np.random.default_rng(1).random(6).astype(np.float32)
    e = explain(model, x, 1)
    W1, b1, W2, b2 = (p.astype(np.float64) for p in model.params().values())

    def logit(v):
        return (np.maximum(v @ W1 + b1, 0) @ W2 + b2)[1]

    h = 1e-6
    grad = [(logit(x + h * np.eye(6)[i]) - logit(x - h * np.eye(6)[i])) / (2 * h) for i in range(6)]
    np.testing.assert_allclose(e.w_eff, grad, rtol=1e-4, atol=1e-6)


def test_blank_input_is_all_bias(shipped):
    e = explain(shipped, np.zeros(784, dtype=np.float32))
    assert np.all(e.attribution == 0)
    assert e.b_eff == pytest.approx(e.logit, abs=1e-5)


def test_a_broken_explanation_fails_its_check(shipped, digits):
    e = explain(shipped, digits[0][3])
    e.contributions = e.contributions * 1.1  # the check must be able to fail
    assert not e.checks()[0].ok() and e.checks()[1].ok()


# --- the strongest paths, for drawing the network -------------------------------------


def test_strongest_paths_are_the_largest_terms_of_both_layers(shipped, digits):
    for x in digits[0][:5]:
        out = shipped.forward(x[None])
        target = int(out.probabilities[0].argmax())
        paths = strongest_paths(shipped, x, neurons=5, pixels=4)
        # by brute force: every hidden neuron's share of the logit, the fired ones ranked by size
        share = out.hidden[0] * shipped.W2[:, target]
        fired = np.flatnonzero(out.hidden[0] > 0)
        ranked = fired[np.argsort(-np.abs(share[fired]), kind="stable")]
        np.testing.assert_array_equal(paths.neurons, ranked[:5])
        np.testing.assert_allclose(paths.contributions, share[ranked[:5]], rtol=1e-6)
        assert paths.target == target and paths.n_active == len(fired)
        assert paths.active_total == pytest.approx(float(out.logits[0, target] - shipped.b2[target]), abs=1e-4)
        for row, j in enumerate(paths.neurons):
            terms = x * shipped.W1[:, j]  # all 784 terms of the neuron's sum
            largest = np.sort(np.abs(terms))[::-1][:4]
            np.testing.assert_allclose(np.abs(paths.terms[row]), largest, rtol=1e-6)
            np.testing.assert_allclose(paths.terms[row], terms[paths.pixels[row]], rtol=1e-6)


def test_strongest_paths_pad_when_few_pixels_carry_ink_and_are_empty_when_nothing_fires(shipped):
    x = np.zeros(784, np.float32)
    x[[300, 301]] = 1.0  # two inked pixels, three asked for
    paths = strongest_paths(shipped, x, pixels=3)
    assert (paths.pixels[:, 2] == -1).all() and (paths.terms[:, 2] == 0).all()
    assert set(paths.pixels[:, :2].ravel()) <= {300, 301}
    silent = MLP(shipped.W1, np.full_like(shipped.b1, -100.0), shipped.W2, shipped.b2)
    nothing = strongest_paths(silent, x)
    assert nothing.n_active == 0 and len(nothing.neurons) == 0 and nothing.pixels.shape == (0, 3)
    assert nothing.active_total == 0.0


def test_the_contrast_of_two_scores_adds_up_and_is_what_decides(shipped):
    x = nnviz.load_mnist("test")[0][104].reshape(-1).astype(np.float32) / 255.0  # a 9 it is unsure of (then 5)
    logits = shipped.forward(x[None]).logits[0]
    a, b = (int(d) for d in np.argsort(-logits)[:2])
    c = contrast(shipped, x, a, b)
    assert (c.a, c.b) == (a, b) and c.gap == pytest.approx(float(logits[a] - logits[b]), abs=1e-5)
    assert c.check().ok(1e-4)
    # a pixel's share of the difference is its share of a's score less its share of b's
    np.testing.assert_allclose(c.attribution, explain(shipped, x, a).attribution - explain(shipped, x, b).attribution)
    # and it is what softmax sees: adding the same to every score changes no probability, and no difference
    moved = shipped.copy()
    moved.b2 += 3.0
    assert contrast(moved, x, a, b).gap == pytest.approx(c.gap, abs=1e-5)
    assert explain(moved, x, a).logit == pytest.approx(float(logits[a]) + 3.0, abs=1e-4)


def test_contrast_summary_names_the_pixels_that_turn():
    from nnviz.explain import Contrast
    from nnviz.figures.why import contrast_summary

    x = np.zeros(784, np.float32)
    x[:3] = 1.0
    c = Contrast(
        a=7,
        b=9,
        attribution=np.r_[np.array([2.0, -0.5, -0.25], np.float32), np.zeros(781, np.float32)],
        bias=0.5,
        gap=1.75,
        own=np.r_[np.array([3.0, 1.0, -1.0], np.float32), np.zeros(781, np.float32)],
    )
    text = contrast_summary(c, x)
    assert text.startswith("Score of 7 minus score of 9: +1.75. Pixels for 7 over 9 add +2.00, pixels for 9 add -0.75")
    assert "and the biases +0.50." in text
    # pixel 1 is red for 7's own score and blue here: it raises 7, but 9 more
    assert text.endswith(
        "One inked pixel red on the map of 7's own score is blue here: it raises the score of 7, but that of 9 more."
    )
