"""The network that ships in nnviz/assets/model.npz: the post's shape, its accuracy, and real-drawing robustness."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnviz
from nnviz.mlp import MLP
from nnviz.redraw import redraw_many
from nnviz.train import blas_kernel


@pytest.fixture(scope="module")
def model():
    return nnviz.load_model()


def test_it_is_exactly_the_posts_network(model):
    assert model.sizes == (784, 128, 10)
    assert model.W1.shape[0] * model.W1.shape[1] == 100_352  # the post's "100,352 total connections"
    assert (model.n_weights, model.n_biases, model.n_params) == (101_632, 138, 101_770)
    assert all(p.dtype == np.float32 for p in model.params().values())


def test_metadata_records_how_it_was_made(model):
    meta = model.meta
    for key in ("config", "seed", "epochs", "test_accuracy", "data_sha256", "nnviz_version", "train_seconds", "blas"):
        assert key in meta, key
    assert meta["architecture"] == [784, 128, 10]
    assert set(meta["data_sha256"]) == {name for split in nnviz.data.SPLITS.values() for name in split[:2]}
    assert meta["data_sha256"] == {k: nnviz.data.SHA256[k] for k in meta["data_sha256"]}


@pytest.mark.slow
def test_the_command_line_makes_exactly_these_weights(model, tmp_path):
    """README: ``python -m nnviz.train``, its defaults, makes the shipped network bit for bit (about 2 minutes).

    Matrix products round differently from one BLAS kernel to another, so the
    command runs with ``OPENBLAS_CORETYPE`` naming the file's kernel (as the
    README says to on a newer CPU), in a process of its own: OpenBLAS reads it
    when NumPy loads.
    """
    numpy_version, blas = model.meta.get("numpy_version"), model.meta.get("blas")
    if numpy_version != np.__version__:
        pytest.skip(f"the file was made with NumPy {numpy_version}, this is {np.__version__}")
    library, kernel = blas.rsplit(" ", 1)
    here = blas_kernel()
    if here.rsplit(" ", 1)[0] != library:
        pytest.skip(f"the file was made with BLAS {blas!r}, this machine has {here!r}")
    out = tmp_path / "model.npz"
    # the command as the README gives it, from the folder that holds the package
    done = subprocess.run(
        [sys.executable, "-m", "nnviz.train", "--quiet", "--out", str(out)],
        env={**os.environ, "OPENBLAS_CORETYPE": kernel},
        cwd=Path(nnviz.__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    made = MLP.load(out)
    if made.meta["blas"] != blas:
        pytest.skip(f"this CPU cannot run the file's BLAS kernel {blas!r} (OpenBLAS chose {made.meta['blas']!r})")
    assert made.fingerprint() == model.fingerprint()
    # and it says so: everything but the time it took (and the version label) is the shipped file's record
    skip = {"train_seconds", "nnviz_version"}
    assert {k: v for k, v in made.meta.items() if k not in skip} == {
        k: v for k, v in model.meta.items() if k not in skip
    }


def test_at_least_98_5_percent_on_the_10000_test_digits(model):
    images, labels = nnviz.load_mnist("test")
    accuracy = model.accuracy(images, labels)
    assert accuracy >= 0.985
    assert accuracy == pytest.approx(model.meta["test_accuracy"], abs=1e-4)  # the card tells the truth


def test_reads_digits_drawn_on_a_canvas(model):
    """MNIST test digits redrawn with a canvas pen (width 10-30 px on 280x280), at sizes 100-240 px,
    anywhere on the canvas, then preprocessed like a reader's drawing.

    Threshold: 97%.  The network was never trained on these digits and never saw a
    redrawn stroke; the desktop peer `neural-network-digits` loses about a point
    between MNIST (98.5%) and real drawings, and we allow the same loss from our
    98.5% floor.  Measured on the shipped model: see the closing note / README.
    """
    images, labels = nnviz.load_mnist("test")
    rng = np.random.default_rng(2026)
    idx = rng.choice(len(labels), 1000, replace=False)
    canvases = redraw_many(images[idx], rng)
    x = np.stack([nnviz.preprocess(c).input for c in canvases])
    accuracy = float((model.predict(x) == labels[idx]).mean())
    assert accuracy >= 0.97, f"redrawn-digit accuracy {accuracy:.3f}"
