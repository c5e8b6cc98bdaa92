"""Shared pytest setup: the repository root on sys.path, so `import nnviz` works from a clean clone."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


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
