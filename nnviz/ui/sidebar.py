"""The sidebar every page shares: a model card read from the live model, the series, a share link.

It runs before every page (``app.py`` calls it ahead of ``nav.run()``), so it is
also the router's guard: a missing or damaged model or MNIST file gives one clear
error page instead of a traceback on whichever page was asked for, and the URL's
state (``?sample=``, ``?d=``, ``?neuron=``, an unknown page path) is checked once
here, with a notice for anything malformed.
"""

from __future__ import annotations

import streamlit as st

from nnviz.data import SPLITS, DataError
from nnviz.mlp import ModelError
from nnviz.ui import (
    ONE_ENTRY_PER_PAGE,
    SAME_TAB_LINKS,
    SWIPES_SCROLL,
    active_model,
    load_error_page,
    mnist,
    preload_charts_script,
    trained_model,
)
from nnviz.ui.params import (
    apply_url_selection,
    check_url_state,
    link_query,
    menu_digit,
    share_url,
    unknown_page_notice,
    view_query,
)


def sidebar(nav: st.navigation | None = None, sections: dict | None = None) -> None:
    """Guard the page, honour the link's state, and draw the shared sidebar.

    Parameters
    ----------
    nav : StreamlitPage, optional
        What ``st.navigation`` returned: its ``url_path`` tells a real page from
        Streamlit's fallback to the default page for an unknown path.
    sections : dict of section title -> list of StreamlitPage, optional
        The menu (``st.navigation(position="hidden")``'s pages), drawn here as
        links that carry each page's view.
    """
    try:
        model = active_model()
        n_samples = len(mnist("test")[1])
    except (ModelError, DataError) as exc:
        with st.sidebar:
            st.error("The app cannot start: see the message on the page.")
        load_error_page(exc)  # stops the run: no page can use a model that is not there
        return
    if nav is not None:
        # the default page's own url_path is only on the private attribute (its public one is "")
        unknown_page_notice(nav.url_path, getattr(nav, "_url_path", ""))
    # Notices go above the page; a bad value is dropped from the URL so the page never sees it.
    check_url_state(n_samples, model.sizes[1])
    apply_url_selection()  # a link's digit becomes this session's digit

    with st.sidebar:
        digit = menu_digit()  # the digit every link below carries, encoded once
        if sections:
            _menu(sections, digit)
        st.markdown("#### The network")
        n_in, n_hidden, n_out = model.sizes
        trained_here = trained_model() is not None
        st.markdown(
            f"**{n_in} → {n_hidden} → {n_out}**, ReLU, softmax  \n"
            f"{model.n_weights:,} weights + {model.n_biases:,} biases = **{model.n_params:,} parameters**"
        )
        acc = model.meta.get("test_accuracy")
        if isinstance(acc, float):
            st.markdown(f"Test accuracy: **{acc:.2%}** on the {SPLITS['test'][2]:,} MNIST test digits")
        st.caption(
            "You trained this one on the Learn page."
            if trained_here
            else "The shipped network, trained from scratch in NumPy (`python -m nnviz.train` reproduces it)."
        )
        st.markdown("#### The series")
        # page links, not Markdown ones: these carry the menu's digit (MENU_DIGIT), as the menu's links do
        st.page_link(
            "pages/embeddings.py",
            label="Previous post: your digit as an embedding",
            icon=":material/arrow_back:",
            query_params=view_query("embeddings", digit) or None,
        )
        st.markdown("**Part 1: Neural Networks** (this app)")
        st.page_link(
            "pages/learn.py",
            label="Part 2: train this network yourself",
            icon=":material/arrow_forward:",
            query_params=view_query("learn", digit) or None,
        )
        _share()
        # The app's style sheet, in Markdown: drawn with the sidebar's text, before the page's first
        # element (an st.html one is drawn by code the browser fetches later: 0.1-5 s after the page).
        st.markdown(STYLE_SHEET, unsafe_allow_html=True)
        # the same element every run: sent once, run once
        st.html(
            SWIPES_SCROLL + ONE_ENTRY_PER_PAGE + SAME_TAB_LINKS + MENU_CLOSES_ON_A_PHONE + preload_charts_script(),
            unsafe_allow_javascript=True,
        )


LINKS_WRAP = (
    "<style>[data-testid='stPageLink'] :is(span, [data-testid='stMarkdownContainer'], p)"
    " { white-space: normal; }"
    # a link reached with Tab is outlined: Streamlit marks it only with the faint tint of the current page
    " [data-testid='stPageLink-NavLink']:focus-visible { outline: 2px solid currentColor; outline-offset: 2px; }"
    "</style>"
)
"""A page link takes a second line rather than losing its end: Streamlit cuts a page link's label
to one line, and on a phone the sidebar's "Previous post: your digit as an embedding" ended "as an
em…", the Neuron atlas's "...the test digits that excite it most" "excite it mo…".  And a link
reached with the Tab key is outlined, as a button is."""

DIGITS_STAY_SQUARE = "<style>[data-testid='stImage'] img { image-rendering: pixelated; }</style>"
"""Every st.image in the app is a digit, its 28 x 28 pixels already repeated to squares
(nnviz.figures.gallery): on a phone's 2x or 3x screen the browser would smooth them again."""

PRIMARY_LABELS_READABLE = "<style>[data-testid='stBaseButton-primary'] { color: light-dark(#ffffff, #0e1117); }</style>"
"""A primary button's label is white in both themes: 5.2:1 on the light theme's blue #0072B2, but
2.3:1 on the dark theme's sky blue #56B4E9 (WCAG AA asks 4.5:1).  The dark theme keeps its sky
blue, which is also the colour of a slider's value and a chosen option there (8.2:1 on the dark
background; #0072B2 would be 3.6:1), and the label turns near-black on it, 8.2:1.  light-dark()
follows the color-scheme Streamlit sets on .stApp for the theme in use, chosen or from the system."""


CHART_LABELS_READABLE = (
    "<style>[data-testid='stPlotlyChart'] text[style*='fill: rgb(128, 132, 149)']"
    " { fill: light-dark(#6b6f80, rgb(128, 132, 149)) !important; }</style>"
)
"""Streamlit's chart theme writes axis ticks, axis titles and value labels in its grey #808495:
3.7:1 on the light theme's white, under the 4.5:1 WCAG AA asks of text this size (12-14 px).
The same grey, a shade darker, is 5.0:1.  (The dark theme draws them in a light grey, 14:1, which
this rule does not match.)  Plotly writes the colour into each label's style attribute, which a
rule can match and, marked important, override; redrawn labels get it too."""

TOOLBAR_SHOWS_FOCUS = (
    "<style>[data-testid='stElementToolbar']:focus-within { opacity: 1; }"
    " [data-testid='stBaseButton-elementToolbar']:focus-visible { outline: 2px solid currentColor; }</style>"
)
"""The Tab key reaches the "Fullscreen" button Streamlit puts on every picture and chart, but its
toolbar shows only under a mouse: the focus sat on an invisible button, one per digit (96 in the
errors page's 'Show all').  The toolbar now shows while it holds the focus, and the button is
outlined, as a link reached with Tab is."""

FORMULAS_DO_NOT_SCROLL = "<style>.katex-display { padding-right: 0.25em; }</style>"
"""KaTeX's box comes out ~2 px narrower than what it holds, so a formula's display block
(overflow-x: auto, for long formulas on a phone) scrolled by 2 px: a scroll region a keyboard
cannot reach (axe's scrollable-region-focusable, on the Matrix page).  A little room on the right
removes the overflow."""

STYLE_SHEET = (
    LINKS_WRAP
    + DIGITS_STAY_SQUARE
    + PRIMARY_LABELS_READABLE
    + CHART_LABELS_READABLE
    + TOOLBAR_SHOWS_FOCUS
    + FORMULAS_DO_NOT_SCROLL
)
"""Every page's CSS, one Markdown element in the sidebar."""

SIDEBAR_OVERLAYS_BELOW = 768  # px: Streamlit's "md" breakpoint, below which the sidebar covers the page
MENU_CLOSES_ON_A_PHONE = """<script>(() => {
  if (window.__nnvizMenuCloses) return;  // once per page load
  window.__nnvizMenuCloses = true;
  document.addEventListener("click", (event) => {
    if (window.innerWidth >= OVERLAYS_BELOW || !event.target.closest) return;
    if (!event.target.closest("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']")) return;
    setTimeout(() => {  // once the link has had its click: Streamlit opens the page
      const button = document.querySelector("[data-testid='stSidebarCollapseButton'] button");
      if (button && button.getBoundingClientRect().right > 0) button.click();
    }, 0);
  }, { capture: true });
})();</script>""".replace("OVERLAYS_BELOW", str(SIDEBAR_OVERLAYS_BELOW))
"""On a phone, a tap on a page link in the sidebar closes the sidebar, as Streamlit's own menu did.

The sidebar covers the page below 768 px; left open, it hid the page the reader
had just asked for.  The browser closes it at the tap.  (A script sent with the
new page's run did this before, and on a slow phone it could run seconds after
the page showed: a reader who had opened the menu again by then saw it shut.)
"""


def _menu(sections: dict, digit: dict[str, str]) -> None:
    """The pages, as links that open each on the view the reader left it in (see :func:`view_query`).

    Streamlit's own menu (``st.navigation``'s) would open a page with an empty
    query string, which the page then fills in: a second entry in the browser's
    history for every visit, so Back had to be pressed twice.  On a phone its
    menu also closed the sidebar after a tap; :data:`MENU_CLOSES_ON_A_PHONE` does that.
    """
    with st.container(key="menu"):
        for title, pages in sections.items():
            st.caption(title)
            for page in pages:
                if page.visibility == "visible":
                    st.page_link(page, query_params=view_query(page.url_path, digit) or None, width="stretch")


def next_page(nav, sections: dict) -> None:
    """At the foot of a page, a link to the next one in the menu's order (after the last, the post).

    On a phone the menu is behind a button; a reader at the end of a page still
    has a way on.  The link carries the page's view, as the menu's do.
    """
    pages = [page for group in sections.values() for page in group if page.visibility == "visible"]
    here = next((i for i, page in enumerate(pages) if page.url_path == nav.url_path), None)
    if here is None:
        return
    after = pages[(here + 1) % len(pages)]
    label = f"Next: {after.title}" if here + 1 < len(pages) else f"Back to the start: {after.title.lower()}"
    st.divider()
    st.page_link(after, label=label, icon=":material/arrow_forward:", query_params=link_query(after.url_path) or None)


@st.fragment
def _share() -> None:
    """A link to this view: the page, its URL state and the current digit, built when asked."""
    st.markdown("#### Share")
    if st.button("Share this view", icon=":material/share:", key="share_view"):
        st.code(share_url(), language=None, wrap_lines=True)
        caption = "Copy the link with the button at its top right (on a phone, tap the link first to show it): it opens this page showing this digit."
        if trained_model() is not None:
            # a link carries the page and the digit, not 101,770 weights: the recipient gets the shipped network
            caption += " It opens on the shipped network: the one you trained lives only in this browser session."
        st.caption(caption)
