"""The "Inside the network" pages in Chromium: real clicks on Plotly charts drive the page.

AppTest cannot click a chart, so the selections (confusion cell -> its mistakes,
map point -> that digit, ablation bar -> that neuron) are checked here end to end,
with a mouse on a desktop and with two taps on a phone.
"""

from __future__ import annotations

import re

import pytest
from helpers import (
    goto,
    plot_point,
    rerun_count,
    selection_events,
    tap_twice,
    wait_charts,
    wait_idle,
    wait_rerun,
    watch_selection,
)
from playwright.sync_api import expect

import nnviz
from nnviz.evaluate import evaluate
from nnviz.figures.common import a_digit
from nnviz.mlp import as_input

pytestmark = pytest.mark.browser


def chart(page, key: str):
    """The Plotly chart placed with ``key=...`` (Streamlit marks its container ``st-key-<key>``)."""
    return page.locator(f".st-key-{key} [data-testid='stPlotlyChart']")


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def sample_links(page):
    """The main area's links that open a test digit on the Draw page (``?sample=``)."""
    return page.locator("[data-testid='stMain'] a[href*='sample=']")


def mistake_links(page, count: int):
    """The cards' links to the Draw page, once all ``min(12, count)`` of the cell's mistakes show.

    The cards' images and links appear a moment after the rerun that sends them
    ends (the browser is still laying them out: 0.2 s, over a second when busy),
    and a previous cell's cards linger until the rerun that replaces them ends;
    counting them tells that they are this cell's, all of them.
    """
    links = sample_links(page)
    expect(links).to_have_count(min(12, count), timeout=30_000)
    return links


@pytest.fixture(params=["desktop", "phone"])
def any_page(request):
    """A desktop page (clicks with a mouse) or a phone page (taps with a finger)."""
    return request.getfixturevalue("page" if request.param == "desktop" else "phone_page")


def pick(page, el, x: float, y: float) -> None:
    """Choose data point (x, y) of chart ``el`` as the reader would: one click, or two taps on a phone."""
    n = rerun_count(page)
    if page.evaluate("() => navigator.maxTouchPoints > 0"):
        tap_twice(page, el, x, y)
    else:
        watch_selection(el)
        page.mouse.click(*plot_point(el, x, y))
    wait_rerun(page, n)
    wait_charts(page)
    # no reset after the pick (a quick second tap used to count as a double-click: nnviz.ui.TAPPABLE)
    events = selection_events(page)
    assert "selected 0" not in events and "doubleclick" not in events, events


def test_click_a_confusion_cell_opens_its_mistakes(any_page, app_url):
    page = any_page
    goto(page, app_url + "/errors")
    wait_charts(page)
    heading = page.locator("[data-testid='stMain'] h2").filter(has_text="was read as").first
    first = heading.inner_text()
    true, said = map(int, re.search(r"an? (\d) was read as an? (\d)", first).groups())
    # pick another off-diagonal cell with mistakes: the server loads the same model and data as this test
    ev = evaluate(nnviz.load_model().predict_proba(as_input(nnviz.load_mnist("test")[0])), nnviz.load_mnist("test")[1])
    cells = sorted(
        (int(ev.confusion[t, p]), t, p)
        for t in range(10)
        for p in range(10)
        if t != p and ev.confusion[t, p] and (t, p) != (true, said)
    )
    count, t, p = cells[-1]
    chart(page, "confusion").scroll_into_view_if_needed()
    pick(page, chart(page, "confusion"), p, t)
    expected = f"{int(count)} times {a_digit(t)} was read as {a_digit(p)}"
    page.locator("[data-testid='stMain'] h2").filter(has_text=expected).wait_for(timeout=30_000)
    wait_idle(page)
    mistake_links(page, count)
    assert f"true={t}" in page.url and f"said={p}" in page.url  # the view is linkable


def test_a_mistake_opens_on_the_draw_page(page, app_url):
    goto(page, app_url + "/errors")  # opens on the most common mistake: there is always one
    heading = page.locator("[data-testid='stMain'] h2").filter(has_text="was read as").first.inner_text()
    link = mistake_links(page, int(re.match(r"(\d+) times", heading).group(1))).first
    index = re.search(r"sample=(\d+)", link.get_attribute("href")).group(1)
    n = rerun_count(page)
    link.click()
    page.wait_for_url(re.compile(rf"/draw\?sample={index}"), wait_until="commit", timeout=30_000)
    wait_rerun(page, n)
    # the Draw page shows that digit (visible: the phone's line under the canvas names it too, hidden here)
    expect(page.get_by_text(f"#{index}").filter(visible=True).first).to_be_visible(timeout=60_000)


def test_click_a_point_on_the_embedding_map(any_page, app_url):
    page = any_page
    goto(page, app_url + "/embeddings")
    wait_charts(page)
    el = chart(page, "embedding_map")
    el.scroll_into_view_if_needed()
    # the first point of the digit-0 trace, from the chart's own data
    x, y = el.evaluate("el => { const t = el.querySelector('.js-plotly-plot')._fullData[0]; return [t.x[0], t.y[0]]; }")
    pick(page, el, x, y)
    page.get_by_text(re.compile(r"Test digit #\d+: an? \d")).wait_for(timeout=30_000)
    expect(sample_links(page)).to_have_count(1, timeout=30_000)
    assert re.search(r"of \d+ nearest embeddings (are \ds|is an? \d)", main_text(page))


def test_the_tsne_map_in_the_browser(page, app_url):
    """Switch to the t-SNE map, find the star where t-SNE put test digit #0, and pick a point on it."""
    goto(page, app_url + "/embeddings")
    wait_charts(page)
    n = rerun_count(page)
    page.get_by_text("t-SNE", exact=True).click()
    wait_rerun(page, n)
    wait_charts(page)
    el = chart(page, "embedding_map")
    expect(el.locator(".xtitle")).to_have_text("t-SNE 1", timeout=30_000)
    assert "where t-SNE put it" in main_text(page)
    x, y = el.evaluate("el => { const t = el.querySelector('.js-plotly-plot')._fullData[0]; return [t.x[0], t.y[0]]; }")
    pick(page, el, x, y)
    page.get_by_text(re.compile(r"Test digit #\d+: an? \d")).wait_for(timeout=30_000)
    assert "where t-SNE put it" in main_text(page)  # the map stays t-SNE after the pick
    assert "map=tsne" in page.url  # in the address bar, to share
    goto(page, app_url + "/embeddings?map=tsne&sample=445")  # and a link to it opens on it
    wait_charts(page)
    expect(chart(page, "embedding_map").locator(".xtitle")).to_have_text("t-SNE 1", timeout=30_000)
    assert "The star is test digit #445 (a 6), where t-SNE put it" in main_text(page)


def test_click_a_bar_of_the_neuron_atlas(any_page, app_url):
    page = any_page
    goto(page, app_url + "/neurons")
    wait_charts(page)
    el = chart(page, "ablation")
    el.scroll_into_view_if_needed()
    label, height = el.evaluate(
        "el => { const t = el.querySelector('.js-plotly-plot')._fullData[0]; return [t.x[5], t.y[5]]; }"
    )
    neuron = int(label.lstrip("#"))
    # click inside the bar: halfway up it (or just below zero for a bar that goes down)
    pick(page, el, 5, height / 2 if height else -0.2)
    page.locator("[data-testid='stMain'] h2").filter(has_text=f"Neuron {neuron}").wait_for(timeout=30_000)
    assert f"neuron={neuron}" in page.url
    # another neuron typed in the box, then the same bar again: the bar wins again
    other = 0 if neuron != 0 else 1
    box = page.get_by_label("Neuron", exact=True)
    box.fill(str(other))
    box.press("Enter")
    page.locator("[data-testid='stMain'] h2").filter(has_text=f"Neuron {other}").wait_for(timeout=30_000)
    wait_idle(page)  # the rerun redraws the chart (the typed neuron outlined): wait until it is the only one
    wait_charts(page)
    el = chart(page, "ablation")
    el.scroll_into_view_if_needed()
    pick(page, el, 5, height / 2 if height else -0.2)
    page.locator("[data-testid='stMain'] h2").filter(has_text=f"Neuron {neuron}").wait_for(timeout=30_000)


@pytest.mark.parametrize("path", ["embeddings", "errors", "neurons", "why"])
def test_fits_a_phone(phone_page, app_url, path):
    goto(phone_page, f"{app_url}/{path}")
    wait_charts(phone_page)
    width, inner = phone_page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1, f"/{path} is {width}px wide on a {inner}px phone"
