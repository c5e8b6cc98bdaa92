"""The Draw page in Chromium: mouse strokes on the real canvas, the prediction read off the page."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import (
    CROSS,
    canvas_box,
    digit_strokes,
    goto,
    plot_point,
    rerun_count,
    wait_idle,
    wait_rerun,
    wait_styles,
    write_strokes,
)
from playwright.sync_api import expect

import nnviz
from nnviz.figures.common import a_digit
from nnviz.mlp import as_input

pytestmark = pytest.mark.browser

# Digits whose strokes the model reads right on the real canvas (fabric.js smooths and
# anti-aliases them a little differently from helpers.render_strokes); checked by hand
# over repeated runs.  Multi-stroke 4 and 5 included: each stroke is waited for.
DIGITS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
HINT = "Draw a digit in the black square, or choose a test digit."
CAUTION = "Unlike the MNIST digits."

# The caption under the 28×28 input heatmap changes with every stroke (more ink).
_INPUTS_CAPTION = """(before) => {
  const e = [...document.querySelectorAll("[data-testid='stCaptionContainer']")]
    .find(e => e.innerText.startsWith('784 inputs:'));
  return !!e && e.innerText !== before;
}"""


def inputs_caption(page) -> str:
    found = page.locator("[data-testid='stCaptionContainer']").filter(has_text="784 inputs:")
    return found.first.inner_text() if found.count() else ""


def write(page, digit: int | list) -> None:
    """Draw ``digit`` (or a list of strokes) stroke by stroke, waiting for the page to show each stroke's result."""
    for stroke in digit_strokes(digit) if isinstance(digit, int) else digit:
        before = inputs_caption(page)
        write_strokes(page, [stroke])
        page.wait_for_function(_INPUTS_CAPTION, arg=before, timeout=30_000, polling=20)
    wait_idle(page)


def prediction(page):
    """The value of the metric labelled "Prediction"."""
    return (
        page.locator("[data-testid='stMetric']").filter(has_text="Prediction").locator("[data-testid='stMetricValue']")
    )


def clear(page) -> None:
    """Press Clear and wait for the new, blank canvas (Clear remounts the component)."""
    old = page.locator("canvas.upper-canvas").element_handle()
    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("(el) => !el.isConnected", arg=old, timeout=30_000)
    wait_idle(page)
    canvas_box(page)


@pytest.mark.slow
def test_drawn_digits_are_read_right(page, app_url):
    goto(page, app_url + "/draw")
    expect(page.get_by_text(HINT)).to_be_visible()
    expect(prediction(page)).to_have_count(0)
    wrong = {}
    for digit in DIGITS:
        write(page, digit)
        shown = prediction(page).inner_text()
        if shown != str(digit):
            wrong[digit] = shown
        # every stage is on screen for the drawing
        for caption in ("box of the 280×280 canvas", "784 inputs:", "hidden neurons fired", "The network says"):
            expect(page.get_by_text(caption).first).to_be_visible()
        expect(page.get_by_text(CAUTION)).to_have_count(0)  # a digit is not "unlike the MNIST digits"
        expect(
            page.locator(".st-key-draw_phone_status")
        ).to_be_hidden()  # the phone's line: the columns sit side by side
        clear(page)
        expect(page.get_by_text(HINT)).to_be_visible()
        expect(prediction(page)).to_have_count(0)
    assert not wrong, f"digits read wrong (drawn: shown): {wrong}"


def test_the_canvas_trash_button_brings_back_the_hint(page, app_url):
    goto(page, app_url + "/draw")
    write(page, 7)
    expect(prediction(page)).to_have_text("7")
    page.get_by_role("button", name="Reset canvas & history").click()
    expect(page.get_by_text("Draw a digit: the canvas is empty.")).to_be_visible()
    expect(prediction(page)).to_have_count(0)


def expected(index: int) -> tuple[int, int]:
    """(label, the shipped model's prediction) of test digit ``index``."""
    images, labels = nnviz.load_mnist("test")
    return int(labels[index]), int(np.argmax(nnviz.load_model().predict_proba(as_input(images[index : index + 1]))))


def test_a_test_digit_without_a_mouse(page, app_url):
    """Keyboard only: open the chooser, type a number, press Enter."""
    label, predicted = expected(7)
    goto(page, app_url + "/draw")
    page.get_by_role("button", name="Choose a test digit").focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Test digit number (0-9999)")
    field.fill("7")
    field.press("Enter")
    expect(page.get_by_text(f"test digit #7 ({a_digit(label)})", exact=True)).to_be_visible()
    expect(prediction(page)).to_have_text(str(predicted))
    assert "sample=7" in page.url


def test_tab_shows_where_it_is_on_a_picture(page, app_url):
    """Tab reaches the Fullscreen button of the digit's picture: its toolbar, shown only under a
    mouse, shows, and the button is outlined (nnviz.ui.sidebar.TOOLBAR_SHOWS_FOCUS)."""
    goto(page, app_url + "/draw?sample=5")
    wait_styles(page)
    button = page.locator("[data-testid='stBaseButton-elementToolbar']").first
    for _ in range(60):  # through the menu, the canvas and its buttons, to the picture beside them
        page.keyboard.press("Tab")
        if button.evaluate("(b) => b === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the picture's Fullscreen button")
    assert button.evaluate("(b) => getComputedStyle(b.closest(\"[data-testid='stElementToolbar']\")).opacity") == "1"
    assert button.evaluate("(b) => getComputedStyle(b).outlineStyle") == "solid"


def test_a_digit_picked_by_class_closes_the_chooser(phone_page, app_url):
    # On a phone the open chooser covers the canvas and the line that shows the digit chosen.
    page = phone_page
    goto(page, app_url + "/draw")
    canvas_box(page)  # drawn: the canvas arriving later would push the buttons and the open chooser down
    page.get_by_role("button", name="Choose a test digit").click()
    pills = page.get_by_text("Or a random test digit of class")
    expect(pills).to_be_visible()
    n = rerun_count(page)
    page.get_by_role("radio", name="7", exact=True).click()
    wait_rerun(page, n)
    expect(page.get_by_text(re.compile(r"^Reading test digit #\d+ \(a 7\)"))).to_be_visible()
    expect(pills).to_be_hidden()
    # and so does the next pick (a popover closed by setting its state False stayed open every other time)
    for digit in (3, 3):
        page.get_by_role("button", name="Choose a test digit").click()
        expect(pills).to_be_visible()
        n = rerun_count(page)
        page.get_by_role("radio", name=str(digit), exact=True).click()
        wait_rerun(page, n)
        expect(page.get_by_text(re.compile(rf"^Reading test digit #\d+ \(a {digit}\)"))).to_be_visible()
        expect(pills).to_be_hidden()


def test_a_link_to_a_sample(page, app_url):
    label, predicted = expected(0)
    goto(page, app_url + "/draw?sample=0")
    expect(page.get_by_text(f"test digit #0 ({a_digit(label)})", exact=True)).to_be_visible()
    expect(prediction(page)).to_have_text(str(predicted))


def test_a_scribble_gets_an_answer_and_a_caution(page, app_url):
    goto(page, app_url + "/draw")
    write(page, CROSS)
    expect(prediction(page)).to_have_text(re.compile(r"^\d$"))  # softmax still picks a digit
    expect(page.get_by_text(CAUTION)).to_be_visible()
    page.get_by_text("See its nearest neighbours").click()
    expect(page.get_by_text("Lonelier than 99% of them")).to_be_visible(timeout=30_000)
    assert "/embeddings?d=" in page.url  # the drawing went along


def test_a_test_digit_the_network_gets_wrong(page, app_url):
    images, labels = nnviz.load_mnist("test")
    said = nnviz.load_model().predict(as_input(images))
    wrong = int(np.flatnonzero(said != labels)[0])
    goto(page, f"{app_url}/draw?sample={wrong}")
    expect(
        page.get_by_text(f"MNIST labels this digit {a_digit(labels[wrong])}, and the network says {said[wrong]}.")
    ).to_be_visible()
    page.get_by_text(f"Every {labels[wrong]} it reads as {a_digit(said[wrong])}").click()
    heading = re.compile(rf"(times|once,) {a_digit(labels[wrong])} was read as {a_digit(said[wrong])}")
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"#{wrong}: {a_digit(labels[wrong])}, said {said[wrong]}")).to_be_visible()


def test_the_network_drawn_follows_the_drawing(page, app_url):
    """Section 4 in the browser: the paths lead to the answer's node, and a hover on a framed neuron names it."""
    goto(page, app_url + "/draw")
    write(page, 7)
    expect(prediction(page)).to_have_text("7")
    chart = page.locator(".st-key-draw_network [data-testid='stPlotlyChart']")
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".scatterlayer .trace")).not_to_have_count(0, timeout=30_000)
    caption = page.get_by_text(re.compile(r"the strongest paths to the score of 7: the \d+ neurons drawn add"))
    expect(caption).to_be_visible()
    # the first framed neuron: hover it and read its label from Plotly's hover layer
    x, y = chart.evaluate(
        """el => { const d = el.querySelector('.js-plotly-plot')._fullData.find(t => t.name === 'neurons');
                   return [d.x[0], d.y[0]]; }"""
    )
    page.mouse.move(*plot_point(chart, x, y))
    expect(chart.locator(".hoverlayer")).to_contain_text(
        re.compile(r"neuron \d+: activation [\d.]+, adds [+-][\d.]+ to the score of 7")
    )
