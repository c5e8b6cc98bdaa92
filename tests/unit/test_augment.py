"""Augmentation: the identity is exact, randomness is seeded, the caller's batch is untouched, each distortion within its range."""

import numpy as np
from scipy import ndimage

import nnviz
from nnviz.augment import Augment, augment


def batch(n=64):
    return nnviz.load_mnist("train")[0][:n]


def test_zero_ranges_are_the_identity():
    x = batch()
    none = Augment(shift=0, rotate=0, scale=0, shear=0, thicken=0, thin=0)
    np.testing.assert_allclose(augment(x, np.random.default_rng(0), none), x / 255.0, atol=1e-5)


def test_seeded_and_pure():
    x = batch().astype(np.float32) / 255
    before = x.copy()
    a = augment(x, np.random.default_rng(1))
    b = augment(x, np.random.default_rng(1))
    c = augment(x, np.random.default_rng(2))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(x, before)
    assert a.shape == x.shape and a.dtype == np.float32 and a.min() >= 0 and a.max() <= 1.0 + 1e-6


def test_shift_moves_the_centre_of_mass_within_range():
    x = batch(200)
    shifted = augment(x, np.random.default_rng(3), Augment(shift=3, rotate=0, scale=0, shear=0, thicken=0, thin=0))
    moves = [
        np.subtract(ndimage.center_of_mass(s), ndimage.center_of_mass(o.astype(float)))
        for s, o in zip(shifted, x, strict=True)
    ]
    moves = np.abs(np.array(moves))
    assert moves.max() <= 3.3 and moves.mean() > 0.8  # uniform in [-3, 3]: mean |shift| is 1.5


ONLY = dict(shift=0, rotate=0, scale=0, shear=0, thicken=0, thin=0)


def moments(images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per image: the ink's variance down the rows, across the columns, and their covariance."""
    yy, xx = np.mgrid[0:28, 0:28].astype(float)
    m = images.sum(axis=(1, 2))
    cy, cx = (images * yy).sum(axis=(1, 2)) / m, (images * xx).sum(axis=(1, 2)) / m
    dy, dx = yy[None] - cy[:, None, None], xx[None] - cx[:, None, None]
    var_y, var_x = (images * dy**2).sum(axis=(1, 2)) / m, (images * dx**2).sum(axis=(1, 2)) / m
    return var_y, var_x, (images * dy * dx).sum(axis=(1, 2)) / m


def copies(picture: np.ndarray, n: int = 300) -> np.ndarray:
    return np.repeat(picture[None].astype(np.float32), n, axis=0)


def test_rotation_turns_a_bar_by_up_to_the_range():
    bar = np.zeros((28, 28))
    bar[13:15, 6:22] = 1.0  # horizontal
    turned = augment(copies(bar), np.random.default_rng(5), Augment(**{**ONLY, "rotate": 20}))
    var_y, var_x, cov = moments(turned)
    angle = np.degrees(0.5 * np.arctan2(2 * cov, var_x - var_y))  # the bar's direction, 0 = horizontal
    assert np.abs(angle).max() <= 21 and np.abs(angle).max() > 17  # uniform in [-20, 20]
    assert (angle > 5).mean() > 0.25 and (angle < -5).mean() > 0.25  # both ways


def test_scaling_resizes_each_axis_by_up_to_the_range():
    square = np.zeros((28, 28))
    square[9:19, 9:19] = 1.0
    var_y0, var_x0, _ = moments(square[None])
    resized = augment(copies(square), np.random.default_rng(6), Augment(**{**ONLY, "scale": 0.2}))
    var_y, var_x, _ = moments(resized)
    for ratio in (np.sqrt(var_y / var_y0), np.sqrt(var_x / var_x0)):  # the size along one axis
        assert ratio.min() > 0.78 and ratio.max() < 1.22 and ratio.min() < 0.85 and ratio.max() > 1.15
    assert abs(np.corrcoef(var_y, var_x)[0, 1]) < 0.3  # x and y drawn separately


def test_shear_slants_an_upright_bar_by_up_to_the_range():
    bar = np.zeros((28, 28))
    bar[6:22, 13:15] = 1.0  # vertical
    slanted = augment(copies(bar), np.random.default_rng(7), Augment(**{**ONLY, "shear": 0.3}))
    var_y, _, cov = moments(slanted)
    slope = cov / var_y  # columns moved per row: x' = x + k y gives k
    assert np.abs(slope).max() <= 0.32 and np.abs(slope).max() > 0.25
    assert (slope > 0.1).mean() > 0.25 and (slope < -0.1).mean() > 0.25


def test_thicken_adds_ink():
    x = batch()
    thick = augment(x, np.random.default_rng(4), Augment(shift=0, rotate=0, scale=0, shear=0, thicken=1.0, thin=0))
    assert thick.sum() > 1.3 * (x / 255.0).sum()


def test_stroke_filters_are_scipys():
    """The hand-written cross dilation and 2x2 erosion give ndimage's results exactly, borders included."""
    from nnviz.augment import _dilate_cross, _erode_2x2

    x = batch(128).astype(np.float32) / 255
    x[:, 0, :] = x[:, :, -1] = 0.7  # ink on the border too
    cross = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], bool)[None]
    assert np.array_equal(_dilate_cross(x), ndimage.grey_dilation(x, footprint=cross))
    assert np.array_equal(_erode_2x2(x), ndimage.grey_erosion(x, size=(1, 2, 2)))


def test_bilinear_sampling_matches_scipy_with_zeros_outside():
    """Points inside, across the border and far outside, against ndimage.map_coordinates (zero-padded grid)."""
    from nnviz.augment import _bilinear

    x = batch(8).astype(np.float32) / 255
    rng = np.random.default_rng(5)
    sy, sx = (rng.uniform(-6, 33, (8, 500)).astype(np.float32) for _ in range(2))
    ours = _bilinear(x, sy, sx)
    for i in range(8):
        ref = ndimage.map_coordinates(x[i].astype(np.float64), [sy[i], sx[i]], order=1, mode="grid-constant", cval=0.0)
        np.testing.assert_allclose(ours[i], ref, atol=1e-6)
