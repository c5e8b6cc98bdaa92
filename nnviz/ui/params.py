"""Reading state from the URL (``st.query_params``) safely: a malformed link gets a notice, never an error."""

from __future__ import annotations

import streamlit as st

__all__ = ["query_int"]


def query_int(name: str, lo: int, hi: int) -> int | None:
    """The integer query parameter ``name`` if present and in [lo, hi], else None.

    A value that is present but not a whole number in range shows a notice and is
    ignored, so ``?neuron=abc`` or ``?sample=-1`` falls back to the default view.
    """
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        st.warning(f"The link's `{name}={raw}` is not a number; showing the default instead.")
        return None
    if not lo <= value <= hi:
        st.warning(f"The link's `{name}={value}` is outside {lo}-{hi}; showing the default instead.")
        return None
    return value
