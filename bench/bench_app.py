"""Benchmark the app as a reader meets it, in Chromium, against bare Streamlit pages measured in the same run.

    python bench/bench_app.py                  # ~3-5 minutes on 2 cores
    python bench/bench_app.py --strokes 20 --starts 5 --visits 5
    python bench/bench_app.py --skip strokes cold memory     # only the phone visits

Prints one table (issue 3, item 8):

* **stroke -> prediction on screen**: on /draw, the time from the mouse-up that
  ends a stroke to the moment the "Prediction" metric shows a digit, measured in
  the page's own clock (``performance.now()`` at ``pointerup``, and in a
  MutationObserver when the text changes).  The canvas is cleared before each
  stroke, so the prediction goes from absent to present every time; the strokes
  cycle through the single-stroke digits 0 1 2 3 6 7 8 9.  Reference: the same
  stroke on ``bench/apps/bare_canvas.py`` (the same canvas and a text readout of
  its ink), from mouse-up to the readout's text changing.  Trials alternate
  between the two pages so that load from elsewhere hits both alike.  Budget:
  median <= 1.3x the bare page.  Also shown, without a budget: mouse-up to the
  end of the whole rerun (the server's ``script_finished`` message arriving).
* **cold start**: from launching ``streamlit run app.py`` to the landing page
  fully drawn in a fresh browser page (script finished, every chart drawn),
  against the same for ``bench/apps/hello.py`` (one ``st.title``).  Median of
  ``--starts`` alternating launches.  Budget: <= 1.5x.
* **server memory**: VmRSS of the ``streamlit run app.py`` process with one
  session that has visited every page of ``app.py``.  Budget: <= 400 MB.
* **first chart on a phone**: a fresh visit on a phone-sized page with
  Chromium's CPU slowed 4x (a mid-range phone): the post, ``--reading`` seconds
  of reading, "Draw your own", then "Random test digit"; the time from that tap
  to every chart drawn.  Reference: the same visit with the app's preloading of
  Streamlit's chart code switched off (``nnviz.ui.preload_charts_script``), on
  the same server, the two alternating.  No budget.

Timings are never tests; this prints, and judges against the budgets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import (  # noqa: E402  (the browser helpers live with the tests: one copy)
    A_CHART_DRAWN,
    DESKTOP,
    PHONE,
    app_pages,
    canvas_box,
    digit_strokes,
    draw_strokes,
    goto,
    launch_browser,
    start_server,
    wait_charts,
    wait_idle,
)

SINGLE_STROKE_DIGITS = (7, 0, 3, 1, 8, 2, 9, 6)
STROKE_BUDGET = 1.3
COLD_BUDGET = 1.5
RSS_BUDGET_MB = 400.0
PHONE_CPU_SLOWDOWN = 4

# Installed in every page: the time of the last pointer-up, and the first time after
# it that the readout's text is non-empty and differs from what it was at pointer-up.
# The end of the rerun is the arrival of the server's script_finished message,
# timed by the rerun counter that helpers.goto installs (window.__nnvizFinishedAt).
PROBE = """
(readout) => {
  const read = new Function('return (' + readout + ')();');
  const b = window.__bench = {up: null, shown: null, before: null, reruns: null};
  document.addEventListener('pointerup', () => {
    b.up = performance.now(); b.shown = null; b.before = read(); b.reruns = window.__nnvizReruns;
  }, true);
  new MutationObserver(() => {
    if (b.up === null || b.shown !== null) return;
    const now = read();
    if (now && now !== b.before) b.shown = performance.now();
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""

DRAW_READOUT = """() => {
  for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
    const label = m.querySelector("[data-testid='stMetricLabel']");
    if (label && label.innerText.trim() === 'Prediction') {
      return m.querySelector("[data-testid='stMetricValue']").innerText.trim();
    }
  }
  return '';
}"""

BARE_READOUT = """() => {
  const t = document.querySelector("[data-testid='stText']");
  return t ? t.innerText.trim() : '';
}"""


# --- stroke -> prediction ----------------------------------------------------------------


class StrokePage:
    """One browser page on one server, ready to time strokes."""

    def __init__(self, browser, url: str, readout: str, clear: bool):
        self.page = browser.new_context(viewport=DESKTOP).new_page()
        self.readout = readout
        self.clear = clear
        # The landing page first, as a reader from the post arrives; it also keeps the measurement
        # independent of how the app handles a first deep link on a fresh server (test_pages.py).
        goto(self.page, url.split("/draw")[0] + "/")
        goto(self.page, url)
        self.page.evaluate(PROBE, readout)
        canvas_box(self.page)

    def trial(self, digit: int, timeout: float = 30.0) -> tuple[float, float]:
        """Draw ``digit``; return (mouse-up -> readout shown, mouse-up -> rerun over) in ms."""
        page = self.page
        if self.clear:
            # "Clear" remounts the canvas under a new key: mark the old one, wait for its successor.
            # (The component renders in a shadow root: Playwright's locators reach in, document.querySelector does not.)
            page.locator("canvas").evaluate_all("(els) => els.forEach((c) => c.dataset.old = '1')")
            page.get_by_role("button", name="Clear").click()
            wait_idle(page)
            page.wait_for_function(f"() => !({self.readout})()", timeout=timeout * 1000)
            fresh = page.locator("canvas.upper-canvas:not([data-old])").first
            fresh.wait_for(state="visible", timeout=timeout * 1000)
            page.wait_for_timeout(300)  # let the new canvas bind its handlers
        box = fresh.bounding_box() if self.clear else None
        box = box or canvas_box(page)
        draw_strokes(page, digit_strokes(digit), box=box)
        page.wait_for_function(
            "() => { const b = window.__bench; return b.up !== null && b.shown !== null"
            " && window.__nnvizReruns > b.reruns; }",
            timeout=timeout * 1000,
            polling=50,
        )
        wait_idle(page)
        b = page.evaluate("() => ({...window.__bench, finished: window.__nnvizFinishedAt})")
        return b["shown"] - b["up"], b["finished"] - b["up"]


def bench_strokes(browser, n: int) -> dict[str, list[tuple[float, float]]]:
    with start_server("app.py") as app, start_server("bench/apps/bare_canvas.py") as bare:
        pages = {
            "draw": StrokePage(browser, app.url + "/draw", DRAW_READOUT, clear=True),
            "bare": StrokePage(browser, bare.url, BARE_READOUT, clear=False),
        }
        for p in pages.values():  # one stroke each to warm up (first preprocess, first figures)
            p.trial(SINGLE_STROKE_DIGITS[-1])
        results: dict[str, list[tuple[float, float]]] = {"draw": [], "bare": []}
        for i in range(n):
            digit = SINGLE_STROKE_DIGITS[i % len(SINGLE_STROKE_DIGITS)]
            for name in ("draw", "bare") if i % 2 == 0 else ("bare", "draw"):
                results[name].append(pages[name].trial(digit))
        for p in pages.values():
            p.page.context.close()
        return results


# --- cold start --------------------------------------------------------------------------


def cold_start(browser, script: str) -> tuple[float, float, float]:
    """Seconds from launching ``streamlit run script`` to: the server healthy, the script's first run
    over in the page, and the landing page fully drawn (every chart too)."""
    t0 = time.perf_counter()
    with start_server(script, poll=0.02) as server:
        healthy = time.perf_counter() - t0
        context = browser.new_context(viewport=DESKTOP)
        try:
            page = context.new_page()
            goto(page, server.url + "/", timeout=120)
            idle = time.perf_counter() - t0
            wait_charts(page, timeout=120)
            drawn = time.perf_counter() - t0
        finally:
            context.close()
    return healthy, idle, drawn


def bench_cold(browser, n: int) -> dict[str, list[tuple[float, float, float]]]:
    out: dict[str, list[tuple[float, float, float]]] = {"app": [], "hello": []}
    for i in range(n):
        order = ("app.py", "bench/apps/hello.py") if i % 2 == 0 else ("bench/apps/hello.py", "app.py")
        for script in order:
            out["app" if script == "app.py" else "hello"].append(cold_start(browser, script))
    return out


# --- memory ------------------------------------------------------------------------------


def bench_memory(browser) -> tuple[float, float, list[tuple[str, float]]]:
    """VmRSS and VmHWM (MB) of the app's server after one session visited every page.

    Also returns the RSS after each page, in the order visited, to see which page costs what.
    """
    with start_server("app.py") as server:
        time.sleep(1.0)
        visited = [("(server started)", server.rss_mb())]
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        # the landing page ("") first, as a reader arrives from the post
        for path, _ in app_pages():
            goto(page, f"{server.url}/{path}", timeout=180)
            wait_charts(page, timeout=180)
            visited.append((path or "/", server.rss_mb()))
        time.sleep(1.0)
        rss = server.rss_mb()
        hwm = 0.0
        for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) * 1024 / 1e6
        context.close()
    return rss, hwm, visited


# --- first chart on a phone -------------------------------------------------------------


def first_chart_on_a_phone(browser, url: str, *, preload: bool, reading: float) -> float:
    """Seconds from the tap on "Random test digit" to every chart drawn, on a fresh visit from the post."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        if not preload:
            page.add_init_script("window.__nnvizChartsPreloaded = true;")  # the script's own once-only guard
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": PHONE_CPU_SLOWDOWN})
        goto(page, url + "/", timeout=120)
        page.wait_for_timeout(reading * 1000)
        page.get_by_role("button", name="Draw your own").click()
        page.wait_for_function("() => location.pathname.endsWith('/draw')", timeout=120_000)
        wait_idle(page, 120)
        page.wait_for_timeout(1000)
        t0 = time.perf_counter()
        page.get_by_role("button", name="Random test digit").click()
        page.wait_for_function(A_CHART_DRAWN, timeout=120_000, polling=50)
        wait_charts(page, 120)
        return time.perf_counter() - t0
    finally:
        context.close()


def bench_phone(browser, n: int, reading: float) -> dict[str, list[float]]:
    with start_server("app.py") as server:
        warm = browser.new_context(viewport=PHONE).new_page()  # the server's caches, as a visit before would
        for path in ("", "draw?sample=0"):
            goto(warm, f"{server.url}/{path}", timeout=120)
            wait_charts(warm, 120)
        warm.context.close()
        out: dict[str, list[float]] = {"preload": [], "off": []}
        for i in range(n):
            for name in ("preload", "off") if i % 2 == 0 else ("off", "preload"):
                out[name].append(
                    first_chart_on_a_phone(browser, server.url, preload=name == "preload", reading=reading)
                )
        return out


# --- the table ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strokes", type=int, default=12, help="strokes per page (>= 10)")
    parser.add_argument("--starts", type=int, default=3, help="cold starts per app")
    parser.add_argument("--visits", type=int, default=3, help="fresh phone visits with and without preloading")
    parser.add_argument("--reading", type=float, default=6.0, help="seconds a phone visit spends on the post")
    parser.add_argument("--skip", nargs="*", default=[], choices=["strokes", "cold", "memory", "phone"])
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = launch_browser(p)
        try:
            if "strokes" not in args.skip:
                r = bench_strokes(browser, args.strokes)
                draw_shown = statistics.median(s for s, _ in r["draw"])
                bare_shown = statistics.median(s for s, _ in r["bare"])
                draw_done = statistics.median(d for _, d in r["draw"])
                bare_done = statistics.median(d for _, d in r["bare"])
                ratio = draw_shown / bare_shown
                rows.append(
                    (
                        f"stroke → prediction on screen, median of {args.strokes} (ms)",
                        f"{draw_shown:.0f}",
                        f"{bare_shown:.0f}",
                        f"{ratio:.2f}× / ≤ {STROKE_BUDGET}×",
                        "OK" if ratio <= STROKE_BUDGET else "OVER",
                    )
                )
                rows.append(
                    (
                        "stroke → rerun finished, median (ms; no budget)",
                        f"{draw_done:.0f}",
                        f"{bare_done:.0f}",
                        f"{draw_done / bare_done:.2f}×",
                        "-",
                    )
                )
                print("strokes, draw (shown, done) ms:", [(round(a), round(b)) for a, b in r["draw"]])
                print("strokes, bare (shown, done) ms:", [(round(a), round(b)) for a, b in r["bare"]])
            if "cold" not in args.skip:
                c = bench_cold(browser, args.starts)
                app_s = statistics.median(d for _, _, d in c["app"])
                hello_s = statistics.median(d for _, _, d in c["hello"])
                ratio = app_s / hello_s
                rows.append(
                    (
                        f"cold start → landing drawn, median of {args.starts} (s)",
                        f"{app_s:.2f}",
                        f"{hello_s:.2f}",
                        f"{ratio:.2f}× / ≤ {COLD_BUDGET}×",
                        "OK" if ratio <= COLD_BUDGET else "OVER",
                    )
                )
                for name in ("app", "hello"):
                    print(
                        f"cold starts, {name} (healthy, script done, drawn) s:",
                        [tuple(round(v, 2) for v in r) for r in c[name]],
                    )
            if "memory" not in args.skip:
                rss, hwm, visited = bench_memory(browser)
                print("server RSS after each page (MB):", ", ".join(f"{p} {v:.0f}" for p, v in visited))
                rows.append(
                    (
                        f"server RSS, 1 session, all {len(visited) - 1} pages visited (MB)",
                        f"{rss:.0f}",
                        f"peak {hwm:.0f}",
                        f"≤ {RSS_BUDGET_MB:.0f} MB",
                        "OK" if rss <= RSS_BUDGET_MB else "OVER",
                    )
                )
            if "phone" not in args.skip:
                v = bench_phone(browser, args.visits, args.reading)
                ours, off = statistics.median(v["preload"]), statistics.median(v["off"])
                rows.append(
                    (
                        f"phone (CPU /{PHONE_CPU_SLOWDOWN}): tap → first charts, median of {args.visits} (s)",
                        f"{ours:.1f}",
                        f"{off:.1f} (no preload)",
                        f"{ours / off:.2f}×",
                        "-",
                    )
                )
                for name in ("preload", "off"):
                    print(f"phone visits, {name} (s):", [round(t, 1) for t in v[name]])
        finally:
            browser.close()

    header = ("measurement", "ours", "reference", "ratio / budget", "verdict")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
