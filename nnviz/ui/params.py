"""State in the URL (``st.query_params``), read safely: a malformed link gets a notice, never an error.

A link into the app names the page by its path and the rest of the view in the
query string, so that opening it shows what the sender saw:

* ``sample`` -- a test digit, 0-9999 (``/draw?sample=42``);
* ``d`` -- the reader's own drawing, as a share code (:mod:`nnviz.share`);
* ``neuron`` -- a hidden neuron, 0..n_hidden-1 (``/weights?neuron=7``);
* ``map`` -- the Embeddings page's map, ``pca`` (the default) or ``tsne``;
* ``true`` and ``said`` -- a cell of the confusion matrix on Where it errs, 0-9
  each (``/errors?true=4&said=9``: the 4s read as 9s).

Links get typed, cut short and pasted wrongly.  Every value is checked; a bad
one shows one notice, is dropped from the URL, and the page falls back to its
default view.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np
import streamlit as st

from nnviz.share import ShareCodeError, decode_drawing

MENU_DIGIT = "menu_digit"  # the digit's query as the sidebar's menu links last carried it
MAP_LABELS = {"pca": "PCA", "tsne": "t-SNE"}  # the values of ?map=, and how the Embeddings page names them
MAPS = tuple(MAP_LABELS)

__all__ = [
    "MAPS",
    "MAP_LABELS",
    "apply_url_selection",
    "check_url_state",
    "link_query",
    "menu_digit",
    "name_in_url",
    "page_link",
    "query_choice",
    "query_drawing",
    "query_int",
    "selection_from_url",
    "share_url",
    "sync_url",
    "unknown_page_notice",
    "view_query",
]


def query_int(name: str, lo: int, hi: int) -> int | None:
    """The integer query parameter ``name`` if present and in [lo, hi], else None.

    A value that is present but not a whole number in range shows a notice and is
    ignored, so ``?neuron=abc`` or ``?sample=-1`` falls back to the default view.
    """
    raw = st.query_params.get(name)
    if raw is None:
        return None
    text = str(raw).strip()
    # ASCII digits only: Python's int() also reads "1_0" as 10 and other scripts' digits,
    # and the address would then say something other than what the page shows
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        st.warning(f"The link's `{name}={_shown(raw)}` is not a number; showing the default instead.")
        return None
    value = int(text) if len(text) <= 18 else hi + 1  # (a thousand digits are out of range, and slow to read)
    if not lo <= value <= hi:
        st.warning(f"The link's `{name}={_shown(raw)}` is outside {lo}-{hi}; showing the default instead.")
        return None
    return value


def query_choice(name: str, choices: tuple[str, ...]) -> str | None:
    """The query parameter ``name`` if it is one of ``choices`` (any case), else None (with a notice if present)."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    value = str(raw).strip().lower()
    if value not in choices:
        st.warning(
            f"The link's `{name}={_shown(raw)}` is not one of {', '.join(choices)}; showing the default instead."
        )
        return None
    return value


def query_drawing(name: str = "d") -> np.ndarray | None:
    """The drawing in query parameter ``name`` as (784,) float32, or None (with a notice if it is broken)."""
    raw = st.query_params.get(name)
    if raw is None:
        return None
    try:
        return decode_drawing(raw)
    except ShareCodeError as exc:
        st.warning(f"The link's drawing could not be read. {exc} Showing the default instead.")
        return None


def _shown(raw: str, limit: int = 24) -> str:
    """A query value fit to quote back in a notice: short, no backticks."""
    text = str(raw).replace("`", "'")
    return text if len(text) <= limit else text[:limit] + "…"


def check_url_state(n_samples: int, n_hidden: int | None) -> None:
    """Check every shared key once, before the page runs; drop the bad ones from the URL.

    Each malformed value gets one notice (from :func:`query_int` or
    :func:`query_drawing`) and is removed, so the page below reads only good
    values or none, and the address bar no longer carries the broken part.
    """
    checks = [
        ("sample", lambda: query_int("sample", 0, n_samples - 1)),
        ("d", query_drawing),
        ("map", lambda: query_choice("map", MAPS)),
        ("true", lambda: query_int("true", 0, 9)),
        ("said", lambda: query_int("said", 0, 9)),
    ]
    if n_hidden is not None:
        checks.append(("neuron", lambda: query_int("neuron", 0, n_hidden - 1)))
    for name, _ in checks:  # a key given twice: the last one counts (as Streamlit reads it), and the address says so
        values = st.query_params.get_all(name)
        if len(values) > 1:
            st.warning(f"The link gives `{name}` {len(values)} times; using the last, `{_shown(values[-1])}`.")
            st.query_params[name] = values[-1]
    for name, read in checks:
        if name in st.query_params and read() is None:
            del st.query_params[name]
    half = [name for name in ("true", "said") if name in st.query_params]
    if len(half) == 1:  # a cell of the confusion matrix needs both
        other = "said" if half[0] == "true" else "true"
        st.warning(
            f"The link's `{half[0]}={_shown(st.query_params[half[0]])}` names half a cell of the confusion matrix "
            f"(it needs `{other}=` too); showing the default instead."
        )
        del st.query_params[half[0]]


def selection_from_url():
    """The digit a link names (``?d=`` first, then ``?sample=``) as a :class:`nnviz.ui.Selection`, or None."""
    from nnviz import ui  # ui imports this module

    drawing = query_drawing("d")
    if drawing is not None:
        return ui.Selection(drawing, "link")
    n = len(ui.mnist("test")[1])
    index = query_int("sample", 0, n - 1)
    return None if index is None else ui.sample_selection(index)


def apply_url_selection() -> None:
    """Agree the session's digit with the URL's, once per run before the page.

    A URL naming a digit other than the session's was opened or clicked just
    now (a shared link, an in-app link such as "Open on Draw"), so it wins.
    Otherwise the URL is made to name the session's digit: after a page switch,
    which clears the query string, the address bar can be shared again.
    Call after :func:`check_url_state`, so no notice is shown twice.
    """
    from nnviz import ui

    current = st.session_state.get("drawing")
    named = {key: st.query_params[key] for key in ("sample", "d") if key in st.query_params}
    if named and named != _url_of(current):
        if named == st.session_state.get(MENU_DIGIT):
            # A link of the sidebar's menu, drawn before the digit changed inside a page's
            # fragment (a stroke reruns the fragment, not the menu): the session's digit is newer.
            sync_url(current)
            return
        linked = selection_from_url()
        if linked is not None:
            ui.set_selection(linked)
            return
    sync_url(current)


def share_url() -> str:
    """The full link to this page and its state (page path, ``st.query_params``, the current digit)."""
    from nnviz.share import encode_drawing

    base = st.context.url or ""
    parts = urlsplit(base)
    # Community Cloud serves the app inside an iframe under /~/+/; readers need the outer address.
    path = parts.path.replace("/~/+", "")
    base = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    params = st.query_params.to_dict()
    selection = st.session_state.get("drawing")
    if selection is not None and "d" not in params and "sample" not in params:
        if selection.source == "sample":
            params["sample"] = str(selection.index)
        else:
            params["d"] = encode_drawing(selection.input)
    return base + ("?" + urlencode(params) if params else "")


def _url_of(selection) -> dict[str, str]:
    """The query parameters that name ``selection``: ``{"sample": "N"}``, ``{"d": code}`` or ``{}``."""
    from nnviz.share import encode_drawing

    if selection is None:
        return {}
    if selection.source == "sample":
        return {"sample": str(selection.index)}
    return {"d": encode_drawing(selection.input)}


def digit_query() -> str:
    """The current digit as a link's query string, ``"sample=8"`` or ``"d=<code>"`` ("" for none)."""
    return urlencode(_url_of(st.session_state.get("drawing")))


def menu_digit() -> dict[str, str]:
    """The current digit's query for the sidebar's menu links, remembered as what they carry.

    Encoded once per menu (a drawing's code is a compression); :func:`apply_url_selection`
    reads the remembered value to tell a stale menu link from a link naming another digit.
    """
    query = _url_of(st.session_state.get("drawing"))
    st.session_state[MENU_DIGIT] = query
    return query


def view_query(url_path: str, digit: dict[str, str]) -> dict[str, str]:
    """The query a link to the page at ``url_path`` carries: ``digit`` (:func:`menu_digit`), and the page's own choice.

    The same parameters the page would write into the address on arrival (and in
    the order it writes them), so following the link changes nothing more: each
    change of address the app makes is a step the browser's Back button retraces.
    """
    get = st.session_state.get
    cell = get("errors_cell")
    own = {
        "weights": {"neuron": get("weights_neuron")},
        "neurons": {"neuron": get("atlas_kept")},
        "embeddings": {"map": "tsne" if get("map_kind") == MAP_LABELS["tsne"] else None},
        "errors": {"true": cell[0], "said": cell[1]} if cell is not None else {},
    }.get(url_path, {})
    return {**digit, **{name: str(value) for name, value in own.items() if value is not None}}


NEURON_KEYS = ("weights_neuron", "weights_neuron_input", "atlas_kept", "atlas_neuron")
"""Where the Weights page and the Neuron atlas keep the neuron they last showed (and their links name)."""


def forget_missing_neurons(n_hidden: int) -> None:
    """Forget a kept neuron that the network now in use does not have (a reader's 16-neuron network has no neuron 100).

    Call it when the network changes, in a callback (before any widget): the menu's
    links name the kept neurons, and a link the app makes must never earn the
    "outside 0-15" notice a mistyped one gets.
    """
    for key in NEURON_KEYS:
        value = st.session_state.get(key)
        if value is not None and int(value) >= n_hidden:
            del st.session_state[key]


def page_link(url_path: str, label: str, *, icon: str | None = None, into: Any = st, **own: int | str) -> None:
    """A link in a page's text to ``pages/<url_path>.py``, carrying that page's view (:func:`view_query`).

    ``own`` are the link's own parameters (``neuron=7``, ``sample=12``), on top of
    the view; one naming a digit replaces the reader's.  Like the menu's links, it
    names what the target page would write into the address on arrival, so
    following it is one step of the browser's history, not two.  ``into``: the
    container to draw it in (default the page).
    """
    into.page_link(f"pages/{url_path}.py", label=label, icon=icon, query_params=link_query(url_path, **own) or None)


def link_query(url_path: str, **own: int | str) -> dict[str, str]:
    """The query of :func:`page_link`'s link (also for ``st.switch_page``): the page's view, ``own`` on top."""
    digit = {} if {"sample", "d"} & own.keys() else _url_of(st.session_state.get("drawing"))
    return {**view_query(url_path, digit), **{name: str(value) for name, value in own.items()}}


def name_in_url(name: str, value: int, default: int) -> None:
    """Write ``?name=value`` into the address, unless ``value`` is the page's default and the address lacks it.

    A link without the parameter opens the default anyway, so arriving on it changes
    no address (which the browser would keep as one more step of Back's history).
    """
    # written only when it changes: each write is a message to the browser, which may arrive after the
    # reader has left the page, and would then name this page's neuron on the next page's address
    if (value != default or name in st.query_params) and st.query_params.get(name) != str(value):
        st.query_params[name] = str(value)


def sync_url(selection) -> None:
    """Make the URL name ``selection`` (``?sample=N`` or ``?d=code``; neither for None)."""
    qp = st.query_params
    want = _url_of(selection)
    for key in ("sample", "d"):
        if key in want:
            if qp.get(key) != want[key]:  # write only changes: each write is a message to the browser
                qp[key] = want[key]
        elif key in qp:
            del qp[key]


def unknown_page_notice(current_path: str, default_path: str = "") -> None:
    """A notice when the browser asked for a page that does not exist.

    ``st.navigation`` then runs the default page (and Streamlit shows its own
    "Page not found" dialog); ``st.context.url`` still holds the path asked for.

    Parameters
    ----------
    current_path : str
        ``url_path`` of the page ``st.navigation`` chose ("" for the default page).
    default_path : str
        The default page's declared ``url_path``: Streamlit serves that page only
        at the root, so that path gets its dialog, but it is no wrong turn.  (``/post``,
        the name in the menu, and ``/home`` are hidden pages of ``app.py`` that send the
        reader to the root.)
    """
    if current_path or not st.context.url:
        return
    asked = urlsplit(st.context.url).path.replace("/~/+", "").strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (asked == base or asked.startswith(base + "/")):
        asked = asked[len(base) :].strip("/")
    if asked and asked != default_path:
        st.info(
            f"There is no page called `/{_shown(asked, 40)}`, so here is the start page. "
            "Every page is in the menu (top left on a phone).",
            icon=":material/explore:",
        )
