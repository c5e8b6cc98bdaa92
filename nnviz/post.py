"""The post the app accompanies, and the live facts that back each number it states.

"Neural Networks Part 1" states six numbers about its network: a 28×28 image, 784
inputs, 128 hidden neurons, 10 outputs, 100,352 connections, and a classification
"in milliseconds".  This module keeps the post's text (one copy, ``assets/post.md``,
wording unchanged), computes each number from a loaded :class:`~nnviz.mlp.MLP`, and
renders the post as Markdown with every number checked against that network and
linked to the page of the app that shows it.  A number the running network does
not bear out is not linked; the text says what the network really has instead.

No Streamlit here: pages render the strings this module returns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .mlp import MLP
from .timing import median_seconds

__all__ = [
    "CLAIMS",
    "PART_2",
    "POST_FILE",
    "PREVIOUS_POST",
    "RESOURCES",
    "Check",
    "Claim",
    "Facts",
    "Post",
    "Resource",
    "check",
    "facts",
    "footnote",
    "format_ms",
    "load_post",
    "render_markdown",
    "sentence",
    "time_one_digit",
    "wording_note",
]

POST_FILE = Path(__file__).resolve().parent / "assets" / "post.md"

# "in milliseconds" holds while one digit takes less than a second to classify.
MILLISECONDS_LIMIT = 1.0


# --- the text -----------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """The post as published: its title and its body, verbatim."""

    title: str
    body: str

    def __repr__(self) -> str:
        return f"Post({self.title!r}, {len(self.body.split())} words)"


@lru_cache(maxsize=4)
def load_post(path: Path = POST_FILE) -> Post:
    """Read the post: the ``# Title`` line, then the body after the first ``---`` rule.

    The lines between the title and the rule are an editor's note about the file,
    not part of the post.
    """
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    if not sep:
        raise ValueError(f"{path.name}: expected a '---' line before the post's body")
    title = head.strip().splitlines()[0].lstrip("#").strip()
    return Post(title=title, body=body.strip("\n"))


def _sentences(text: str) -> list[str]:
    """The text split into sentences: at a line break, or after . ! ? followed by a space."""
    out: list[str] = []
    for line in text.splitlines():
        out.extend(s for s in re.split(r"(?<=[.!?])\s+", line.strip()) if s)
    return out


def sentence(fragment: str) -> str:
    """The one sentence of the post that contains ``fragment``, verbatim.

    Pages open with the sentence they demonstrate; asking for it by a fragment
    keeps the quote exact.  Raises ``KeyError`` unless exactly one sentence matches.
    """
    found = [s for s in _sentences(load_post().body) if fragment in s]
    if len(found) != 1:
        raise KeyError(f"{len(found)} sentences of the post contain {fragment!r}; expected exactly one")
    return found[0]


# --- the live facts -----------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The post's numbers, computed from one network (and one measurement).

    Attributes
    ----------
    side : int or None
        The image side: sqrt(n_inputs) when that is a whole number (28 for 784).
    n_inputs, n_hidden, n_outputs : int
        The layer sizes, e.g. 784, 128, 10.
    input_hidden : int
        Input -> hidden weights, n_inputs * n_hidden: the post's "100,352 total connections".
    hidden_output : int
        Hidden -> output weights, n_hidden * n_outputs.
    n_weights, n_biases, n_params : int
        All weights, all biases (one per hidden and output neuron), and their sum.
    seconds : float or None
        Measured time to classify one digit, or None if not measured.
    """

    side: int | None
    n_inputs: int
    n_hidden: int
    n_outputs: int
    input_hidden: int
    hidden_output: int
    n_weights: int
    n_biases: int
    n_params: int
    seconds: float | None = None

    @property
    def ms(self) -> float | None:
        """``seconds`` in milliseconds."""
        return None if self.seconds is None else self.seconds * 1000.0


def facts(model: MLP, seconds: float | None = None) -> Facts:
    """The post's numbers for ``model``; ``seconds`` is a measured classification time, if any."""
    n_in, n_hidden, n_out = model.sizes
    side = math.isqrt(n_in)
    return Facts(
        side=side if side * side == n_in else None,
        n_inputs=n_in,
        n_hidden=n_hidden,
        n_outputs=n_out,
        input_hidden=n_in * n_hidden,
        hidden_output=n_hidden * n_out,
        n_weights=model.n_weights,
        n_biases=model.n_biases,
        n_params=model.n_params,
        seconds=seconds,
    )


def time_one_digit(model: MLP, x: np.ndarray | None = None, *, repeats: int = 50) -> float:
    """Median seconds for ``model.forward`` to classify one image, measured here and now.

    Parameters
    ----------
    model : MLP
    x : ndarray of shape (784,), optional
        The digit; a blank image costs exactly as much (the same two matrix products).
    repeats : int
        Calls to time; the median discards the odd slow one (a page fault, a context switch).
    """
    x = np.zeros(model.sizes[0], np.float32) if x is None else np.asarray(x, np.float32).reshape(-1)
    batch = x[None]  # (1, 784): one image is a batch of one
    model.forward(batch)  # warm up: the first call pays for allocations
    return median_seconds(lambda: model.forward(batch), repeats=repeats, budget=0.25)


def format_ms(seconds: float) -> str:
    """Seconds as milliseconds with sensible precision: '0.031 ms', '2.4 ms', '120 ms'."""
    ms = seconds * 1000.0
    if ms < 0.1:
        return f"{ms:.3f} ms"
    if ms < 10:
        return f"{ms:.2g} ms" if ms < 1 else f"{ms:.1f} ms"
    return f"{ms:,.0f} ms"


# --- each number the post states ----------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One number in the post.

    Attributes
    ----------
    phrase : str
        Text that occurs exactly once in the post and holds the number.
    number : str
        The part of ``phrase`` that becomes a link.
    fact : str
        The :class:`Facts` attribute that backs it.
    stated : int or None
        The value the post states (None for "milliseconds", a bound checked against
        ``MILLISECONDS_LIMIT``).
    page : str
        The url path of the page that shows it.
    shows : str
        What that page shows, for the link's tooltip: a format string over the
        :class:`Facts` of the network running (``"{n_hidden}"``).
    aside : str
        Said in italics after the linked number when the claim holds only in part
        (a format string over :class:`Facts`, like ``shows``); "" for none.
    """

    phrase: str
    number: str
    fact: str
    stated: int | None
    page: str
    shows: str
    aside: str = ""


CLAIMS: tuple[Claim, ...] = (
    Claim("28×28 pixel image", "28×28", "side", 28, "draw", "Draw a digit and see it become a {side}×{side} image"),
    Claim("(784 numbers)", "784", "n_inputs", 784, "draw", "The {n_inputs} numbers of your drawing, as a heatmap"),
    Claim(
        "784 input neurons", "784", "n_inputs", 784, "matmul", "The {n_inputs} inputs as one row of the matrix product"
    ),
    Claim(
        "128 hidden neurons", "128", "n_hidden", 128, "weights", "What each of the {n_hidden} hidden neurons looks for"
    ),
    Claim("10 output neurons", "10", "n_outputs", 10, "draw", "The {n_outputs} output probabilities for your drawing"),
    Claim(
        "100,352 total connections",
        "100,352",
        "input_hidden",
        100_352,
        "weights",
        "The {n_inputs} × {n_hidden} input→hidden weights",
        # the post's "total" counts the input→hidden layer only (see footnote)
        aside="input→hidden; all layers: {n_weights:,}",
    ),
    Claim("in milliseconds", "milliseconds", "seconds", None, "matmul", "The time, measured on this server"),
    Claim(
        "transforming 784 inputs",
        "784",
        "n_inputs",
        784,
        "matmul",
        "x (1×{n_inputs}) times W1 ({n_inputs}×{n_hidden}), live",
    ),
)


@dataclass(frozen=True)
class Check:
    """A claim against the network: the value found, and whether it bears the claim out.

    ``holds`` is None when the fact is unknown (no time measured).
    """

    claim: Claim
    actual: int | float | None
    holds: bool | None

    @property
    def actual_text(self) -> str:
        """The value found, written as the post writes such numbers."""
        if self.actual is None:
            return "not measured"
        if self.claim.fact == "seconds":
            return format_ms(float(self.actual))
        if self.claim.fact == "side":
            return f"{self.actual}×{self.actual}"
        return f"{int(self.actual):,}"


def check(claim: Claim, f: Facts) -> Check:
    """Compare one claim of the post with the facts of a network."""
    actual = getattr(f, claim.fact)
    if actual is None:
        return Check(claim, None, None)
    if claim.stated is None:  # "in milliseconds"
        return Check(claim, actual, actual < MILLISECONDS_LIMIT)
    return Check(claim, actual, actual == claim.stated)


def _link(text: str, url: str, title: str = "") -> str:
    title = title.replace('"', "'")
    return f'[{text}]({url} "{title}")' if title else f"[{text}]({url})"


def _number(c: Check, f: Facts, query: str = "") -> str:
    """The claim's phrase with its number linked (followed by its ``aside``), or annotated if the network disagrees."""
    claim = c.claim
    if c.holds is False:
        where = "measured here" if claim.fact == "seconds" else "the network running here"
        return claim.phrase.replace(claim.number, f"{claim.number} *({where}: {c.actual_text})*", 1)
    title = claim.shows.format_map(vars(f))
    if c.actual is not None and claim.fact == "seconds":
        title = f"{title}: {c.actual_text} for one digit"
    linked = _link(claim.number, _internal(claim.page, query), title)
    if claim.aside:
        linked += f" *({claim.aside.format_map(vars(f))})*"
    elif c.actual is not None and claim.fact == "seconds":  # in view, not only in a tooltip a phone never shows
        linked += f" *(measured here: {c.actual_text} for one digit)*"
    return claim.phrase.replace(claim.number, linked, 1)


def _internal(page: str, query: str = "") -> str:
    """The link to one of the app's pages, with a query (``"sample=8"``) if given."""
    return f"/{page}?{query}" if query else f"/{page}"


# --- the series and the reading list --------------------------------------------------

PART_2 = "learn"  # the next post's topic (backpropagation, gradient descent), trained live
PREVIOUS_POST = "embeddings"  # the previous post's topic (vector databases), as this network's embeddings


@dataclass(frozen=True)
class Resource:
    """A resource the post recommends."""

    title: str
    url: str
    phrase: str  # the post's own words naming it, linked in place

    def markdown(self) -> str:
        return _link(self.title, self.url)


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "3Blue1Brown: Neural Networks",
        "https://www.3blue1brown.com/topics/neural-networks",
        "Neural Networks and Deep Learning - 3Blue1Brown",
    ),
    Resource(
        "Andrew Ng: Deep Learning Specialization (Coursera)",
        "https://www.coursera.org/specializations/deep-learning",
        "Deep Learning Specialization - Andrew Ng (Coursera)",
    ),
)

# Other phrases linked in place: (phrase, url or one of the app's pages, tooltip).
_OTHER_LINKS: tuple[tuple[str, str, str], ...] = (
    ("3Blue1Brown's Neural Networks series", RESOURCES[0].url, ""),
    (
        "how vector databases store and search embeddings",
        PREVIOUS_POST,
        "Last week's idea, here: your drawing as an embedding",
    ),
    ("next week's post (Part 2)", PART_2, "Part 2, live: train this network yourself"),
)


def render_markdown(f: Facts, query: str = "") -> str:
    """The post's body as Markdown, wording unchanged, with its numbers and resources linked.

    Each number in :data:`CLAIMS` is checked against ``f``: where it holds it links
    to the page that shows it; where it does not, it stays unlinked and is followed
    by the network's real value in italics.  Single line breaks are kept (as
    Markdown hard breaks), so the post's lines fall where its author put them.

    ``query`` (``"sample=8"``, ``"d=<code>"``) goes on every link to the app's own
    pages, so the page opened shows the reader's digit.  (Streamlit opens a
    Markdown link in a new tab, a new session; :data:`nnviz.ui.SAME_TAB_LINKS`
    opens these in the same one, and the link still names the digit for a
    reader who opens it in a tab of its own.)
    """
    body = load_post().body
    replacements: list[tuple[str, str]] = [(c.phrase, _number(check(c, f), f, query)) for c in CLAIMS]
    replacements += [(r.phrase, _link(r.phrase, r.url)) for r in RESOURCES]
    replacements += [
        (phrase, _link(phrase, url if url.startswith("https://") else _internal(url, query), title))
        for phrase, url, title in _OTHER_LINKS
    ]
    # Two passes through placeholders, so no replacement is ever applied to another's output.
    for i, (phrase, _) in enumerate(replacements):
        if body.count(phrase) != 1:
            raise ValueError(f"the post must contain {phrase!r} exactly once")
        body = body.replace(phrase, f"\x00{i}\x00")
    for i, (_, markdown) in enumerate(replacements):
        body = body.replace(f"\x00{i}\x00", markdown)
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", body)


def footnote(f: Facts) -> str:
    """The kind footnote: what the post's "100,352 total connections" counts, and the exact totals.

    Example (the post's network): "The post says 100,352 total connections: that is the
    input→hidden layer, 784 × 128. The whole network has 101,632 weights (784 × 128 +
    128 × 10) and 138 biases (128 + 10): 101,770 parameters in all."
    """
    stated = next(c for c in CLAIMS if c.fact == "input_hidden").stated
    layer = f"{f.n_inputs:,} × {f.n_hidden:,}"
    if f.input_hidden == stated:
        first = f"The post says {stated:,} total connections: that is the input→hidden layer, {layer}."
    else:
        first = (
            f"The post says {stated:,} total connections (784 × 128, its input→hidden layer); "
            f"the network running here has {layer} = {f.input_hidden:,} input→hidden weights."
        )
    return (
        f"{first} The whole network has {f.n_weights:,} weights ({layer} + {f.n_hidden:,} × {f.n_outputs:,}) "
        f"and {f.n_biases:,} biases ({f.n_hidden:,} + {f.n_outputs:,}): {f.n_params:,} parameters in all."
    )


def wording_note(f: Facts) -> str:
    """Three of the post's words made exact, with the network's numbers.

    The post's "784 input neurons", "a single mathematical operation" and "hidden
    layers (where learning happens)" are the usual shorthand; the app's pages show
    what each stands for.
    """
    hidden_layer = f.input_hidden + f.n_hidden
    output_layer = f.hidden_output + f.n_outputs
    return (
        f'The {f.n_inputs:,} "input neurons" compute nothing: they hold the pixel values. The "single mathematical '
        'operation" is one matrix product per layer, two here, with ReLU between them and softmax after (the Matrix '
        "multiplication page runs all four). And learning happens in every layer that has weights: training tunes "
        f"the output layer's {output_layer:,} weights and biases as well as the hidden layer's {hidden_layer:,}."
    )
