"""A reader's settings survive a visit to another page.

Streamlit drops the value of every widget the page it runs does not draw, so
without ``persist_state="session"`` a slider set on one page is back at its
default after a look at another.  Each test sets a widget, goes to the Draw
page (or the post), comes back, and finds the value it set -- and a page that
uses the value uses the kept one.
"""

from __future__ import annotations

from app_session import open_page, rerun, switch_page, url
from test_learn_page import train_tiny

from nnviz.ui.params import MAP_LABELS


def away_and_back(at, page: str, elsewhere: str = "draw"):
    """To another page and back through the sidebar (each switch clears the address)."""
    switch_page(at, elsewhere)
    return switch_page(at, page)


def test_draw_pen_width():
    at = open_page("draw")
    assert at.slider(key="draw_stroke_width").value == 18
    at.slider(key="draw_stroke_width").set_value(30)
    at = away_and_back(rerun(at), "draw", elsewhere="weights")
    assert at.slider(key="draw_stroke_width").value == 30


def test_embeddings_neighbour_count():
    at = open_page("embeddings", query={"sample": "3"})
    at.slider(key="neighbours_k").set_value(5)
    at = away_and_back(rerun(at), "embeddings")
    assert at.slider(key="neighbours_k").value == 5
    # the galleries above the slider read the kept value too (5 neighbours, not the default 10)
    assert any(" of 5 embedding neighbours" in c.value for c in at.caption)


def test_errors_show_all():
    at = open_page("errors", query={"true": "1", "said": "1"})
    at.toggle(key="errors_show_all").set_value(True)
    at = away_and_back(rerun(at), "errors")
    assert at.toggle(key="errors_show_all").value is True
    assert at.toggle(key="errors_show_all").label.startswith("Show 96 of")


def test_learn_step_rate_and_surface_directions():
    at = open_page("learn", timeout=60)
    at.select_slider(key="learn_step_lr").set_value(0.1)
    train_tiny(at)
    key = f"learn_directions_{at.session_state['learn_run'].id}"
    assert at.segmented_control(key=key).value == "path"  # a finished run opens on its own path
    at.segmented_control(key=key).set_value("random")
    at = away_and_back(rerun(at), "learn")
    assert at.select_slider(key="learn_step_lr").value == 0.1
    assert at.segmented_control(key=key).value == "random"
    # a new run opens on its path again
    at.button(key="learn_reset").click()
    train_tiny(rerun(at))
    key = f"learn_directions_{at.session_state['learn_run'].id}"
    assert at.segmented_control(key=key).value == "path"


def test_embeddings_map_choice_and_its_address():
    at = open_page("embeddings", query={"sample": "3"})
    at.radio(key="map_kind").set_value(MAP_LABELS["tsne"])
    rerun(at)
    at = away_and_back(at, "embeddings")
    assert at.radio(key="map_kind").value == MAP_LABELS["tsne"]
    assert url(at).get("map") == "tsne"  # the address names the view again, to share


def test_errors_cell_and_its_address():
    at = open_page("errors", query={"true": "7", "said": "2"})
    at = away_and_back(at, "errors")
    assert url(at).get("true") == "7" and url(at).get("said") == "2"
    assert any("7" in h.value and "2" in h.value for h in at.header)
    # a link names another cell: the link wins, and becomes the one kept
    at.query_params.update(true="4", said="9")
    at = away_and_back(rerun(at), "errors")
    assert url(at).get("true") == "4" and url(at).get("said") == "9"


def test_atlas_and_weights_keep_their_neuron():
    at = open_page("neurons")
    at.number_input(key="atlas_neuron").set_value(9)
    rerun(at)
    at = away_and_back(at, "neurons")
    assert at.header[-1].value == "Neuron 9" and url(at).get("neuron") == "9"
    at = switch_page(at, "weights")  # each page keeps its own neuron
    at.number_input(key="weights_neuron_input").set_value(17)
    at = away_and_back(rerun(at), "weights")
    assert at.number_input(key="weights_neuron_input").value == 17 and url(at).get("neuron") == "17"
    at = switch_page(at, "neurons")
    assert at.header[-1].value == "Neuron 9"
