"""Fixtures for the browser tests: one ``streamlit run app.py`` and one Chromium per test session.

* ``app_url`` -- the base URL of the real app, served on a free port.
* ``browser`` -- Debian's Chromium driven by Playwright (skipped with a reason if
  ``/usr/bin/chromium`` is missing, unless ``CI`` is set: then it fails).
* ``page`` -- a fresh desktop context (1280x900) per test.
* ``phone_page`` -- a fresh phone context (390x844, touch, 2x pixels) per test.
* ``dark_page`` -- a desktop context whose system theme is dark.

``app_url`` needs ``browser``: it opens the landing page once to warm the server.
Both pages fail the test if an exception box is visible when the test ends.
Helpers (``goto``, ``draw_strokes``, ...) are in ``helpers.py`` beside this file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import CHROMIUM, DESKTOP, PHONE, exception_texts, goto, launch_browser, start_server
from playwright.sync_api import expect

# An assertion waits this long for the page to agree (Playwright's default is 5 s).
# A rerun that takes 0.1 s alone took over 5 s with the re-training test busy on the
# other core of a slow host; a wrong page still fails, 20 s later.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def app_url(browser) -> str:
    """Base URL of ``streamlit run app.py`` (no trailing slash), stopped after the session.

    The landing page is opened once before any test, so every test meets a warm
    server (model and data cached) that has run the router at least once, whatever
    order the tests run in.  ``test_pages.py::test_deep_link_on_a_fresh_server``
    covers a cold server.
    """
    with start_server("app.py") as server:
        context = browser.new_context(viewport=DESKTOP)
        try:
            goto(context.new_page(), server.url + "/", timeout=90)
        finally:
            context.close()
        yield server.url


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (see .ci/run)")
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_browser(p)
        try:
            yield browser
        finally:
            browser.close()


def _checked_page(browser, **context_args):
    context = browser.new_context(**context_args)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        yield page
        texts = exception_texts(page) if not page.is_closed() else []
    finally:
        context.close()
    if texts:
        pytest.fail("the page shows an exception:\n\n" + "\n\n".join(texts), pytrace=False)


@pytest.fixture
def page(browser):
    """A desktop page (1280x900) in a fresh context; fails the test if an exception is shown at the end."""
    yield from _checked_page(browser, viewport=DESKTOP)


@pytest.fixture
def dark_page(browser):
    """A desktop page whose system asks for a dark theme (prefers-color-scheme: dark); fails on a shown exception."""
    yield from _checked_page(browser, viewport=DESKTOP, color_scheme="dark")


@pytest.fixture
def landscape_page(browser):
    """A phone on its side (844x390, touch): wide enough for the docked sidebar, so the columns stay side by side."""
    yield from _checked_page(browser, viewport={"width": 844, "height": 390}, has_touch=True, is_mobile=True)


@pytest.fixture
def phone_page(browser):
    """A phone page (390x844, touch, 2x pixels) in a fresh context; fails on a shown exception."""
    yield from _checked_page(browser, viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=2)
