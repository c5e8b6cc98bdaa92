"""Opening a page under AppTest, as a reader's fresh session does."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(
    page: str,
    query: dict[str, str] | None = None,
    state: dict | None = None,
    timeout: float = 120,
    canvas: Callable | None = None,
) -> AppTest:
    """A fresh session opening ``/page?query`` (page: the file's stem in pages/), ``state`` set first; no exception.

    ``canvas``, if given, stands in for ``nnviz.ui.canvas`` (see ``rerun``).
    """
    at = new_session(query, state, timeout)
    at.switch_page(f"pages/{page}.py")
    return rerun(at, canvas)


def open_landing(state: dict | None = None, timeout: float = 60) -> AppTest:
    """A fresh session opening the app's address (the post), ``state`` set first; no exception."""
    return rerun(new_session(None, state, timeout))


def switch_page(at: AppTest, page: str, canvas: Callable | None = None) -> AppTest:
    """Go to ``pages/<page>.py`` as the sidebar does in a browser: the address loses its query string; no exception.

    (AppTest's own ``switch_page`` keeps the query string, so a page would find its
    last view in the address rather than in the session.)
    """
    at.query_params.clear()
    at.switch_page(f"pages/{page}.py")
    return rerun(at, canvas)


def url(at: AppTest) -> dict[str, str]:
    """The query string the app left in the address bar (one value a key)."""
    return {k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()}


def new_session(query: dict[str, str] | None = None, state: dict | None = None, timeout: float = 120) -> AppTest:
    """A fresh session of app.py with ``query`` in its address and ``state`` set, not yet run."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query or {})
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at


def rerun(at: AppTest, canvas: Callable | None = None) -> AppTest:
    """Run the session once more (a widget changed, a fragment ticked); no exception.

    ``canvas``, if given, stands in for ``nnviz.ui.canvas`` during the run: AppTest
    runs no JavaScript, so the drawing component itself never sends an image.
    """
    with mock.patch("nnviz.ui.canvas", canvas) if canvas else contextlib.nullcontext():
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
