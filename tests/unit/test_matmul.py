"""The forward pass as matrix products: slices, worked sums and the speed test, against the model itself."""

from __future__ import annotations

import numpy as np
import pytest

import nnviz
from nnviz.figures import matmul as figs
from nnviz.matmul import SpeedTest, speed_test, trace, worked_sum
from nnviz.mlp import MLP, as_input


@pytest.fixture(scope="module")
def model():
    m = MLP.init(seed=3)
    m.b1 = np.random.default_rng(5).normal(0, 0.1, m.b1.shape)
    m.b2 = np.random.default_rng(6).normal(0, 0.1, m.b2.shape)
    return m


@pytest.fixture(scope="module")
def digit():
    images, _ = nnviz.load_mnist("test")
    return as_input(images[:1])[0]


def test_trace_slices_are_the_models_numbers(model, digit):
    t = trace(model, digit, k=4, m=3)
    out = model.forward(digit[None])
    # the 4 inkiest pixels, in pixel order; the 3 most active neurons, strongest first
    assert list(t.pixels) == sorted(np.argsort(-digit, kind="stable")[:4])
    assert list(t.neurons) == list(np.argsort(-out.hidden[0], kind="stable")[:3])
    assert t.W1.shape == (784, 128) and t.W2.shape == (128, 10) and t.x.shape == (1, 784)
    np.testing.assert_array_equal(t.W1.values, model.W1[np.ix_(t.pixels, t.neurons)])
    np.testing.assert_array_equal(t.x.values[0], digit[t.pixels])
    np.testing.assert_allclose(t.z1.values[0], out.z1[0, t.neurons])
    np.testing.assert_allclose(t.hidden.values[0], out.hidden[0, t.neurons])
    np.testing.assert_array_equal(t.W2.values, model.W2[t.neurons])
    np.testing.assert_allclose(t.probabilities.values[0], out.probabilities[0])
    assert t.prediction == int(out.prediction[0])
    assert t.W1.fraction_shown == pytest.approx(12 / (784 * 128))


def test_worked_sum_by_hand():
    a = np.array([1.0, 0.0, 2.0, 0.5])
    w = np.array([0.5, 3.0, -1.0, 2.0])  # terms 0.5, 0, -2, 1
    ws = worked_sum(a, w, 0.1, network=-0.4, show=2)
    assert list(ws.index) == [2, 3]  # largest in size first
    assert ws.n_nonzero == 3 and ws.n_terms == 4
    assert ws.rest == pytest.approx(0.5) and ws.total == pytest.approx(-0.4)
    assert ws.agrees
    assert not worked_sum(a, w, 0.1, network=-0.3).agrees
    assert len(worked_sum(np.zeros(4), w, 0.0, 0.0).index) == 0  # nothing to write out


def test_worked_sums_match_the_network(model, digit):
    out = model.forward(digit[None])
    for j in (0, 50, 127):
        assert worked_sum(digit, model.W1[:, j], model.b1[j], out.z1[0, j]).agrees
    for d in range(10):
        assert worked_sum(out.hidden[0], model.W2[:, d], model.b2[d], out.logits[0, d]).agrees


def test_speed_test_fields(model, digit):
    images = nnviz.load_mnist("test")[0][:40]
    s = speed_test(model, digit, images, budget=0.05)
    assert s.batch_size == 40 and s.multiply_adds == 784 * 128 + 128 * 10
    assert s.loops > 0 and s.numpy > 0 and s.batch > 0
    assert s.max_difference < 1e-5 and s.same_prediction
    assert s.per_digit_in_batch == pytest.approx(s.batch / 40)
    assert s.speedup == pytest.approx(s.loops / s.numpy)


def test_speed_test_times_each_way_on_the_rows_it_reports(model, digit, clock, monkeypatch):
    from nnviz import matmul

    rows = {"loops": [], "numpy": []}
    real_loops, real_numpy = matmul.forward_loops, matmul.forward_numpy

    def loops(m, x, **kw):  # 3 ms a digit on the test's clock
        rows["loops"].append(1)
        clock.advance(3e-3)
        return real_loops(m, x, **kw)

    def numpy(m, x):  # 10 µs a row
        rows["numpy"].append(len(x))
        clock.advance(1e-5 * len(x))
        return real_numpy(m, x)

    monkeypatch.setattr(matmul, "forward_loops", loops)
    monkeypatch.setattr(matmul, "forward_numpy", numpy)
    images = nnviz.load_mnist("test")[0][:40]
    s = speed_test(model, digit, images, budget=10.0)
    assert (s.loops, s.numpy, s.batch) == pytest.approx((3e-3, 1e-5, 40e-5))
    assert s.batch_size == 40 and s.speedup == pytest.approx(300)
    # the timed NumPy calls: one digit, then all 40 (besides a check on one and a warm-up)
    assert set(rows["numpy"]) <= {1, 10, 40} and rows["numpy"].count(40) >= 3
    assert rows["numpy"].count(1) >= 4 and len(rows["loops"]) >= 4


def test_the_loops_with_lists_made_once_are_the_same_forward_pass(model, digit):
    from nnviz.timing import as_lists, forward_loops, forward_numpy

    lists = as_lists(model)
    ready = forward_loops(model, [float(v) for v in digit], lists=lists)  # what speed_test times
    assert ready == forward_loops(model, digit)  # the same numbers as converting inside
    np.testing.assert_allclose(ready, forward_numpy(model, digit[None])[0], atol=1e-5)


def test_layer_figures_hold_the_slices(model, digit):
    t = trace(model, digit, k=5, m=4)
    fig = figs.layer1_figure(t)
    left, weights, results = fig.data
    np.testing.assert_array_equal(weights.z, t.W1.values)
    assert list(weights.y) == [f"px {i}" for i in t.pixels] and list(weights.x) == [f"h{j}" for j in t.neurons]
    np.testing.assert_allclose(results.z, np.vstack([t.b1.values, t.z1.values, t.hidden.values]))
    # the input stands on end, each pixel level with the row of W1 it multiplies
    assert left.z.shape == (5, 1) and list(left.y) == list(weights.y) and list(left.x) == ["x"]
    np.testing.assert_array_equal(left.z[:, 0], t.x.values[0])
    strip_rows, weight_rows = (fig.layout[trace.yaxis.replace("y", "yaxis")].domain for trace in (left, weights))
    assert strip_rows == weight_rows  # side by side, the same height ("y2" is layout.yaxis2)
    titles = [a.text for a in fig.layout.annotations]
    assert "x (1×784) · W1 (784×128)" in titles
    assert weights.zmin == -weights.zmax  # symmetric around 0
    fig2 = figs.layer2_figure(t)
    np.testing.assert_array_equal(fig2.data[1].z, t.W2.values)
    np.testing.assert_allclose(fig2.data[2].z[2], t.probabilities.values[0])
    assert "sum to 1.000" in figs.layer2_summary(t)
    assert f"{int(np.count_nonzero(digit))} pixels with ink" in figs.layer1_summary(t)
    one = np.zeros(784, np.float32)
    one[300] = 1.0  # a single inked pixel: "the one pixel with ink", not "the inkiest of the 1 pixels"
    # trace still shows 6 rows and 6 columns: it says which are blank (and, for a silent network, which are silent)
    assert "Shown: 6 of the 784 rows of W1 (the one pixel with ink, then blank ones), " in figs.layer1_summary(
        trace(model, one)
    )
    silent = type(model)(model.W1, np.full_like(model.b1, -100.0), model.W2, model.b2)
    assert "6 of its 128 columns (no hidden neuron fired)" in figs.layer1_summary(trace(silent, one))


def test_a_sure_answer_is_not_called_certain(digit):
    t = trace(nnviz.load_model(), digit)  # the shipped network on test digit #0, a 7: p = 0.999985
    text = figs.layer2_summary(t)
    assert "a 7 with probability 99.999%" in text and "next best 3 (0.001%)" in text  # not "100.0%" and "0.00%"
    assert "100.0%" not in text and "0.00%" not in text


def test_empty_product_is_labelled():
    from nnviz.matmul import MatrixSlice

    empty = MatrixSlice("x", (1, 0), np.array([0]), np.array([], int), np.zeros((1, 0)))
    fig = figs.product_figure(
        empty,
        empty,
        [],
        left_labels=[],
        top_col_labels=[],
        result_labels=[],
        titles=("", "", ""),
    )
    assert not fig.data and fig.layout.annotations


def test_speed_figure_and_texts():
    s = SpeedTest(0.05, 2e-5, 0.2, 10_000, 101_632, 3e-8, True)
    fig = figs.speed_figure(s)
    np.testing.assert_allclose(fig.data[0].x, [50.0, 0.02, 200.0])
    assert fig.layout.xaxis.type == "log"
    # dots, not bars: on a log axis a bar's length is an artefact of where the axis starts
    assert fig.data[0].type == "scatter" and fig.data[0].mode == "markers+text"
    assert list(fig.data[0].text) == ["50 ms", "0.02 ms: 2,500× faster", "200 ms: 20 µs a digit"]
    assert list(fig.data[0].textposition) == ["middle right", "middle right", "middle left"]  # the last stays inside
    text = figs.speed_summary(s)
    assert "2,500× faster" in text and "20.0 µs each" in text
    # what is timed is the whole forward pass, a matrix product per layer: never called "one product"
    assert "two matrix products (one per layer)" in text and "one product" not in text
    assert list(fig.data[0].y) == ["Python loops, 1 digit", "NumPy, 1 digit", "NumPy, 10,000 digits"]  # as the metrics


def test_worked_sum_text_says_whether_it_checks_out():
    ws = worked_sum(np.array([1.0, 0.0, 0.5]), np.array([0.2, 1.0, -0.4]), 0.05, network=0.05)
    text = figs.worked_sum_text(
        ws, result="z1[0]", a_name="x", w_name="W1", b_name="b1", labels=["px 0", "px 1", "px 2"]
    )
    assert "✓" in text and "+0.0500" in text and "px 0" in text and "the other 1 of the 3 terms is 0" in text
    assert "[0.5000×(-0.4000) = -0.2000]<sub>px 2</sub>" in text  # each term: its two factors and its value
    # verbs and nouns agree with their numbers: "1 more non-zero term", "2 ... terms are 0"
    five = worked_sum(np.array([1.0, 0.5, 0.25, 0.125, 0.0, 0.0]), np.ones(6), 0.0, network=1.875)
    text = figs.worked_sum_text(
        five, result="z", a_name="x", w_name="W", b_name="b", labels=[f"px {i}" for i in range(6)]
    )
    assert "(1 more non-zero term: +0.1250)" in text and "the other 2 of the 6 terms are 0" in text
    bad = worked_sum(np.array([1.0]), np.array([1.0]), 0.0, network=2.0)
    assert "NOT" in figs.worked_sum_text(bad, result="z", a_name="x", w_name="W", b_name="b", labels=["a"])


def test_the_probability_cells_never_read_certain(digit):
    t = trace(nnviz.load_model(), digit)  # test digit #0, a 7: p(7) = 0.999985, the others below 1%
    results = figs.layer2_figure(t).data[2]
    p = t.probabilities.values[0]
    digits = list(t.W2.cols)
    assert results.text[2][digits.index(7)] == ">99%" and "<1%" in results.text[2]  # not "1.0" and "0.0"
    assert results.customdata[2][digits.index(7)] == "probability 99.999%"  # the hover: format_probability
    assert results.text[1][0] == f"{t.logits.values[0][0]:.1f}"  # the other rows as before
    assert results.texttemplate == "%{text}" and len(results.text[2]) == p.size


def test_a_sum_with_no_nonzero_term_is_the_bias_alone():
    # no hidden neuron fired: z2 = b2, and the line used to read "+0.3860 (bias) +  = +0.3860"
    ws = worked_sum(np.zeros(128), np.linspace(-1, 1, 128), 0.386, network=0.386)
    text = figs.worked_sum_text(
        ws, result="z2[7]", a_name="h", w_name="W2", b_name="b2", labels=[f"h{j}" for j in range(128)]
    )
    assert text.startswith("**z2[7]** = +0.3860 (bias) = **+0.3860** — all 128 terms are 0 × something")
    assert "+  =" not in text and "✓" in text
