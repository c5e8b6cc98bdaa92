"""Upload a photo of a handwritten digit: the widget around :mod:`nnviz.photo`.

The photo is read in the uploader's callback, which runs before the page script,
so the page that follows already shows the photo's digit: the latest action
wins, as with strokes and test digits on the Draw page.
"""

from __future__ import annotations

import streamlit as st

from nnviz import ui
from nnviz.photo import PhotoError, digit_from_photo

__all__ = ["photo_uploader"]

_MESSAGE = "photo_message"  # what went wrong with the last upload, shown under the uploader
# The file names the uploader lets through: every format nnviz.photo reads (FORMATS). The
# browser refuses other files itself, with a message of its own.
UPLOAD_TYPES = ("png", "jpg", "jpeg", "webp", "gif", "bmp")


def _read_upload(key: str) -> None:
    """Callback: a new file (or none) in the uploader ``key``."""
    upload = st.session_state.get(key)
    st.session_state[_MESSAGE] = None
    if upload is None:
        return
    try:
        prep = digit_from_photo(upload.getvalue())
    except PhotoError as exc:
        # named: a file the browser itself refuses later leaves this message in view, above
        # Streamlit's own, and it must not pass for a message about that one
        st.session_state[_MESSAGE] = f"`{_shown_name(upload.name)}`: {exc}"
        return
    # Blank the Draw page's canvas, or its old strokes would win back on the next run.
    from nnviz.ui import drawing

    drawing.clear()
    ui.set_selection(ui.Selection(prep.input, "photo", prep=prep))


def _shown_name(name: str, limit: int = 40) -> str:
    """A file's name, safe inside a Markdown code span (no backticks), cut to ``limit`` characters."""
    name = "".join(c for c in str(name) if c.isprintable()).replace("`", "'")
    return name if len(name) <= limit else name[: limit - 1] + "…"


def photo_uploader(key: str = "photo") -> None:
    """A file uploader for a photo of one digit; a readable one becomes the current digit.

    A file that cannot be used (empty, damaged, not an image, too large, no digit
    in it) shows its message here, with the digit the page still reads, and
    changes nothing else.
    """
    st.file_uploader(
        "A photo of one handwritten digit (PNG, JPEG or WebP)",
        type=list(UPLOAD_TYPES),
        key=key,
        on_change=_read_upload,
        args=(key,),
        help="Dark ink on light paper (or light on dark), one digit, large in the frame, in even light. "
        "The photo is read on the server and not kept.",
    )
    message = st.session_state.get(_MESSAGE)
    if message:
        # the page below goes on reading the digit from before: say which, or it reads as this photo's answer
        current = st.session_state.get("drawing")
        if current is not None:
            what = "your previous photo" if current.source == "photo" else current.description
            message += f" The page still reads {what}."
        st.warning(message, icon=":material/image_not_supported:")
