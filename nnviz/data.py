"""MNIST, read from the four standard IDX files that ship with nnviz.

The IDX format (http://yann.lecun.com/exdb/mnist/) is a big-endian header -- a
magic number whose third byte is the element type (0x08 = uint8) and fourth the
number of dimensions, then one uint32 per dimension -- followed by the raw bytes.

Every file is checked before it is used: magic number, dimensions, byte count and
the SHA-256 of its decompressed content, so a truncated download or a damaged copy
fails with one clear :class:`DataError` naming the file, never with a traceback
from deep inside NumPy.  Images stay uint8 in memory (47 MB for the training set);
callers convert per batch.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["MNIST_DIR", "SPLITS", "DataError", "data_dir", "load_mnist", "read_idx"]

MNIST_DIR = Path(__file__).resolve().parent / "assets" / "mnist"

# split -> (images file, labels file, number of samples)
SPLITS: dict[str, tuple[str, str, int]] = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60_000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10_000),
}

# SHA-256 of the *decompressed* IDX files: the widely published values, so any
# copy of MNIST (gzipped or not, recompressed or not) is recognised.
SHA256: dict[str, str] = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


class DataError(RuntimeError):
    """A data file is missing, truncated or not what it claims to be."""


def data_dir() -> Path:
    """The folder MNIST is read from: ``$NNVIZ_DATA_DIR`` if set, else the shipped copy."""
    override = os.environ.get("NNVIZ_DATA_DIR")
    return Path(override).expanduser() if override else MNIST_DIR


def _find(folder: Path, name: str) -> Path:
    """The file ``name`` or ``name.gz`` in ``folder``, gzipped copy first."""
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    raise DataError(
        f"MNIST file {name}(.gz) not found in {folder}. "
        "Restore nnviz/assets/mnist/ from the repository, or point NNVIZ_DATA_DIR at a "
        "folder holding the four standard IDX files."
    )


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # gzip magic: decompress whatever the file is called
            return gzip.decompress(raw)
        return raw
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(f"{path.name}: cannot be read or decompressed ({exc}).") from exc


def read_idx(path: str | os.PathLike, expected_sha256: str | None = None) -> np.ndarray:
    """Read one IDX file (gzipped or not) into a uint8 array.

    Parameters
    ----------
    path : path-like
        An IDX file of uint8 elements, optionally gzip-compressed.
    expected_sha256 : str, optional
        Hex SHA-256 of the decompressed content; checked when given.

    Returns
    -------
    ndarray of uint8, of shape given by the header: ``(n, rows, cols)`` for images,
    ``(n,)`` for labels.

    Raises
    ------
    DataError
        With the file's name and what is wrong with it.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 8:
        raise DataError(f"{path.name}: only {len(data)} bytes, too short for an IDX header.")
    magic = int.from_bytes(data[:4], "big")
    if magic >> 8 != 0x08:  # zero, zero, type byte 0x08 (unsigned byte)
        raise DataError(
            f"{path.name}: bad magic number 0x{magic:08x}; expected an IDX file of "
            "unsigned bytes (0x00000801 labels or 0x00000803 images)."
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{path.name}: header declares {ndim} dimensions but is truncated.")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(data) != expected:
        raise DataError(
            f"{path.name}: {len(data):,} bytes, but the header (shape {shape}) needs "
            f"{expected:,}; the file is truncated or damaged."
        )
    if expected_sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected_sha256:
            raise DataError(
                f"{path.name}: SHA-256 {digest[:16]}… does not match the published "
                f"{expected_sha256[:16]}…; the file is damaged or not MNIST."
            )
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)
    array.flags.writeable = False  # shared by every caller through the cache below
    return array


@functools.lru_cache(maxsize=4)
def _load(split: str, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name, count = SPLITS[split]
    images = read_idx(_find(folder, images_name), SHA256[images_name])
    labels = read_idx(_find(folder, labels_name), SHA256[labels_name])
    if images.shape != (count, 28, 28) or labels.shape != (count,):
        raise DataError(
            f"MNIST {split}: images {images.shape} and labels {labels.shape}; expected "
            f"({count}, 28, 28) and ({count},)."
        )
    # (no check that labels are 0-9: the SHA-256 above has pinned every byte of them)
    labels = labels.astype(np.int64)
    labels.flags.writeable = False
    return images, labels


def load_mnist(split: str = "train", folder: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load one split of MNIST, checked and cached.

    Parameters
    ----------
    split : {"train", "test"}
        60,000 training or 10,000 test digits.
    folder : path-like, optional
        Where the IDX files are; default ``$NNVIZ_DATA_DIR`` or the shipped copy.

    Returns
    -------
    images : ndarray of uint8, shape (n, 28, 28)
        Read-only; ink is 255, background 0.
    labels : ndarray of int64, shape (n,)
        Read-only digits 0-9.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, not {split!r}")
    resolved = Path(folder).expanduser() if folder is not None else data_dir()
    return _load(split, resolved.resolve())
