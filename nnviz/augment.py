"""Data augmentation for digits drawn on a screen, vectorised over a batch.

People draw on a phone or with a mouse: bigger or smaller than MNIST's writers,
tilted, slanted, with a thicker or thinner pen.  Training on randomly shifted,
rotated, scaled, sheared and thickened copies of MNIST makes the network robust
to exactly that.  Every random number comes from the ``rng`` passed in, so a
seed reproduces the same batches.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["Augment", "augment"]


@dataclass(frozen=True)
class Augment:
    """Ranges of the random distortions (each drawn uniformly, per image).

    Attributes
    ----------
    shift : float    pixels, in x and y
    rotate : float   degrees, either way
    scale : float    relative, e.g. 0.15 means 0.85x to 1.15x (x and y drawn separately)
    shear : float    horizontal shear factor, either way
    thicken : float  probability of a one-pixel-thicker stroke
    thin : float     probability of a thinner stroke
    """

    shift: float = 2.0
    rotate: float = 12.0
    scale: float = 0.12
    shear: float = 0.25
    thicken: float = 0.25
    thin: float = 0.15


def augment(images: np.ndarray, rng: np.random.Generator, cfg: Augment = Augment()) -> np.ndarray:
    """Randomly distorted copies of a batch of images.

    Parameters
    ----------
    images : ndarray of shape (n, 28, 28)
        float32 in [0, 1] (uint8 is converted).
    rng : numpy.random.Generator
    cfg : Augment

    Returns
    -------
    ndarray of float32, shape (n, 28, 28)
    """
    source = np.asarray(images)
    x = source.astype(np.float32)  # always a copy: the caller's batch is never touched
    if source.dtype == np.uint8:
        x /= np.float32(255.0)
    n, h, w = x.shape

    # Stroke thickness first, on the clean image: grey dilation (max over a
    # cross) thickens, a 2x2 grey erosion (min) thins.
    u = rng.random(n)
    thick = u < cfg.thicken
    thin = (u >= cfg.thicken) & (u < cfg.thicken + cfg.thin)
    if thick.any():
        x[thick] = _dilate_cross(x[thick])
    if thin.any():
        # blend with the original so thin strokes fade rather than vanish
        x[thin] = 0.5 * x[thin] + 0.5 * _erode_2x2(x[thin])

    # One affine map per image, A = rotation @ shear @ scale, applied about the
    # centre.  We sample the source at A^-1 (out - centre - shift) + centre.
    theta = np.deg2rad(rng.uniform(-cfg.rotate, cfg.rotate, n))
    sx = rng.uniform(1 - cfg.scale, 1 + cfg.scale, n)
    sy = rng.uniform(1 - cfg.scale, 1 + cfg.scale, n)
    k = rng.uniform(-cfg.shear, cfg.shear, n)
    t = rng.uniform(-cfg.shift, cfg.shift, (n, 2))
    cos, sin = np.cos(theta), np.sin(theta)
    R = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)  # (n, 2, 2), rows (y, x)
    S = np.zeros((n, 2, 2))
    S[:, 0, 0], S[:, 1, 1] = sy, sx
    K = np.tile(np.eye(2), (n, 1, 1))
    K[:, 1, 0] = k  # x' = x + k * y
    A_inv = np.linalg.inv(R @ K @ S)  # (n, 2, 2)

    A_inv = A_inv.astype(np.float32)[:, :, :, None]  # (n, 2, 2, 1)
    t = t.astype(np.float32)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    gy, gx = _grid(h, w)
    ry = gy - t[:, :1]  # (n, hw): output point relative to the shifted centre
    rx = gx - t[:, 1:]
    # src = A_inv @ (ry, rx) + centre, row by row, with one temporary
    src_y = A_inv[:, 0, 0] * ry
    tmp = np.multiply(A_inv[:, 0, 1], rx)
    src_y += tmp
    src_y += cy
    src_x = np.multiply(A_inv[:, 1, 0], ry, out=ry)
    np.multiply(A_inv[:, 1, 1], rx, out=tmp)
    src_x += tmp
    src_x += cx
    return _bilinear(x, src_y, src_x).reshape(n, h, w)


@functools.lru_cache(maxsize=8)
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Each output pixel's row and column relative to the image centre, float32 (1, h*w), read-only."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ry = yy.ravel()[None] - (h - 1) / 2
    rx = xx.ravel()[None] - (w - 1) / 2
    ry.flags.writeable = rx.flags.writeable = False
    return ry, rx


def _dilate_cross(x: np.ndarray) -> np.ndarray:
    """Grey dilation of images (n, h, w) >= 0 by a 3x3 cross: each pixel becomes the max of itself and its 4 neighbours.

    The same as ``scipy.ndimage.grey_dilation(x, footprint=cross)``: its mirrored
    border repeats a pixel already in the max, and a missing neighbour here adds nothing.
    """
    out = x.copy()
    np.maximum(out[:, 1:], x[:, :-1], out=out[:, 1:])  # the pixel above
    np.maximum(out[:, :-1], x[:, 1:], out=out[:, :-1])  # below
    np.maximum(out[:, :, 1:], x[:, :, :-1], out=out[:, :, 1:])  # left
    np.maximum(out[:, :, :-1], x[:, :, 1:], out=out[:, :, :-1])  # right
    return out


def _erode_2x2(x: np.ndarray) -> np.ndarray:
    """Grey erosion by a 2x2 square, the min over each pixel, its left, upper and upper-left neighbours.

    The same as ``scipy.ndimage.grey_erosion(x, size=(1, 2, 2))``: off the top or
    left edge it reads the edge pixel again (its mirrored border), a min with itself.
    """
    up = x.copy()
    np.minimum(up[:, 1:], x[:, :-1], out=up[:, 1:])  # with the pixel above
    out = up.copy()
    np.minimum(out[:, :, 1:], up[:, :, :-1], out=out[:, :, 1:])  # with the one to the left
    return out


def _bilinear(x: np.ndarray, sy: np.ndarray, sx: np.ndarray) -> np.ndarray:
    """Sample images x (n, h, w) at fractional points (n, p); zero outside."""
    n, h, w = x.shape
    # Two rows and columns of zeros around each image: a corner that falls outside
    # then reads a zero, and a point farther out is clipped to where both its rows
    # (or columns) are zeros.  No per-corner bounds test.
    pad = 2
    width = w + 2 * pad
    padded = np.zeros((n, h + 2 * pad, width), dtype=x.dtype)
    padded[:, pad : pad + h, pad : pad + w] = x
    fy0, fx0 = np.floor(sy), np.floor(sx)
    fy, fx = sy - fy0, sx - fx0
    np.clip(fy0, -pad, h, out=fy0)
    np.clip(fx0, -pad, w, out=fx0)
    # the flat index of each top-left corner in the whole batch, computed in float32:
    # whole numbers below 2**24, so exact
    fy0 += pad
    fy0 *= width
    fy0 += fx0
    fy0 += (np.arange(n, dtype=np.float32) * padded[0].size + pad)[:, None]
    idx = fy0.astype(np.intp)
    flat = padded.reshape(-1)
    # the 4 corners: the same indices into views of the batch shifted by 1, width and width + 1
    gx = 1 - fx
    top = np.take(flat, idx)
    top *= gx
    tmp = np.take(flat[1:], idx)
    tmp *= fx
    top += tmp
    bottom = np.take(flat[width:], idx)
    bottom *= gx
    np.take(flat[width + 1 :], idx, out=tmp)
    tmp *= fx
    bottom += tmp
    gy = np.subtract(1, fy, out=gx)
    top *= gy
    bottom *= fy
    top += bottom
    return top
