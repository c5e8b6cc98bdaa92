"""Does the Learn page answer while it trains?  Stop and Resume clicks, timed in Chromium.

    python bench/bench_learn_ui.py              # ~1-2 minutes on 2 cores
    python bench/bench_learn_ui.py --clicks 8

Issue "Learning page" asks that the page stays responsive while a reader's network
trains.  One ``streamlit run app.py``, one headless Chromium page on /learn:

* **while training**: ``--clicks`` times: press Start (the default settings), let it
  train 1.5 s, click Stop and time until the Resume button is on screen (the click
  had to reach the server between two training slices and its rerun come back);
  click Resume and time until Stop is back; let it train 1.5 s, click Stop again
  (timed too).
* **reference**: then click Reset on the stopped run and time until Start is back:
  one plain rerun of the same page with nothing training.

All times are the page's own clock (``performance.now()``) from the click to the
button being visible.  Reported: median and max of each, and the ratio of the
medians (no budget is asserted; the issue's is qualitative).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import goto, launch_browser, start_server  # noqa: E402  (the browser helpers live with the tests)

MAIN = "[data-testid='stMain']"


def click_until(page, press: str, appears: str, timeout: float = 60.0) -> float:
    """Click the button labelled ``press``; milliseconds until a button labelled ``appears`` is visible."""
    button = page.locator(f"{MAIN} button", has_text=press).first
    button.wait_for(state="visible", timeout=timeout * 1000)
    t0 = page.evaluate("() => performance.now()")
    button.click()
    page.locator(f"{MAIN} button", has_text=appears).first.wait_for(state="visible", timeout=timeout * 1000)
    return page.evaluate("() => performance.now()") - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clicks", type=int, default=6, help="Stop/Resume pairs while training")
    a = p.parse_args()

    from playwright.sync_api import sync_playwright

    stops, resumes, resets = [], [], []
    with start_server("app.py") as server, sync_playwright() as pw:
        browser = launch_browser(pw)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        goto(page, server.url + "/learn")
        for _ in range(a.clicks):
            click_until(page, "Start training", "Stop")
            page.wait_for_function(
                "() => /Epoch/.test(document.querySelector(\"[data-testid='stProgress']\")?.innerText || '')",
                timeout=60_000,
            )
            page.wait_for_timeout(1500)  # let it train a while: the click lands mid-slice
            stops.append(click_until(page, "Stop", "Resume"))
            resumes.append(click_until(page, "Resume", "Stop"))
            page.wait_for_timeout(1500)
            stops.append(click_until(page, "Stop", "Resume"))
            resets.append(click_until(page, "Reset", "Start training"))
        browser.close()

    def row(name: str, values: list[float]) -> str:
        return f"{name:<44} {statistics.median(values):>9.0f} {max(values):>9.0f} {len(values):>6}"

    print(f"\nLearn page while training ({a.clicks} training runs, two Stops and one Resume in each)\n")
    print(f"{'click -> button back on screen':<44} {'median ms':>9} {'max ms':>9} {'clicks':>6}")
    print("-" * 71)
    print(row("Stop, while training", stops))
    print(row("Resume, while paused", resumes))
    print(row("Reset of a stopped run (reference)", resets))
    print("-" * 71)
    print(f"Stop vs reference, medians: {statistics.median(stops) / statistics.median(resets):.2f}x")


if __name__ == "__main__":
    main()
