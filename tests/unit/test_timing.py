"""median_seconds: the timing every speed figure on screen is a median of."""

from __future__ import annotations

import pytest

from nnviz.timing import median_seconds


def test_median_of_the_calls(clock):
    costs = iter([1e-3, 9e-3, 5e-3, 2e-3, 8e-3])
    calls = []

    def work():
        calls.append(1)
        clock.advance(next(costs))

    assert median_seconds(work, repeats=5, budget=10.0) == pytest.approx(5e-3)  # not the min, mean or last
    assert len(calls) == 5


def test_stops_after_its_budget_but_not_before_three_calls(clock):
    calls = []

    def slow():
        calls.append(1)
        clock.advance(0.2)

    assert median_seconds(slow, repeats=15, budget=0.5) == pytest.approx(0.2)
    assert len(calls) == 3  # 0.6 s spent after three: over budget
    calls.clear()
    median_seconds(lambda: (calls.append(1), clock.advance(2.0)), repeats=15, budget=0.5)
    assert len(calls) == 3  # one call is over budget, but a median needs three
    calls.clear()
    median_seconds(lambda: (calls.append(1), clock.advance(1e-4)), repeats=15, budget=0.5)
    assert len(calls) == 15  # within budget: every repeat
