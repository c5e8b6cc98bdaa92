"""Links into the app under AppTest: good ones reproduce the view, malformed ones get a notice and a fallback.

Every run goes through the router (``app.py``), whose shared sidebar checks the
URL's state before the page runs.  A broken model or data file must give one
clear error page on every page, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import app_session
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import nnviz
from nnviz import ui
from nnviz.figures.common import a_digit
from nnviz.mlp import MLP, as_input
from nnviz.share import decode_drawing, encode_drawing

PAGES = ["post", "draw", "weights", "matmul", "learn", "embeddings", "errors", "neurons", "why"]


@pytest.fixture(scope="module")
def mnist():
    return nnviz.load_mnist("test")


def no_canvas(key, **_):
    return None


def open_page(page: str, query: dict[str, str] | None = None, canvas=no_canvas) -> AppTest:
    """A fresh session opening ``/page?query`` (page: the file's stem in pages/), through the router."""
    at = app_session.open_page(page, query, timeout=90, canvas=canvas)
    assert len(list(at.sidebar)) > 1, "the router's sidebar did not run"
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def selection(at: AppTest):
    return at.session_state["drawing"] if "drawing" in at.session_state else None


url = app_session.url


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


# --- malformed links: a notice, a fallback, the bad part dropped from the URL ----------


@pytest.mark.parametrize(
    ("page", "query", "words"),
    [
        ("draw", {"sample": "-1"}, "sample=-1` is outside 0-9999"),
        ("draw", {"sample": "99999999"}, "sample=99999999` is outside 0-9999"),
        ("draw", {"sample": "seven"}, "sample=seven` is not a number"),
        ("why", {"sample": "1e3"}, "sample=1e3` is not a number"),
        ("weights", {"neuron": "abc"}, "neuron=abc` is not a number"),
        ("neurons", {"neuron": "abc"}, "neuron=abc` is not a number"),
        ("weights", {"neuron": "128"}, "neuron=128` is outside 0-127"),
        ("draw", {"d": "not-a-drawing"}, "drawing could not be read"),
        ("why", {"d": "AAAA"}, "drawing could not be read"),
        ("draw", {"d": "x" * 5000}, "too long"),
        ("embeddings", {"map": "umap"}, "map=umap` is not one of pca, tsne"),
        ("errors", {"true": "11"}, "true=11` is outside 0-9"),
        ("errors", {"said": "x"}, "said=x` is not a number"),
        ("weights", {"neuron": "1_0"}, "neuron=1_0` is not a number"),  # Python's int() reads 10
        ("draw", {"sample": "\u0663"}, "` is not a number"),  # an Arabic-Indic 3, which int() reads too
        ("errors", {"true": "4"}, "`true=4` names half a cell of the confusion matrix (it needs `said=` too)"),
        ("errors", {"said": "9"}, "`said=9` names half a cell of the confusion matrix (it needs `true=` too)"),
    ],
)
def test_malformed_link_gets_one_notice_and_falls_back(page, query, words):
    at = open_page(page, query)
    shown = warnings(at)
    assert len([w for w in shown if words in w]) == 1, shown  # one notice, not one per reader of the key
    ((key, bad),) = query.items()
    assert url(at).get(key) != bad  # the broken part is gone from the address bar (or replaced by the default)
    if page == "draw":
        assert selection(at) is None  # the default view: nothing drawn yet
        assert any("Draw a digit" in i.value for i in at.info)


def test_malformed_neuron_falls_back_to_a_real_neuron():
    at = open_page("weights", {"neuron": "abc"})
    shown = [h.value for h in at.header if re.fullmatch(r"Neuron \d+", h.value)]
    assert len(shown) == 1 and 0 <= int(shown[0].split()[1]) < 128  # the page's default neuron
    assert url(at).get("neuron") != "abc"


def test_a_key_given_twice_counts_once_and_the_address_says_which():
    at = open_page("draw", {"sample": ["1", "2"]})
    assert [w for w in warnings(at) if "`sample` 2 times" in w] == [
        "The link gives `sample` 2 times; using the last, `2`."
    ]
    assert selection(at).index == 2 and at.query_params["sample"] in ("2", ["2"])


def test_notice_quotes_a_long_value_briefly():
    at = open_page("draw", {"sample": "9" * 500})
    (notice,) = [w for w in warnings(at) if "sample=" in w]
    assert len(notice) < 200


# --- good links reproduce the view ---------------------------------------------------


def test_sample_link_on_any_page(mnist):
    _, labels = mnist
    at = open_page("why", {"sample": "42"})
    sel = selection(at)
    assert sel.source == "sample" and sel.index == 42
    assert f"test digit #42 ({a_digit(labels[42])})" in " ".join(m.value for m in at.markdown)
    assert url(at)["sample"] == "42" and not warnings(at)


def test_drawing_link_reproduces_the_prediction(mnist):
    images, _ = mnist
    model = nnviz.load_model()
    x = as_input(images[7:8])[0]
    code = encode_drawing(x)
    at = open_page("draw", {"d": code})
    sel = selection(at)
    assert sel.source == "link"
    np.testing.assert_allclose(sel.input, decode_drawing(code))
    expected = int(model.predict(decode_drawing(code)[None])[0])
    assert metric(at, "Prediction") == str(expected)
    assert "the digit from the shared link" in " ".join(m.value for m in at.markdown)
    assert url(at)["d"] == code and not warnings(at)


def test_drawing_on_the_canvas_puts_it_in_the_url_and_the_link_reproduces_it(mnist):
    from tests.pages.test_draw_page import canvas_image

    images, _ = mnist
    image = canvas_image(images[3])
    at = open_page("draw", canvas=lambda key, **_: image if key == "draw_canvas_0" else None)
    drawn = selection(at)
    assert drawn.source == "drawing"
    code = url(at)["d"]
    assert "sample" not in url(at)
    np.testing.assert_allclose(decode_drawing(code), drawn.input, atol=1 / 30 + 1e-6)
    # a reader opens the link in a fresh session
    fresh = open_page("draw", {"d": code})
    assert metric(fresh, "Prediction") == metric(at, "Prediction")


def test_a_link_naming_another_digit_wins_over_the_session(mnist):
    at = open_page("why", {"sample": "1"})
    assert selection(at).index == 1
    at.query_params["sample"] = "2"  # an in-app link ("Open on Draw") or a pasted link
    app_session.rerun(at, no_canvas)
    assert selection(at).index == 2


def test_a_menu_link_drawn_before_a_stroke_does_not_take_the_drawing_back(mnist):
    at = open_page("draw", {"sample": "5"})
    assert at.session_state["menu_digit"] == {"sample": "5"}  # what the menu's links carry
    drawn = ui.Selection(as_input(mnist[0][3:4])[0], "drawing")
    at.session_state["drawing"] = drawn  # a stroke: the page's fragment reran, the menu did not
    at.switch_page("pages/weights.py")  # the menu's Weights link, still naming test digit 5
    app_session.rerun(at, no_canvas)
    assert selection(at).source == "drawing"  # the newer digit stays
    assert url(at).get("d") == encode_drawing(drawn.input) and "sample" not in url(at)
    at.query_params.update(sample="7")  # any other digit in a link is news: it wins
    at.query_params.pop("d")
    app_session.rerun(at, no_canvas)
    assert selection(at).index == 7


def test_after_a_page_switch_the_url_names_the_digit_again():
    at = open_page("why", {"sample": "5"})
    at.query_params.clear()  # Streamlit clears the query string when the page changes
    at.switch_page("pages/embeddings.py")
    app_session.rerun(at, no_canvas)
    assert url(at).get("sample") == "5"


def test_share_button_shows_the_link_to_this_view(mnist):
    images, _ = mnist
    code = encode_drawing(as_input(images[9:10])[0])
    at = open_page("why", {"d": code})
    share = next(b for b in at.sidebar.button if b.label == "Share this view")
    share.click()
    app_session.rerun(at, no_canvas)
    (link,) = [c.value for c in at.sidebar.code]
    assert f"d={code}" in link
    assert "It opens on the shipped network" not in " ".join(c.value for c in at.sidebar.caption)


def test_a_shared_view_says_it_opens_on_the_shipped_network_when_the_reader_trained_their_own():
    at = app_session.open_page("why", {"sample": "3"}, state={"user_model": MLP.init(32, seed=2)}, canvas=no_canvas)
    next(b for b in at.sidebar.button if b.label == "Share this view").click()
    app_session.rerun(at, no_canvas)
    (link,) = [c.value for c in at.sidebar.code]
    assert "sample=3" in link and "model" not in link  # the link names the digit, not the weights
    notes = " ".join(c.value for c in at.sidebar.caption)
    assert "It opens on the shipped network: the one you trained lives only in this browser session." in notes


def test_valid_neuron_link():
    at = open_page("weights", {"neuron": "17"})
    assert url(at)["neuron"] == "17" and not warnings(at)
    assert "Neuron 17" in [h.value for h in at.header]


# --- a broken model or data file: one clear error page, on every page ------------------


@pytest.fixture
def fresh_caches():
    """Forget the cached model and data before and after: the test points the loaders elsewhere."""
    ui.shipped_model.clear()
    ui.mnist.clear()
    yield
    ui.shipped_model.clear()
    ui.mnist.clear()


def damaged_copies(tmp_path: Path) -> dict[str, Path]:
    good = nnviz.MODEL_PATH.read_bytes()
    files = {
        "truncated": good[: len(good) // 2],
        "garbage": bytes(range(256)) * 40,
        "empty": b"",
    }
    paths = {name: tmp_path / f"{name}.npz" for name in files}
    for name, data in files.items():
        paths[name].write_bytes(data)
    paths["missing"] = tmp_path / "nowhere" / "model.npz"
    return paths


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "missing"])
def test_damaged_model_gives_an_error_page(damage, tmp_path, monkeypatch, fresh_caches):
    monkeypatch.setenv("NNVIZ_MODEL", str(damaged_copies(tmp_path)[damage]))
    at = open_page("draw")
    errors = " ".join(e.value for e in at.error)
    assert "The network could not be loaded" in errors
    assert "model.npz" in errors  # says which file and how to restore it
    assert not at.metric  # the page itself did not run


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_guarded_against_a_damaged_model(page, tmp_path, monkeypatch, fresh_caches):
    monkeypatch.setenv("NNVIZ_MODEL", str(damaged_copies(tmp_path)["truncated"]))
    at = open_page(page)
    assert any("The network could not be loaded" in e.value for e in at.error)


def test_missing_data_gives_an_error_page(tmp_path, monkeypatch, fresh_caches):
    monkeypatch.setenv("NNVIZ_DATA_DIR", str(tmp_path))  # an empty folder
    at = open_page("draw")
    assert any("MNIST could not be loaded" in e.value for e in at.error)


@pytest.mark.cold_server
@pytest.mark.parametrize("page", ["weights", "errors"])
def test_cold_server_deep_link_goes_through_the_router(page):
    """On a fresh server a deep link runs the page file directly; the page hands itself to the router."""
    at = app_session.open_page(page, timeout=90)
    assert len(list(at.sidebar)) > 1, "the router's sidebar did not run"
    assert at.title and at.title[0].value  # the page itself rendered, once


@pytest.mark.cold_server
def test_cold_server_deep_link_goes_through_the_router_when_another_reader_got_there_first(monkeypatch):
    """Two readers at a fresh server: both runs start in legacy mode, and the first to reach its page
    switches that mode off (for the whole server) before the second asks.  The second still goes
    through the router."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    legacy = script_runner._mpa_v1

    def raced(main_script_path):
        PagesManager.uses_pages_directory = False  # the other reader's run, meanwhile
        legacy(main_script_path)

    monkeypatch.setattr(script_runner, "_mpa_v1", raced)
    at = app_session.open_page("neurons", timeout=90)
    assert len(list(at.sidebar)) > 1, "the router's sidebar did not run"
    assert [t.value for t in at.title] == ["Neuron atlas"]  # the page itself rendered, once


MENU_ORDER = ["draw", "weights", "matmul", "learn", "embeddings", "errors", "neurons", "why"]


@pytest.mark.parametrize("here", ["", *MENU_ORDER])
def test_every_page_ends_with_the_next_one(here):
    # no dead end: a phone's menu is behind a button (sidebar.next_page)
    at = app_session.open_landing() if here == "" else app_session.open_page(here, {"sample": "7"})
    last = at.main.get("page_link")[-1].proto
    order = ["", *MENU_ORDER]
    after = order[(order.index(here) + 1) % len(order)]
    assert last.page == after
    assert last.label.startswith("Back to the start" if after == "" else "Next: ")
    if here:
        assert "sample=7" in last.query_string  # the digit goes along, as in the menu's links
