"""The Weights page in Chromium: a click (or a tap) on a tile of the mosaic chooses that neuron."""

from __future__ import annotations

import re

import pytest
from helpers import (
    goto,
    plot_point,
    rerun_count,
    selection_events,
    settled_top,
    tap_twice,
    wait_charts,
    wait_idle,
    wait_rerun,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COLUMNS, STEP = 8, 29  # nnviz.figures.weights: 8 tiles per row, 28 pixels + a 1-pixel gap


def tile_centre(neuron: int) -> tuple[int, int]:
    return (neuron % COLUMNS) * STEP + 14, (neuron // COLUMNS) * STEP + 14


def heading(page):
    return page.locator("[data-testid='stMain'] h2", has_text=re.compile(r"^Neuron \d+$")).first


def shown_neuron(page) -> int:
    return int(heading(page).inner_text().split()[1])


def wait_hover(page, text: str) -> str:
    """Wait for the mosaic's (the first chart's) hover label to contain ``text``; return the label."""
    label = """() => document.querySelector("[data-testid='stPlotlyChart'] .hoverlayer")?.textContent || ''"""
    page.wait_for_function(f"(text) => ({label})().includes(text)", arg=text, timeout=60_000)
    return page.evaluate(label)


def test_click_a_tile_selects_its_neuron(page, app_url):
    goto(page, app_url + "/weights?neuron=5")
    wait_charts(page)
    assert shown_neuron(page) == 5
    mosaic = page.locator("[data-testid='stPlotlyChart']").first
    for neuron, offset in ((21, (0, 0)), (100, (-9, 8))):  # the centre of one tile, off-centre in another
        mosaic.scroll_into_view_if_needed()
        x, y = tile_centre(neuron)
        px, py = plot_point(mosaic, x + offset[0], y + offset[1])
        page.mouse.move(px, py)
        assert "weight" in wait_hover(page, f"neuron {neuron}")
        n = rerun_count(page)
        page.mouse.click(px, py)
        wait_rerun(page, n)
        assert shown_neuron(page) == neuron
        assert f"neuron={neuron}" in page.url  # the link follows the choice
        assert page.get_by_label("Neuron", exact=True).input_value() == str(neuron)


def test_tap_a_tile_on_a_phone(phone_page, app_url):
    goto(phone_page, app_url + "/weights?neuron=5")
    wait_charts(phone_page)
    width, inner = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1
    mosaic = phone_page.locator("[data-testid='stPlotlyChart']").first
    mosaic.scroll_into_view_if_needed()
    # Plotly on touch: the first tap shows the hover label, the second one picks (the page says so)
    tap_twice(phone_page, mosaic, *tile_centre(42), label="neuron 42")
    expect(heading(phone_page)).to_have_text("Neuron 42", timeout=60_000)
    wait_idle(phone_page)
    # One pick and no reset after it: a quick second tap used to count as a double-click, on which the
    # chart reported an empty selection too, and that second rerun could undo the pick (nnviz.ui.TAPPABLE)
    events = selection_events(phone_page)
    assert set(events) == {"selected 1"}, events
    assert shown_neuron(phone_page) == 42 and "neuron=42" in phone_page.url
    # the columns are stacked: the page brings the picked neuron's pictures, a screen below, into view
    phone_page.wait_for_function(
        "() => { const r = document.querySelector('.st-key-weights_detail').getBoundingClientRect();"
        " return r.top >= -1 && r.top < window.innerHeight / 2; }",
        timeout=10_000,
    )
    # once the smooth scroll has settled, the neuron's name is below the app's header, not under it
    settled = settled_top(heading(phone_page))
    header = phone_page.evaluate(
        "() => document.querySelector(\"[data-testid='stHeader']\").getBoundingClientRect().bottom"
    )
    assert settled >= header - 1, (settled, header)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_second_layer_is_drawn_across_on_a_wide_screen_and_upright_on_a_phone(page, phone_page, app_url, device):
    p = phone_page if device == "phone" else page
    goto(p, app_url + "/weights?neuron=5")
    wait_charts(p)
    across, upright = p.locator(".st-key-w2_wide"), p.locator(".st-key-w2_phone")
    shown, hidden = (upright, across) if device == "phone" else (across, upright)
    expect(hidden).to_be_hidden()
    expect(shown.locator("[data-testid='stPlotlyChart']")).to_be_visible()
    box = shown.locator("[data-testid='stPlotlyChart']").bounding_box()
    assert box["width"] <= p.viewport_size["width"]
    if device == "phone":
        assert box["height"] > box["width"]  # 128 neurons down, 10 digits across
