"""Load: many readers drawing at once, and one reader drawing for a long time.

    python bench/bench_load.py                         # ~30-40 minutes on 2 shared cores
    python bench/bench_load.py --sessions 5 --draws 5 --rounds 1 --soak 60 --ttl 0   # a quick look

One ``streamlit run app.py`` on a free loopback port, one headless Chromium, and:

* **reference**: one session alone draws ``--draws`` digits on /draw;
* **load**: ``--sessions`` sessions (a browser context each, driven concurrently
  with Playwright's async API) each draw ``--draws`` digits at the same time, in
  ``--rounds`` rounds (memory after each round tells a leak from a high-water mark);
* **soak**: one session draws ``--soak`` digits in a row.

A draw is what a reader does: press Clear, write one single-stroke digit with the
mouse, wait for the prediction.  Its latency is measured in the page's own clock,
from the ``pointerup`` that ends the stroke to the moment the "Prediction" metric
shows a digit (the probe of ``bench_app.py``).  An error is an exception box, a
timeout, or no digit shown; a misread (the network reading the stroke as another
digit) is counted apart, and so is a lost stroke: one the canvas never drew because
the harness wrote it while the canvas was being replaced after Clear (checked on the
canvas' pixels, then written again), which the server never saw.  Server memory is the VmRSS of the server process from
``/proc``: before the load, its peak during it (sampled), and after the sessions
have closed and the server has dropped them (Streamlit keeps a disconnected
session for ``server.disconnectedSessionTTL``, 120 s, in case the reader comes
back); for the soak, after a warm-up of 20 draws and at the end.

Budgets (issue 6): zero errors; soak growth < 20 MB.  Timings are reported against
the single-session reference measured in the same run, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from bench_app import DRAW_READOUT, PROBE, SINGLE_STROKE_DIGITS  # noqa: E402  (one copy of the probe)
from helpers import (  # noqa: E402  (the browser helpers live with the tests: one copy)
    _IDLE,
    CANVAS_SIZE,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    _densify,
    _to_page,
    digit_strokes,
    start_server,
)

SOAK_BUDGET_MB = 20.0
SOAK_WARMUP = 20
TRIAL_TIMEOUT = 90.0  # seconds for one draw on a loaded machine before it counts as an error


class Session:
    """One reader: a browser context on /draw, drawing and timing digits."""

    def __init__(self, page):
        self.page = page
        self.latencies: list[float] = []  # ms, pointer-up -> prediction shown
        self.errors: list[str] = []
        self.misread = 0
        self.lost = 0  # strokes the canvas never drew (sent before it was ready), retried

    @classmethod
    async def open(cls, browser, url: str) -> Session:
        context = await browser.new_context(viewport=DESKTOP)
        page = await context.new_page()
        page.set_default_timeout(TRIAL_TIMEOUT * 1000)
        await page.goto(url + "/draw", wait_until="domcontentloaded")
        await page.wait_for_function(_IDLE, polling=100)
        await page.evaluate(PROBE, DRAW_READOUT)
        return cls(page)

    async def ink(self) -> int:
        """Inked pixels on the drawing canvas (the browser's side: what the reader sees)."""
        canvases = self.page.locator("canvas.dc-canvas.lower-canvas")
        total = 0
        for i in range(await canvases.count()):
            total += await canvases.nth(i).evaluate(
                """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                            let n = 0; for (let k = 0; k < d.length; k += 4) n += d[k] > 128; return n; }"""
            )
        return total

    async def inked(self, within: float) -> bool:
        """Whether the stroke shows on the canvas within ``within`` seconds (it renders on the next frame)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if await self.ink():
                return True
            await asyncio.sleep(0.1)
        return False

    async def canvas_box(self) -> dict[str, float]:
        locator = self.page.locator("canvas.upper-canvas")
        deadline = time.monotonic() + TRIAL_TIMEOUT
        while time.monotonic() < deadline:
            for i in range(await locator.count()):
                box = await locator.nth(i).bounding_box()
                if box and abs(box["width"] - CANVAS_SIZE) < 1.5:
                    return box
            await asyncio.sleep(0.05)
        raise TimeoutError("no canvas")

    async def draw(self, digit: int) -> None:
        """Clear, write ``digit``, wait for the prediction; record the latency or the error."""
        page = self.page
        step = "clear"
        try:
            old = await page.locator("canvas.upper-canvas").element_handle()
            await page.get_by_role("button", name="Clear").click()
            await page.wait_for_function(f"() => !({DRAW_READOUT})()", polling=50)
            await page.wait_for_function(_IDLE, polling=50)
            # Clear gives the canvas a new key: strokes sent before the new one is up are lost
            await page.wait_for_function("(el) => !el.isConnected", arg=old, polling=50)
            step = "new canvas"
            box = await self.canvas_box()
            await asyncio.sleep(0.3)  # let the new canvas attach its event handlers
            step = "stroke"
            for _attempt in range(3):
                for stroke in digit_strokes(digit):
                    points = [_to_page(box, p, CANVAS_SIZE) for p in _densify(stroke)]
                    await page.mouse.move(*points[0])
                    await page.mouse.down()
                    for x, y in points[1:]:
                        await page.mouse.move(x, y)
                    await page.mouse.up()
                if await self.inked(within=2.0):
                    break
                # The canvas drew nothing: the stroke reached it before it was ready (the
                # harness was too quick after Clear), so the app never saw it.  Try again.
                self.lost += 1
                await asyncio.sleep(0.5)
                box = await self.canvas_box()
            step = "prediction"
            await page.wait_for_function(
                "() => window.__bench.up !== null && window.__bench.shown !== null", polling=50
            )
            await page.wait_for_function(_IDLE, polling=50)  # and the rerun is over
            b = await page.evaluate("() => window.__bench")
            shown = await page.evaluate(f"({DRAW_READOUT})")
            if await page.locator("[data-testid='stException']").count():
                self.errors.append("exception on the page")
            elif not shown.isdigit():
                self.errors.append(f"no prediction shown ({shown!r})")
            else:
                self.latencies.append(b["shown"] - b["up"])
                self.misread += int(shown) != digit
        except Exception as exc:  # a timeout or a crashed page: an error, and the run goes on
            self.errors.append(f"{step}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")

    async def close(self) -> None:
        await self.page.context.close()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def sample_peak(server, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.rss_mb())
        await asyncio.sleep(0.5)


async def run(args) -> list[tuple]:
    from playwright.async_api import async_playwright

    rows = []
    with start_server("app.py") as server:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                # warm the server: model, MNIST and the page's first figures
                warm = await Session.open(browser, server.url)
                await warm.draw(SINGLE_STROKE_DIGITS[0])
                await warm.close()
                await asyncio.sleep(2.0)

                # reference: one session alone
                rss0 = server.rss_mb()
                t0 = time.perf_counter()
                alone = await Session.open(browser, server.url)
                for i in range(args.draws):
                    await alone.draw(SINGLE_STROKE_DIGITS[i % len(SINGLE_STROKE_DIGITS)])
                await alone.close()
                rows.append(result_row("1 session alone (reference)", [alone], time.perf_counter() - t0, rss0))
                print(f"reference done: {len(alone.latencies)} draws, errors {alone.errors}", flush=True)
                await asyncio.sleep(2.0)

                # load: N sessions at once, in rounds: if the server's memory after a round
                # keeps climbing round after round, sessions leak; if it stays level, the
                # first round only raised the allocator's high-water mark.
                for rnd in range(1, args.rounds + 1):
                    rss_before = server.rss_mb()
                    peak = [rss_before]
                    stop = asyncio.Event()
                    sampler = asyncio.create_task(sample_peak(server, stop, peak))
                    t0 = time.perf_counter()
                    sessions = await asyncio.gather(*(Session.open(browser, server.url) for _ in range(args.sessions)))

                    async def reader(k: int, s: Session) -> None:
                        for i in range(args.draws):
                            await s.draw(SINGLE_STROKE_DIGITS[(i + k) % len(SINGLE_STROKE_DIGITS)])

                    await asyncio.gather(*(reader(k, s) for k, s in enumerate(sessions)))
                    wall = time.perf_counter() - t0
                    for s in sessions:
                        await s.close()
                    await asyncio.sleep(5.0)
                    closed = server.rss_mb()
                    stop.set()
                    await sampler
                    # Streamlit keeps a disconnected session for server.disconnectedSessionTTL
                    # seconds (120 by default) so that a reader whose connection blinked gets it
                    # back; only then can its memory be released.
                    print(f"round {rnd}: RSS 5 s after the sessions closed: {closed:.1f} MB", flush=True)
                    await asyncio.sleep(args.ttl + 15.0)
                    rows.append(
                        result_row(
                            f"{args.sessions} sessions at once, round {rnd}",
                            sessions,
                            wall,
                            rss_before,
                            peak=peak[0],
                            after=server.rss_mb(),
                        )
                    )
                    errors = [e for s in sessions for e in s.errors]
                    print(f"round {rnd} done: errors {errors[:10]}{' ...' if len(errors) > 10 else ''}", flush=True)

                # soak: one session, many draws
                if args.soak:
                    soak = await Session.open(browser, server.url)
                    for i in range(SOAK_WARMUP):
                        await soak.draw(SINGLE_STROKE_DIGITS[i % len(SINGLE_STROKE_DIGITS)])
                    await asyncio.sleep(1.0)
                    soak.latencies.clear()
                    start_rss = server.rss_mb()
                    trend = [(0, start_rss)]
                    t0 = time.perf_counter()
                    for i in range(args.soak):
                        await soak.draw(SINGLE_STROKE_DIGITS[i % len(SINGLE_STROKE_DIGITS)])
                        if (i + 1) % 50 == 0:
                            trend.append((i + 1, server.rss_mb()))
                    wall = time.perf_counter() - t0
                    await asyncio.sleep(1.0)
                    end_rss = server.rss_mb()
                    await soak.close()
                    print("soak RSS (draws, MB):", ", ".join(f"{n} {v:.1f}" for n, v in trend), flush=True)
                    rows.append(
                        result_row(f"soak: 1 session, {args.soak} draws", [soak], wall, start_rss, after=end_rss)
                    )
            finally:
                await browser.close()
    return rows


def result_row(name: str, sessions: list[Session], wall: float, before: float, *, peak=None, after=None) -> tuple:
    lat = [v for s in sessions for v in s.latencies]
    n_err = sum(len(s.errors) for s in sessions)
    n = len(lat) + n_err
    return (
        name,
        f"{n}",
        f"{n_err}",
        f"{sum(s.misread for s in sessions)}",
        f"{sum(s.lost for s in sessions)}",
        f"{statistics.median(lat):.0f}" if lat else "-",
        f"{percentile(lat, 95):.0f}" if lat else "-",
        f"{n / wall:.1f}",
        f"{before:.0f}",
        f"{peak:.0f}" if peak is not None else "-",
        f"{after:.0f}" if after is not None else "-",
        f"{after - before:+.1f}" if after is not None else "-",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--draws", type=int, default=20, help="draws per session")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the load (memory after each)")
    parser.add_argument("--soak", type=int, default=500, help="draws in the soak (0: skip)")
    parser.add_argument(
        "--ttl", type=float, default=120.0, help="the server's disconnectedSessionTTL: wait this (+15 s) before 'after'"
    )
    args = parser.parse_args()

    rows = asyncio.run(run(args))
    header = (
        "run",
        "draws",
        "errors",
        "misread",
        "lost strokes",
        "p50 ms",
        "p95 ms",
        "draws/s",
        "RSS before MB",
        "peak MB",
        "after MB",
        "growth MB",
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    for r in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))
    errors = sum(int(r[2]) for r in rows)
    soak = [r for r in rows if r[0].startswith("soak")]
    print()
    print(f"errors: {errors} (budget 0) -> {'OK' if errors == 0 else 'OVER'}")
    if soak:
        growth = float(soak[0][11])
        print(
            f"soak growth: {growth:+.1f} MB over {soak[0][1]} draws (budget < {SOAK_BUDGET_MB:.0f} MB) -> "
            f"{'OK' if growth < SOAK_BUDGET_MB else 'OVER'}"
        )


if __name__ == "__main__":
    main()
