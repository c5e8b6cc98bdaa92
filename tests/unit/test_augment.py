"""Augmentation: the identity is exact, randomness is seeded, the caller's batch is untouched."""

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
