"""The browser helpers themselves, on the bare reference page: mouse and finger strokes reach the server."""

from __future__ import annotations

import pytest
from helpers import canvas_box, digit_strokes, draw_strokes, goto, rerun_count, start_server, touch_strokes, wait_rerun

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
    n = rerun_count(page)
    draw_strokes(page, digit_strokes(7))
    wait_rerun(page, n)
    first = ink(page)
    assert first > 0
    n = rerun_count(page)
    draw_strokes(page, digit_strokes(1))
    wait_rerun(page, n)
    assert ink(page) > first


def test_touch_strokes_reach_the_server(phone_page, bare_url):
    goto(phone_page, bare_url)
    n = rerun_count(phone_page)
    touch_strokes(phone_page, digit_strokes(7))
    wait_rerun(phone_page, n)
    assert ink(phone_page) > 0
