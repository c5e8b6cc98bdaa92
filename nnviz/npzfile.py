"""The app's files (the model, the t-SNE map): named arrays and a JSON record in an ``.npz``, never a pickle.

``np.load(..., allow_pickle=False)`` refuses object arrays, so reading a file can
never run code; the record of how a file was made is JSON text in one string
array.  Every way a file can be wrong ends in one error of the caller's kind
with a message that says what is wrong.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = ["load_file", "read_npz", "write_npz"]

T = TypeVar("T")


def write_npz(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write ``arrays`` and ``meta`` (as a JSON string array named "meta") to a compressed ``.npz``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays, meta=np.array(json.dumps(meta, sort_keys=True)))


def read_npz(
    blob: bytes, names: Sequence[str], error: type[Exception], kind: str
) -> tuple[dict[str, np.ndarray], dict]:
    """The arrays ``names`` and the JSON record of an ``.npz`` written by :func:`write_npz`.

    Parameters
    ----------
    blob : bytes
        The file's content.
    names : sequence of str
        The arrays the file must hold (besides "meta").
    error : exception class
        Raised, with a message saying what is wrong, for a file that is not a
        zip, lacks an array, holds anything pickled, or whose record is not a
        JSON object.
    kind : str
        What the file should be, for the messages ("model", "map").

    Returns
    -------
    arrays : dict of str to ndarray
    meta : dict
    """
    if not blob.startswith(b"PK"):  # an .npz is a zip; np.load would take anything else for a pickle
        raise error("not a readable .npz file (no zip header).")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            missing = [k for k in (*names, "meta") if k not in npz.files]
            if missing:
                raise error(f"not an nnviz {kind}: missing {', '.join(missing)}.")
            arrays = {k: npz[k] for k in names}
            meta_text = str(npz["meta"][()])
    except error:
        raise
    except ValueError as exc:  # includes "Object arrays cannot be loaded when allow_pickle=False"
        raise error(f"refused to load ({exc}).") from exc
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise error(f"not a readable .npz file ({exc}).") from exc
    try:
        meta = json.loads(meta_text)
    except json.JSONDecodeError as exc:
        raise error(f"metadata is not valid JSON ({exc}).") from exc
    if not isinstance(meta, dict):
        raise error("metadata must be a JSON object.")
    return arrays, meta


def load_file(path: str | os.PathLike, parse: Callable[[bytes], T], error: type[Exception], what: str) -> T:
    """``parse`` the bytes of the file at ``path``, with the file named in every error.

    A missing file raises ``error("<what> file <path> not found.")``; an ``error``
    from ``parse`` comes back with the file's name in front of its message.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} file {path} not found.")
    try:
        return parse(path.read_bytes())
    except error as exc:
        raise error(f"{path.name}: {exc}") from exc
