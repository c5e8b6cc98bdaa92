"""Turn a drawing (or a photo) into the 784 numbers the network reads, the way MNIST did.

MNIST's digits were size-normalised to fit a 20x20 box keeping their aspect ratio,
anti-aliased, and centred by centre of mass in a 28x28 field (LeCun, Cortes and
Burges, "The MNIST database").  A digit drawn on a 280x280 canvas must go through
the same steps, or the network sees something it never trained on.  Each step is
kept in :class:`Preprocessed` so the app can show it.

Ink is 1 and background 0 whatever the source: white-on-black canvases, black-on-
white paper, transparent backgrounds with an alpha channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

__all__ = ["Preprocessed", "length_over_width", "preprocess", "to_ink"]


def _ndimage():
    """``scipy.ndimage``, imported on first use.

    Importing it costs ~0.2 s (more on a busy server); the landing page, which
    shows test digits and never preprocesses, should not pay that on a cold start.
    """
    from scipy import ndimage

    return ndimage


BOX = 20  # MNIST's digits fit in 20x20 ...
FIELD = 28  # ... centred in 28x28
INK_THRESHOLD = 0.2  # a pixel with at least this much ink counts as drawn
MIN_INK_FRACTION = 0.0015  # below this share of inked pixels there is no digit (stray dots)
MIN_EXTENT = 0.05  # and the ink must span at least this share of the canvas' larger side
# ... and be longer than its strokes are thick: the ink's longer side over its thickest
# stroke is ~1 for a tap of the pen, whatever the pen's width.  Of MNIST's 70,000 digits
# one is under 1.4 (a blot of a 6), 3 of the 10,000 test digits under 1.6.
MIN_LENGTH_OVER_WIDTH = 1.4
MAX_INK_FRACTION = 0.7  # above this share of inked pixels it is a scribble over the canvas, not a digit
MIN_INK_FRACTION_PHOTO = 0.0002  # photos: the digit can be small in the frame (specks are removed first)
SPECK_FRACTION = 0.02  # photos: blobs under this share of the largest one are specks, not strokes
# photos: ink must stand out from the paper by this much (blank paper's noise and shadow
# leave ~0.03-0.06 after flattening; a pen stroke ~0.3-0.6)
MIN_PHOTO_CONTRAST = 0.12


@dataclass(repr=False)
class Preprocessed:
    """Every step from a canvas to the network's input.

    Attributes
    ----------
    ink : (H, W) float32 in [0, 1]
        The source as ink (1) on background (0).
    bbox : (top, bottom, left, right) or None
        The ink's bounding box in ``ink`` (bottom and right exclusive).
    cropped : (h, w) float32
        ``ink`` cut to ``bbox``.
    scaled : (h', w') float32, max(h', w') == 20
        ``cropped`` resized to fit 20x20, aspect kept, anti-aliased.
    centred : (28, 28) float32
        ``scaled`` placed so its centre of mass is the field's centre.
    input : (784,) float32 or None
        ``centred`` flattened: what the network multiplies.  None when no digit
        was found; then ``message`` says why.
    shift : (dy, dx)
        How far centring moved the digit from the middle of the field, in pixels.
    """

    ink: np.ndarray
    bbox: tuple[int, int, int, int] | None = None
    cropped: np.ndarray | None = None
    scaled: np.ndarray | None = None
    centred: np.ndarray = field(default_factory=lambda: np.zeros((FIELD, FIELD), np.float32))
    input: np.ndarray | None = None
    shift: tuple[int, int] = (0, 0)
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when a digit was found and ``input`` is ready."""
        return self.input is not None

    def __repr__(self) -> str:
        if not self.ok:
            return f"Preprocessed(no digit: {self.message!r})"
        return f"Preprocessed({self.ink.shape} -> bbox {self.bbox} -> {self.scaled.shape} -> 28x28)"


INK_POLARITIES = ("auto", "light", "dark")


def to_ink(image: np.ndarray, *, threshold_photo: bool = False, ink: str = "auto") -> np.ndarray:
    """Any greyscale, RGB or RGBA image -> float32 ink map in [0, 1], ink = 1.

    Parameters
    ----------
    image : array_like of shape (H, W), (H, W, 3) or (H, W, 4)
        uint8 (0-255), uint16 (0-65535), other integers holding 0-255, bool,
        or float in [0, 1].
    threshold_photo : bool
        For photos of paper: stretch the contrast from the background level to
        the darkest ink and zero what Otsu's threshold calls paper, so shadows
        and texture do not count as ink.
    ink : {"auto", "light", "dark"}
        "light": light ink on a dark ground (the app's canvas: white on black),
        "dark": dark ink on a light ground; "auto" decides from the data.

    Notes
    -----
    With ``ink="auto"`` polarity is decided from the data: the background is the
    more common tone (the median pixel), ink is whatever differs from it.  That
    guess fails for a canvas more than half covered in ink, so a caller that
    knows its polarity says so.  With an alpha channel that is not fully opaque,
    transparent pixels are the background.
    """
    polarity = ink
    if polarity not in INK_POLARITIES:
        raise ValueError(f"ink must be one of {INK_POLARITIES}, not {polarity!r}")
    a = np.asarray(image)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)) or a.size == 0:
        raise ValueError(f"expected an image of shape (H, W), (H, W, 3) or (H, W, 4); got {a.shape}")
    if a.dtype in (np.uint8, np.uint16):
        a = a.astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    elif np.issubdtype(a.dtype, np.integer) or a.dtype == bool:
        # other integers (a nested list of Python ints arrives as int64): 0-255, as 8-bit pixels
        if a.min() < 0 or a.max() > 255:
            raise ValueError(f"an integer image of type {a.dtype} must hold 0-255; it holds {a.min()} to {a.max()}")
        a = a.astype(np.float32) / np.float32(1.0 if a.dtype == bool else 255.0)
    else:
        a = np.nan_to_num(a.astype(np.float32), nan=0.0).clip(0.0, 1.0)
    if a.ndim == 2 or a.shape[2] == 1:
        grey, alpha = a.reshape(a.shape[0], a.shape[1]), None
    else:
        # ITU-R 601 luma, as Pillow's convert("L") uses
        grey = a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114
        alpha = a[..., 3] if a.shape[2] == 4 else None
    if alpha is not None and alpha.min() < 0.98:
        # Transparent background: ink strength is opacity times how far the
        # colour is from the background side it stands out against.
        weight = alpha.sum()
        if polarity == "auto":
            bright = (grey * alpha).sum() / weight >= 0.5 if weight > 0 else True
        else:
            bright = polarity == "light"
        ink = alpha * (grey if bright else 1.0 - grey)
    else:
        light = float(np.median(grey)) <= 0.5 if polarity == "auto" else polarity == "light"  # a dark ground
        ink = grey if light else 1.0 - grey
    ink = ink.astype(np.float32)
    if threshold_photo:
        ink = _clean_photo(ink)
    return ink


def _clean_photo(ink: np.ndarray) -> np.ndarray:
    """Remove a photo's paper: uneven light, texture, noise and specks; stretch the ink to 0..1.

    Paper in a photo is never one level: a hand's shadow or a lamp to one side
    makes one corner darker than another, and a single global threshold then
    calls the shadow ink.  So the paper's level is estimated locally and
    subtracted first, then Otsu's threshold separates ink from what is left.
    """
    ink = np.clip(ink - _paper_level(ink), 0.0, None)
    # The strongest ink, measured on a slightly blurred copy so that one hot pixel
    # of sensor or JPEG noise cannot set the scale.
    top = float(_ndimage().gaussian_filter(ink, 2.0).max())
    if top < MIN_PHOTO_CONTRAST:  # nothing stands out from the paper but noise and light
        return np.zeros_like(ink)
    ink = np.clip(ink / top, 0.0, 1.0)
    t = _otsu(ink)
    # keep anti-aliased edges above the threshold, drop everything below
    ink = np.where(ink >= t, np.clip((ink - t) / max(1.0 - t, 1e-3) * 1.5, 0.0, 1.0), 0.0).astype(np.float32)
    # Specks (dust, noise that survived the threshold) would stretch the digit's
    # bounding box: drop blobs far smaller than the largest stroke.
    labels, n = _ndimage().label(ink > 0, structure=np.ones((3, 3)))
    if n > 1:
        sizes = np.bincount(labels.ravel())[1:]
        keep = np.concatenate([[False], sizes >= SPECK_FRACTION * sizes.max()])
        ink = np.where(keep[labels], ink, 0.0).astype(np.float32)
    return ink


def _paper_level(ink: np.ndarray, coarse_side: int = 96) -> np.ndarray:
    """The paper's own ink level at every pixel (shadows, gradients), without the strokes.

    A low percentile over windows about a sixth of the image wide is the paper as
    long as strokes cover less than ~80% of any window.  Computed on a coarse copy
    (at most ``coarse_side`` pixels a side) and interpolated back up: the light
    varies slowly, and this keeps a 1024-pixel photo fast.
    """
    h, w = ink.shape
    f = coarse_side / max(h, w)
    if f < 1.0:
        small_size = (max(1, round(w * f)), max(1, round(h * f)))
        coarse = np.asarray(Image.fromarray(np.ascontiguousarray(ink)).resize(small_size, Image.Resampling.BOX))
    else:
        coarse = ink
    window = max(3, max(coarse.shape) // 6)
    level = _ndimage().percentile_filter(coarse, 20, size=window, mode="nearest")
    level = _ndimage().uniform_filter(level, size=window, mode="nearest")  # smooth the window's steps
    if level.shape != ink.shape:
        level = np.asarray(Image.fromarray(level).resize((w, h), Image.Resampling.BILINEAR))
    return level.astype(np.float32)


def _otsu(values: np.ndarray, bins: int = 64) -> float:
    """Otsu's threshold: the cut that maximises the between-class variance."""
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist.astype(np.float64) / max(hist.sum(), 1)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(p)
    mu = np.cumsum(p * centres)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mu[-1] * w0 - mu) ** 2 / (w0 * (1 - w0))
    between = np.nan_to_num(between)
    return float(edges[1:][int(between.argmax())])


def length_over_width(mask: np.ndarray, *, max_side: int = 280) -> float:
    """The ink's longer side over the width of its thickest stroke.

    The width is twice the largest distance from an inked pixel to the nearest
    blank one (``scipy.ndimage.distance_transform_edt``): a disc's diameter, a
    line's thickness.  A tap of the pen gives about 1 at any pen width; a digit
    is several strokes long (MNIST's median is 4.5).

    Parameters
    ----------
    mask : (h, w) bool, True where there is ink (some)
    max_side : int
        Larger masks (a photo's) are measured on every k-th pixel, which keeps
        the ratio and bounds the cost.

    Returns
    -------
    float, 0.0 for no ink
    """
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return 0.0
    mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    step = max(1, -(-max(mask.shape) // max_side))
    mask = mask[::step, ::step]
    # padded with blank, so ink touching the box's edge still ends there
    width = 2.0 * float(_ndimage().distance_transform_edt(np.pad(mask, 1)).max())
    return max(mask.shape) / width


def preprocess(image: np.ndarray, *, photo: bool = False, ink: str = "auto") -> Preprocessed:
    """A canvas RGBA array or a photo, any size -> the network's 28x28 input.

    Parameters
    ----------
    image : array_like of shape (H, W), (H, W, 3) or (H, W, 4)
        A canvas's ``image_data`` (uint8 RGBA), a greyscale array, or a photo.
    photo : bool
        Clean up paper, shadows and noise first (see :func:`to_ink`).
    ink : {"auto", "light", "dark"}
        The ink's polarity, when the caller knows it (see :func:`to_ink`).

    Returns
    -------
    Preprocessed
        ``.input`` is the (784,) float32 vector, or None with ``.message`` set
        when the image holds no digit (an empty canvas, a stray dot).
    """
    ink = to_ink(image, threshold_photo=photo, ink=ink)
    result = Preprocessed(ink=ink)
    mask = ink >= INK_THRESHOLD
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    # A photo's digit may fill a small part of the frame; its specks are already gone.
    min_fraction = MIN_INK_FRACTION_PHOTO if photo else MIN_INK_FRACTION
    inked = float(mask.mean())  # the share of pixels with ink
    if inked < min_fraction or len(rows) == 0:
        result.message = "Draw a digit: the canvas is empty." if inked == 0 else "Draw a digit: that is only a dot."
        return result
    if inked > MAX_INK_FRACTION:
        where = "photo" if photo else "canvas"
        result.message = (
            f"Draw a digit: that covers {inked:.0%} of the {where}. Clear it and draw one digit, "
            "with dark space around it."
        )
        return result
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    if max(bottom - top, right - left) < MIN_EXTENT * max(ink.shape):
        result.message = "Draw a digit: that mark is too small to read. Draw bigger."
        return result
    if length_over_width(mask[top:bottom, left:right]) < MIN_LENGTH_OVER_WIDTH:
        result.message = "Draw a digit: that is only a dot, no longer than the pen is wide. Draw bigger."
        return result
    result.bbox = (top, bottom, left, right)
    result.cropped = ink[top:bottom, left:right]

    # Fit the longer side to 20 pixels, keep the aspect ratio.  Pillow's LANCZOS
    # widens its kernel by the reduction factor, so this is a true anti-aliased
    # downsample (a plain nearest-neighbour pick would alias thin strokes away).
    h, w = result.cropped.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    pil = Image.fromarray(np.ascontiguousarray(result.cropped, dtype=np.float32))  # mode "F"
    scaled = np.asarray(pil.resize((new_w, new_h), Image.Resampling.LANCZOS), dtype=np.float32)
    result.scaled = np.clip(scaled, 0.0, 1.0)

    # Centre by centre of mass: put the digit in the middle, then move it so its
    # centre of mass lands on the field's centre, by whole pixels as MNIST did.
    centred = np.zeros((FIELD, FIELD), np.float32)
    top0, left0 = (FIELD - new_h) // 2, (FIELD - new_w) // 2
    centred[top0 : top0 + new_h, left0 : left0 + new_w] = result.scaled
    cy, cx = _ndimage().center_of_mass(centred)
    # MNIST's centre of mass sits at pixel (14, 14), 0-indexed: measured over the
    # 60,000 training digits, 14.00 +- 0.29 in both axes (not 13.5, the geometric
    # middle of 0..27).  Matching it matters: a one-pixel offset costs accuracy.
    centre = FIELD / 2
    dy, dx = round(centre - cy), round(centre - cx)
    # never push ink off the field
    dy = int(np.clip(dy, -top0, FIELD - (top0 + new_h)))
    dx = int(np.clip(dx, -left0, FIELD - (left0 + new_w)))
    result.centred = np.roll(centred, (dy, dx), axis=(0, 1))
    result.shift = (dy, dx)
    result.input = result.centred.reshape(-1).copy()
    return result
