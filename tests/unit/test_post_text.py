"""The post's text and the live facts behind its numbers (nnviz.post)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from nnviz import post
from nnviz.mlp import MLP

APP = Path(__file__).resolve().parents[2] / "app.py"
LINK = re.compile(r'\[([^\]]+)\]\(([^ )]+)(?: "([^"]*)")?\)')


@pytest.fixture(scope="module")
def net() -> MLP:
    """A network of the post's shape (784 -> 128 -> 10); the weights do not matter here."""
    return MLP.init(128, seed=0)


@pytest.fixture(scope="module")
def small() -> MLP:
    """A network that does not match the post: 784 -> 64 -> 10."""
    return MLP.init(64, seed=0)


def unlink(markdown: str) -> str:
    """Rendered Markdown back to plain text: links -> their text, hard breaks -> newlines."""
    return LINK.sub(r"\1", markdown).replace("  \n", "\n")


def links(markdown: str) -> dict[str, list[str]]:
    """{link text: [urls]} of every Markdown link."""
    out: dict[str, list[str]] = {}
    for text, url, _ in LINK.findall(markdown):
        out.setdefault(text, []).append(url)
    return out


# --- the text --------------------------------------------------------------------


def test_post_text_is_the_published_post():
    p = post.load_post()
    assert p.title == "Neural Networks Part 1"
    assert p.body.startswith("As promised last week, here is the continuation to my AI series on vector databases.")
    assert p.body.endswith("#NeuralNetworks #MachineLearning #AI #DeepLearning #DataScience")
    # the editor's note above the rule is not part of the post
    assert "The app's post panel" not in p.body and "---" not in p.body
    assert "That's 100,352 total connections, each with a learned weight!" in p.body
    assert "a trained network classifies digits in milliseconds." in p.body


def test_every_claim_and_resource_phrase_occurs_once():
    body = post.load_post().body
    for phrase in [c.phrase for c in post.CLAIMS] + [r.phrase for r in post.RESOURCES]:
        assert body.count(phrase) == 1, phrase
    for claim in post.CLAIMS:
        assert claim.number in claim.phrase


def test_sentence_is_verbatim_and_unique():
    assert post.sentence("classifies digits") == (
        "The speed is amazing: a trained network classifies digits in milliseconds."
    )
    assert post.sentence("When you feed") == (
        "When you feed a 28×28 pixel image (784 numbers) into a neural network, "
        "each pixel value flows through layers of neurons."
    )
    assert post.sentence("handwritten digit recognition") == (
        "Let's look at a concrete example: handwritten digit recognition."
    )
    with pytest.raises(KeyError):
        post.sentence("neural")  # in many sentences
    with pytest.raises(KeyError):
        post.sentence("transformers")  # in none
    for s in post._sentences(post.load_post().body):
        assert s in post.load_post().body


def test_load_post_rejects_a_file_without_a_rule(tmp_path):
    bad = tmp_path / "post.md"
    bad.write_text("# Title\n\nno rule here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="---"):
        post.load_post(bad)


# --- facts ---------------------------------------------------------------------


def test_facts_of_the_posts_network(net):
    f = post.facts(net, seconds=2e-5)
    assert (f.side, f.n_inputs, f.n_hidden, f.n_outputs) == (28, 784, 128, 10)
    assert f.input_hidden == 100_352 == 784 * 128
    assert f.hidden_output == 1_280
    assert f.n_weights == 101_632 == net.W1.size + net.W2.size
    assert f.n_biases == 138
    assert f.n_params == 101_770 == sum(p.size for p in net.params().values())
    assert f.ms == pytest.approx(0.02)


def test_facts_follow_the_model_not_the_post(small):
    f = post.facts(small)
    assert (f.n_hidden, f.input_hidden, f.n_weights, f.n_biases, f.n_params) == (64, 50_176, 50_816, 74, 50_890)
    assert f.seconds is None and f.ms is None
    odd = MLP(np.zeros((10, 3)), np.zeros(3), np.zeros((3, 2)), np.zeros(2))
    assert post.facts(odd).side is None  # 10 inputs are no square image


def test_time_one_digit_is_a_measurement(net):
    seconds = post.time_one_digit(net, np.zeros(784, np.float32), repeats=5)
    assert math.isfinite(seconds) and seconds > 0


def test_time_one_digit_times_the_networks_forward_pass_on_one_image(net, clock):
    shapes = []

    class Timed:
        """The network, its forward pass costing 2 ms on the test's clock."""

        sizes = net.sizes

        def forward(self, x):
            shapes.append(np.shape(x))
            clock.advance(2e-3)
            return net.forward(x)

    digit = np.arange(784, dtype=np.float32) / 784
    assert post.time_one_digit(Timed(), digit, repeats=7) == pytest.approx(2e-3)
    assert shapes == [(1, 784)] * 8  # a warm-up, then the seven timed calls: each one image


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(1.4e-5, "0.014 ms"), (3.1e-4, "0.31 ms"), (2.4e-3, "2.4 ms"), (0.12, "120 ms"), (2.0, "2,000 ms")],
)
def test_format_ms(seconds, text):
    assert post.format_ms(seconds) == text


# --- checks and rendering ---------------------------------------------------------


def test_checks_hold_for_the_posts_network(net):
    f = post.facts(net, seconds=1e-4)
    results = {(c.phrase): post.check(c, f) for c in post.CLAIMS}
    assert all(r.holds for r in results.values())
    assert results["100,352 total connections"].actual_text == "100,352"
    assert results["28×28 pixel image"].actual_text == "28×28"


def test_checks_fail_where_the_network_differs(small):
    f = post.facts(small, seconds=2.0)
    failing = {c.phrase for c in post.CLAIMS if post.check(c, f).holds is False}
    assert failing == {"128 hidden neurons", "100,352 total connections", "in milliseconds"}
    unknown = post.facts(small)
    assert post.check(post.CLAIMS[-2], unknown).holds is None  # "in milliseconds", not measured


def test_rendered_post_keeps_the_wording(net, small):
    body = post.load_post().body
    rendered = unlink(post.render_markdown(post.facts(net, 1e-4)))
    # two asides: the post's "100,352 total connections" counts the input→hidden layer only, and
    # "in milliseconds" gets the time measured
    asides = [" *(input→hidden; all layers: 101,632)*", " *(measured here: 0.1 ms for one digit)*"]
    assert re.findall(r" \*\([^)]*\)\*", rendered) == asides
    assert rendered.replace(asides[0], "").replace(asides[1], "") == body
    assert " *(measured here" not in post.render_markdown(post.facts(net))  # nothing measured, nothing said
    # where the network differs, only the annotations are added
    annotated = unlink(post.render_markdown(post.facts(small, 2.0)))
    assert re.sub(r" \*\([^)]*\)\*", "", annotated) == body


def test_tooltips_describe_the_network_running(small):
    # a reader's 784 -> 64 -> 10 network: "transforming 784 inputs" still holds, and its tooltip says 64
    titles = [title for _, _, title in LINK.findall(post.render_markdown(post.facts(small, 1e-4)))]
    assert "x (1×784) times W1 (784×64), live" in titles
    assert not any("128" in title for title in titles)


def test_each_number_links_to_the_page_that_shows_it(net):
    md = post.render_markdown(post.facts(net, 1e-4))
    found = links(md)
    assert found["28×28"] == ["/draw"]
    assert sorted(found["784"]) == ["/draw", "/matmul", "/matmul"]
    assert found["128"] == ["/weights"]
    assert found["10"] == ["/draw"]
    assert found["100,352"] == ["/weights"]
    assert found["milliseconds"] == ["/matmul"]
    assert f"{post.format_ms(1e-4)} for one digit" in md  # the measured time, in the tooltip
    # the series and the reading list
    assert found["next week's post (Part 2)"] == ["/learn"]
    assert found["how vector databases store and search embeddings"] == ["/embeddings"]
    assert "https://www.3blue1brown.com/topics/neural-networks" in found["3Blue1Brown's Neural Networks series"]
    assert found["Deep Learning Specialization - Andrew Ng (Coursera)"] == [
        "https://www.coursera.org/specializations/deep-learning"
    ]


def test_links_to_the_apps_pages_carry_the_readers_digit(net):
    # Streamlit opens a Markdown link in a new tab, a new session: the link must name the digit
    found = links(post.render_markdown(post.facts(net, 1e-4), "sample=582"))
    urls = [u for us in found.values() for u in us]
    internal = [u for u in urls if u.startswith("/")]
    assert len(internal) == 10 and all(u.endswith("?sample=582") for u in internal)
    assert found["next week's post (Part 2)"] == ["/learn?sample=582"]
    assert all("sample" not in u for u in urls if u.startswith("https://"))


def test_internal_links_point_at_real_pages(net):
    """Every /path the post links to is a url_path registered in app.py."""
    url_paths = set(re.findall(r'"([a-z_]+)"(?:, default=True)?\)\n', APP.read_text()))
    url_paths |= set(re.findall(r'url_path="([a-z_]+)"', APP.read_text()))
    internal = {u.lstrip("/") for urls in links(post.render_markdown(post.facts(net))).values() for u in urls}
    internal = {u for u in internal if not u.startswith("http")}
    assert internal, "expected internal links"
    assert internal <= url_paths, internal - url_paths


def test_numbers_the_network_does_not_bear_out_are_not_linked(small):
    md = post.render_markdown(post.facts(small, 2.0))
    found = links(md)
    assert "128" not in found and "100,352" not in found and "milliseconds" not in found
    assert "128 *(the network running here: 64)* hidden neurons" in md
    assert "100,352 *(the network running here: 50,176)* total connections" in md
    assert "milliseconds *(measured here: 2,000 ms)*" in md
    assert found["784"]  # still true, still linked


def test_line_breaks_survive_markdown(net):
    md = post.render_markdown(post.facts(net))
    assert "Why this matters for you:  \nNeural networks power" in md
    assert "\n\n" in md  # paragraphs stay paragraphs


def test_footnote_counts_exactly(net):
    text = post.footnote(post.facts(net))
    assert text == (
        "The post says 100,352 total connections: that is the input→hidden layer, 784 × 128. "
        "The whole network has 101,632 weights (784 × 128 + 128 × 10) and 138 biases (128 + 10): "
        "101,770 parameters in all."
    )


def test_footnote_for_another_network(small):
    text = post.footnote(post.facts(small))
    assert "784 × 64 = 50,176 input→hidden weights" in text
    assert "50,816 weights" in text and "74 biases" in text and "50,890 parameters" in text


def test_resources_are_the_posts():
    urls = {r.url for r in post.RESOURCES}
    assert urls == {
        "https://www.3blue1brown.com/topics/neural-networks",
        "https://www.coursera.org/specializations/deep-learning",
    }
    assert all(r.markdown().startswith("[") and r.url in r.markdown() for r in post.RESOURCES)
    assert post.PART_2 == "learn" and post.PREVIOUS_POST == "embeddings"


def test_wording_note_counts_each_layer(net, small):
    text = post.wording_note(post.facts(net))
    assert '784 "input neurons" compute nothing' in text
    # W2 + b2 = 128 * 10 + 10; W1 + b1 = 784 * 128 + 128
    assert "the output layer's 1,290 weights and biases as well as the hidden layer's 100,480" in text
    assert "1,290" not in post.wording_note(post.facts(small))  # 64 * 10 + 10 = 650
