"""Digits as small pictures for galleries (neighbours, mistakes).

A 28×28 image shown 84 px wide is blurred by the browser's smooth scaling, so
each pixel is repeated (nearest-neighbour upscaling) before it is sent: the
reader sees the same square pixels the network reads.  Pages send them as
PNG (``st.image(..., output_format="PNG")``): exact, and ~430 bytes for an
84 px digit, where st.image's default JPEG is ~2.9 KB and off by a grey level.
"""

from __future__ import annotations

import numpy as np

from .common import a_digit

__all__ = ["digit_image", "digit_images", "neighbour_alts"]

SIDE = 28


def digit_image(pixels: np.ndarray, *, scale: int = 3) -> np.ndarray:
    """One digit as a uint8 greyscale picture, white ink on black.

    Parameters
    ----------
    pixels : ndarray of shape (28, 28) or (784,)
        uint8 0-255 or float in [0, 1].
    scale : int
        Each pixel becomes a ``scale`` x ``scale`` block.

    Returns
    -------
    ndarray of uint8, shape (28 * scale, 28 * scale)
    """
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8:
        pixels = np.clip(np.rint(pixels.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)
    square = pixels.reshape(SIDE, SIDE)
    return np.repeat(np.repeat(square, scale, axis=0), scale, axis=1)


def digit_images(images: np.ndarray, indices: np.ndarray, *, scale: int = 3) -> list[np.ndarray]:
    """:func:`digit_image` for ``images[i]`` for each ``i`` in ``indices``."""
    return [digit_image(images[int(i)], scale=scale) for i in indices]


def neighbour_alts(labels: np.ndarray, indices: np.ndarray, similarities: np.ndarray, by: str) -> list[str]:
    """What a screen reader says for each picture of a neighbour gallery (``st.image``'s ``alt``).

    Parameters
    ----------
    labels : (n,) int, the test set's true digits
    indices : (k,) int, the neighbours' rows in the test set, nearest first
    similarities : (k,) float, their cosine similarity to the query
    by : str
        What was compared, e.g. ``"raw pixels"``.

    Returns
    -------
    list of k str, e.g. ``"Neighbour 1 by raw pixels: test digit #3, a 7, cosine similarity 0.912"``
    """
    return [
        f"Neighbour {rank} by {by}: test digit #{int(i)}, {a_digit(labels[int(i)])}, cosine similarity {s:.3f}"
        for rank, (i, s) in enumerate(zip(indices, similarities, strict=True), start=1)
    ]
