"""Colours and layout shared by every figure.

Colour choices are colour-blind safe: weights use a diverging blue-white-red
scale (ColorBrewer RdBu, reversed so positive is red) that is always symmetric
around zero, so white means exactly 0; digits use the Okabe-Ito palette plus two
of Tol's colours; intensities use a perceptually uniform sequential scale.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go


def _whole_modules_only(get_module: Callable[..., Any]) -> Callable[..., Any]:
    """Plotly's optional-import look-up, made not to return a module another thread is still importing.

    Plotly checks whether a value is pandas data by peeking into ``sys.modules``
    (``get_module("pandas", should_load=False)``).  Streamlit imports pandas on a
    page's first drawable canvas, in that reader's thread; on a fresh server
    another reader's figure, built meanwhile, found pandas half-imported and
    failed ("partially initialized module 'pandas' has no attribute 'Series'").
    A module still being imported is taken here as absent: no figure of ours
    holds pandas data.  (Importing pandas up front, with this module, avoided the
    race too, but added 0.4 s to every cold start.)
    """

    @functools.wraps(get_module)
    def peek(name: str, should_load: bool = True) -> Any:
        module = get_module(name, should_load)
        if not should_load and getattr(getattr(module, "__spec__", None), "_initializing", False):
            return None
        return module

    return peek


def _guard_plotly_imports() -> None:
    """Wrap the look-up wherever Plotly holds a reference to it (idempotent: Streamlit may reload this module).

    Several Plotly modules import ``get_module`` by name; the ones that peek at pandas
    (the validators, the JSON encoders) are imported here first, then every loaded
    module holding the original gets the wrapped one, as does any imported later.
    """
    import _plotly_utils.basevalidators
    import _plotly_utils.optional_imports as optional
    import _plotly_utils.utils  # noqa: F401
    import plotly.io._json  # noqa: F401

    original = getattr(optional.get_module, "__wrapped__", optional.get_module)
    wrapped = optional.get_module if original is not optional.get_module else _whole_modules_only(original)
    for module in list(sys.modules.values()):
        if getattr(module, "__dict__", {}).get("get_module") is original:
            module.get_module = wrapped


_guard_plotly_imports()

# Blue (negative) - white (zero) - red (positive).
DIVERGING = "RdBu_r"
# Intensities and activations (0 = dark, high = bright); perceptually uniform.
SEQUENTIAL = "Viridis"
RAISES, LOWERS = "#B2182B", "#2166AC"  # the ends of the RdBu scale the weight maps use: red adds, blue subtracts
# Ink on black, as the canvas shows it.
GREYS = [[0.0, "#000000"], [1.0, "#FFFFFF"]]
# Ten colours for ten digits: Okabe-Ito's seven colours, a mid grey for its black, and two of
# Paul Tol's.  The app follows the reader's light or dark theme, and a mark on the page's
# background must show on both: black (Okabe-Ito's eighth) and Tol's wine vanished on the dark
# background (#0E1117).  Each colour below has at least 3:1 contrast there.
DIGIT_COLOURS = [
    "#0072B2",  # 0 blue
    "#E69F00",  # 1 orange
    "#009E73",  # 2 green
    "#D55E00",  # 3 vermillion
    "#CC79A7",  # 4 purple-pink
    "#56B4E9",  # 5 sky blue
    "#F0E442",  # 6 yellow
    "#808080",  # 7 grey
    "#AA4499",  # 8 purple
    "#999933",  # 9 olive
]
# A neutral mark that shows on both themes' backgrounds (3.9:1 on white, 4.8:1 on the dark one).
MARK_GREY = "#808080"
FONT = dict(family='"Source Sans", sans-serif', size=13)
"""The app's own typeface (Streamlit's, named "Source Sans" since 1.4x): under its older name,
"Source Sans Pro", which no page loads, a chart's ticks and labels fell back to the reader's
system sans-serif (DejaVu Sans on Linux), beside titles and text in Source Sans."""


def ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` ("#RRGGBB"), by relative luminance."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#FFFFFF"


def a_digit(d: int) -> str:
    """A digit 0-9 with the article it takes when read aloud: "an 8" (an eight), "a 5".

    >>> a_digit(8), a_digit(5)
    ('an 8', 'a 5')
    """
    d = int(d)
    return f"an {d}" if d == 8 else f"a {d}"


def agree(n: int, one: str, many: str) -> str:
    """The word that agrees with a count of ``n``: ``one`` for exactly 1, else ``many`` (0 takes the plural).

    >>> agree(1, "pushes", "push"), agree(0, "pushes", "push"), agree(3, "has", "have")
    ('pushes', 'push', 'have')
    """
    return one if n == 1 else many


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with the noun in the number it takes: "1 time", "2 times", "1,000 test digits".

    >>> count(1, "time"), count(0, "time"), count(1_000, "test digit")
    ('1 time', '0 times', '1,000 test digits')
    """
    return f"{n:,} {agree(n, noun, plural or noun + 's')}"


def n_of_k_are(n: int, k: int, things: str, digit: int) -> str:
    """ "3 of 10 neighbours are 5s", "1 of 10 neighbours is a 5": the verb and the digit agree with n.

    >>> n_of_k_are(3, 10, "neighbours", 5), n_of_k_are(1, 10, "neighbours", 8)
    ('3 of 10 neighbours are 5s', '1 of 10 neighbours is an 8')
    """
    return f"{n} of {k} {things} {agree(n, f'is {a_digit(digit)}', f'are {digit}s')}"


def digits_plural(digits: Iterable[int]) -> str:
    """Digits in the plural, as a list: "2s and 5s", "2s, 3s and 5s" (one alone: "5s").

    >>> digits_plural([2, 5]), digits_plural([2, 3, 5]), digits_plural([5])
    ('2s and 5s', '2s, 3s and 5s', '5s')
    """
    names = [f"{int(d)}s" for d in digits]
    if not names:
        raise ValueError("digits_plural needs at least one digit")
    *first, last = names
    return f"{', '.join(first)} and {last}" if first else last


def sentence_start(text: str) -> str:
    """``text`` with its first letter in capitals, the rest as it is (``str.capitalize`` would lower "MNIST").

    >>> sentence_start("test digit #8 (a 5)"), sentence_start("measured on the 10,000 MNIST test digits")
    ('Test digit #8 (a 5)', 'Measured on the 10,000 MNIST test digits')
    """
    return text[:1].upper() + text[1:]


def symmetric_range(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest magnitude, so zero sits at the colour scale's centre."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    m = m if m > 0 else 1.0
    return -m, m


def layout(fig: go.Figure, *, height: int = 300, title: str | None = None, **kwargs) -> go.Figure:
    """Apply the shared look: tight margins, transparent background, our font."""
    fig.update_layout(
        height=height,
        title=dict(text=title, x=0.0, xanchor="left") if title else None,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font=FONT,
        **kwargs,
    )
    return fig


def image_axes(fig: go.Figure, *, row: int | None = None, col: int | None = None) -> go.Figure:
    """Square pixels, no ticks, y pointing down (as images are read).

    No tick marks either: the app's theme draws them outside the axes, where an
    image has nothing to mark.
    """
    kw = {} if row is None else dict(row=row, col=col)
    bare = dict(showticklabels=False, ticks="", showline=False, showgrid=False, zeroline=False)
    fig.update_xaxes(constrain="domain", **bare, **kw)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", **bare, **kw)
    return fig


def empty_figure(message: str, *, height: int = 300) -> go.Figure:
    """A blank, labelled figure: what a builder returns when there is nothing to show."""
    fig = go.Figure()
    fig.add_annotation(text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=15))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, height=height)


def rounded_parts(parts: Sequence[float], total: float, decimals: int, *, fixed: Iterable[int] = ()) -> list[float]:
    """``parts`` rounded to ``decimals`` places so that, as printed, they add up to ``total`` as printed.

    Rounded one by one, three parts of a sum written out ("+7.972 - 1.424 - 0.025
    = +6.522") miss the rounded total by a unit in the last place about a third
    of the time, and a reader who checks the arithmetic finds it wrong.  Here
    the parts not in ``fixed`` absorb the difference, one unit each, those
    nearest to rounding the other way first (the largest-remainder method).
    Parts in ``fixed`` (a bias printed elsewhere too) are rounded as usual.
    With at most one part fixed, every part ends at most one unit from its
    exact value (those not moved, half a unit).

    Parameters
    ----------
    parts : sequence of float
    total : float
        The exact sum (e.g. the network's own pre-activation); its rounding is the target.
    decimals : int
    fixed : iterable of int
        Indices of parts to round as usual.

    Returns
    -------
    list of float
        Multiples of ``10**-decimals``: formatted with ``decimals`` places they
        add up exactly to ``total`` formatted the same way.  A part that rounds
        to zero keeps its sign ("-0.000" for a small negative sum).  If
        ``total`` misses the parts' sum by more units than there are parts,
        rounding cannot explain it and the parts are rounded as usual.
    """
    scale = 10**decimals
    exact = [float(p) * scale for p in parts]
    units = [round(e) for e in exact]
    short = round(float(total) * scale) - sum(units)
    fixed = set(fixed)
    free = [i for i in range(len(units)) if i not in fixed]
    # more units short than there are parts: not rounding but a total that is not their sum; leave the parts be
    if free and 0 < abs(short) <= len(units):
        step = 1 if short > 0 else -1
        # nearest to rounding the other way first: largest exact - rounded in the direction needed
        free.sort(key=lambda i: step * (units[i] - exact[i]))
        for k in range(abs(short)):
            units[free[k % len(free)]] += step
    return [math.copysign(u / scale, e) if u == 0 else u / scale for u, e in zip(units, exact, strict=True)]
