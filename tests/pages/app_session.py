"""Opening a page under AppTest, as a reader's fresh session does."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(page: str, query: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    """A fresh session opening ``/page?query`` (page: the file's stem in pages/), ``state`` set first; no exception."""
    at = _session(query, state)
    at.switch_page(f"pages/{page}.py")
    return rerun(at)


def open_landing(state: dict | None = None) -> AppTest:
    """A fresh session opening the app's address (the post), ``state`` set first; no exception."""
    return rerun(_session(None, state))


def _session(query: dict[str, str] | None, state: dict | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query or {})
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at


def rerun(at: AppTest) -> AppTest:
    """Run the session once more (a widget changed, a fragment ticked); no exception."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
