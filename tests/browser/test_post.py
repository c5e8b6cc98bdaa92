"""The landing page in Chromium: the post's numbers are links, the live demo draws, the buttons lead on."""

from __future__ import annotations

import re

import pytest
from helpers import goto, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_numbers_link_to_the_pages_that_show_them(page, app_url):
    goto(page, app_url + "/")
    post = page.locator("[data-testid='stMarkdownContainer']").filter(has_text="As promised last week")
    for number, target in [
        ("28×28", "/draw"),
        ("128", "/weights"),
        ("100,352", "/weights"),
        ("milliseconds", "/matmul"),
    ]:
        link = post.get_by_role("link", name=number, exact=True)
        expect(link).to_have_count(1)
        assert link.get_attribute("href") == target
    # the measured time rides in the tooltip of "milliseconds"
    assert re.search(r"[0-9.]+ ms for one digit", post.get_by_role("link", name="milliseconds").get_attribute("title"))
    expect(page.get_by_text("The post says 100,352 total connections")).to_be_visible()
    expect(page.get_by_role("link", name="Neural Networks and Deep Learning - 3Blue1Brown")).to_have_attribute(
        "href", "https://www.3blue1brown.com/topics/neural-networks"
    )


def test_the_live_demo_draws_without_plotly(page, app_url):
    goto(page, app_url + "/")
    svg = page.locator("svg[role='img']").first
    expect(svg).to_be_visible()
    assert svg.get_attribute("aria-label").startswith("The network says")
    assert svg.bounding_box()["height"] > 50
    expect(page.locator("[data-testid='stImage'] img").first).to_be_visible()
    assert page.locator(".js-plotly-plot").count() == 0


def test_draw_your_own_stays_in_the_session(page, app_url):
    goto(page, app_url + "/")
    reading = page.get_by_text(re.compile(r"The network reading test digit #\d+"))
    first = reading.inner_text()
    page.get_by_role("button", name="Random test digit").click()
    expect(reading).not_to_have_text(first)  # (1 chance in 10,000 of drawing the same digit again)
    index = re.search(r"#(\d+)", reading.inner_text()).group(1)
    page.get_by_role("button", name="Draw your own").click()
    expect(page.get_by_role("heading", name="Draw a digit")).to_be_visible()
    wait_idle(page)
    # the same session: the Draw page shows the digit picked on the landing page, and names it in the URL
    expect(page.get_by_text(re.compile(rf"^test digit #{index} \(an? \d\)$"))).to_be_visible()
    assert f"sample={index}" in page.url


@pytest.mark.parametrize("typed", ["post", "home"])
def test_a_typed_post_address_lands_on_the_post(page, app_url, typed):
    """The post is the default page, served at "/"; "/post" (the name in the menu) and "/home" are sent there,
    the query kept, with no "Page not found" on the way."""
    goto(page, f"{app_url}/{typed}?sample=7")
    expect(page.get_by_role("heading", name="Neural Networks Part 1, live")).to_be_visible()
    expect(page.get_by_text("The network reading test digit #7")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.endswith("/?sample=7"), page.url


@pytest.mark.parametrize("typed", ["post", "home"])
def test_a_malformed_link_through_an_alias_still_gets_its_notice(page, app_url, typed):
    """The link is checked on the post's own run, after the switch: a notice given on the alias's run would vanish."""
    goto(page, f"{app_url}/{typed}?sample=abc")
    expect(page.get_by_role("heading", name="Neural Networks Part 1, live")).to_be_visible()
    expect(page.get_by_text("The link's sample=abc is not a number")).to_be_visible()
    assert "sample=" not in page.url, page.url  # dropped from the address, as on any page
    # a parameter given twice: the same notice as at "/", the last value used
    goto(page, f"{app_url}/{typed}?sample=3&sample=7")
    expect(page.get_by_text("The link gives sample 2 times; using the last, 7.")).to_be_visible()
    expect(page.get_by_text("The network reading test digit #7")).to_be_visible()
