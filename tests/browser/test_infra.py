"""The browser helpers themselves, on the bare reference page: mouse and finger strokes reach the server."""

from __future__ import annotations

import pytest
from helpers import (
    canvas_box,
    digit_strokes,
    goto,
    start_server,
    write_strokes,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bare_url():
    with start_server("bench/apps/bare_canvas.py") as server:
        yield server.url


def ink(page) -> int:
    return int(page.locator("[data-testid='stText']").inner_text().split(":")[1])


def test_mouse_strokes_reach_the_server(page, bare_url):
    goto(page, bare_url)
    box = canvas_box(page)
    assert (round(box["width"]), round(box["height"])) == (280, 280)
    assert ink(page) == 0
    write_strokes(page, digit_strokes(7))
    first = ink(page)
    assert first > 0
    write_strokes(page, digit_strokes(1))
    assert ink(page) > first


def test_touch_strokes_reach_the_server(phone_page, bare_url):
    goto(phone_page, bare_url)
    write_strokes(phone_page, digit_strokes(7), cdp=phone_page.context.new_cdp_session(phone_page))
    assert ink(phone_page) > 0
