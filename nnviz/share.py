"""A drawing in a link: the network's 28x28 input as a short, URL-safe code.

A reader who drew a digit can share it as ``?d=<code>``.  The code holds exactly
what the network multiplies -- the centred 28x28 field -- so opening the link
shows the same digit and (almost always) the same prediction:

1. quantise each of the 784 intensities in [0, 1] to 4 bits (16 levels, error at
   most 1/30: finer than the eye sees in a 28x28 thumbnail);
2. pack two pixels per byte (392 bytes) behind a one-byte format version;
3. compress with zlib (most of an MNIST field is background, and zlib's Adler-32
   checksum catches a code damaged in copying);
4. write the bytes as base64url without padding (safe in a URL, no escaping).

A test digit becomes 43-264 characters (median 178; 110-222 for nine in ten).  :func:`decode_drawing` trusts nothing:
a link can be typed, truncated or hostile, so every step is checked and any
failure is one :class:`ShareCodeError` (a ``ValueError``) with a plain message.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import numpy as np

__all__ = ["MAX_CODE_CHARS", "ShareCodeError", "decode_drawing", "encode_drawing"]

FIELD = 28
N_PIXELS = FIELD * FIELD  # 784
LEVELS = 15  # 4 bits: 0..15
VERSION = 1
_PAYLOAD_BYTES = 1 + N_PIXELS // 2  # version byte + two pixels per byte = 393
# zlib's worst case for 393 incompressible bytes is ~404 bytes -> 539 base64 chars;
# anything longer was not made by encode_drawing.
MAX_CODE_CHARS = 600
_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")


class ShareCodeError(ValueError):
    """A drawing code that is not one :func:`encode_drawing` made (broken, truncated, typed)."""


def quantise(pixels: np.ndarray) -> np.ndarray:
    """(784,) or (28, 28) intensities in [0, 1] -> (784,) uint8 levels 0..15."""
    x = np.asarray(pixels, dtype=np.float32).reshape(-1)
    if x.size != N_PIXELS:
        raise ValueError(f"expected 784 pixels (a 28x28 field); got {x.size}")
    x = np.nan_to_num(x, nan=0.0).clip(0.0, 1.0)
    return np.rint(x * LEVELS).astype(np.uint8)


def encode_drawing(pixels: np.ndarray) -> str:
    """The share code of a 28x28 input.

    Parameters
    ----------
    pixels : array_like of shape (784,) or (28, 28)
        Intensities in [0, 1], ink = 1 (``Preprocessed.input``).  Values outside
        [0, 1] are clipped, NaN counts as background.

    Returns
    -------
    str
        URL-safe code (``[A-Za-z0-9_-]``), typically 110-260 characters.
    """
    q = quantise(pixels)
    packed = (q[0::2] << 4) | q[1::2]  # (392,): high nibble = even pixel, low = odd
    payload = bytes([VERSION]) + packed.tobytes()
    return base64.urlsafe_b64encode(zlib.compress(payload, 9)).rstrip(b"=").decode("ascii")


def decode_drawing(code: str) -> np.ndarray:
    """The 28x28 input a share code holds, after checking every step.

    Parameters
    ----------
    code : str
        From :func:`encode_drawing` (surrounding whitespace is ignored).

    Returns
    -------
    ndarray of shape (784,), float32
        Intensities ``level / 15`` in [0, 1].

    Raises
    ------
    ShareCodeError
        (a ``ValueError``) for anything else: wrong type, empty, too long, a
        character outside base64url, bad base64 length, data that is not zlib or
        fails its checksum, the wrong size or version, or an empty drawing.
    """
    if not isinstance(code, str):
        raise ShareCodeError("The drawing code must be text.")
    code = code.strip()
    if not code:
        raise ShareCodeError("The drawing code is empty.")
    if len(code) > MAX_CODE_CHARS:
        raise ShareCodeError(f"The drawing code is too long ({len(code)} characters; at most {MAX_CODE_CHARS}).")
    if not _ALPHABET.fullmatch(code):
        raise ShareCodeError("The drawing code contains characters that a drawing code never has.")
    if len(code) % 4 == 1:  # no whole number of bytes: truncated or padded by hand
        raise ShareCodeError("The drawing code has the wrong length: it may be cut short.")
    try:
        blob = base64.b64decode(code + "=" * (-len(code) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ShareCodeError("The drawing code is not valid base64.") from exc
    # Decompress at most one byte more than a drawing needs, so a crafted code
    # cannot make the server inflate a "zip bomb".
    inflater = zlib.decompressobj()
    try:
        payload = inflater.decompress(blob, _PAYLOAD_BYTES + 1)
    except zlib.error as exc:
        raise ShareCodeError("The drawing code is damaged: its data does not unpack.") from exc
    if len(payload) != _PAYLOAD_BYTES or not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise ShareCodeError("The drawing code is damaged: it does not hold one 28x28 drawing.")
    if payload[0] != VERSION:
        raise ShareCodeError(f"The drawing code has format version {payload[0]}; this app reads version {VERSION}.")
    packed = np.frombuffer(payload, dtype=np.uint8, offset=1)
    levels = np.empty(N_PIXELS, dtype=np.uint8)
    levels[0::2], levels[1::2] = packed >> 4, packed & 0x0F
    if not levels.any():
        raise ShareCodeError("The drawing code holds an empty drawing.")
    return levels.astype(np.float32) / np.float32(LEVELS)
