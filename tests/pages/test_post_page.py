"""The landing page (the post) under AppTest."""

from __future__ import annotations

import re

import pytest
from app_session import open_landing
from streamlit.testing.v1 import AppTest

import nnviz
from nnviz import post
from nnviz.figures.common import a_digit
from nnviz.mlp import MLP


@pytest.fixture(scope="module")
def landing() -> AppTest:
    return open_landing()


def all_markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_post_is_the_default_page(landing):
    text = all_markdown(landing)
    assert "## Neural Networks Part 1" in text
    assert "Let's look at a concrete example: handwritten digit recognition." in text  # the opening quote


def test_the_post_is_shown_with_its_numbers_linked(landing):
    model = nnviz.load_model()
    shown = next(m.value for m in landing.markdown if m.value.startswith("As promised last week"))
    # the wording is the post's, link for link
    unlinked = re.sub(r'\[([^\]]+)\]\([^ )]+(?: "[^"]*")?\)', r"\1", shown).replace("  \n", "\n")
    unlinked = re.sub(r" \*\(measured here: [0-9.,]+ ms for one digit\)\*", "", unlinked)
    assert unlinked.replace(" *(input→hidden; all layers: 101,632)*", "") == post.load_post().body
    for target in ("/draw", "/weights", "/matmul", "/learn", "/embeddings"):
        assert f"]({target} " in shown, target
    assert "[100,352](/weights" in shown and "[128](/weights" in shown
    # the measured time is in the "milliseconds" link's tooltip, and in view after it: the same one
    ms = re.search(r'\[milliseconds\]\(/matmul "[^"]*: ([0-9.,]+ ms) for one digit"\)', shown)
    assert ms, "the milliseconds link carries the measured time"
    assert "[milliseconds](/matmul " in shown and f" *(measured here: {ms.group(1)} for one digit)*" in shown
    assert ms.group(1) == metrics(landing)["Time for one digit"]
    assert model.sizes == (784, 128, 10)


def test_the_footnote_counts_from_the_model(landing):
    model = nnviz.load_model()
    captions = " ".join(c.value for c in landing.caption)
    assert post.footnote(post.facts(model)) in captions
    assert f"{model.n_params:,} parameters" in captions


def test_live_panels(landing):
    model = nnviz.load_model()
    shown = metrics(landing)
    images, labels = nnviz.load_mnist("test")
    assert shown["Prediction"] == str(int(model.predict(images[:1].reshape(1, -1) / 255.0)[0]))
    assert re.fullmatch(r"[0-9.,]+ ms", shown["Time for one digit"])
    assert shown["Parameters"] == f"{model.n_params:,}"
    # the trainer's figure, saved with the model, is the model's real accuracy on the test set
    assert shown["Test accuracy"] == f"{model.meta['test_accuracy']:.2%}" == f"{model.accuracy(images, labels):.2%}"
    assert len(landing.get("plotly_chart")) == 0  # the landing page draws without plotly: fast on a cold start
    assert len(landing.get("image")) == 1
    svg = next(m.value for m in landing.markdown if m.value.startswith("<svg"))
    assert svg.startswith("<svg") and f"The network says {shown['Prediction']} with" in svg
    assert "test digit #0" in all_markdown(landing)


def test_resources_and_series_links(landing):
    text = all_markdown(landing)
    for r in post.RESOURCES:
        assert r.url in text
    pages = [p.proto.page for p in landing.get("page_link")]
    assert any(p.endswith("learn.py") or "learn" in p for p in pages)
    assert any(p.endswith("embeddings.py") or "embeddings" in p for p in pages)


def test_another_test_digit(landing):
    at = open_landing()
    next(b for b in at.button if b.label == "Random test digit").click().run()
    assert not at.exception
    selection = at.session_state["drawing"]
    assert selection.source == "sample"
    assert f"test digit #{selection.index}" in all_markdown(at)
    # the post's links open a new tab, a new session: they name the digit
    shown = next(m.value for m in at.markdown if m.value.startswith("As promised last week"))
    assert shown.count(f"?sample={selection.index} ") == 10  # eight numbers, the previous and the next post


def test_a_different_network_is_described_honestly():
    """The reader's own network (Learn page) with other sizes: the post's numbers are annotated, not linked."""
    at = open_landing(state={"user_model": MLP.init(64, seed=1)})
    shown = next(m.value for m in at.markdown if m.value.startswith("As promised last week"))
    assert "128 *(the network running here: 64)* hidden neurons" in shown
    assert "[128](" not in shown
    captions = " ".join(c.value for c in at.caption)
    assert "784 × 64 = 50,176 input→hidden weights" in captions
    shown = metrics(at)
    assert shown["Parameters"] == "50,890"
    # a model without a saved accuracy gets one computed here
    images, labels = nnviz.load_mnist("test")
    assert shown["Test accuracy"] == f"{at.session_state['user_model'].accuracy(images, labels):.2%}"


def test_a_test_digit_the_network_gets_wrong_is_called_a_mistake():
    import numpy as np

    import nnviz.ui

    images, labels = nnviz.load_mnist("test")
    said = nnviz.load_model().predict(nnviz.mlp.as_input(images))
    wrong, right = int(np.flatnonzero(said != labels)[0]), int(np.flatnonzero(said == labels)[0])
    at = open_landing(state={"drawing": nnviz.ui.sample_selection(wrong)})
    assert f"**A mistake:** MNIST labels this digit {a_digit(labels[wrong])}, and the network says {said[wrong]}." in (
        all_markdown(at)
    )
    assert metrics(at)["Prediction"] == str(said[wrong])
    assert "A mistake" not in all_markdown(open_landing(state={"drawing": nnviz.ui.sample_selection(right)}))


def test_mnist_is_said_in_a_sentence(landing):
    # a reader who has not met MNIST: what it is, and which digits the accuracy is measured on
    train, test = (len(nnviz.load_mnist(split)[1]) for split in ("train", "test"))
    captions = " ".join(c.value for c in landing.caption)
    assert f"MNIST, the digits it reads: {train + test:,} handwritten digits, each 28×28 pixels." in captions
    assert f"The network learned from all {train:,} training digits; its test accuracy is on the other {test:,}" in (
        captions
    )
    # a reader's network, trained on the page's smallest set: the sentence says so
    small = MLP.init(32, seed=0)
    small.meta = {"config": {"train_size": 1_000}, "test_accuracy": 0.9}
    at = open_landing(state={"user_model": small})
    captions = " ".join(c.value for c in at.caption)
    assert f"The network learned from the first 1,000 of the {train:,} training digits" in captions
