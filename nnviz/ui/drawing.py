"""The Draw page's input: the canvas, or a test digit chosen without a mouse, kept in sync.

One rule keeps the two sources from fighting: the latest action wins.  A stroke
makes the drawing the current digit (and drops ``?sample=`` from the URL);
choosing a test digit makes it current, writes ``?sample=N``, and clears the
canvas by giving it a new key.  Everything here is Streamlit glue; the maths is
in :mod:`nnviz.preprocess` and :mod:`nnviz.mlp`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

import nnviz
from nnviz import ui
from nnviz.preprocess import Preprocessed
from nnviz.ui.params import query_int

__all__ = ["DigitInput", "apply_canvas", "digit_input", "sync_sample_from_url"]

_GEN = "draw_canvas_gen"  # bumping it gives the canvas a new key: a blank canvas
_INDEX = "draw_sample_index"
_CLASS = "draw_sample_class"
_WIDTH = "draw_stroke_width"
_CHOOSER = "draw_sample_chooser"  # bumping it gives the chooser a new key: a closed popover
_SEEN = "draw_canvas_seen"  # (digest, Preprocessed) of the last canvas image applied


@dataclass
class DigitInput:
    """What the Draw page shows: the current digit, or a hint when there is none.

    Attributes
    ----------
    selection : Selection or None
        The current digit (drawn now, drawn before, a test sample, or from a link).
    prep : Preprocessed or None
        The canvas as preprocessed this run, when the canvas has sent an image.
    hint : str
        Shown instead of a prediction when ``selection`` is None.
    status : st.container
        An empty container right under the canvas, for a line that must be seen
        without scrolling (the page fills it once it has the answer).
    """

    selection: ui.Selection | None
    prep: Preprocessed | None
    hint: str
    status: Any = None


def choose_sample(index: int) -> None:
    """Make test digit ``index`` current, put it in the URL, and blank the canvas."""
    ui.set_selection(ui.sample_selection(index))
    st.query_params["sample"] = str(index)
    st.session_state[_INDEX] = index
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1


def clear() -> None:
    """Blank the canvas and forget the current digit."""
    ui.set_selection(None)
    st.query_params.pop("sample", None)
    st.session_state[_GEN] = st.session_state.get(_GEN, 0) + 1


def _on_index() -> None:
    choose_sample(int(st.session_state[_INDEX]))


def _on_random() -> None:
    choose_sample(ui.random_sample())


def _on_class() -> None:
    digit = st.session_state.get(_CLASS)
    st.session_state[_CLASS] = None  # so picking the same digit again draws another one
    if digit is not None:
        choose_sample(ui.random_sample(digit))
        # one pick, one digit: close the chooser, which on a phone covers the canvas and the digit chosen.
        # (Setting a stateful popover's state to False closed it every other time only: twice the same value.)
        st.session_state[_CHOOSER] = st.session_state.get(_CHOOSER, 0) + 1


def sync_sample_from_url() -> None:
    """Honour ``?sample=N`` (a link into the page), and keep the URL and the chooser showing the current sample.

    Call once per full run, before the fragment (the chooser's state may only be
    set before its widget is drawn).
    """
    n = len(ui.mnist("test")[1])
    index = query_int("sample", 0, n - 1)
    current = st.session_state.get("drawing")
    if index is not None and (current is None or current.source != "sample" or current.index != index):
        choose_sample(index)
    elif current is not None and current.source == "sample":
        st.session_state[_INDEX] = current.index
        if st.query_params.get("sample") != str(current.index):
            st.query_params["sample"] = str(current.index)


def apply_canvas(image: np.ndarray, *, seen_key: str = _SEEN) -> Preprocessed:
    """Preprocess the canvas's image and make it the current digit, once per new image.

    The component hands back its last image on every rerun of the fragment; only
    a new one (a stroke, an undo) is news.  Applying an old one again would undo
    whatever the reader chose since (an uploaded photo, say) on any unrelated rerun.
    ``seen_key``: where this canvas's last image is remembered (one key per canvas).
    """
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16).digest()
    seen = st.session_state.get(seen_key)
    if seen is not None and seen[0] == digest:
        return seen[1]
    prep = nnviz.preprocess(image, ink="light")  # the canvas: white ink on black, however much of it
    st.session_state[seen_key] = (digest, prep)
    current = st.session_state.get("drawing")
    if prep.ok:
        ui.set_selection(ui.Selection(prep.input, "drawing", prep=prep))
        st.query_params.pop("sample", None)
    elif current is not None and current.source == "drawing":
        ui.set_selection(None)  # erased with the canvas's own undo or trash tools
    return prep


def digit_input(*, size: int = 280, status_key: str | None = None) -> DigitInput:
    """Draw the canvas and its controls (clear, a test digit, pen width); return the current digit.

    The controls sit in one wrapping row of buttons and popovers under the canvas,
    so on a phone the prediction follows the canvas closely.  Call it inside the
    page's ``st.fragment``, so a stroke reruns only the fragment.  ``status_key``:
    the key of the container put between the canvas and its controls
    (``DigitInput.status``), shown only on a phone (:func:`nnviz.ui.stacked_only`).
    """
    st.session_state.setdefault(_GEN, 0)
    st.caption("Draw with your mouse or finger: white ink on black, as the network sees digits (ink 1, paper 0).")
    image = ui.canvas(f"draw_canvas_{st.session_state[_GEN]}", stroke_width=st.session_state.get(_WIDTH, 18), size=size)

    # two lines of text; shown too where the canvas's minimum width wraps the answer's column below
    # it (a row under 600 px: it wraps below about 560)
    status = ui.stacked_only(status_key, min_height="3.4rem", row_wraps_below=600) if status_key else None
    # No scroll anchoring on this page: when a stroke's rerun changed the height of anything
    # near the canvas, the browser scrolled to hold what lies below still, and the canvas
    # moved under the finger between two strokes of one digit (on a phone, after Clear: 42 px).
    st.html("<style>[data-testid='stMain'] { overflow-anchor: none; }</style>")
    prep = None if image is None else apply_canvas(image)
    hint = "Draw a digit in the black square, or choose a test digit." if prep is None or prep.ok else prep.message

    current = st.session_state.get("drawing")
    n = len(ui.mnist("test")[1])
    if _INDEX not in st.session_state:
        st.session_state[_INDEX] = current.index if current is not None and current.source == "sample" else 0
    with st.container(horizontal=True, gap="small"):
        st.button("Clear", on_click=clear, icon=":material/delete:")
        st.button("Random test digit", on_click=_on_random, icon=":material/casino:")
        with st.popover(
            "Choose a test digit", icon=":material/tag:", key=f"{_CHOOSER}_{st.session_state.get(_CHOOSER, 0)}"
        ):
            st.number_input(f"Test digit number (0-{n - 1})", 0, n - 1, key=_INDEX, on_change=_on_index)
            st.pills("Or a random test digit of class", list(range(10)), key=_CLASS, on_change=_on_class)
        with st.popover("Pen", icon=":material/edit:"):
            st.slider(
                "Pen width",
                6,
                36,
                18,
                step=2,
                key=_WIDTH,
                persist_state="session",
                help="Thicker strokes look more like MNIST's digits.",
            )
    return DigitInput(st.session_state.get("drawing"), prep, hint, status)
