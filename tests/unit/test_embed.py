"""nnviz.embed: embeddings, cosine search against scikit-learn, the k-NN vote, the PCA map, familiarity."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

import nnviz
from nnviz.embed import (
    CosineIndex,
    embed,
    familiarity,
    fit_pca,
    kept_neighbours,
    knn_vote,
    lonely_rows,
    nearest_rows,
    nearest_similarities,
)
from nnviz.mlp import MLP, as_input


@pytest.fixture(scope="module")
def test_set():
    return nnviz.load_mnist("test")


@pytest.fixture(scope="module")
def shipped():
    return nnviz.load_model()


def test_embed_is_the_hidden_layer_in_batches(test_set, shipped):
    images, _ = test_set
    got = embed(shipped, images[:250], batch=64)  # batches that do not divide 250
    want = shipped.forward(as_input(images[:250])).hidden
    assert got.shape == (250, shipped.sizes[1]) and got.dtype == np.float32
    # float32: the two may sum the 784 products in different orders (a few 1e-6 apart)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-5)


@pytest.mark.parametrize("signed", [False, True])
def test_cosine_query_matches_sklearn_brute_force(signed):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(500, 32)).astype(np.float32)
    if not signed:
        data = np.maximum(data, 0)  # like ReLU embeddings
    index = CosineIndex(data)
    reference = NearestNeighbors(n_neighbors=7, metric="cosine", algorithm="brute").fit(data)
    for q in rng.normal(size=(5, 32)).astype(np.float32):
        near = index.query(q, 7)
        dist, idx = reference.kneighbors(q[None])
        np.testing.assert_array_equal(near.indices, idx[0])
        np.testing.assert_allclose(near.similarities, 1.0 - dist[0], atol=1e-5)
        assert np.all(np.diff(near.similarities) <= 0)  # most similar first


def test_cosine_is_scale_invariant_and_self_is_nearest():
    rng = np.random.default_rng(2)
    data = rng.random((100, 16)).astype(np.float32)
    index = CosineIndex(data)
    near = index.query(data[42] * 17.0, 3)
    assert near.indices[0] == 42
    assert near.similarities[0] == pytest.approx(1.0, abs=1e-6)


def test_exclude_leaves_the_query_out():
    rng = np.random.default_rng(3)
    data = rng.random((50, 8)).astype(np.float32)
    near = CosineIndex(data).query(data[7], 5, exclude=7)
    assert 7 not in near.indices and len(near) == 5


def test_k_larger_than_the_index_and_zero_vectors():
    data = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=np.float32)
    index = CosineIndex(data)
    assert np.all(np.isfinite(index.unit)) and np.all(index.unit[2] == 0)  # a zero row stays zero, no NaN
    near = index.query(np.array([1.0, 0.2]), 10)
    assert len(near) == 3 and near.indices[0] == 0
    blank = index.query(np.zeros(2), 2)  # a query with no direction: all similarities 0, no NaN
    assert np.all(blank.similarities == 0)
    assert len(index.query(np.ones(2), 0)) == 0


def test_index_is_read_only():
    index = CosineIndex(np.eye(3))
    with pytest.raises(ValueError, match="read-only"):
        index.unit[0, 0] = 5


def test_rows_are_normalised_in_blocks_and_in_place_as_all_at_once(test_set):
    """The server's pixel index normalises the test digits' 31 MB of pixels where they lie, in blocks:
    the same unit rows, bit for bit, as dividing the whole array by its norms (a new array)."""
    x = as_input(test_set[0][:2_500])
    x[3] = 0.0  # no direction: stays zero
    x[4] = 0.0
    x[4, :2] = 1e-14  # a norm below EPS: zeroed, not divided
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    want = np.divide(x, norms, out=np.zeros_like(x), where=norms > 1e-12)
    copied = CosineIndex(x)
    assert copied.unit is not x and np.array_equal(copied.unit, want)
    assert not np.array_equal(x, want)  # the caller's rows are left alone
    in_place = CosineIndex(x, copy=False)  # 2,500 rows: blocks of 1,000 that do not divide them
    assert np.shares_memory(in_place.unit, x) and np.array_equal(in_place.unit, want)
    with pytest.raises(ValueError, match="writable"):
        CosineIndex(in_place.unit, copy=False)  # read-only now
    with pytest.raises(ValueError, match="float32"):
        CosineIndex(x.astype(np.float64), copy=False)  # would be converted: not in place


def test_knn_vote_counts_and_breaks_ties_by_similarity():
    vote = knn_vote(np.array([3, 3, 5, 5, 1]), np.array([0.9, 0.8, 0.95, 0.9, 0.99]))
    assert vote.counts.tolist() == [0, 1, 0, 2, 0, 2, 0, 0, 0, 0]
    assert vote.winner == 5  # 3 and 5 tie on votes; 5's summed similarity is higher
    assert vote.k == 5 and vote.share == pytest.approx(0.4)
    assert knn_vote(np.array([2, 2, 7]), np.array([0.1, 0.1, 0.99])).winner == 2  # votes first


def test_embedding_neighbours_vote_like_the_labels_on_real_digits(test_set, shipped):
    """A threshold on real data: in the network's embedding space, neighbours share a digit."""
    images, labels = test_set
    hidden = embed(shipped, images[:2000])
    index = CosineIndex(hidden)
    right = 0
    for i in range(200):
        near = index.query(hidden[i], 10, exclude=i)
        right += knn_vote(labels[:2000][near.indices], near.similarities).winner == labels[i]
    assert right / 200 > 0.85


def test_pca_map_shapes_and_projection(test_set, shipped):
    images, _ = test_set
    hidden = embed(shipped, images[:1000])
    pca_map = fit_pca(hidden)
    assert pca_map.coords.shape == (1000, 2) and pca_map.coords.dtype == np.float32
    assert pca_map.explained.shape == (2,)
    assert 0 < pca_map.explained.sum() <= 1 and pca_map.explained[0] >= pca_map.explained[1]
    np.testing.assert_allclose(pca_map.project(hidden[:5]), pca_map.coords[:5], atol=1e-4)
    assert pca_map.project(hidden[3]).shape == (2,)  # one vector -> one point
    # centred: the map's mean is the origin
    np.testing.assert_allclose(pca_map.coords.mean(axis=0), 0, atol=1e-3)


def test_embed_tiny_model():
    model = MLP.init(4, seed=0, n_inputs=9, n_outputs=3)
    x = np.random.default_rng(0).random((5, 9)).astype(np.float32)
    np.testing.assert_allclose(embed(model, x), np.maximum(x @ model.W1 + model.b1, 0), rtol=1e-6)


def test_pca_is_scikit_learns_pca(test_set, shipped):
    from sklearn.decomposition import PCA

    hidden = embed(shipped, test_set[0])
    ours = fit_pca(hidden)
    ref = PCA(n_components=2).fit(hidden)
    np.testing.assert_allclose(ours.explained, ref.explained_variance_ratio_, rtol=1e-4)
    for k in range(2):  # each direction equal up to its (arbitrary) sign
        sign = np.sign(ours.components[k] @ ref.components_[k])
        np.testing.assert_allclose(ours.components[k], sign * ref.components_[k], atol=1e-4)
        np.testing.assert_allclose(ours.coords[:, k], sign * ref.transform(hidden)[:, k], atol=1e-3)


def test_nearest_similarities_match_scikit_learn_leaving_each_row_out():
    rng = np.random.default_rng(3)
    data = rng.normal(size=(301, 16)).astype(np.float32)
    data[7] = 0.0  # no direction: similar to nothing
    got = nearest_similarities(CosineIndex(data), block=64)  # blocks that do not divide 301
    live = np.flatnonzero(np.any(data, axis=1))
    nn = NearestNeighbors(n_neighbors=2, metric="cosine", algorithm="brute").fit(data[live])
    distances, _ = nn.kneighbors(data[live])  # column 0 is the row itself
    np.testing.assert_allclose(got[live], 1.0 - distances[:, 1], atol=1e-5)
    assert got[7] == 0.0 and got.shape == (301,) and got.dtype == np.float32
    assert nearest_similarities(CosineIndex(data[:1]))[0] == 0.0  # a lone row has no neighbour


def test_nearest_rows_match_scikit_learn_leaving_each_row_out():
    rng = np.random.default_rng(4)
    data = rng.normal(size=(203, 12)).astype(np.float32)
    indices, similarities = nearest_rows(CosineIndex(data), 5, block=64)  # blocks that do not divide 203
    nn = NearestNeighbors(n_neighbors=6, metric="cosine", algorithm="brute").fit(data)
    distances, ref = nn.kneighbors(data)  # column 0 is the row itself
    np.testing.assert_array_equal(indices, ref[:, 1:])
    np.testing.assert_allclose(similarities, 1.0 - distances[:, 1:], atol=1e-5)
    assert np.all(np.diff(similarities, axis=1) <= 0)  # most similar first
    assert nearest_rows(CosineIndex(data[:4]), 10)[0].shape == (4, 3)  # at most n - 1 others
    assert nearest_rows(CosineIndex(data[:1]), 10)[0].shape == (1, 0)


def test_kept_neighbours_is_one_for_a_faithful_map_and_chance_for_a_shuffled_one():
    rng = np.random.default_rng(5)
    points = rng.normal(size=(500, 2))
    # neighbours "in the full space" worked out by brute force on the points themselves
    d = ((points[:, None] - points[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    near = np.argsort(d, axis=1)[:, :10]
    assert kept_neighbours(near, points) == 1.0
    assert kept_neighbours(near, points * 3 + 7) == 1.0  # scale and shift keep every neighbourhood
    assert kept_neighbours(near, rng.permutation(points)) < 0.1  # chance: 10 / 499
    # by hand: 4 points on a line at 0, 1, 3, 6, each one's nearest: 1, 0, 1, 2
    line = np.array([[0.0, 0], [1, 0], [3, 0], [6, 0]])
    near1 = np.array([[1], [0], [1], [2]])
    assert kept_neighbours(near1, line) == 1.0
    # a map that swaps the ends (rows at 6, 1, 3, 0): nearest on it 2, 3, 1, 1; only row 2 keeps its neighbour
    assert kept_neighbours(near1, line[[3, 1, 2, 0]]) == 0.25
    with pytest.raises(ValueError, match="rows"):
        kept_neighbours(near1, line[:3])
    # averaged over chosen rows only (those with real neighbours)
    assert kept_neighbours(near1, line[[3, 1, 2, 0]], rows=np.array([False, False, True, False])) == 1.0
    assert kept_neighbours(near1, line[[3, 1, 2, 0]], rows=np.array([True, True, False, False])) == 0.0
    with pytest.raises(ValueError, match="no row"):
        kept_neighbours(near1, line, rows=np.zeros(4, bool))


def test_familiarity_counts_the_rows_with_nearer_neighbours():
    # four points on a circle's arc, close in pairs, and a query between the pairs
    angles = np.radians([0.0, 10.0, 80.0, 90.0])
    data = np.c_[np.cos(angles), np.sin(angles)].astype(np.float32)
    index = CosineIndex(data)
    reference = nearest_similarities(index)
    np.testing.assert_allclose(reference, np.cos(np.radians(10.0)), atol=1e-6)  # each pair: 10 degrees apart
    lonely = familiarity(index, reference, np.array([np.cos(np.radians(45.0)), np.sin(np.radians(45.0))]))
    assert lonely.nearest == pytest.approx(np.cos(np.radians(35.0)), abs=1e-6)
    assert (lonely.closer, lonely.total, lonely.searched, lonely.share_closer) == (4, 4, 4, 1.0)
    at_home = familiarity(index, reference, data[0] * 3.0)  # a stored row's direction: similarity 1
    assert at_home.closer == 0 and at_home.nearest == pytest.approx(1.0)
    itself = familiarity(index, reference, data[0], exclude=0)  # its nearest other row: 10 degrees off
    assert itself.nearest == pytest.approx(reference[0], abs=1e-6) and itself.closer == 0 and itself.searched == 3
    assert familiarity(index, reference, np.zeros(2)) is None  # no direction, no similarity
    # the row's own entry in reference is the same similarity summed in another order: a last-bit
    # larger copy of it does not count as a row with a nearer neighbour
    nudged = reference.copy()
    nudged[0] = np.nextafter(np.float32(itself.nearest), np.float32(2.0))
    assert familiarity(index, nudged, data[0], exclude=0).closer == 0
    assert familiarity(index, nudged, data[0]).closer == 0  # (and with no row left out: similarity 1, none closer)


def test_lonely_rows_agree_with_familiarity_of_each_row_left_out():
    rng = np.random.default_rng(5)
    data = rng.normal(size=(400, 8)).astype(np.float32)
    index = CosineIndex(data)
    reference = nearest_similarities(index)
    for share in (0.5, 0.9, 0.99):
        lonely = lonely_rows(reference, share)
        each = [familiarity(index, reference, data[i], exclude=i).share_closer >= share for i in range(len(data))]
        np.testing.assert_array_equal(lonely, each)
        assert abs(lonely.mean() - (1 - share)) <= 1 / len(data)  # distinct values: the top (1 - share)


def test_a_query_of_the_wrong_length_is_refused_with_a_message():
    index = CosineIndex(np.eye(3, 4, dtype=np.float32))
    with pytest.raises(ValueError, match="the query has 5 numbers; this index's rows have 4"):
        index.query(np.ones(5))
