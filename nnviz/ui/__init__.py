"""The only part of nnviz that imports Streamlit: cached loaders, shared state, shared widgets.

Pages call these; the rest of the library stays free of Streamlit so that it can
be tested, imported from a notebook, and read on its own.

Shared state, per session (``st.session_state``):

* ``"drawing"``  -- the current digit as a :class:`Selection` (drawn, a test
  sample, or decoded from a link); every page that shows "your digit" reads it.
* ``"user_model"`` -- a network the reader trained on the Learn page; when set it
  replaces the shipped one on every page of that session only.
"""

from __future__ import annotations

import functools
import runpy
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st
from threadpoolctl import threadpool_limits

import nnviz
from nnviz.data import DataError
from nnviz.figures.common import a_digit
from nnviz.mlp import MLP, ModelError
from nnviz.preprocess import Preprocessed

if TYPE_CHECKING:
    import plotly.graph_objects as go

APP = Path(__file__).resolve().parents[2] / "app.py"  # the router

# One BLAS thread for the whole server.  Each reader's rerun is already a thread of
# its own; OpenBLAS threads on top of that spin against each other on a shared CPU
# (an epoch ran 10-16x slower, bench/bench_learn.py), and the Cloud gives about one
# core anyway.  The matrices here are small enough that one thread loses little.
threadpool_limits(limits=1, user_api="blas")

__all__ = [
    "NO_MODE_BAR",
    "ONE_ENTRY_PER_PAGE",
    "SAME_TAB_LINKS",
    "SWIPES_SCROLL",
    "TAPPABLE",
    "USER_MODEL",
    "Selection",
    "active_model",
    "beside_the_digit",
    "canvas",
    "chart",
    "column_at_least",
    "current_selection",
    "load_error_page",
    "mnist",
    "model_key",
    "pickable_chart",
    "preload_charts_script",
    "quote",
    "random_sample",
    "require_model",
    "set_selection",
    "shipped_model",
    "stacked_only",
    "through_router",
    "trained_model",
    "wide_only",
]


TAPPABLE = {"doubleClickDelay": 0}
"""Plotly config for a chart whose points are picked by a click or a tap (``on_select``).

On a touch screen Plotly needs two taps: the first shows the hover label, the
second picks the point.  Two taps within Plotly's double-click delay (500 ms)
count as a double-click, on which Streamlit clears the selection; the chart then
reports an empty selection right after the picked one.  Measured with Streamlit
1.67 in Chromium: the pick was lost on the Embeddings map, the confusion matrix
and the neuron atlas, and on the Weights mosaic the second rerun raced the first
(CI once saw the neuron of the link come back).  A delay of 0 means no two
presses ever make a double-click: each tap is a tap.  Nothing on these charts
needs a double-click: drag-zoom is off (``dragmode=False``), and where the mode
bar shows, its own button resets the axes.  :func:`pickable_chart` applies it.
"""


SWIPES_SCROLL = """<script>(() => {
  if (window.__nnvizSwipesScroll) return;  // once per page load: one listener serves every chart
  window.__nnvizSwipesScroll = true;
  const chartOf = (event) => event.target.closest && event.target.closest(".js-plotly-plot");
  document.addEventListener("touchstart", (event) => {
    const chart = chartOf(event);
    if (chart && chart._fullLayout && chart._fullLayout.dragmode !== false) chart._fullLayout.dragmode = false;
  }, { capture: true, passive: true });
  // a tap: Plotly has handled the touch; the mouse events a browser copies from it would be a second click
  document.addEventListener("touchend", (event) => {
    if (chartOf(event) && event.cancelable) event.preventDefault();
  }, { capture: true, passive: false });
})();</script>"""
"""A finger's swipe over a chart scrolls the page; a tap still picks.

In any drag mode Plotly takes a touch for itself (it cancels the browser's
scrolling), so on a phone a chart as tall as the screen held the page still, or
panned away.  A read-only chart gets ``dragmode=False`` (:func:`chart`), but
Streamlit gives a chart with ``on_select`` the mode "pan" whatever the figure
says (it replaces a false one).  This listener, ahead of Plotly's, turns the
mode off for the touch only (a mouse still drags as before); Plotly then lets
the browser scroll, and a tap is still a click.  A tap's touchend is cancelled:
the browser would otherwise copy the touch into mouse events, a second click
that unpicked the point (Chromium: "selected", "deselect", "selected").  The
sidebar sends it on every page (:func:`nnviz.ui.sidebar.sidebar`).
"""


SAME_TAB_LINKS = """<script>(() => {
  if (window.__nnvizSameTabLinks) return;  // once per page load
  window.__nnvizSameTabLinks = true;
  const main = () => document.querySelector("[data-testid='stMain']");
  const here = () => "nnvizScroll:" + location.pathname + location.search;
  let following = false;  // our own popstate, not the browser's Back or Forward
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest && event.target.closest("a[href][target='_blank']");
    if (!link || link.hasAttribute("download")) return;
    const url = new URL(link.href, location.href);
    const last = url.pathname.split("/").pop();
    if (url.origin !== location.origin || last.includes(".")) return;  // another site, or a file
    event.preventDefault();
    const m = main();
    if (m) sessionStorage.setItem(here(), String(m.scrollTop));  // where the reader was, for Back
    // as Back and Forward do: Streamlit reads the new address and runs its page, in this session
    history.pushState(null, "", url.pathname + url.search + url.hash);
    following = true;
    try { window.dispatchEvent(new PopStateEvent("popstate")); } finally { following = false; }
  }, { capture: true });
  // Back to a page left by such a link: once Streamlit has run and drawn it (its change of page
  // scrolls to the top), put the reader back where they were reading.  Its run may be over before
  // a "running" state ever shows, so: hold the place until it has stayed put for half a second,
  // for at most 8 s, and give up at once if the reader scrolls or taps.
  window.addEventListener("popstate", () => {
    const saved = Number(sessionStorage.getItem(here()) || 0);
    const app = document.querySelector("[data-testid='stApp']");
    if (following || !saved || !app) return;
    let steady = 0, ticks = 0, stop = false;
    const quit = () => { stop = true; };
    const events = ["wheel", "touchstart", "keydown", "pointerdown"];
    events.forEach((e) => window.addEventListener(e, quit, { capture: true, once: true, passive: true }));
    const tick = () => {
      const m = main();
      if (stop || !m || ++ticks > 80 || steady >= 5) {
        events.forEach((e) => window.removeEventListener(e, quit, { capture: true }));
        return;
      }
      const idle = app.getAttribute("data-test-script-state") === "notRunning";
      if (idle && Math.abs(m.scrollTop - saved) <= 2) steady += ticks > 10 ? 1 : 0;  // (not before the run starts)
      else {
        steady = 0;
        if (idle && m.scrollHeight >= saved + m.clientHeight) m.scrollTop = saved;
      }
      setTimeout(tick, 100);
    };
    setTimeout(tick, 100);
  });
})();</script>"""
"""A link in the text to a page of this app opens that page here, not in a new tab.

Streamlit opens every Markdown link in a new tab, its own pages' too: each number
of the post (a link to the page that shows it) started a second copy of the
app, a new session without the reader's drawing or the network they trained,
and on a phone one more tab.  This follows such a link as Back and Forward do
(``history.pushState``, then the ``popstate`` that Streamlit answers by running
the page the address names, with its query).  Back to the page the link was
on returns to where the reader was reading (Streamlit's change of page scrolls
to the top; in a tab of their own they had kept their place).  Links to other
sites still open a new tab, and so does any link opened on purpose (Ctrl, Cmd,
Shift, the middle button).  The sidebar sends it on every page, with
:data:`SWIPES_SCROLL`.
"""


@functools.cache
def _plotly_chunk() -> str | None:
    """The file name of Streamlit's chart code for Plotly in this install (hashed per release), or None."""
    import streamlit as streamlit_package

    found = sorted((Path(streamlit_package.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


_PRELOAD_CHARTS = """<script>(() => {
  if (window.__nnvizChartsPreloaded) return;  // once per page load
  window.__nnvizChartsPreloaded = true;
  const main = document.querySelector("script[type='module'][src*='static/js/index.']");
  if (!main) return;
  // the same address as Streamlit's own import of it (relative to its main script): one module, loaded once
  const load = () => import(new URL("%s", main.src).href).catch(() => {});
  // a few seconds in, when the page is idle: a reader who taps on at once is not kept waiting for it
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
  setTimeout(() => idle(load, { timeout: 5000 }), 3000);
})();</script>"""


def preload_charts_script() -> str:
    """A script that loads Streamlit's chart code once the page is idle, before any chart asks for it.

    Streamlit fetches the code that draws a Plotly chart (4.7 MB of JavaScript
    in 1.67) only when a page first shows one, and a phone takes seconds to read
    it.  The post and Draw with a blank canvas, the pages a reader opens first,
    show no chart, so the reader's first chart waited for it.  Measured by
    ``bench/bench_app.py`` (a fresh visit with Chromium's CPU slowed 4x: the
    post, 6 s of reading, Draw, "Random test digit"): every chart drawn 2.9 s
    after the tap, against 6.5 s without this.  It starts 3 s after the page
    loads, when the browser is idle: a tap in those 3 s is not kept waiting.  A
    tap while the code is being read waits for it (Draw was ready after about
    5.5 s instead of 1.9 s for a tap 3-4 s in, on that slowed CPU), and its
    first chart then does not: the same wait, earlier.  Empty when this
    Streamlit has no such file (a later release may name it otherwise): the
    charts then load as before.
    """
    chunk = _plotly_chunk()
    return _PRELOAD_CHARTS % chunk if chunk else ""


ONE_ENTRY_PER_PAGE = """<script>(() => {
  if (window.__nnvizOneEntryPerPage) return;  // once per page load
  window.__nnvizOneEntryPerPage = true;
  const push = history.pushState.bind(history);
  history.pushState = (state, title, url) => {
    const next = new URL(url, location.href);
    return next.pathname === location.pathname ? history.replaceState(state, title, url) : push(state, title, url);
  };
})();</script>"""
"""Back goes to the previous page, not to the previous digit.

Streamlit keeps every change of ``st.query_params`` as a step of the browser's
history (``pushState``): each stroke on the Draw page (``?d=`` names the drawing),
each test digit chosen, each neuron picked was one more press of Back, and Back
could land on a page that looked unchanged.  This makes a change of address
within the same page replace the current entry; a new page still adds one.
The address always names what is shown, so a link copied from it is right.
The sidebar sends it on every page, with :data:`SWIPES_SCROLL`.
"""

NO_MODE_BAR = {"displayModeBar": False}
"""Plotly config that hides the mode bar (zoom, pan, download...): a page's charts are read, not edited."""


def chart(fig: go.Figure, *, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart`` for a chart that is only read: full width, no mode bar, no dragging.

    ``kwargs`` go to ``st.plotly_chart``.  A chart whose points the reader picks
    is a :func:`pickable_chart`.
    """
    if fig.layout.dragmode is None:  # Plotly's default, "zoom", takes a finger's swipe: the page would not scroll
        fig.update_layout(dragmode=False)
    return st.plotly_chart(fig, key=key, width="stretch", config=dict(NO_MODE_BAR), **kwargs)


def pickable_chart(
    fig: go.Figure, *, key: str, on_select: str | Callable[[], None] = "rerun", mode_bar: bool = False, **kwargs: Any
) -> Any:
    """``st.plotly_chart`` for a chart whose points the reader picks: a click, or two taps on a touch screen.

    Full width, with :data:`TAPPABLE`'s config so that a quick second tap picks
    and the pick stays; the mode bar is hidden unless ``mode_bar``.  ``kwargs``
    go to ``st.plotly_chart`` (``selection_mode``, ...).  Returns what it returns:
    the selection event when ``on_select="rerun"``.
    """
    config = dict(TAPPABLE) if mode_bar else {**NO_MODE_BAR, **TAPPABLE}
    return st.plotly_chart(fig, key=key, on_select=on_select, width="stretch", config=config, **kwargs)


_REROUTING = threading.local()  # set while through_router runs app.py within a page's run


def _legacy_run() -> bool:
    """Whether Streamlit started this run in its legacy ``pages/`` mode.

    Such a run executes the page inside Streamlit's ``_mpa_v1``.  Asked of this
    run's own call stack, not of ``PagesManager.uses_pages_directory``: that flag
    is one for the whole server and is read when a run starts, so another
    reader's run may switch it off between this run's start and this question.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "_mpa_v1":
            return True
        frame = frame.f_back
    return False


def through_router() -> None:
    """Make sure this run goes through ``app.py``'s router; call first thing on every page.

    Because a ``pages/`` folder exists, Streamlit starts each fresh server in its
    legacy multipage mode, and until ``app.py`` has called ``st.navigation`` once,
    a deep link (``/weights?neuron=5``) runs the page file directly: no page
    config, no shared sidebar, file names as navigation.  Shared links often hit a
    server that has just woken up, so we switch the legacy mode off for the runs
    to come -- exactly what ``st.navigation`` itself does -- and run the router
    within this same run (a rerun would drop a button press or an upload that came
    with it), then stop.  Two readers arriving together at a fresh server both
    start in legacy mode; each run finds that out for itself (:func:`_legacy_run`).
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    if getattr(_REROUTING, "active", False) or not _legacy_run():
        return
    _REROUTING.active = True  # the router's own call, and the page's inside it, pass through
    try:
        runpy.run_path(str(APP), run_name="__main__")
    finally:
        _REROUTING.active = False
    st.stop()


@st.cache_resource(show_spinner=False)
def shipped_model() -> MLP:
    """The network in ``nnviz/assets/model.npz``, loaded once per server (read-only)."""
    model = nnviz.load_model()
    for p in (model.flat, *model.params().values()):
        p.flags.writeable = False  # shared by every session: nobody may train it in place
    return model


@st.cache_resource(show_spinner=False)
def mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images (uint8) and labels, loaded and checked once per server."""
    return nnviz.load_mnist(split)


def model_key(model: MLP) -> str:
    """A fingerprint of the weights, to key caches by: equal for equal networks, different after any change."""
    return model.fingerprint()


USER_MODEL = "user_model"
"""The session-state key of the network the reader trained and chose to use (see the module docstring)."""


def trained_model() -> MLP | None:
    """The network the reader trained on the Learn page and chose to use, or None (the shipped one is in use)."""
    return st.session_state.get(USER_MODEL)


def active_model() -> MLP:
    """The reader's own trained network if they made one this session, else the shipped one."""
    user = trained_model()
    return user if user is not None else shipped_model()


def require_model() -> MLP:
    """:func:`active_model`, or a clear error page (and a stop) if the model cannot be loaded."""
    try:
        return active_model()
    except (ModelError, DataError) as exc:
        load_error_page(exc)
    raise AssertionError("unreachable")


def load_error_page(exc: ModelError | DataError) -> None:
    """Say plainly that the network or MNIST could not be loaded, and stop the page."""
    if isinstance(exc, ModelError):
        st.error(
            f"The network could not be loaded: {exc}\n\n"
            "Restore `nnviz/assets/model.npz` from the repository, or rebuild it with "
            "`python -m nnviz.train`.",
            icon=":material/error:",
        )
    else:
        st.error(f"MNIST could not be loaded: {exc}", icon=":material/error:")
    st.stop()


# --- the current digit -------------------------------------------------------------


@dataclass
class Selection:
    """The digit the pages are looking at.

    Attributes
    ----------
    input : (784,) float32 in [0, 1]
        What the network multiplies.
    source : str
        "drawing", "sample", "link" (decoded from ``?d=``) or "photo" (uploaded).
    label : int or None
        The true digit, when known (test samples).
    index : int or None
        Index into the MNIST test set, for samples.
    prep : Preprocessed or None
        The preprocessing steps, for drawings.
    """

    input: np.ndarray
    source: str
    label: int | None = None
    index: int | None = None
    prep: Preprocessed | None = None

    @property
    def description(self) -> str:
        if self.source == "sample":
            return f"test digit #{self.index} ({a_digit(self.label)})"
        if self.source == "link":
            return "the digit from the shared link"
        if self.source == "photo":
            return "your photo"
        return "your drawing"


def sample_selection(index: int) -> Selection:
    """Test digit ``index`` as a :class:`Selection`."""
    images, labels = mnist("test")
    return Selection(images[index].reshape(-1).astype(np.float32) / 255.0, "sample", int(labels[index]), index)


def random_sample(digit: int | None = None) -> int:
    """The index of a random test digit (one of class ``digit`` if given), from this session's own generator."""
    rng = st.session_state.setdefault("sample_rng", np.random.default_rng())
    labels = mnist("test")[1]
    return int(rng.integers(len(labels)) if digit is None else rng.choice(np.flatnonzero(labels == digit)))


def set_selection(selection: Selection | None) -> None:
    """Make ``selection`` the digit every page shows (None: nothing drawn).

    The URL follows (``?sample=N`` or ``?d=<drawing code>``), so the address bar
    can always be shared.
    """
    from nnviz.ui.params import sync_url

    st.session_state["drawing"] = selection
    sync_url(selection)


def current_selection(default_sample: int | None = 0) -> Selection | None:
    """The digit last drawn or chosen in this session; else the one the link names
    (``?d=`` or ``?sample=``, with a notice if malformed); else test sample ``default_sample``."""
    selection = st.session_state.get("drawing")
    if selection is None:
        from nnviz.ui.params import selection_from_url

        selection = selection_from_url()
        if selection is not None:
            set_selection(selection)
    if selection is None and default_sample is not None:
        selection = sample_selection(default_sample)
    return selection


# --- widgets -----------------------------------------------------------------------


CANVAS_TOOLBAR_ABOVE = """<script>(() => {
  if (window.__nnvizCanvasToolbar) return;  // once per page load; it looks for new canvases
  window.__nnvizCanvasToolbar = true;
  // only the buttons' card takes a touch: the toolbar's own box reaches down over the canvas's edge
  const css = ".dc-toolbar, .dc-root:hover > .dc-toolbar { top: -3.25rem; opacity: 1; pointer-events: none; }" +
    ".dc-toolbar-card { pointer-events: auto; }" +
    // Edit would turn a finger's stroke into moving the drawing; Update re-sends what every stroke sends
    ".dc-toolbar button[aria-label='Edit'], .dc-toolbar button[aria-label^='Update the app'], " +
    ".dc-toolbar-contextual { display: none; }" +
    ".dc-toolbar .dc-icon-button { width: 36px; height: 36px; }";  // a finger's size (22 px as shipped)
  const place = () => document.querySelectorAll("[data-testid='stBidiComponentIsolated']").forEach((host) => {
    const root = host.shadowRoot;
    if (!root || !root.querySelector(".dc-toolbar") || root.querySelector("style[data-nnviz]")) return;
    const style = document.createElement("style");
    style.dataset.nnviz = "toolbar";
    style.textContent = css;
    root.appendChild(style);
  });
  // a poll, not a MutationObserver: the component fills its shadow root after the host appears,
  // and changes inside a shadow root are not seen from the document
  setInterval(place, 250);
  place();
})();</script>"""
"""The drawing component's toolbar (undo, redo, clear) rests invisible over the canvas's top
edge and slides up on hover.  A phone has no hover: a stroke starting under it went to the
hidden toolbar and was lost.  This keeps it above the canvas, shown, on every canvas the page
makes (the component lives in a shadow root, out of reach of the page's own CSS), with buttons
a finger can hit (36 px), and without two that only confuse here: Edit, whose drag moves and
crops the drawing instead of drawing, and Update, which re-sends what each stroke sends."""


NO_SIDEWAYS_SWIPE = "<style>[data-testid='stMain'] { touch-action: pan-y pinch-zoom; }</style>"
"""On a page with a canvas, a finger moving sideways does not pan the page: one that landed in
the margin beside the canvas and crossed it (a stroke begun a little early) drew nothing and
took the reader back to the previous page, Chrome's swipe navigation.  Up and down still
scroll, two fingers still zoom; pages without a canvas keep the gesture."""


def column_at_least(key: str, px: int) -> str:
    """CSS: the ``st.columns`` column holding the element keyed ``key`` is at least ``px`` wide.

    Streamlit stacks columns only below 640 px; above that, a docked sidebar
    leaves a tablet or a phone on its side a row too narrow for a column's
    content (the 280 px canvas, cut off on the right yet still taking ink).
    A row too narrow for this minimum wraps: the column takes a line of its
    own, as on a phone.  Never wider than the row (``min(100%, ...)``).
    """
    return f"<style>[data-testid='stColumn']:has(.st-key-{key}) {{ min-width: min(100%, {px}px); }}</style>"


def canvas(key: str, *, stroke_width: int = 18, size: int = 280) -> np.ndarray | None:
    """The drawing canvas: white ink on black, as in MNIST.

    Returns the RGBA image (size, size, 4) uint8, or None before anything is
    sent.  The one place the component is called, so tests can patch it.  Its
    toolbar sits above it (:data:`CANVAS_TOOLBAR_ABOVE`), in room made here, and a sideways
    swipe on its page is no "go back" (:data:`NO_SIDEWAYS_SWIPE`).  A column it is in is never
    narrower than it (:func:`column_at_least`).
    """
    from streamlit_drawable_canvas import st_canvas

    st.html(CANVAS_TOOLBAR_ABOVE + NO_SIDEWAYS_SWIPE + column_at_least(key, size), unsafe_allow_javascript=True)
    st.space(38)  # with the gap after the script's element: room for the toolbar, clear of what is above

    result = st_canvas(
        stroke_width=stroke_width,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=size,
        width=size,
        drawing_mode="freedraw",
        return_image_data=True,
        key=key,
    )
    data = result.image_data
    return None if data is None else np.asarray(data)


STACKED_BELOW = 640
"""Viewport width (px) below which Streamlit stacks ``st.columns`` one above the other (a phone)."""


def stacked_only(key: str, *, min_height: str = "", row_wraps_below: int | None = None) -> Any:
    """A container shown only while columns are stacked: a line a phone needs and a desktop does not.

    On a phone, what a column beside the input shows on a desktop lands a screen
    below it; a line here can say it where the reader is looking.  Hidden by a
    CSS media query (the server cannot know the screen's width).  ``min_height``
    (CSS, e.g. "3.4rem") keeps it from growing as its text changes: a browser
    scrolls the page to keep what is below still, and the canvas above jumped.

    ``row_wraps_below`` (px): also shown while the row of columns holding it is
    narrower than this, where a column with a minimum width (:func:`column_at_least`)
    wraps the row on a wider screen (a phone on its side, beside the docked sidebar).
    A CSS container query on the row: its width, not the screen's.
    """
    room = f" .st-key-{key} {{ min-height: {min_height}; }}" if min_height else ""
    hide = f".st-key-{key} {{ display: none; }}"
    if row_wraps_below is not None:
        row = f"[data-testid='stHorizontalBlock']:has(.st-key-{key})"
        hide = f"{row} {{ container-type: inline-size; }} @container (min-width: {row_wraps_below}px) {{ {hide} }}"
    st.html(f"<style>@media (min-width: {STACKED_BELOW}px) {{ {hide} }}{room}</style>")
    return st.container(key=key)


def wide_only(key: str) -> Any:
    """A container shown only while columns sit side by side (not on a phone): :func:`stacked_only`'s twin."""
    st.html(f"<style>@media (max-width: {STACKED_BELOW - 0.02}px) {{ .st-key-{key} {{ display: none; }} }}</style>")
    return st.container(key=key)


def beside_the_digit(x: np.ndarray, text: str, write: Callable[[str], Any] = st.markdown, *, alt: str) -> None:
    """``text`` beside a small picture of the digit ``x`` (784,): what a page reads while its canvas is blank.

    ``alt`` names the picture for a screen reader (``st.image``'s ``alt``).
    """
    from nnviz.figures.draw import digit_pixels

    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.image(digit_pixels(x, scale=2), width=56, output_format="PNG", alt=alt)
        write(text)


def quote(sentence: str) -> None:
    """Open a page with the sentence of the post that it demonstrates."""
    st.markdown(f"> {sentence}\n>\n> <small>— Neural Networks Part 1</small>", unsafe_allow_html=True)
