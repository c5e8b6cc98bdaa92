"""Shared pytest setup: the repository root on sys.path, so `import nnviz` works from a clean clone."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first (in their order), the rest after them in theirs.

    With two workers, a test of a minute or two that came last would leave one
    worker idle while the other finishes it.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def certain_three() -> int:
    """The first test digit, a 3, that the shipped network gives a float32 probability of exactly 1.

    Its lead in logits is so large that softmax rounds p(3) to 1.0.  Found, not
    typed in: a retrained network has its own.
    """
    import numpy as np

    import nnviz
    from nnviz.mlp import as_input

    images, labels = nnviz.load_mnist("test")
    p = nnviz.load_model().forward(as_input(images)).probabilities
    found = np.flatnonzero((labels == 3) & (p[:, 3] == 1.0))
    assert found.size, "the shipped network gives no 3 a float32 probability of exactly 1"
    return int(found[0])


class FakeClock:
    """Stands in for the ``time`` module of :mod:`nnviz.timing`: time moves only when a test moves it.

    A timed function that costs ``advance(seconds)`` then measures exactly that, so a test
    can check that a timing times the work it claims to, on the rows it claims to.
    """

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    """nnviz's timings read this clock for the rest of the test."""
    from nnviz import timing

    fake = FakeClock()
    monkeypatch.setattr(timing, "time", fake)
    return fake
