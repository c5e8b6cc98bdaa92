"""The loss-surface slice: centre value, shapes, directions, and the path's projection."""

import numpy as np
import pytest

import nnviz
from nnviz.landscape import (
    filter_normalised_directions,
    landscape,
    loss_surface,
    parameter_vector,
    path_directions,
    project,
    split_vector,
)
from nnviz.mlp import MLP, as_input


@pytest.fixture(scope="module")
def batch():
    images, labels = nnviz.load_mnist("test")
    return as_input(images[:300]), labels[:300]


def net(seed=0, hidden=24):
    model = MLP.init(hidden, seed=seed)
    model.b1[:] = np.random.default_rng(seed + 7).normal(0, 0.05, hidden)
    model.b2[:] = np.random.default_rng(seed + 8).normal(0, 0.05, 10)
    return model


def shifted(model, vector):
    return MLP(**split_vector(parameter_vector(model) + vector, model))


def test_vector_round_trip():
    model = net()
    vec = parameter_vector(model)
    assert vec.shape == (model.n_params,)
    parts = split_vector(vec, model)
    for name, value in model.params().items():
        np.testing.assert_array_equal(parts[name], value)
    with pytest.raises(ValueError):
        split_vector(np.zeros(model.n_params + 1, np.float32), model)


def test_centre_value_is_the_models_loss(batch):
    x, y = batch
    model = net(1)
    ls = landscape(model, x, y, kind="random", resolution=7)
    assert ls.loss.shape == (7, 7)
    assert ls.alphas[3] == 0 and ls.betas[3] == 0
    assert ls.loss[3, 3] == pytest.approx(model.loss(x, y), rel=1e-5)
    assert ls.centre_loss == pytest.approx(model.loss(x, y), rel=1e-6)
    assert ls.n_images == len(y)


def test_grid_points_match_the_network_at_those_weights(batch):
    x, y = batch
    model = net(2)
    d = filter_normalised_directions(model, 5)
    alphas, betas = np.array([-0.5, 0.0, 0.25, 1.0]), np.array([-1.0, 0.3, 0.8])
    surface = loss_surface(model, x, y, d, alphas, betas)
    assert surface.shape == (3, 4)  # (betas, alphas): rows are the y axis
    for j, b in enumerate(betas):
        for i, a in enumerate(alphas):
            oracle = shifted(model, a * d[0] + b * d[1]).loss(x, y)
            assert surface[j, i] == pytest.approx(oracle, rel=2e-4), (a, b)
    # a slice that rises and falls, not a flat one
    assert np.ptp(surface) > 0.1


def test_far_from_the_weights_the_surface_is_the_true_loss_not_a_clipped_one(batch):
    x, y = batch
    model = nnviz.load_model()
    d = filter_normalised_directions(model, 0)
    surface = loss_surface(model, x, y, d, np.array([-1.0]), np.array([1.0]))  # the shipped page's far corner
    shifted_model = shifted(model, -d[0] + d[1])
    logits = shifted_model.forward(x).logits.astype(np.float64)
    true = float(
        np.mean(
            np.log(np.exp(logits - logits.max(1, keepdims=True)).sum(1)) + logits.max(1) - logits[np.arange(len(y)), y]
        )
    )
    assert surface[0, 0] == pytest.approx(true, rel=1e-5)
    clipped = float(np.mean(-np.log(np.clip(shifted_model.forward(x).probabilities[np.arange(len(y)), y], 1e-7, 1))))
    assert surface[0, 0] > clipped + 1.0  # what the clip hid: many digits are wrong here beyond p = 1e-7


def test_random_directions_are_filter_normalised():
    model = net(3)
    d = filter_normalised_directions(model, 0)
    assert d.shape == (2, model.n_params)
    for k in range(2):
        parts = split_vector(d[k], model)
        for name in ("W1", "W2"):
            np.testing.assert_allclose(
                np.linalg.norm(parts[name], axis=0), np.linalg.norm(getattr(model, name), axis=0), rtol=1e-4
            )
        assert not parts["b1"].any() and not parts["b2"].any()
    again = filter_normalised_directions(model, 0)
    np.testing.assert_array_equal(d, again)  # seeded
    assert not np.array_equal(d, filter_normalised_directions(model, 1))


def test_path_directions_recover_a_path_that_lies_in_a_plane():
    rng = np.random.default_rng(0)
    P = 50
    final = rng.normal(size=P).astype(np.float32)
    u, v = np.linalg.qr(rng.normal(size=(P, 2)))[0].T  # orthonormal plane
    s = np.linspace(-3, 0, 8)
    t = np.sin(np.linspace(0, 3, 8)) * 0.7
    t -= t[-1]
    path = final + np.outer(s, u) + np.outer(t, v)
    directions, explained = path_directions(path, final)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-5)
    assert explained.sum() == pytest.approx(1.0, abs=1e-5)
    xy = project(path, final, directions)
    np.testing.assert_allclose(xy[-1], 0.0, atol=1e-6)
    # the projection loses nothing: distances within the path are kept
    np.testing.assert_allclose(np.linalg.norm(xy[0] - xy[3]), np.linalg.norm(path[0] - path[3]), rtol=1e-4)
    assert xy[0, 0] < 0  # sign convention: training moves in +d1


def test_path_landscape_projects_the_final_point_to_the_origin(batch):
    x, y = batch
    start, model = net(4), net(5)
    theta0, theta = parameter_vector(start), parameter_vector(model)
    path = np.stack([theta0 + (theta - theta0) * f for f in (0.0, 0.4, 0.7, 1.0)])
    path[1] += np.random.default_rng(0).normal(0, 0.01, path.shape[1]).astype(np.float32)  # a bend
    ls = landscape(model, x, y, kind="path", path=path, resolution=9)
    assert ls.loss.shape == (9, 9)
    assert ls.path.shape == (4, 2)
    np.testing.assert_allclose(ls.path[-1], 0.0, atol=1e-6)
    assert ls.path[0, 0] < 0
    assert ls.alphas.min() <= ls.path[:, 0].min() and ls.alphas.max() >= 0
    assert ls.betas.min() <= ls.path[:, 1].min() and ls.betas.max() >= ls.path[:, 1].max()
    assert ls.explained is not None and 0.9 < ls.explained.sum() <= 1.0 + 1e-6
    assert ls.path_loss[-1] == pytest.approx(model.loss(x, y), rel=1e-5)
    assert ls.path_loss[0] == pytest.approx(start.loss(x, y), rel=1e-4)


def test_random_landscape_can_carry_a_path(batch):
    x, y = batch
    model = net(6)
    path = np.stack([parameter_vector(net(7)), parameter_vector(model)])
    ls = landscape(model, x, y, kind="random", path=path, resolution=5)
    assert ls.path.shape == (2, 2)
    np.testing.assert_allclose(ls.path[-1], 0.0, atol=1e-6)
    assert ls.alphas[0] == -1.0 and ls.alphas[-1] == 1.0


def test_bad_requests_are_refused(batch):
    x, y = batch
    with pytest.raises(ValueError, match="kind"):
        landscape(net(), x, y, kind="sideways")
    with pytest.raises(ValueError, match="path"):
        landscape(net(), x, y, kind="path")
    with pytest.raises(ValueError):
        path_directions(np.zeros((1, 10)), np.zeros(10))


def test_a_path_of_two_points_has_one_direction_and_a_second_of_no_variance():
    rng = np.random.default_rng(0)
    final = rng.normal(size=50).astype(np.float32)
    path = np.stack([final + rng.normal(size=50).astype(np.float32), final])
    directions, explained = path_directions(path, final)
    assert directions.shape == (2, 50)
    np.testing.assert_allclose(directions @ directions.T, np.eye(2), atol=1e-5)
    step = (path[1] - path[0]) / np.linalg.norm(path[1] - path[0])
    assert directions[0] @ step == pytest.approx(1.0, abs=1e-5)  # training moves along +d1
    np.testing.assert_allclose(explained, [1.0, 0.0], atol=1e-6)
