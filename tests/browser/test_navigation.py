"""The sidebar's menu: each visit is one step of the browser's history, and Back retraces them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from helpers import MAIN_SCROLL_TOP, MENU_LINK, digit_strokes, goto, wait_idle, wait_scripts, write_strokes
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def path_of(page) -> str:
    return "/" + page.url.split("/", 3)[3]


def test_back_retraces_one_step_per_page_visited(page, app_url):
    goto(page, app_url + "/draw?sample=5")
    page.wait_for_timeout(500)
    start = page.evaluate("history.length")
    seen = [path_of(page)]
    for name, path in (
        ("Weights", "weights"),
        ("Neuron atlas", "neurons"),
        ("Embeddings", "embeddings"),
        ("Where it errs", "errors"),
    ):
        page.locator(MENU_LINK, has_text=name).click()
        page.wait_for_url(f"**/{path}?*")
        wait_idle(page)
        page.wait_for_timeout(500)  # (any change of address the page made would be in by now)
        seen.append(path_of(page))
        assert "sample=5" in seen[-1], seen  # the digit goes along, in the link itself
    assert page.evaluate("history.length") == start + 4  # one entry a visit, not two
    for expected in reversed(seen[:-1]):
        page.go_back()
        page.wait_for_url(f"**{expected}")
        wait_idle(page)
        page.wait_for_timeout(300)
        assert path_of(page) == expected


def test_a_page_reopens_on_the_view_it_was_left_in(page, app_url):
    goto(page, app_url + "/neurons?neuron=9")
    page.locator(MENU_LINK, has_text="Why it said that").click()
    page.wait_for_url("**/why*")
    wait_idle(page)
    link = page.locator(MENU_LINK, has_text="Neuron atlas")
    page.wait_for_function(  # the menu drawn on the Why page's run (the atlas page's own menu came before it)
        "(s) => [...document.querySelectorAll(s)].some(a => a.getAttribute('href').includes('neuron=9'))",
        arg=MENU_LINK,
        timeout=15_000,
    )
    assert "neuron=9" in link.get_attribute("href")
    link.click()
    page.wait_for_url("**/neurons?*neuron=9*")
    wait_idle(page)
    assert page.locator("[data-testid='stMain'] h2", has_text="Neuron 9").count() == 1


SIDEBAR_LINK = "[data-testid='stSidebar'] [data-testid='stPageLink-NavLink']"


@pytest.mark.parametrize(("label", "path"), [("Weights", "weights"), ("Part 2: train this network yourself", "learn")])
def test_on_a_phone_the_menu_closes_after_a_tap(phone_page, app_url, label, path):
    goto(phone_page, app_url + "/draw?sample=5")
    wait_scripts(phone_page)
    phone_page.get_by_test_id("stExpandSidebarButton").tap()
    link = phone_page.locator(SIDEBAR_LINK, has_text=label)
    link.wait_for()
    link.tap()
    phone_page.wait_for_url(f"**/{path}?*")
    wait_idle(phone_page)
    phone_page.get_by_test_id("stExpandSidebarButton").wait_for(state="visible", timeout=10_000)  # closed again


MENU_IN_VIEW = "(s) => document.querySelector(s)?.getBoundingClientRect().x >= 0"
"""Whether the sidebar's first menu link is on screen (a closed sidebar is moved off to the left)."""


def test_on_a_phone_a_menu_opened_at_once_stays_open(phone_page, app_url):
    # The sidebar's scripts come with Streamlit's code for st.html, which a phone may take seconds
    # to fetch: held back here until the reader has opened the menu.  A script that closed the
    # menu on arriving at a page then shut the menu the reader had just opened.
    held = []
    phone_page.route("**/Html.*.js", lambda route: held.append(route))
    goto(phone_page, app_url + "/draw?sample=5")
    phone_page.get_by_test_id("stExpandSidebarButton").tap()
    phone_page.wait_for_function(MENU_IN_VIEW, arg=MENU_LINK)
    assert held, "the page asked for no Html chunk: hold another one"
    for route in held:
        route.continue_()
    phone_page.unroute("**/Html.*.js")
    wait_scripts(phone_page)
    phone_page.wait_for_timeout(500)
    assert phone_page.evaluate(MENU_IN_VIEW, MENU_LINK), "the menu the reader opened was closed"


def test_on_a_phone_no_page_link_is_cut_short(phone_page, app_url):
    goto(phone_page, app_url + "/weights")
    phone_page.get_by_test_id("stExpandSidebarButton").tap()
    series = phone_page.get_by_role("link", name="Previous post: your digit as an embedding")
    series.wait_for()
    labels = """[...document.querySelectorAll("[data-testid='stSidebar'] [data-testid='stPageLink'] *")]
                .filter(e => getComputedStyle(e).textOverflow === 'ellipsis')"""
    # the sidebar has slid in: its width unchanged for 10 frames
    phone_page.evaluate(
        """() => new Promise(done => {
             const bar = document.querySelector("[data-testid='stSidebar']");
             let last = -1, same = 0;
             const tick = () => {
               const w = bar.getBoundingClientRect().width;
               same = w > 0 && w === last ? same + 1 : 0; last = w;
               same >= 10 ? done() : requestAnimationFrame(tick);
             };
             tick();
           })"""
    )
    cut = phone_page.evaluate(f"() => {labels}.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert cut == [], cut  # Streamlit's one line would end "as an em..."
    assert series.bounding_box()["height"] > phone_page.get_by_role("link", name="Weights").bounding_box()["height"]
    # and in a page: the Neuron atlas's link to the Weights page
    goto(phone_page, app_url + "/neurons")
    link = phone_page.get_by_role("link", name="Its outgoing weights and the test digits that excite it most")
    link.scroll_into_view_if_needed()
    cut = phone_page.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stMain'] [data-testid='stPageLink'] *")]
                 .filter(e => getComputedStyle(e).textOverflow === 'ellipsis' && e.clientWidth > 0)
                 .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
    )
    assert cut == [], cut


def test_a_drawing_made_after_the_menu_was_drawn_goes_along(page, app_url):
    # A stroke reruns only the Draw page's fragment: the menu's links still name test digit 5.
    goto(page, app_url + "/draw?sample=5")
    page.locator(MENU_LINK).first.wait_for()
    write_strokes(page, digit_strokes(3))
    code = page.url.split("?d=")[1]
    page.locator(MENU_LINK, has_text="Why it said that").click()
    page.wait_for_url(f"**/why?d={code}")  # the drawing, not test digit 5
    wait_idle(page)
    assert "For your drawing the network says 3" in page.locator("[data-testid='stMain']").inner_text()


def test_a_link_inside_a_page_is_one_step_of_history_too(page, app_url):
    # In-page links carry the target page's view as the menu's do (params.page_link), so the
    # page, arriving, has nothing to add to the address: no second entry for Back to walk.
    goto(page, app_url + "/why?sample=5")
    page.wait_for_timeout(500)
    start = page.evaluate("history.length")
    main = page.get_by_test_id("stMain")
    main.get_by_role("link", name="Draw another digit").click()
    page.wait_for_url("**/draw?sample=5")
    wait_idle(page)
    strongest = main.get_by_role("link", name="the strongest, looks for")
    strongest.click()
    page.wait_for_url("**/weights?sample=5&neuron=*")
    wait_idle(page)
    page.wait_for_timeout(500)  # (any change of address the page made would be in by now)
    assert page.evaluate("history.length") == start + 2
    page.go_back()
    page.wait_for_url("**/draw?sample=5")
    page.go_back()
    page.wait_for_url("**/why?sample=5")


def test_strokes_and_picks_are_not_steps_of_history(page, app_url):
    # (ui.ONE_ENTRY_PER_PAGE) Streamlit pushes every change of the query string: each stroke (?d=)
    # was one more press of Back. A change within a page now replaces the entry; a new page adds one.
    goto(page, app_url + "/")
    page.get_by_role("button", name="Draw your own").click()
    page.wait_for_url("**/draw*")
    wait_idle(page)
    start = page.evaluate("history.length")
    write_strokes(page, digit_strokes(7))
    first = page.url
    write_strokes(page, digit_strokes(1))
    page.wait_for_function("(before) => location.href !== before", arg=first)  # the stroke renamed the drawing
    drawn = page.url
    assert page.evaluate("history.length") == start
    page.locator(MENU_LINK, has_text="Weights").click()
    page.wait_for_url("**/weights?*")
    wait_idle(page)
    page.wait_for_timeout(500)
    assert page.evaluate("history.length") == start + 1
    page.go_back()
    page.wait_for_url(drawn)  # the last drawing, one press away
    wait_idle(page)
    expect(page.get_by_test_id("stMain")).to_contain_text("(drawn earlier)")  # the canvas is blank again: say so
    page.go_back()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # the post, two presses from Weights


def test_a_link_in_the_posts_text_opens_its_page_here(page, app_url):
    # (ui.SAME_TAB_LINKS) Streamlit opens every Markdown link in a new tab: each number of the post
    # started a second copy of the app, without the reader's digit or trained network.
    goto(page, app_url + "/")
    wait_scripts(page)
    page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page is loaded again
    start = page.evaluate("history.length")
    page.get_by_role("link", name="100,352").click()
    page.wait_for_url("**/weights*")
    wait_idle(page)
    expect(page.locator("[data-testid='stMain'] h1", has_text="Weights")).to_be_visible()
    assert len(page.context.pages) == 1  # no second tab
    assert page.evaluate("() => window.__sameDocument === true")  # the same page and session, not a reload
    assert page.evaluate("history.length") == start + 1
    page.go_back()
    page.wait_for_url(app_url + "/")
    wait_idle(page)
    expect(page.get_by_role("link", name="100,352")).to_be_visible()
    assert page.evaluate("() => window.__sameDocument === true")
    # a link to another site still opens a tab of its own
    assert page.get_by_role("link", name="3Blue1Brown's Neural Networks series").get_attribute("target") == "_blank"


def test_back_from_a_link_returns_to_where_the_reader_was(phone_page, app_url):
    # (ui.SAME_TAB_LINKS) In a tab of its own the post kept the reader's place; in the same tab,
    # Streamlit's change of page scrolls to the top, and Back found the post at its start.
    page = phone_page
    goto(page, app_url + "/")
    wait_scripts(page)
    link = page.get_by_role("link", name="milliseconds")  # far down the post
    link.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    before = page.evaluate(MAIN_SCROLL_TOP)
    assert before > 300
    link.click()
    page.wait_for_url("**/matmul*")
    # the new page opens at its top (once Streamlit has run it: the address changes first;
    # the page's default 30 s, as the test took 13.7 s in all with the suite busy on both cores)
    page.wait_for_function(f"() => ({MAIN_SCROLL_TOP})() < 50")
    wait_idle(page)
    page.go_back()
    page.wait_for_url(app_url + "/")
    wait_idle(page)
    page.wait_for_function(f"() => Math.abs(({MAIN_SCROLL_TOP})() - {before}) < 5", timeout=10_000)


def test_a_page_link_reached_with_the_tab_key_is_outlined(page, app_url):
    """Keyboard readers see where they are: Streamlit marks a focused page link only by a faint tint."""
    goto(page, app_url + "/weights")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const a = document.activeElement;"
            " return a && a.matches(\"[data-testid='stPageLink-NavLink']\") ?"
            " [a.innerText, getComputedStyle(a).outlineStyle, getComputedStyle(a).outlineWidth] : null; }"
        )
        if focused:
            break
    assert focused, "Tab never reached a page link"
    assert focused[1] == "solid" and focused[2] == "2px", focused
