"""Driving the real app in Chromium: a Streamlit server, page waits, and strokes on the canvas.

One copy, shared by the browser tests (``tests/browser/``) and the benchmarks
(``bench/``, which put this folder on ``sys.path``).  What is known to work on
this machine is written down in ``shared/TESTING.md``; this module follows it.

Typical use::

    with start_server("app.py") as server:          # any script, a free port
        page.goto(server.url + "/draw")
        wait_idle(page)
        draw_strokes(page, digit_strokes(3))         # mouse strokes on the real canvas

Stroke coordinates are canvas pixels (0..280 on the 280x280 canvas), scaled to
the canvas' on-screen box, so the same strokes work at any zoom or device size.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CANVAS_SIZE = 280  # nnviz.ui.canvas's default: the stroke coordinates below are in this frame
MENU_LINK = ".st-key-menu [data-testid='stPageLink-NavLink']"  # the sidebar's page menu (nnviz.ui.sidebar)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

Point = tuple[float, float]
Stroke = Sequence[Point]

# Not a digit: an X, two strokes corner to corner (the network still answers; the page cautions)
CROSS: list[list[Point]] = [[(70.0, 60.0), (210.0, 220.0)], [(210.0, 60.0), (70.0, 220.0)]]

__all__ = [
    "CANVAS_SIZE",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "CROSS",
    "DESKTOP",
    "PHONE",
    "REPO",
    "Server",
    "app_pages",
    "axe_violations",
    "canvas_box",
    "canvas_ink",
    "digit_strokes",
    "draw_strokes",
    "exception_texts",
    "free_port",
    "full_screenshot",
    "goto",
    "launch_browser",
    "low_contrast_chart_labels",
    "plot_point",
    "render_strokes",
    "rerun_count",
    "selection_events",
    "start_server",
    "tap_twice",
    "touch_strokes",
    "wait_charts",
    "wait_idle",
    "wait_rerun",
    "wait_styles",
    "watch_selection",
    "write_strokes",
]


# --- the server --------------------------------------------------------------------


def app_pages() -> list[tuple[str, str]]:
    """(url_path, title) of every page declared in app.py, the landing page first, at "" (the root).

    The default page is served at the root only; its declared url_path is not routed.
    """
    found = re.findall(r'page\(\s*"[\w.]+",\s*"([^"]+)",\s*"[^"]*",\s*"([^"]*)"', (REPO / "app.py").read_text())
    pages = [(url, title) for title, url in found]
    if len(pages) < 9:
        raise RuntimeError(f"expected the 9 pages of app.py, parsed {pages}")
    pages[0] = ("", pages[0][1])
    return pages


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A running ``streamlit run``: its base URL, process and log file."""

    url: str
    port: int
    process: subprocess.Popen
    log_path: Path
    started: float  # time.perf_counter() just before the process was launched

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        """Everything the server printed so far (stdout and stderr)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def rss_mb(self) -> float:
        """The server's resident memory (VmRSS from /proc), in MB (10^6 bytes)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
        raise RuntimeError("VmRSS not found")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@contextlib.contextmanager
def start_server(
    script: str | os.PathLike = "app.py",
    port: int | None = None,
    extra_args: Sequence[str] = (),
    *,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    poll: float = 0.1,
) -> Iterator[Server]:
    """Run ``streamlit run script`` on a free port until the ``with`` block ends.

    The script path is taken relative to the repository root (the server's
    working directory).  Yields once ``/_stcore/health`` answers ``ok``; raises
    ``RuntimeError`` with the server's output if it exits or stays unhealthy for
    ``timeout`` seconds.  Error details are shown in full on the page, so a failing
    test's exception box carries the traceback.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile(prefix="nnviz-streamlit-", suffix=".log", delete=False)
    log_path = Path(log.name)
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        # Others edit files in this tree while tests run: no watcher, no surprise reruns.
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.showErrorDetails",
        "full",
        *extra_args,
    ]
    full_env = {**os.environ, "STREAMLIT_CLIENT_SHOW_ERROR_DETAILS": "full", **(env or {})}
    started = time.perf_counter()
    # A session of its own, so that stopping it also stops anything it spawned; and it dies with
    # us even if we are killed before the ``finally`` below runs (a timeout, Ctrl-C twice).
    process = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    log.close()
    server = Server(url, port, process, log_path, started)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {process.returncode}:\n{server.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{server.output()}")
            time.sleep(poll)
        yield server
    finally:
        _stop(process)
        with contextlib.suppress(OSError):
            log_path.unlink()


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux to send SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except OSError:  # not Linux/glibc: the finally in start_server still stops it
        pass


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server's process group, then kill it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- the browser -------------------------------------------------------------------


def launch_browser(playwright):
    """Debian's Chromium through Playwright (its own browser download does not work here)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# --- waiting for the app -----------------------------------------------------------

# Counts finished reruns (script or fragment) from the server's own messages.
# The DOM is not a reliable witness: when the browser is busy (a big chart being
# drawn), React batches a fast rerun's states and stApp's data-test-script-state
# may never leave "notRunning".  So the page's WebSocket is wrapped, and each
# incoming ForwardMsg (a protobuf) is scanned for its top-level field 6,
# script_finished (a varint: 0 finished, 1 compile error, 2 stopped early for a
# new rerun, 3 fragment finished); every status but 2 counts as one rerun done
# (and window.__nnvizFinishedAt keeps the performance.now() of the last one).
_RERUN_COUNTER = """
(() => {
  if (window.__nnvizReruns !== undefined) return;
  window.__nnvizReruns = 0;
  const varint = (b, i) => {
    let v = 0, shift = 0, byte;
    do { byte = b[i++]; v += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < b.length);
    return [v, i];
  };
  const finished = (buf) => {
    const b = new Uint8Array(buf);
    let i = 0;
    while (i < b.length) {
      let key, v;
      [key, i] = varint(b, i);
      const field = Math.floor(key / 8), wire = key & 7;
      if (wire === 0) { [v, i] = varint(b, i); if (field === 6) return v !== 2; }
      else if (wire === 2) { [v, i] = varint(b, i); i += v; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const done = () => { window.__nnvizReruns += 1; window.__nnvizFinishedAt = performance.now(); };
  const count = (data) => {
    if (data instanceof ArrayBuffer) { if (finished(data)) done(); }
    else if (data instanceof Blob) data.arrayBuffer().then((b) => { if (finished(b)) done(); });
  };
  const Native = window.WebSocket;
  function Counted(...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (e) => count(e.data));
    return ws;
  }
  Counted.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) Counted[k] = Native[k];
  window.WebSocket = Counted;
})();
"""

_IDLE = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app) return false;
  const state = app.getAttribute('data-test-script-state');
  if (state !== 'notRunning' && state !== 'compilationError') return false;
  if (document.querySelector("[data-testid='stStatusWidget']")) return false;
  return !!document.querySelector("[data-testid='stMain']");
}
"""


def wait_idle(page, timeout: float = 30.0) -> None:
    """Wait until no script (or fragment) is running and the main block is on the page.

    A rerun is over when ``stApp``'s script state is back to ``notRunning`` and
    ``[data-testid='stStatusWidget']`` (the "Running..." man) is gone.
    """
    page.wait_for_function(_IDLE, timeout=timeout * 1000, polling=50)


def goto(page, url: str, timeout: float = 60.0) -> None:
    """Open ``url`` and wait for the app to finish its first run (the server says so, and the page shows it)."""
    page.add_init_script(_RERUN_COUNTER)
    page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
    wait_rerun(page, 0, timeout)


def wait_scripts(page, timeout: float = 30.0) -> None:
    """Wait for the sidebar's scripts (``nnviz.ui.SAME_TAB_LINKS`` and the others it sends) to have run.

    They run when Streamlit mounts their ``st.html`` element, which it does once the
    code of the page's other elements has loaded: here 0.3 to 3 s after the first run
    has finished (a page with a chart waits for Plotly's code).
    """
    page.wait_for_function("() => window.__nnvizMenuCloses === true", timeout=timeout * 1000)


def rerun_count(page) -> int:
    """How many reruns (script and fragment) have finished on this page since :func:`goto`, by the server's word."""
    return int(page.evaluate("() => window.__nnvizReruns || 0"))


def wait_rerun(page, since: int, timeout: float = 30.0) -> None:
    """Wait for a rerun to have finished after ``rerun_count(page) == since``, and the page to show it.

    Use it around an action whose rerun starts a moment later (a stroke's
    mouse-up, a click)::

        n = rerun_count(page)
        draw_strokes(page, strokes)
        wait_rerun(page, n)
    """
    page.wait_for_function(f"() => (window.__nnvizReruns || 0) > {int(since)}", timeout=timeout * 1000, polling=20)
    wait_idle(page, timeout)
    # and let React commit what the last messages brought (two animation frames)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


_CHARTS_DRAWN = """
() => !document.querySelector("[data-testid='stSkeleton']")
  && Array.from(document.querySelectorAll("[data-testid='stPlotlyChart']")).every((el) => {
    const gd = el.querySelector('.js-plotly-plot');
    return gd && gd._fullLayout && gd.querySelector('.main-svg');
  })
"""


A_CHART_DRAWN = """() => document.querySelector("[data-testid='stPlotlyChart'] .main-svg") !== null"""
"""One of the page's charts has been drawn (:func:`wait_charts` passes at once on a page that has none yet)."""

MAIN_SCROLL_TOP = "() => document.querySelector(\"[data-testid='stMain']\").scrollTop"
"""How far the page is scrolled: Streamlit scrolls its main block, not the window."""


def wait_styles(page, timeout: float = 30.0) -> None:
    """Wait for the app's style sheet (nnviz.ui.sidebar.STYLE_SHEET, one element drawn with the
    sidebar, a moment after the page's first elements), recognised by its square-pixels rule."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('style')].some((s) => s.textContent.includes('image-rendering: pixelated'))",
        timeout=timeout * 1000,
    )


def wait_charts(page, timeout: float = 30.0) -> None:
    """Wait until every Plotly chart on the page has been drawn (they render after the script ends).

    Streamlit loads its chart and component code lazily: until it arrives, each
    element is a grey ``stSkeleton`` and not yet a ``stPlotlyChart``, so "every
    chart drawn" also means "no skeleton left" (else a page still loading passes).
    """
    page.wait_for_function(_CHARTS_DRAWN, timeout=timeout * 1000, polling=100)


def plot_point(chart, x: float, y: float) -> tuple[float, float]:
    """Page coordinates of data point (x, y) in a Plotly chart (a locator of ``[data-testid='stPlotlyChart']``).

    Reads Plotly's own axis mapping, so it holds whatever the chart's size,
    margins or aspect constraints; use it to click or hover a given cell.
    """
    return tuple(
        chart.evaluate(
            """(el, [x, y]) => {
                 const gd = el.querySelector('.js-plotly-plot');
                 const L = gd._fullLayout, r = gd.getBoundingClientRect();
                 return [r.left + L.xaxis._offset + L.xaxis.d2p(x), r.top + L.yaxis._offset + L.yaxis.d2p(y)];
               }""",
            [x, y],
        )
    )


# Each selection event of the watched chart, in order: "selected <number of points>",
# "deselect" or "doubleclick".  Kept on the window: a rerun may give the chart a new element.
_WATCH_SELECTION = """
(el) => {
  const gd = el.querySelector('.js-plotly-plot');
  const log = (window.__nnvizSelection = []);
  gd.on('plotly_selected', (d) => log.push(`selected ${d && d.points ? d.points.length : 0}`));
  gd.on('plotly_deselect', () => log.push('deselect'));
  gd.on('plotly_doubleclick', () => log.push('doubleclick'));
}
"""


def watch_selection(chart) -> None:
    """From now on, record the selection events of Plotly chart ``chart``: read them with :func:`selection_events`."""
    chart.evaluate(_WATCH_SELECTION)


def tap_twice(page, chart, x: float, y: float, *, label: str = "") -> None:
    """Pick data point (x, y) of a Plotly chart with a finger, as a reader on a phone does.

    On a touch screen Plotly needs two taps: the first shows the hover label, the
    second picks the point.  The second tap here follows as soon as the label
    (containing ``label``) shows, well inside Plotly's double-click delay, as a
    quick reader's does.  From the first tap on, the chart's selection events are
    recorded: read them with :func:`selection_events`.
    """
    watch_selection(chart)
    point = plot_point(chart, x, y)
    page.touchscreen.tap(*point)
    chart.locator(".hoverlayer .hovertext", has_text=label or None).first.wait_for(timeout=60_000)
    page.touchscreen.tap(*point)


def selection_events(page) -> list[str]:
    """The selection events of the chart last watched (:func:`watch_selection`, :func:`tap_twice`), oldest first.

    For example ``["selected 1"]``.

    Events of the element the chart had when it was watched; a rerun that gives it a
    new element ends the record.
    """
    return page.evaluate("() => window.__nnvizSelection || []")


def full_screenshot(page, path: str | os.PathLike, *, settle: float = 0.5) -> None:
    """Screenshot the whole page, however long: Streamlit scrolls inside its main block,
    so ``full_page=True`` alone stops at the viewport; the viewport is stretched for the shot."""
    size = page.viewport_size
    height = page.evaluate(
        """() => { const b = document.querySelector("[data-testid='stMainBlockContainer']");
                   return b ? Math.ceil(b.getBoundingClientRect().top + b.scrollHeight) + 40 : innerHeight; }"""
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    try:
        page.wait_for_timeout(settle * 1000)
        wait_charts(page)  # charts scrolled into view draw only now
        page.wait_for_timeout(settle * 1000)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def exception_texts(page) -> list[str]:
    """The text of every visible exception box (``[data-testid='stException']``)."""
    boxes = page.locator("[data-testid='stException']")
    return [boxes.nth(i).inner_text() for i in range(boxes.count()) if boxes.nth(i).is_visible()]


# axe-core, Deque's accessibility engine (the one in Chrome's Lighthouse), as shipped in the
# axe-playwright-python package; its rules check WCAG 2.x A and AA and common best practice.
_AXE_PACKAGE = importlib.util.find_spec("axe_playwright_python")
_AXE_SCRIPT = Path(_AXE_PACKAGE.submodule_search_locations[0]) / "axe.min.js" if _AXE_PACKAGE else None


def axe_violations(page, *, attempts: int = 3, settle: float = 1.0) -> list[str]:
    """What axe-core finds wrong with ``page`` as it is now, one line per rule broken (empty: nothing).

    Runs the whole default rule set on the whole document.  A finding is checked
    again, up to ``attempts`` runs in all, each once the app is idle and ``settle``
    seconds later: a page that changes while axe reads it can mislead it (the
    sidebar, re-rendered mid-run, was once reported as a scroll region without a
    link in it; the next run, a second later, found its 11 links).  What the last
    run finds is reported: a real fault is found by every run.
    """
    found = _axe_run(page)
    for _ in range(attempts - 1):
        if not found:
            break
        wait_idle(page)
        time.sleep(settle)
        found = _axe_run(page)
    return [
        f"{v['impact']} {v['id']} ({v['help']}), {len(v['nodes'])}x: "
        + "; ".join(f"{n['target']}: {' '.join(n['failureSummary'].split())}" for n in v["nodes"][:3])
        for v in found
    ]


def _axe_run(page) -> list[dict]:
    if _AXE_SCRIPT is None:
        raise RuntimeError("axe-playwright-python is not installed: pip install -r requirements-dev.txt")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(_AXE_SCRIPT))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({target: n.target.join(' '), failureSummary: n.failureSummary || ''})),
        }))"""
    )


# WCAG 2's contrast ratio, of each chart label's fill against the page: axe-core leaves text
# inside an SVG, which is where Plotly draws every tick and axis title, unchecked.
_CHART_LABEL_CONTRAST = """(minimum) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
  const page = getComputedStyle(document.querySelector('.stApp')).backgroundColor;
  // ticks, axis and colour-bar titles, legends: drawn on the page itself (not on a bar or a cell)
  const onPage = /(^|\\s)(xtick|ytick|g-xtitle|g-ytitle|g-gtitle|cbtitle|legend)(\\s|$)|tick$/;
  const low = [];
  for (const t of document.querySelectorAll("[data-testid='stPlotlyChart'] svg text")) {
    const group = t.closest('g[class]');
    if (!t.textContent.trim() || !group || !onPage.test(group.getAttribute('class'))) continue;
    const r = ratio(getComputedStyle(t).fill, page);
    if (r < minimum) low.push(`"${t.textContent}" ${getComputedStyle(t).fill} on ${page}: ${r.toFixed(2)}:1`);
  }
  return low;
}"""


def low_contrast_chart_labels(page, minimum: float = 4.5) -> list[str]:
    """Chart labels drawn on the page (ticks, axis titles, legends) under ``minimum``:1 contrast with it.

    WCAG AA asks 4.5:1 of text this size (12-16 px).  Labels on a bar or a
    heatmap cell are left out: Plotly picks their colour against the cell.
    """
    return page.evaluate(_CHART_LABEL_CONTRAST, minimum)


# --- the canvas --------------------------------------------------------------------


def settled_top(locator, *, timeout: float = 15.0) -> float:
    """The viewport y of ``locator`` once it has stopped moving (a layout settling, a smooth scroll).

    Polled from here (a locator reaches into the canvas component's frame too):
    five readings 50 ms apart within half a pixel of each other.
    """
    deadline = time.monotonic() + timeout
    readings: list[float] = []
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box is not None:
            readings = [*readings[-4:], box["y"]]
            if len(readings) == 5 and max(readings) - min(readings) < 0.5:
                return readings[-1]
        time.sleep(0.05)
    raise TimeoutError(f"{locator} still moving after {timeout:.0f} s: {readings}")


def canvas_box(page, size: int = CANVAS_SIZE, timeout: float = 30.0) -> dict[str, float]:
    """The on-screen box {x, y, width, height} of the drawable canvas.

    The component mounts a moment after the script finishes and stacks three
    canvases on one box (background, drawing, and the upper one taking the
    events); wait for the upper one at the expected CSS size.
    """
    locator = page.locator("canvas.upper-canvas")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for i in range(locator.count()):
            box = locator.nth(i).bounding_box()
            if box and abs(box["width"] - size) < 1.5 and abs(box["height"] - size) < 1.5:
                return box
        page.wait_for_timeout(50)
    raise TimeoutError(f"no {size}x{size} drawable canvas on the page after {timeout:.0f} s")


def _densify(stroke: Stroke, step: float = 6.0) -> list[Point]:
    """The stroke's vertices with points every ``step`` canvas pixels between them."""
    pts = [tuple(map(float, stroke[0]))]
    for (x0, y0), (x1, y1) in itertools.pairwise(stroke):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        pts += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return pts


def _to_page(box: dict[str, float], p: Point, size: int) -> Point:
    return box["x"] + p[0] * box["width"] / size, box["y"] + p[1] * box["height"] / size


def draw_strokes(page, strokes: Sequence[Stroke], *, box=None, size: int = CANVAS_SIZE) -> None:
    """Draw ``strokes`` with the mouse: for each, move, press, move along it, release.

    ``strokes`` are polylines in canvas pixels (0..size).  The canvas sends its
    image on each mouse-up, which starts a rerun; wait for what you expect after.
    """
    box = box or canvas_box(page, size)
    for stroke in strokes:
        pts = [_to_page(box, p, size) for p in _densify(stroke)]
        page.mouse.move(*pts[0])
        page.mouse.down()
        for x, y in pts[1:]:
            page.mouse.move(x, y)
        page.mouse.up()


def touch_strokes(page, *args, box=None, size: int = CANVAS_SIZE, pause: float = 0.005) -> None:
    """Draw ``strokes`` with a finger (CDP ``Input.dispatchTouchEvent``); needs a ``has_touch`` context.

    Call as ``touch_strokes(page, strokes)`` or ``touch_strokes(page, cdp, strokes)``
    with a CDP session you already hold.  Each touch point carries ``id``,
    ``radiusX``, ``radiusY`` and ``force``, and the moves are a few milliseconds
    apart: without those the canvas draws nothing.
    """
    if len(args) == 1:
        cdp, strokes = page.context.new_cdp_session(page), args[0]
    elif len(args) == 2:
        cdp, strokes = args
    else:
        raise TypeError("touch_strokes(page, strokes) or touch_strokes(page, cdp, strokes)")
    box = box or canvas_box(page, size)
    for stroke in strokes:
        pts = [_to_page(box, p, size) for p in _densify(stroke)]

        def point(x: float, y: float) -> dict:
            return {"x": x, "y": y, "id": 0, "radiusX": 4, "radiusY": 4, "force": 1}

        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point(*pts[0])]})
        for x, y in pts[1:]:
            time.sleep(pause)
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point(x, y)]})
        time.sleep(pause)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def swipe(page, x: float, y0: float, y1: float, *, steps: int = 15) -> None:
    """A finger's swipe from (x, y0) to (x, y1), in page pixels, as a reader scrolls a phone; needs ``has_touch``."""
    cdp = page.context.new_cdp_session(page)

    def point(y: float) -> list[dict]:
        return [{"x": x, "y": y, "id": 0, "radiusX": 4, "radiusY": 4, "force": 1}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point(y0)})
    for k in range(1, steps + 1):
        time.sleep(0.016)  # a move a frame, as a finger's
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": point(y0 + (y1 - y0) * k / steps)})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


# Bright pixels on the canvas's drawing layer: did a stroke land?  (The component
# renders in a shadow root, which querySelector does not enter by itself.)  -1: no canvas yet.
_CANVAS_INK = """() => {
  const find = (root) => {
    const hit = root.querySelector('canvas.dc-canvas.lower-canvas');
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) if (el.shadowRoot) { const h = find(el.shadowRoot); if (h) return h; }
    return null;
  };
  const c = find(document);
  if (!c) return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
  return n;
}"""


def canvas_ink(page) -> int:
    """Bright pixels on the canvas's drawing layer (-1 before the canvas is on the page)."""
    return int(page.evaluate(_CANVAS_INK))


def write_strokes(page, strokes: Sequence[Stroke], *, cdp=None, attempts: int = 3) -> int:
    """Draw ``strokes`` one by one, each until it shows on the canvas, and wait for the rerun each one starts.

    A canvas that has just mounted (a page just opened, or Clear) can miss a
    stroke that comes before it listens: seen here about once in 30 page loads,
    the stroke never drawn and so never sent.  A stroke whose ink does not
    appear within 3 s is drawn again.  With ``cdp`` (a CDP session of a
    ``has_touch`` page) the strokes are a finger's, else the mouse's.  Returns
    how many strokes had to be drawn again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    again = 0
    box = canvas_box(page)
    for stroke in strokes:
        n, ink = rerun_count(page), canvas_ink(page)
        for _attempt in range(attempts):
            if cdp is None:
                draw_strokes(page, [stroke], box=box)
            else:
                touch_strokes(page, cdp, [stroke], box=box)
            try:
                page.wait_for_function(f"() => ({_CANVAS_INK})() > {ink}", timeout=3_000, polling=50)
                break
            except PlaywrightTimeout:
                again += 1
                box = canvas_box(page)
        wait_rerun(page, n)
    return again


# --- handwriting -------------------------------------------------------------------


def _arc(cx: float, cy: float, rx: float, ry: float, t0: float, t1: float, n: int = 24) -> list[Point]:
    """Points on an ellipse from angle t0 to t1 (degrees; 0 = right, 90 = down, as on screen)."""
    ts = np.radians(np.linspace(t0, t1, n))
    return [(cx + rx * math.cos(t), cy + ry * math.sin(t)) for t in ts]


def digit_strokes(d: int) -> list[list[Point]]:
    """Mouse/finger strokes that write digit ``d`` (0-9) on a 280x280 canvas, roughly centred.

    Shaped like quick handwriting (a slanted 1, an open-topped 4, a looped 2), in
    canvas pixels.  ``tests/unit/test_digit_strokes.py`` checks that the shipped
    model reads each one as ``d`` after :func:`nnviz.preprocess`.
    """
    shapes: dict[int, list[list[Point]]] = {
        0: [_arc(140, 140, 58, 88, -100, 275, 40)],
        1: [[(128, 78), (152, 52), (146, 120), (140, 228)]],
        2: [[*_arc(140, 100, 50, 45, 190, 390, 20), (150, 160), (90, 226), (205, 224)]],
        3: [
            _arc(138, 97, 48, 42, 200, 450, 20)[:-3] + _arc(138, 180, 55, 48, -90, 160, 22),
        ],
        4: [[(160, 52), (88, 165), (210, 163)], [(168, 98), (166, 232)]],
        5: [[(192, 56), (110, 58), (100, 132), *_arc(140, 172, 55, 52, -130, 145, 22)], [(110, 58), (196, 54)]],
        6: [[(180, 55), (138, 88), (108, 135), *_arc(142, 180, 45, 45, 180, 540, 28)]],
        7: [[(82, 60), (200, 58), (158, 140), (128, 228)]],
        # Gerono's lemniscate stood upright: one stroke, crossing itself in the middle
        8: [[(140 + 104 * math.sin(t) * math.cos(t), 140 - 86 * math.cos(t)) for t in np.linspace(0, 2 * math.pi, 48)]],
        9: [[*_arc(140, 100, 46, 44, -10, 355, 30), (186, 110), (180, 170), (172, 230)]],
    }
    if d not in shapes:
        raise ValueError(f"no strokes for digit {d!r}")
    return [[(float(x), float(y)) for x, y in s] for s in shapes[d]]


def render_strokes(strokes: Sequence[Stroke], *, width: int = 18, size: int = CANVAS_SIZE) -> np.ndarray:
    """What the canvas would send for ``strokes``: (size, size, 4) uint8 RGBA, white ink on black."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = [tuple(p) for p in _densify(stroke)]
        draw.line(pts, fill=(255, 255, 255, 255), width=width, joint="curve")
        # round caps, as the canvas draws them
        for x, y in (pts[0], pts[-1]):
            r = width / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, 255))
    return np.asarray(img)
