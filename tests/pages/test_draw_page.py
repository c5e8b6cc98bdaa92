"""The Draw page under AppTest, with the canvas patched (AppTest runs no JavaScript)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import app_session
import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import nnviz
from nnviz.figures.common import a_digit
from nnviz.share import encode_drawing

BLANK = np.zeros((280, 280, 4), np.uint8)
BLANK[..., 3] = 255


@pytest.fixture(scope="module")
def mnist():
    return nnviz.load_mnist("test")


def canvas_image(image: np.ndarray) -> np.ndarray:
    """A 28×28 MNIST digit as the canvas would send it: 280×280 RGBA, white ink on black."""
    grey = np.asarray(Image.fromarray(image).resize((280, 280), Image.Resampling.BILINEAR))
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 255
    return rgba


def run_draw(canvas, query: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    """Open the Draw page through the router with ``nnviz.ui.canvas`` replaced by ``canvas``, ``state`` set first."""
    return app_session.open_page("draw", query, state, timeout=60, canvas=canvas)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def under_canvas(at: AppTest) -> str:
    """The text of the status line between the canvas and its buttons ("" when it is empty)."""
    box = status_box(at)
    return box.markdown[0].value if box.markdown else ""


def status_box(at: AppTest):
    """The container of the status line between the canvas and its buttons."""

    def find(node):
        if str(getattr(getattr(node, "proto", None), "id", "")).endswith("-draw_phone_status"):
            return node
        for child in getattr(node, "children", {}).values():
            if (hit := find(child)) is not None:
                return hit
        return None

    box = find(at._tree)
    assert box is not None, "no status container under the canvas"
    return box


def current(at: AppTest):
    """The session's current digit (``nnviz.ui.current_selection`` state), or None."""
    return at.session_state["drawing"] if "drawing" in at.session_state else None


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def returns(image):
    """A fake canvas: ``image`` on the first canvas key, nothing (a fresh canvas) on any other."""
    return lambda key, **_: image if key == "draw_canvas_0" else None


@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_a_drawn_digit_is_read_right(mnist, index):
    images, labels = mnist
    at = run_draw(returns(canvas_image(images[index])))
    shown = metrics(at)
    assert shown["Prediction"] == str(labels[index])
    assert shown["Confidence"].endswith("%")
    assert shown["Time for one digit"].endswith(" ms")
    selection = current(at)
    assert selection.source == "drawing" and selection.prep is not None and selection.input.shape == (784,)
    captions = " ".join(c.value for c in at.caption)
    assert f"The network says {labels[index]} with" in captions
    assert "box of the 280×280 canvas" in captions  # the preprocessing steps are shown
    assert "hidden neurons fired" in captions
    assert "784 inputs:" in captions
    strongest = int(nnviz.load_model().forward(selection.input[None]).hidden[0].argmax())
    (link,) = [p for p in at.get("page_link") if "looks for" in p.proto.label]
    assert link.proto.label == f"What neuron {strongest}, the strongest, looks for"
    # the drawing goes along, so arriving on the Weights page changes nothing in the address
    assert parse_qs(link.proto.query_string) == {"d": [encode_drawing(selection.input)], "neuron": [str(strongest)]}
    assert len(at.get("plotly_chart")) == 5  # probabilities, preprocessing, inputs, hidden, the network drawn
    assert "sample" not in at.query_params
    # the line right under the canvas (shown while the columns stack, on a phone) says it too
    said = f"The network reads it as **{labels[index]}** ({shown['Confidence']} confidence). Every step is below."
    assert under_canvas(at) == said


def test_page_opens_with_the_posts_sentence():
    at = run_draw(returns(None))
    assert "When you feed a 28×28 pixel image (784 numbers) into a neural network" in at.markdown[0].value


def test_fresh_page_asks_for_a_digit():
    at = run_draw(returns(None))
    assert "Prediction" not in metrics(at)
    assert under_canvas(at) == "Draw a digit above: what the network reads appears here."
    assert any("Draw a digit" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0


def test_empty_canvas_shows_the_hint_and_no_guess():
    at = run_draw(returns(BLANK))
    assert "Prediction" not in metrics(at)
    assert [i.value for i in at.info] == ["Draw a digit: the canvas is empty."]
    assert current(at) is None


def test_a_dot_is_not_a_digit():
    dot = BLANK.copy()
    dot[140:143, 140:143, :3] = 255
    at = run_draw(returns(dot))
    assert "Prediction" not in metrics(at)
    assert "Draw a digit" in at.info[0].value
    assert under_canvas(at).startswith("No digit yet: that")


def test_a_tap_of_the_pen_is_not_a_digit():
    tap = BLANK.copy()
    yy, xx = np.mgrid[:280, :280]
    tap[(yy - 100) ** 2 + (xx - 150) ** 2 <= 9**2, :3] = 255  # the default pen, 18 px across
    at = run_draw(returns(tap))
    assert "Prediction" not in metrics(at) and current(at) is None
    assert at.info[0].value == "Draw a digit: that is only a dot, no longer than the pen is wide. Draw bigger."
    assert under_canvas(at) == "No digit yet: that is only a dot, no longer than the pen is wide. Draw bigger."


def test_a_canvas_scribbled_over_is_not_a_digit_and_more_than_half_inked_is_not_read_inverted():
    full = BLANK.copy()
    full[:, :, :3] = 255  # zig-zags over the whole canvas
    at = run_draw(returns(full))
    assert "Prediction" not in metrics(at) and current(at) is None
    assert at.info[0].value.startswith("Draw a digit: that covers 100% of the canvas.")
    most = BLANK.copy()
    most[[y for y in range(240) if y % 30 < 21], :, :3] = 255  # thick lines over the top: 60% of the canvas
    at = run_draw(returns(most))
    assert current(at).prep.bbox == (0, 231, 0, 280)  # the white lines are the ink, not the black below


def test_erasing_the_drawing_brings_back_the_hint(mnist):
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[0])))
    assert "Prediction" in metrics(at)
    app_session.rerun(at, returns(BLANK))  # the canvas's own trash button sends a blank image
    assert "Prediction" not in metrics(at)
    assert current(at) is None


def test_clear_gives_a_new_blank_canvas(mnist):
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[0])))
    assert at.session_state["draw_canvas_gen"] == 0
    button(at, "Clear").click()
    app_session.rerun(at, returns(canvas_image(images[0])))
    assert at.session_state["draw_canvas_gen"] == 1  # a new key: the component remounts blank
    assert "Prediction" not in metrics(at)
    assert current(at) is None


def test_choosing_a_test_digit_by_number(mnist):
    _, labels = mnist
    at = run_draw(returns(None))
    at.number_input(key="draw_sample_index").set_value(12)
    app_session.rerun(at, returns(None))
    assert at.query_params["sample"] == ["12"] or at.query_params["sample"] == "12"
    selection = current(at)
    assert (selection.source, selection.index, selection.label) == ("sample", 12, int(labels[12]))
    assert "test digit #12" in " ".join(m.value for m in at.markdown)
    assert "Prediction" in metrics(at)
    assert len(at.get("plotly_chart")) == 4  # no preprocessing for a test digit: it is already 28×28
    assert "Nothing to do: test digit #12" in " ".join(c.value for c in at.caption)


def test_choosing_a_test_digit_replaces_the_drawing(mnist):
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[0])))
    button(at, "Random test digit").click()
    app_session.rerun(at, returns(canvas_image(images[0])))
    selection = current(at)
    assert selection.source == "sample"
    assert at.session_state["draw_canvas_gen"] == 1  # the drawing was cleared
    assert at.session_state["draw_sample_index"] == selection.index


def test_a_random_digit_of_a_class(mnist):
    _, labels = mnist
    at = run_draw(returns(None))
    at.pills(key="draw_sample_class").set_value(3)
    app_session.rerun(at, returns(None))
    selection = current(at)
    assert selection.source == "sample" and labels[selection.index] == 3 and selection.label == 3
    assert at.pills(key="draw_sample_class").value is None  # ready for another pick
    assert (
        at.session_state["draw_sample_chooser"] == 1
    )  # and the chooser is a new one, closed (it covers a phone's canvas)


def test_a_link_with_a_sample(mnist):
    _, labels = mnist
    at = run_draw(returns(None), {"sample": "5"})
    selection = current(at)
    assert (selection.source, selection.index, selection.label) == ("sample", 5, int(labels[5]))
    assert at.session_state["draw_sample_index"] == 5
    assert "Prediction" in metrics(at)


@pytest.mark.parametrize("bad", ["abc", "-1", "10000"])
def test_a_bad_sample_link_gives_a_notice(bad):
    at = run_draw(returns(None), {"sample": bad})
    assert at.warning, "expected a notice about the link"
    assert "Prediction" not in metrics(at)
    assert any("Draw a digit" in i.value for i in at.info)


def test_the_drawing_is_shared_with_other_pages(mnist):
    """After drawing, the session's current digit is the drawing (other pages read it)."""
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[3])))
    drawn = current(at).input
    from nnviz.preprocess import preprocess

    np.testing.assert_array_equal(drawn, preprocess(canvas_image(images[3])).input)


def test_a_sample_chosen_elsewhere_is_shown_and_named_in_the_url(mnist):
    """Another page made test digit #42 current (e.g. "Open on Draw"): the page, the chooser and the URL agree."""
    from nnviz.ui import Selection

    images, labels = mnist
    at = run_draw(
        returns(None), state={"drawing": Selection(images[42].reshape(-1) / 255.0, "sample", int(labels[42]), 42)}
    )
    assert at.number_input(key="draw_sample_index").value == 42
    assert at.query_params["sample"] in ("42", ["42"])
    assert "test digit #42" in " ".join(m.value for m in at.markdown)


def test_an_unchanged_canvas_does_not_override_a_later_choice(mnist):
    """The canvas returns its last image on every rerun; only a new image makes the drawing current again."""
    from nnviz.ui import Selection

    images, _ = mnist
    drawn = canvas_image(images[0])
    at = run_draw(returns(drawn))
    assert current(at).source == "drawing"
    # something else (a photo upload, say) makes another digit current ...
    at.session_state["drawing"] = Selection(images[1].reshape(-1) / 255.0, "photo")
    at.query_params.clear()  # as set_selection would have left it: the URL names no other digit
    app_session.rerun(at, returns(drawn))  # ... and an unrelated rerun hands back the same canvas image
    assert current(at).source == "photo"
    app_session.rerun(at, returns(canvas_image(images[2])))  # a new stroke: the drawing is current again
    assert current(at).source == "drawing"


def test_an_uploaded_photo_is_shown_as_a_photo(mnist):
    from nnviz.preprocess import preprocess
    from nnviz.ui import Selection

    images, labels = mnist
    prep = preprocess(canvas_image(images[1]))
    at = run_draw(returns(None), state={"drawing": Selection(prep.input, "photo", prep=prep)})
    captions = " ".join(c.value for c in at.caption)
    assert "box of the 280×280 photo" in captions
    assert metrics(at)["Prediction"] == str(labels[1])


def _shipped_predictions(mnist) -> np.ndarray:
    images, _ = mnist
    return nnviz.load_model().predict(nnviz.mlp.as_input(images.reshape(len(images), -1)))


def test_a_test_digit_the_network_gets_wrong_is_called_a_mistake(mnist):
    """The label is known for a test digit: when the network disagrees, the page says so and links to the others."""
    _, labels = mnist
    said = _shipped_predictions(mnist)
    wrong = int(np.flatnonzero(said != labels)[0])
    at = run_draw(returns(None), {"sample": str(wrong)})
    assert metrics(at)["Prediction"] == str(said[wrong])
    text = " ".join(m.value for m in at.markdown)
    assert f"MNIST labels this digit {a_digit(labels[wrong])}, and the network says {said[wrong]}." in text
    label = f"Every {labels[wrong]} it reads as {a_digit(said[wrong])}"
    assert any(label in str(link.proto) for link in at.get("page_link"))
    # the canvas is blank: the digit being read is shown beside the prediction, and on a phone (where that
    # is a screen below) by the canvas, with what "it" is
    assert len(at.get("image")) == 1 and under_canvas(at).startswith('<img src="data:image/png;base64,')
    # (a digit both misread and unlike the test digits says so too, and the note is below)
    unlike = "; unlike the MNIST digits: see the note below" if at.warning else ""
    assert re.sub(r"^<img [^>]*>", "", under_canvas(at)) == (
        f"Test digit #{wrong} ({a_digit(labels[wrong])}): read as **{said[wrong]}** ({metrics(at)['Confidence']}"
        f"{unlike}), a mistake (it is {a_digit(labels[wrong])}). Every step is below."
    )


def test_a_test_digit_read_right_is_not_called_a_mistake(mnist):
    _, labels = mnist
    said = _shipped_predictions(mnist)
    right = int(np.flatnonzero(said == labels)[0])
    at = run_draw(returns(None), {"sample": str(right)})
    assert "A mistake" not in " ".join(m.value for m in at.markdown)


def test_a_drawing_on_the_canvas_gets_no_thumbnail(mnist):
    """The canvas shows the drawing already; only a digit from elsewhere gets a picture beside the prediction."""
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[0])))
    assert current(at).source == "drawing"
    assert len(at.get("image")) == 0
    assert "A mistake" not in " ".join(m.value for m in at.markdown)  # a drawing has no label


def _cross_canvas() -> np.ndarray:
    """An X drawn corner to corner with the canvas's pen: not a digit."""
    from PIL import ImageDraw

    image = Image.new("L", (280, 280))
    pen = ImageDraw.Draw(image)
    pen.line([(70, 60), (210, 220)], fill=255, width=18)
    pen.line([(210, 60), (70, 220)], fill=255, width=18)
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., :3] = np.asarray(image)[..., None]
    rgba[..., 3] = 255
    return rgba


def test_a_scribble_gets_an_answer_and_a_caution_with_the_numbers_behind_it(mnist):
    from nnviz.embed import CosineIndex, embed, familiarity, nearest_similarities

    cross = _cross_canvas()
    at = run_draw(returns(cross))
    model = nnviz.load_model()
    x = nnviz.preprocess(cross).input
    p = model.predict_proba(x[None])[0]
    assert metrics(at)["Prediction"] == str(p.argmax())  # softmax has no "none of these"
    index = CosineIndex(embed(model, mnist[0]))
    f = familiarity(index, nearest_similarities(index), embed(model, x[None])[0])
    assert f.share_closer >= 0.99
    (warning,) = at.warning
    assert "Unlike the MNIST digits" in warning.value
    assert (
        f"cosine similarity {f.nearest:.3f} to the nearest of the 10,000 test digits; {f.closer:,} of" in warning.value
    )
    assert any("See its nearest neighbours" in str(link.proto) for link in at.get("page_link"))
    # the network's accuracy on the test digits that lonely, and on the rest, recomputed here
    from nnviz.embed import lonely_rows

    lonely = lonely_rows(nearest_similarities(index), 0.99)
    right = model.predict(nnviz.mlp.as_input(mnist[0])) == mnist[1]
    assert (
        f"On the {lonely.sum():,} loneliest test digits (the ones this note would be shown for) it is right "
        f"{right[lonely].mean():.1%} of the time, against {right[~lonely].mean():.1%} on the others." in warning.value
    )


def test_a_digit_gets_no_caution(mnist):
    images, _ = mnist
    at = run_draw(returns(canvas_image(images[0])))
    assert not at.warning


def test_the_network_drawn_with_the_strongest_paths_of_the_live_answer(mnist):
    from plotly_json import decode, figure

    from nnviz.explain import strongest_paths

    images, _ = mnist
    at = run_draw(returns(None), query={"sample": "21"})
    assert "4. The strongest paths through the network" in [h.value for h in at.header]
    model = nnviz.load_model()
    x = images[21].reshape(-1).astype(np.float32) / 255.0
    paths = strongest_paths(model, x)  # recomputed here: the page must show these, not stale or typed numbers
    captions = " ".join(c.value for c in at.caption)
    assert (
        f"add {paths.contributions.astype(np.float64).sum():+.2f} to it, and all {paths.n_active} active neurons together {paths.active_total:+.2f}"
        in captions
    )
    frames = next(t for t in figure(at, "draw_network")["data"] if t.get("name") == "neurons")
    cell = 28 / 16
    np.testing.assert_allclose(decode(frames["x"]), (paths.neurons % 16 + 0.5) * cell)
    assert any("Red adds, blue subtracts" in m.value for m in at.markdown)
    assert [e.label for e in at.expander if e.label == "How to read this picture"]  # the full legend, folded
    assert any(pl.proto.page == "why" for pl in at.page_link)
