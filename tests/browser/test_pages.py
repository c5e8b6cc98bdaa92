"""Smoke test: every page of the real app opens in Chromium, without an exception, with its heading."""

from __future__ import annotations

import pytest
from helpers import (
    A_CHART_DRAWN,
    MENU_LINK,
    app_pages,
    axe_violations,
    exception_texts,
    goto,
    low_contrast_chart_labels,
    start_server,
    wait_charts,
    wait_styles,
)

pytestmark = pytest.mark.browser


PAGES = app_pages()


def active_nav_text(page) -> str:
    """The menu link drawn as the current page (Streamlit shades a page link to the page it is on)."""
    page.locator(MENU_LINK).first.wait_for()
    return page.evaluate(
        """(selector) => {
          for (const a of document.querySelectorAll(selector)) {
            const bg = getComputedStyle(a).backgroundColor;
            if (bg && bg !== 'rgba(0, 0, 0, 0)' && bg !== 'transparent') return a.innerText;
          }
          return '';
        }""",
        MENU_LINK,
    )


def test_landing_page(page, app_url):
    # Opened first: the landing page runs app.py, the router.
    goto(page, app_url + "/")
    assert PAGES[0][1] in active_nav_text(page)
    assert page.locator(MENU_LINK).count() == len(PAGES)
    assert page.locator("[data-testid='stMain'] :is(h1, h2)").first.is_visible()


@pytest.mark.parametrize(("url_path", "title"), PAGES, ids=[u or "post" for u, _ in PAGES])
def test_every_page_opens(page, app_url, url_path, title):
    goto(page, f"{app_url}/{url_path}")
    # the router ran (the page is one of st.navigation's, not a bare file from pages/)
    assert title in active_nav_text(page), f"/{url_path}: active nav link is {active_nav_text(page)!r}"
    assert page.locator("[data-testid='stMain'] :is(h1, h2)").first.is_visible(), f"/{url_path} has no heading"
    # every picture says what it shows to a screen reader (st.image's alt): a digit, not "image"
    unnamed = page.eval_on_selector_all("img", "els => els.filter(e => !(e.alt || '').trim()).map(e => e.outerHTML)")
    assert not unnamed, f"/{url_path}: {len(unnamed)} picture(s) without alt text, e.g. {unnamed[0][:200]}"
    # and shows the digit's own pixels: PNG, not st.image's default JPEG (lossy)
    lossy = page.eval_on_selector_all("img", "els => els.map(e => e.src).filter(s => /\\.jpe?g$/i.test(s))")
    assert not lossy, f"/{url_path}: {len(lossy)} picture(s) sent as JPEG, e.g. {lossy[0]}"
    # drawn with square pixels on a 2x or 3x screen too (the app's styles land a moment after the page)
    wait_styles(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stImage'] img\")]"
        ".every(img => getComputedStyle(img).imageRendering === 'pixelated')"
    )
    wait_charts(page)  # (on a page that has not changed since: see axe_violations)
    assert_reads_well(page, f"/{url_path}")
    # no exception: checked by the page fixture at teardown


def assert_reads_well(page, where: str) -> None:
    """Nothing axe-core (Lighthouse's accessibility engine) calls a violation (contrast, names,
    headings...), and no chart label, which axe does not read (SVG), under 4.5:1."""
    problems = axe_violations(page)
    assert not problems, f"{where}, axe-core:\n" + "\n".join(problems)
    faint = low_contrast_chart_labels(page)
    assert not faint, f"{where}: {len(faint)} chart label(s) under 4.5:1, e.g. " + "; ".join(faint[:3])


@pytest.mark.parametrize(("url_path", "title"), PAGES, ids=[u or "post" for u, _ in PAGES])
def test_every_page_reads_in_dark_mode(dark_page, app_url, url_path, title):
    # the theme follows the reader's system: a dark one gets [theme.dark] (.streamlit/config.toml)
    page = dark_page
    goto(page, f"{app_url}/{url_path}")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).colorScheme") == "dark"
    wait_styles(page)
    wait_charts(page)
    assert_reads_well(page, f"/{url_path} in dark mode")


def test_landing_fits_a_phone(phone_page, app_url):
    goto(phone_page, app_url + "/")
    width, inner = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1, f"the landing page is {width}px wide on a {inner}px phone: it scrolls sideways"
    # the call to action is on the first screen, not a scroll below it
    box = phone_page.get_by_role("button", name="Draw your own").bounding_box()
    assert box["y"] + box["height"] <= phone_page.viewport_size["height"], box


def test_deep_link_on_a_fresh_server(browser):
    """A link from the post straight into a page, as the first visit to a fresh server, gets the full app.

    Streamlit decides at the first session whether the app uses a ``pages/``
    directory (MPA v1); until ``st.navigation`` has run once it serves such a
    link as the bare page file, without the router, the sidebar or the page
    config.
    """
    with start_server("app.py") as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            url_path, title = PAGES[2]
            goto(page, f"{server.url}/{url_path}")
            assert title in active_nav_text(page), (
                f"first visit to /{url_path} on a fresh server ran without the router "
                f"(active nav link: {active_nav_text(page)!r})"
            )
        finally:
            context.close()


def test_two_readers_arriving_together_at_a_fresh_server(browser):
    """Both runs start in legacy mode, and each must go through the router itself: the flag that
    says so is one for the whole server, switched off by whichever run gets there first.  And one
    reader's first canvas imports pandas while the other's figures are built (Plotly peeks at it)."""
    with start_server("app.py") as server:
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
        try:
            pages = [context.new_page() for context in contexts]
            arrivals = (("draw?sample=3", "Draw a digit"), ("weights?sample=3", "Weights"))
            for page, (path, _) in zip(pages, arrivals, strict=True):  # no waiting between the two
                page.goto(f"{server.url}/{path}", wait_until="commit")
            for page, (path, title) in zip(pages, arrivals, strict=True):
                page.wait_for_function(A_CHART_DRAWN, timeout=90_000)
                assert title in active_nav_text(page), f"/{path} ran without the router"
                assert not exception_texts(page), exception_texts(page)
        finally:
            for context in contexts:
                context.close()


# how many times the page has fetched Streamlit's Plotly code (its file PlotlyChart.<hash>.js)
CHART_CODE_FETCHES = (
    "() => performance.getEntriesByType('resource').filter((e) => /[/]PlotlyChart[.][^/]*[.]js$/.test(e.name)).length"
)


def test_the_post_loads_the_chart_code_while_the_reader_reads(phone_page, app_url):
    # (ui.preload_charts_script) Streamlit fetches its Plotly code only for a page's first chart, and the
    # post shows none: the reader's first chart, a tap later on Draw, waited seconds for it on a phone.
    page = phone_page
    goto(page, app_url + "/")
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0  # the post draws no chart
    assert page.evaluate(CHART_CODE_FETCHES) == 0  # and is drawn before the code is asked for
    page.wait_for_function(f"() => ({CHART_CODE_FETCHES})() > 0", timeout=20_000, polling=200)
    # it is the module Streamlit's own import then finds loaded: a chart draws with no second fetch
    page.get_by_role("button", name="Draw your own").click()
    page.wait_for_function("() => location.pathname.endsWith('/draw')")
    page.get_by_role("button", name="Random test digit").click()
    page.wait_for_function(A_CHART_DRAWN)
    assert page.evaluate(CHART_CODE_FETCHES) == 1
