"""A photo of a handwritten digit -> the network's input, refusing hostile files politely.

Anyone can upload anything, so every step is guarded, cheapest check first:

1. the byte count (empty, or larger than :data:`MAX_BYTES`);
2. the header only: Pillow's ``Image.open`` reads the format and the size without
   decoding pixels, so a "decompression bomb" (a small file that claims a huge
   image) or a 20000x20000 picture is refused before any memory is spent
   (:data:`MAX_PIXELS`; :data:`MAX_JPEG_PIXELS` for a JPEG, which is decoded at
   reduced scale), and Pillow's own bomb guard is turned into an error too;
3. decoding: a truncated or corrupt file fails here; JPEGs are decoded at a
   reduced scale (``draft``) when they are far bigger than needed;
4. orientation from the EXIF tag (phones store photos sideways and say so),
   the first frame of an animation, and every mode (16-bit, CMYK, palette,
   grey with alpha, ...) brought to grey, RGB or RGBA;
5. a downscale to at most :data:`WORK_SIDE` pixels, then the same pipeline as the
   canvas with the photo clean-up (:func:`nnviz.preprocess`, ``photo=True``).

Every refusal is one :class:`PhotoError` whose message is written for the reader.
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
from PIL import Image, ImageOps

from .preprocess import Preprocessed, preprocess

__all__ = ["FORMATS", "MAX_BYTES", "MAX_JPEG_PIXELS", "MAX_PIXELS", "PhotoError", "digit_from_photo", "load_photo"]

MAX_BYTES = 10 * 1024 * 1024  # a phone's JPEG is 2-6 MB; Streamlit's own limit is in .streamlit/config.toml
MAX_PIXELS = 40_000_000  # 40 MP decoded at most: far below a bomb
# A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still leaves WORK_SIDE pixels, so
# its header may claim more: a 48-50 MP phone photo (8064 x 6048) decodes as 1008 x 756.
# MAX_PIXELS still bounds what is decoded (a 80,000 x 1,000 strip cannot be reduced).
MAX_JPEG_PIXELS = 80_000_000
REDUCIBLE = ("JPEG", "MPO")  # the formats decoded at reduced scale (``draft``), so allowed MAX_JPEG_PIXELS
WORK_SIDE = 1024  # a digit needs 20x20 pixels in the end; 1024 leaves room to crop
# The formats Pillow may try.  Limiting them keeps rarely used decoders (and their
# bugs) away from uploads.  (Phones' multi-picture JPEGs open as "JPEG" and come out as "MPO".)
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")


class PhotoError(ValueError):
    """An upload that cannot become a digit; ``str(error)`` is a message for the reader."""


def _open(data: bytes) -> Image.Image:
    """Check the size and the header; no pixels are decoded yet."""
    if not data:
        raise PhotoError("The file is empty. Choose a photo (PNG, JPEG or WebP) of one handwritten digit.")
    if len(data) > MAX_BYTES:
        raise PhotoError(
            f"The file is too large ({len(data) / 2**20:.1f} MB; at most {MAX_BYTES // 2**20} MB). "
            "A photo of one digit needs far less: try a smaller size from your camera or a screenshot."
        )
    with warnings.catch_warnings():
        # Pillow warns above Image.MAX_IMAGE_PIXELS and raises above twice that;
        # here both are refusals.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow's own guard fired (over ~89 MP); its message holds the pixel count.
            claimed = re.search(r"\((\d+) pixels\)", str(exc))
            raise PhotoError(_too_many_pixels(int(claimed.group(1)) if claimed else None)) from exc
        except Image.UnidentifiedImageError as exc:
            raise PhotoError("This file is not a PNG, JPEG or WebP image (or it is damaged beyond reading).") from exc
        except Exception as exc:  # Pillow's parsers raise many types on hostile headers
            raise PhotoError("This file could not be read as an image: it may be damaged.") from exc
    width, height = image.size
    if width < 1 or height < 1:
        raise PhotoError("This image has no pixels.")
    limit = MAX_JPEG_PIXELS if image.format in REDUCIBLE else MAX_PIXELS
    if width * height > limit:
        raise PhotoError(_too_many_pixels(width * height, f" ({width:,} x {height:,})", limit))
    return image


def _too_many_pixels(pixels: int | None, size: str = "", limit: int = MAX_PIXELS) -> str:
    claimed = f"{pixels / 1e6:,.0f} megapixels{size}" if pixels else "far too many megapixels"
    return (
        f"This image is {claimed}; at most {limit / 1e6:.0f} megapixels are accepted, so it was not opened "
        "(the limit keeps out 'decompression bombs', small files that claim huge pictures). Crop or shrink it first."
    )


def _to_array(image: Image.Image) -> np.ndarray:
    """Any Pillow mode -> (H, W) uint8/uint16 grey, (H, W, 3) RGB or (H, W, 4) RGBA."""
    mode = image.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey (and the 32-bit "I" Pillow may open it as): keep the full
        # range; convert("L") would clip everything above 255 to white.
        a = np.asarray(image).astype(np.float64)
        top = 65535.0 if mode.startswith("I;16") or a.max() > 255 else 255.0
        return (np.clip(a / top, 0.0, 1.0) * 65535).astype(np.uint16)
    if mode == "F":
        a = np.nan_to_num(np.asarray(image, dtype=np.float64))
        top = a.max() if a.max() > 1.0 else 1.0
        return (np.clip(a / top, 0.0, 1.0) * 255).astype(np.uint8)
    if mode in ("L", "RGB", "RGBA"):
        return np.asarray(image)
    if mode == "1":
        return np.asarray(image.convert("L"))
    has_alpha = mode in ("LA", "La", "PA", "RGBa") or (mode == "P" and "transparency" in image.info)
    return np.asarray(image.convert("RGBA" if has_alpha else "RGB"))  # P, CMYK, YCbCr, LAB, HSV, ...


def load_photo(data: bytes) -> np.ndarray:
    """Decode an uploaded photo safely, upright, at a working size.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.

    Returns
    -------
    ndarray
        (H, W) grey (uint8 or uint16), (H, W, 3) RGB or (H, W, 4) RGBA uint8, with
        ``max(H, W) <= WORK_SIDE``, the right way up.

    Raises
    ------
    PhotoError
        Empty, too large in bytes or pixels, not an image, truncated or damaged.
    """
    image = _open(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)  # an animation: its first frame
            if image.format in REDUCIBLE:
                # decode at 1/2, 1/4 or 1/8 scale when that still leaves WORK_SIDE pixels
                image.draft("RGB" if image.mode == "CMYK" else image.mode, (WORK_SIDE, WORK_SIDE))
                width, height = image.size  # what will be decoded
                if width * height > MAX_PIXELS:
                    raise PhotoError(
                        _too_many_pixels(width * height, f" ({width:,} x {height:,} even at reduced scale)")
                    )
            image.load()
    except PhotoError:
        raise
    except OSError as exc:
        if "truncated" in str(exc).lower():
            raise PhotoError("The image file is cut short (truncated): upload it again.") from exc
        raise PhotoError("The image could not be decoded: the file is damaged.") from exc
    except Exception as exc:  # decoders raise SyntaxError, ValueError, struct.error, ... on damaged data
        raise PhotoError("The image could not be decoded: the file is damaged.") from exc
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block costs only the orientation, not the photo
        pass
    if max(image.size) > WORK_SIDE:
        if image.mode.startswith("I"):  # 16/32-bit grey: resample in float, keeping the range
            image = Image.fromarray(_to_array(image).astype(np.float32) / np.float32(65535))
        elif image.mode not in ("L", "RGB", "RGBA", "F"):
            image = Image.fromarray(_to_array(image))
        image.thumbnail((WORK_SIDE, WORK_SIDE), Image.Resampling.LANCZOS)
    return _to_array(image)


def digit_from_photo(data: bytes) -> Preprocessed:
    """An uploaded photo -> the network's 28x28 input, every step kept.

    Parameters
    ----------
    data : bytes
        A PNG, JPEG or WebP (GIF and BMP work too) of one handwritten digit, dark
        on light paper or light on dark.

    Returns
    -------
    Preprocessed
        With ``.input`` (784,) float32 set.

    Raises
    ------
    PhotoError
        For a file that cannot be read (see :func:`load_photo`) or a photo in
        which no digit is found.
    """
    pixels = load_photo(data)
    prep = preprocess(pixels, photo=True)
    if not prep.ok:
        raise PhotoError(
            "No digit found in this photo. Write one digit large and dark on plain paper, "
            "and photograph it close up in even light."
        )
    return prep
