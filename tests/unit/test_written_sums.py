"""Sums written out on the pages add up as printed: a reader who checks the arithmetic finds it right.

Rounded one by one, the parts of "+7.972 - 1.424 - 0.025 = +6.522" miss the
rounded total by a unit in the last place about a third of the time; the
captions round with :func:`nnviz.figures.common.rounded_parts` instead.
"""

import re
from decimal import Decimal

import numpy as np
import pytest

import nnviz
from nnviz.explain import explain
from nnviz.figures import matmul, weights, why
from nnviz.figures.common import rounded_parts
from nnviz.matmul import worked_sum
from nnviz.mlp import as_input
from nnviz.neuron import respond

NUMBER = re.compile(r"[+-]?\d+\.\d+")


def numbers(text: str) -> list[Decimal]:
    """The decimals printed in ``text``, exactly as printed."""
    return [Decimal(s) for s in NUMBER.findall(text)]


# --- the rounding -----------------------------------------------------------------------


def test_rounding_one_by_one_misses_and_rounded_parts_does_not():
    parts = [0.0014, 0.0014, 0.0014]
    assert sum(round(p, 3) for p in parts) == pytest.approx(0.003)  # but the total prints as 0.004
    assert rounded_parts(parts, sum(parts), 3) == [0.002, 0.001, 0.001]


@pytest.mark.parametrize("decimals", [2, 3, 4])
def test_rounded_parts_add_up_and_stay_within_a_unit(decimals):
    rng = np.random.default_rng(decimals)
    unit = 10.0**-decimals
    for _ in range(2_000):
        n = int(rng.integers(2, 15))
        parts = rng.normal(scale=rng.choice([0.01, 1.0, 20.0]), size=n)
        noise = float(rng.uniform(-1e-7, 1e-7))  # the network's float32 sum is not quite ours
        total = float(parts.sum()) + noise
        fixed = [int(rng.integers(n))] if rng.random() < 0.5 else []  # the pages fix one part (a bias) or none
        shown = rounded_parts(parts, total, decimals, fixed=fixed)
        printed = [Decimal(f"{v:.{decimals}f}") for v in shown]
        assert sum(printed) == Decimal(f"{total:.{decimals}f}")
        for i, (v, p) in enumerate(zip(shown, parts, strict=True)):
            if i in fixed:
                assert f"{v:.{decimals}f}" == f"{p:.{decimals}f}"
            else:
                assert abs(v - p) <= unit + abs(noise) + 1e-12


def test_a_part_that_rounds_to_zero_keeps_its_sign():
    assert f"{rounded_parts([1.0, -0.0001], 1.0, 3)[1]:+.3f}" == "-0.000"
    assert f"{rounded_parts([1.0, 0.0001], 1.0, 3)[1]:+.3f}" == "+0.000"


def test_with_every_part_fixed_nothing_moves():
    assert rounded_parts([0.0014, 0.0014], 0.0042, 3, fixed=[0, 1]) == [0.001, 0.001]


def test_a_total_that_is_not_the_sum_leaves_the_parts_rounded_as_usual():
    assert rounded_parts([0.5, 0.25], 1.25, 3) == [0.5, 0.25]  # 500 units short: not a rounding difference


# --- the captions, on the shipped model and real test digits -------------------------------


@pytest.fixture(scope="module")
def model():
    return nnviz.load_model()


@pytest.fixture(scope="module")
def inputs():
    images, _ = nnviz.load_mnist("test")
    return [as_input(image) for image in images[:60]]


def test_weight_times_input_sums_add_up(model, inputs):
    for i, x in enumerate(inputs):
        for neuron in range(i % 4, model.sizes[1], 4):
            r = respond(model, x, neuron)
            pos, neg, bias, z = numbers(weights.contribution_summary(r.terms, r.bias, r.z, r.activation, neuron))[:4]
            assert pos + neg + bias == z, (i, neuron)
            assert z == Decimal(f"{r.z:+.3f}")
            terms_sum, bias4, z4 = numbers(weights.sum_check_text(r))[:3]
            assert terms_sum + bias4 == z4 == Decimal(f"{r.z:+.4f}"), (i, neuron)
            assert bias4 == Decimal(f"{r.bias:+.4f}")


def test_why_it_said_that_sums_add_up(model, inputs):
    for i, x in enumerate(inputs):
        e = explain(model, x)
        logit = Decimal(f"{e.logit:.2f}")
        up, down, bias, total = numbers(why.waterfall_summary(e.contributions, e.active, e.output_bias, e.logit))[:4]
        assert up + down + bias == total == logit, i
        up, down, subtotal, b_eff, total = numbers(why.attribution_summary(e.attribution, e.x, e.b_eff, e.logit))[:5]
        assert up + down == subtotal and subtotal + b_eff == total == logit, i
        assert b_eff == Decimal(f"{e.b_eff:+.2f}")
        fig = why.waterfall_figure(e.contributions, e.active, e.output_bias, e.logit, e.target)
        bars = [Decimal(t) for t in fig.data[0].text]  # each bar's printed label
        assert sum(bars[:-1]) == bars[-1] == logit, i


def test_matrix_multiplication_worked_sums_add_up(model, inputs):
    for i, image in enumerate(inputs):
        x = image.reshape(-1)
        out = model.forward(x[None])
        j, d = int(np.argmax(out.z1[0])), int(out.prediction[0])
        for ws, n in (
            (worked_sum(x, model.W1[:, j], model.b1[j], out.z1[0, j]), 784),
            (worked_sum(out.hidden[0], model.W2[:, d], model.b2[d], out.logits[0, d]), 128),
        ):
            text = matmul.worked_sum_text(
                ws, result="z", a_name="a", w_name="W", b_name="b", labels=[f"t{k}" for k in range(n)]
            )
            bias = Decimal(re.search(r"= ([+-]\d+\.\d+) \(bias\)", text).group(1))
            terms = [Decimal(v) for v in re.findall(r" = ([+-]\d+\.\d+)\]", text)]
            rest = [Decimal(v) for v in re.findall(r"non-zero terms: ([+-]\d+\.\d+)\)", text)]
            total = Decimal(re.search(r"= \*\*([+-]\d+\.\d+)\*\*", text).group(1))
            assert len(terms) == min(3, ws.n_nonzero) and bias + sum(terms) + sum(rest) == total, (i, text)
            assert bias == Decimal(f"{ws.bias:+.4f}") and total == Decimal(f"{ws.total:+.4f}")
            for a, w, t in zip(ws.a, ws.w, terms, strict=True):  # each written-out term is its factors' product
                assert abs(Decimal(f"{a * w:.6f}") - t) <= Decimal("0.0002"), text
