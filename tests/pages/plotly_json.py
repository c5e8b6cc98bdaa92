"""Reading the figures a page sent: AppTest keeps each chart as Plotly JSON."""

from __future__ import annotations

import base64
import json

import numpy as np
from streamlit.testing.v1 import AppTest


def figure(at: AppTest, key: str) -> dict:
    """The Plotly JSON of the chart whose element id contains ``key``."""
    for el in at.get("plotly_chart"):
        if key in el.proto.id:
            return json.loads(el.proto.spec)
    raise KeyError(key)


def decode(array) -> np.ndarray:
    """A Plotly JSON array: a (nested) list, None for gaps, or a base64 typed array ({dtype, bdata, shape})."""
    if isinstance(array, dict):
        data = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        return data.reshape([int(s) for s in str(array.get("shape", len(data))).split(",")])
    return np.asarray(array, dtype=float)  # None becomes NaN
