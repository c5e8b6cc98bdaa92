"""MNIST test digits redrawn as a reader would draw them on the app's canvas.

A network can score 98% on MNIST and still fail on a finger-drawn digit: canvas
strokes have one constant width, the digit can sit anywhere at any size, and the
pen may be thick or thin.  To measure that honestly without thousands of human
drawings, we redraw each MNIST test digit (never seen in training) on a 280x280
canvas:

1. upscale it and trace its centre line (the ridge of the distance transform),
2. redraw that line with a round pen of a chosen width, as the canvas does,
3. place it at a random size and position, white on black, as RGBA.

The result goes through :func:`nnviz.preprocess` exactly like a real drawing.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

__all__ = ["redraw", "redraw_many"]

CANVAS = 280


def redraw(
    image: np.ndarray,
    *,
    height: float = 180.0,
    pen: float = 18.0,
    centre: tuple[float, float] = (140.0, 140.0),
    canvas: int = CANVAS,
) -> np.ndarray:
    """One MNIST digit redrawn on a canvas.

    Parameters
    ----------
    image : ndarray of uint8, shape (28, 28)
    height : float
        Height of the drawn digit in canvas pixels (the width follows its aspect).
    pen : float
        Stroke width in canvas pixels.
    centre : (row, col)
        Where the digit's box is centred on the canvas.
    canvas : int
        Side of the square canvas.

    Returns
    -------
    ndarray of uint8, shape (canvas, canvas, 4)
        White ink on an opaque black background, like the app's canvas.
    """
    rows, cols = np.nonzero(image > 64)
    if len(rows) == 0:
        return _rgba(np.zeros((canvas, canvas), np.float32))
    digit = image[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float32) / 255.0
    h, w = digit.shape
    scale = height / h
    new_h, new_w = max(2, round(h * scale)), max(2, round(w * scale))
    big = np.asarray(Image.fromarray(digit).resize((new_w, new_h), Image.Resampling.BILINEAR)) > 0.5

    # The centre line: points of the shape farthest from its edge (ridge of the
    # distance transform).  Redrawing it with a round pen gives the constant
    # stroke width of a canvas pen, whatever the original writer's pen was.
    distance = ndimage.distance_transform_edt(big)
    ridge = (distance > 0) & (distance >= ndimage.maximum_filter(distance, size=3) - 0.5)
    ridge &= distance >= 0.25 * distance.max()  # drop the short spurs the ridge grows at corners
    stroke = ndimage.distance_transform_edt(~ridge) <= pen / 2

    ink = np.zeros((canvas, canvas), np.float32)
    top, left = round(centre[0] - new_h / 2), round(centre[1] - new_w / 2)
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + new_h, canvas), min(left + new_w, canvas)
    ink[t0:t1, l0:l1] = stroke[t0 - top : t1 - top, l0 - left : l1 - left]
    # soften the edge a little, as the canvas anti-aliases its strokes
    return _rgba(ndimage.gaussian_filter(ink, 0.7))


def _rgba(ink: np.ndarray) -> np.ndarray:
    grey = np.clip(ink * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


def redraw_many(
    images: np.ndarray, rng: np.random.Generator, *, pen: tuple[float, float] = (10.0, 30.0)
) -> list[np.ndarray]:
    """Redraw each image at a random height (100-240 px), pen width and position that keeps it on the canvas.

    Parameters
    ----------
    images : ndarray of uint8, shape (n, 28, 28)
    rng : numpy.random.Generator
    pen : (low, high)
        Range of stroke widths in canvas pixels.

    Returns
    -------
    list of n RGBA canvases, each (280, 280, 4) uint8
    """
    out = []
    for image in images:
        height = rng.uniform(100.0, 240.0)
        margin = height / 2 + 10
        centre = (rng.uniform(margin, CANVAS - margin), rng.uniform(margin, CANVAS - margin))
        out.append(redraw(image, height=height, pen=rng.uniform(*pen), centre=centre))
    return out
