"""The shipped t-SNE map: read safely, made from the shipped network, and a real t-SNE of its embeddings."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nnviz
import nnviz.tsne as tsne_module
from nnviz.embed import CosineIndex, embed, fit_pca, kept_neighbours, nearest_rows
from nnviz.mlp import MLP
from nnviz.tsne import TSNE_PATH, MapError, TSNEMap, fit_tsne, load_tsne


@pytest.fixture(scope="module")
def shipped():
    return nnviz.load_model()


@pytest.fixture(scope="module")
def shipped_map():
    return load_tsne()


@pytest.fixture(scope="module")
def neighbourhoods(shipped):
    images, _ = nnviz.load_mnist("test")
    hidden = embed(shipped, images)
    return hidden, nearest_rows(CosineIndex(hidden), 10)[0]


def test_the_shipped_map_belongs_to_the_shipped_network(shipped, shipped_map):
    _, labels = nnviz.load_mnist("test")
    assert shipped_map.coords.shape == (len(labels), 2) and shipped_map.coords.dtype == np.float32
    assert np.isfinite(shipped_map.coords).all()
    assert shipped_map.matches(shipped, len(labels))
    assert shipped_map.meta["format"] == "nnviz-tsne" and shipped_map.meta["metric"] == "cosine"
    # another network, or another number of digits, is not what the map shows
    assert not shipped_map.matches(MLP.init(128, seed=0), len(labels))
    assert not shipped_map.matches(shipped, len(labels) - 1)


def test_the_shipped_map_keeps_the_embeddings_neighbourhoods(shipped_map, neighbourhoods):
    """A stale map (another network's), a shuffled one or a PCA in disguise all fail this."""
    hidden, near = neighbourhoods
    kept = kept_neighbours(near, shipped_map.coords)
    kept_pca = kept_neighbours(near, fit_pca(hidden).coords)
    shuffled = kept_neighbours(near, np.random.default_rng(0).permutation(shipped_map.coords))
    assert kept > 0.35  # 0.47 when made
    assert kept > 5 * kept_pca  # PCA keeps 0.03
    assert shuffled < 0.01  # chance: about 10 / 10,000


def test_the_shipped_map_separates_the_digits(shipped_map):
    """Each test digit's 10 nearest on the map mostly share its label (t-SNE's clusters; PCA's overlap)."""
    from scipy.spatial import cKDTree

    _, labels = nnviz.load_mnist("test")
    _, idx = cKDTree(shipped_map.coords).query(shipped_map.coords, 11)
    same = (labels[idx[:, 1:]] == labels[:, None]).mean()
    assert same > 0.9


def test_fit_tsne_pulls_separate_clusters_apart():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(3, 20)) * 10
    data = np.concatenate([c + rng.normal(size=(60, 20)) for c in centres]).astype(np.float32)
    labels = np.repeat(np.arange(3), 60)
    coords = fit_tsne(data, seed=0, perplexity=15)
    assert coords.shape == (180, 2) and coords.dtype == np.float32
    # every point's nearest point on the map is from its own cluster
    d = ((coords[:, None] - coords[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert (labels[d.argmin(axis=1)] == labels).all()
    np.testing.assert_array_equal(coords, fit_tsne(data, seed=0, perplexity=15))  # the same from the same seed


def test_place_is_the_similarity_weighted_mean_of_the_nearest():
    m = TSNEMap(np.array([[0, 0], [10, 0], [0, 10], [99, 99]], dtype=np.float32))
    got = m.place(np.array([1, 2, 0, 3]), np.array([0.9, 0.6, 0.3, 0.1]), k=3)
    np.testing.assert_allclose(got, [(0.9 * 10) / 1.8, (0.6 * 10) / 1.8], rtol=1e-6)  # the 4th is past k
    np.testing.assert_allclose(m.place(np.array([1, 2]), np.zeros(2)), [5, 5])  # no similarity: a plain mean
    with pytest.raises(ValueError, match="at least one neighbour"):
        m.place(np.array([], dtype=int), np.array([]))


def test_save_and_load_round_trip(tmp_path):
    m = TSNEMap(np.arange(8, dtype=np.float32).reshape(4, 2), {"model_fingerprint": "abc", "perplexity": 5.0})
    m.save(tmp_path / "m.npz")
    back = load_tsne(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.coords, m.coords)
    assert back.meta == m.meta and back.fingerprint == "abc"


def _write(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    "damage, message",
    [
        ("missing", "not found"),
        ("garbage", "not a readable .npz"),
        ("pickled", "refused to load"),
        ("no meta", "not an nnviz map: missing meta"),
        ("shape", r"\(n, 2\) floats"),
        ("integers", r"\(n, 2\) floats"),
        ("nan", "NaN or infinity"),
        ("bad json", "not valid JSON"),
        ("json list", "must be a JSON object"),
    ],
)
def test_a_damaged_map_file_gets_a_clear_error_naming_it(tmp_path, damage, message):
    path = tmp_path / "tsne.npz"
    good = np.zeros((3, 2), np.float32)
    meta = np.array(json.dumps({}))
    if damage == "garbage":
        path.write_bytes(b"this is not a zip file")
    elif damage == "pickled":
        _write(path, coords=np.array([object()], dtype=object), meta=meta)
    elif damage == "no meta":
        _write(path, coords=good)
    elif damage == "shape":
        _write(path, coords=np.zeros((3, 3), np.float32), meta=meta)
    elif damage == "integers":
        _write(path, coords=np.zeros((3, 2), np.int64), meta=meta)
    elif damage == "nan":
        _write(path, coords=np.full((3, 2), np.nan, np.float32), meta=meta)
    elif damage == "bad json":
        _write(path, coords=good, meta=np.array("{not json"))
    elif damage == "json list":
        _write(path, coords=good, meta=np.array("[1, 2]"))
    with pytest.raises(MapError, match=message) as info:
        load_tsne(path)
    assert "tsne.npz" in str(info.value)


def test_the_command_line_records_the_network_it_mapped(tmp_path, monkeypatch, shipped):
    """``python -m nnviz.tsne`` wiring, with t-SNE itself stood in for (it takes ~30 s on the full set)."""
    seen = {}

    def quick(embeddings, *, seed, perplexity):
        seen.update(n=len(embeddings), seed=seed, perplexity=perplexity)
        return np.asarray(embeddings[:, :2], dtype=np.float32)

    monkeypatch.setattr(tsne_module, "fit_tsne", quick)
    out = tmp_path / "out.npz"
    assert tsne_module.main(["--out", str(out), "--seed", "3", "--perplexity", "12"]) == 0
    m = load_tsne(out)
    assert seen == {"n": 10_000, "seed": 3, "perplexity": 12.0}
    assert m.fingerprint == shipped.fingerprint() and m.meta["seed"] == 3 and m.meta["perplexity"] == 12.0
    assert TSNE_PATH.name == "tsne.npz" and TSNE_PATH.parent.name == "assets"
