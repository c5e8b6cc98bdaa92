"""Figures of the "Inside the network" pages: the data behind each trace, and the click handlers."""

import numpy as np
import plotly.graph_objects as go
import pytest

from nnviz.figures import embeddings, evaluation, neurons, why
from nnviz.figures.common import DIGIT_COLOURS, a_digit
from nnviz.figures.gallery import digit_image, digit_images, neighbour_alts
from nnviz.figures.selection import point_customdata


def _is_empty(fig: go.Figure) -> bool:
    return len(fig.data) == 0 and len(fig.layout.annotations) == 1


# --- embeddings -------------------------------------------------------------------------


def _map_inputs(n=200):
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 10
    confidence = rng.random(n)
    confidence[::9] = 1.0  # float32's softmax can be 1.0 exactly
    return rng.normal(size=(n, 2)).astype(np.float32), labels, (labels + (np.arange(n) % 7 == 0)) % 10, confidence


def test_embedding_map_one_trace_per_digit_in_digit_colours():
    coords, labels, predictions, confidence = _map_inputs()
    fig = embeddings.embedding_map_figure(coords, labels, predictions, confidence, explained=np.array([0.2, 0.1]))
    # each digit in up to two traces: the network's confidence that prints as 100.0% says ">99.9%"
    assert sorted({t.name for t in fig.data}) == [str(d) for d in range(10)]
    assert sum(len(t.x) for t in fig.data) == 200
    names = fig.layout.annotations  # each cluster is labelled at its median
    assert [a.text for a in names] == [f"<b>{d}</b>" for d in range(10)]
    assert names[3].x == pytest.approx(np.median(coords[labels == 3, 0]))
    for trace in fig.data:
        d = int(trace.name)
        assert trace.marker.color == DIGIT_COLOURS[d]
        custom = np.asarray(trace.customdata)
        index = custom[:, 0].astype(int)
        np.testing.assert_array_equal(labels[index], d)  # every point is a digit of its trace's class
        np.testing.assert_allclose(np.asarray(trace.x), coords[index, 0], rtol=1e-6)
        np.testing.assert_array_equal(custom[:, 1].astype(int), predictions[index])
        np.testing.assert_allclose(custom[:, 2], np.round(100 * confidence[index], 1), rtol=1e-6)
        assert custom.dtype == np.float32  # not float64: the map carries 10,000 rows of it
        assert trace.hovertemplate.startswith(f"test digit #%{{customdata[0]}}: {a_digit(d)}<br>")
        sure = "(>99.9%)" in trace.hovertemplate
        assert (custom[:, 2] >= 100.0).all() if sure else (custom[:, 2] < 100.0).all()
    assert any("(>99.9%)" in t.hovertemplate for t in fig.data)  # the inputs include confidences of 1.0
    assert "20%" in fig.layout.xaxis.title.text


def test_embedding_map_star_and_neighbours():
    coords, labels, predictions, confidence = _map_inputs()
    fig = embeddings.embedding_map_figure(
        coords, labels, predictions, confidence, reader=np.array([0.5, -0.5]), neighbours=np.array([3, 17, 40])
    )
    halo, rings, star = fig.data[-3], fig.data[-2], fig.data[-1]
    assert rings.marker.symbol == "circle-open" and list(rings.x) == list(coords[[3, 17, 40], 0])
    # a dark ring over a light halo: one of them shows on the dark theme, the other on the light one
    assert halo.marker.symbol == "circle-open" and list(halo.x) == list(rings.x) and halo.hoverinfo == "skip"
    assert halo.marker.color == "#FFFFFF" and halo.marker.line.width > rings.marker.line.width
    assert star.marker.symbol == "star" and (star.x[0], star.y[0]) == (0.5, -0.5)


def test_embedding_map_empty():
    assert _is_empty(embeddings.embedding_map_figure(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros(0)))


def test_selected_index_reads_the_clicked_test_digit():
    assert embeddings.selected_index([{"customdata": [123, 4, 4, 99.0], "x": 1.0}]) == 123
    assert embeddings.selected_index([{"customdata": [embeddings.READER]}]) is None  # the star is not a test digit
    assert embeddings.selected_index([]) is None and embeddings.selected_index(None) is None
    assert embeddings.selected_index([{"x": 1}, {"customdata": ["bad"]}, {"customdata": [7]}]) == 7
    # a NumPy customdata row arrives from the browser as {"0": ..., "1": ...}
    assert embeddings.selected_index([{"customdata": {"0": 55, "1": 3, "2": 3, "3": 99.5}}]) == 55


def test_point_customdata_formats():
    assert point_customdata({"customdata": {"10": "c", "2": "b", "0": "a"}}) == ["a", "b", "c"]  # numeric key order
    assert point_customdata({"customdata": (1, 2)}) == [1, 2]
    assert point_customdata({"customdata": 5}) == [5]
    assert point_customdata({"x": 1}) == [] and point_customdata({"customdata": {"a": 1}}) == []


def test_vote_figure_outlines_the_network_answer():
    counts = np.array([0, 0, 0, 6, 0, 4, 0, 0, 0, 0])
    fig = embeddings.vote_figure(counts, 3)
    assert list(fig.data[0].y) == counts.tolist()
    assert fig.data[0].marker.line.width[3] > 0 and fig.data[0].marker.line.width[5] == 0
    (marker,) = fig.layout.annotations  # and a ▼ in the theme's text colour, which a dark page does not hide
    assert (marker.text, marker.x, marker.y, marker.font.color) == ("▼", "3", 6.0, None)
    assert fig.layout.yaxis.range[1] > 6.5  # inside the plot
    assert fig.layout.yaxis.dtick == 2  # whole votes, and a readable number of them
    assert embeddings.vote_figure(np.array([0, 0, 0, 4, 0, 1, 0, 0, 0, 0]), 3).layout.yaxis.dtick == 1
    assert embeddings.vote_figure(np.array([0, 0, 0, 48, 0, 2, 0, 0, 0, 0]), 3).layout.yaxis.dtick == 10
    assert _is_empty(embeddings.vote_figure(np.zeros(10), 3))


def test_map_summary_states_the_data():
    text = embeddings.map_summary(np.array([0.25, 0.125]), 10_000, 128, 7)
    assert "10,000" in text and "128" in text and "38%" in text and "a 7" in text


def test_map_summaries_state_what_each_map_keeps():
    pca = embeddings.map_summary(np.array([0.25, 0.125]), 10_000, 128, 7, kept=0.0312, k=10, reader_name="your drawing")
    assert (
        "of each digit's 10 nearest neighbours in the full space (by cosine similarity), 3% are among its 10 nearest on this map"
        in pca
    )
    assert "The star is your drawing; its nearest neighbour is a 7." in pca
    placed = embeddings.tsne_summary(10_000, 128, 0.4729, 0.0312, 3, star="placed", placed_among=5)
    assert "rough guess" not in placed
    agreed = embeddings.tsne_summary(10, 128, 0.5, None, 3, star="placed", placed_labels=np.array([3, 3, 3, 3, 3]))
    assert "rough guess" not in agreed
    split = embeddings.tsne_summary(10, 128, 0.5, None, 3, star="placed", placed_labels=np.array([3, 2, 5, 3, 2]))
    assert split.endswith(
        " Those 5 are 2s, 3s and 5s, and t-SNE keeps each digit mostly to a cluster of its own: the star's place "
        "between them is only a rough guess."
    )
    assert "47% are among its 10 nearest here (on the PCA map, 3%)" in placed
    assert "mean position of its 5 nearest test digits" in placed and "nearest neighbour is a 3" in placed
    sample = embeddings.tsne_summary(10, 128, 0.5, None, 0, star="test digit", reader_name="test digit #445 (a 6)")
    assert "The star is test digit #445 (a 6), where t-SNE put it; its nearest neighbour is a 0." in sample
    assert "PCA map" not in sample
    none = embeddings.tsne_summary(10, 128, 0.5, 0.1, None, star="none", silent=True, reader_name="your drawing")
    assert none.endswith("Your drawing has no place here: no hidden neuron fired for it.")
    with pytest.raises(ValueError, match="star"):
        embeddings.tsne_summary(10, 128, 0.5, 0.1, star="somewhere")


def test_a_map_that_is_not_pca_gets_its_own_axis_titles():
    fig = embeddings.embedding_map_figure(*_map_inputs(), axis_titles=("t-SNE 1", "t-SNE 2"))
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("t-SNE 1", "t-SNE 2")


@pytest.mark.parametrize("explained", [(0.114, 0.104), (0.25, 0.125), (0.4449, 0.0049), (0.106, 0.104)])
def test_the_axes_shares_of_the_variance_add_up_to_the_total_as_printed(explained):
    first, second, total = embeddings.explained_percents(np.array(explained))
    assert int(first) + int(second) == int(total) == round(100 * sum(explained))
    fig = embeddings.embedding_map_figure(*_map_inputs(), explained=np.array(explained))
    assert f"({first}% of variance)" in fig.layout.xaxis.title.text
    assert f"({second}% of variance)" in fig.layout.yaxis.title.text
    assert f"keep {total}% of the variance" in embeddings.map_summary(np.array(explained), 10, 128)


# --- evaluation -------------------------------------------------------------------------


def _confusion():
    cm = np.diag(np.full(10, 90))
    cm[4, 9], cm[7, 2], cm[3, 5] = 12, 5, 3
    return cm


def test_confusion_figure_mistakes_coloured_diagonal_grey_every_cell_clickable():
    cm = _confusion()
    fig = evaluation.confusion_figure(cm, selected=(4, 9))
    mistakes, correct, cells = fig.data
    z = np.asarray(mistakes.z, dtype=float)
    assert np.all(np.isnan(np.diag(z))) and z[4, 9] == 12 and np.nansum(z) == 20
    np.testing.assert_array_equal(np.diag(np.asarray(correct.z, dtype=float)), 90)
    custom = np.asarray(cells.customdata)
    assert custom.shape == (100, 3)
    np.testing.assert_array_equal(custom[:, 2], cm.reshape(-1))
    row = custom[(custom[:, 0] == 4) & (custom[:, 1] == 9)][0]
    assert row[2] == 12
    hover = dict(zip(map(tuple, custom[:, :2].tolist()), cells.text, strict=True))  # the count in words
    assert (hover[(4, 9)], hover[(0, 0)], hover[(0, 1)]) == ("12 digits", "90 digits", "0 digits")
    one = cm.copy()
    one[2, 7] = 1
    ones = evaluation.confusion_figure(one).data[2]
    assert (
        dict(zip(map(tuple, np.asarray(ones.customdata)[:, :2].tolist()), ones.text, strict=True))[(2, 7)] == "1 digit"
    )
    (shape,) = fig.layout.shapes  # the selected cell is outlined
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (8.5, 9.5, 3.5, 4.5)


def test_cell_from_selection():
    assert evaluation.cell_from_selection([{"customdata": [4, 9, 12], "x": 9, "y": 4}]) == (4, 9)
    assert evaluation.cell_from_selection([{"x": 2, "y": 7}]) == (7, 2)  # y is the true digit
    assert evaluation.cell_from_selection([]) is None and evaluation.cell_from_selection(None) is None
    assert evaluation.cell_from_selection([{"customdata": "junk"}]) is None
    assert evaluation.cell_from_selection([{"customdata": {"0": 3, "1": 5, "2": 8}}]) == (3, 5)


def test_confusion_figure_empty_and_summary():
    assert _is_empty(evaluation.confusion_figure(np.zeros((10, 10), int)))
    text = evaluation.confusion_summary(_confusion())
    assert "20 mistakes out of 920" in text and "a 4 read as a 9 (12 times)" in text
    once = np.diag(np.full(10, 90))
    once[8, 3] = 1
    assert "an 8 read as a 3 (1 time)." in evaluation.confusion_summary(once)
    assert evaluation.mistakes_heading(1, 8, 3) == "Just once, an 8 was read as a 3"
    assert evaluation.mistakes_heading(0, 8, 3) == "No 8 was read as a 3"
    assert evaluation.mistakes_heading(12, 4, 9) == "12 times a 4 was read as a 9, most confident mistakes first"
    assert evaluation.confusion_summary(np.diag(np.full(10, 5))).startswith("No mistakes")


def test_per_digit_figure():
    acc = np.linspace(0.9, 0.99, 10)
    fig = evaluation.per_digit_figure(acc, np.full(10, 100))
    np.testing.assert_allclose(fig.data[0].y, acc)
    assert list(fig.data[0].marker.color) == DIGIT_COLOURS
    assert fig.layout.yaxis.range[0] == pytest.approx(0.85)
    assert max(fig.layout.yaxis.tickvals) == 1.0 == fig.layout.yaxis.range[1]  # no "102%" tick
    assert fig.data[0].textposition == "inside" and fig.data[0].textangle == -90  # ten labels fit side by side
    for low in (0.0, 0.3, 0.6, 0.97):
        ticks = evaluation.per_digit_figure(np.full(10, low), np.full(10, 100)).layout.yaxis.tickvals
        assert 2 <= len(ticks) <= 7 and max(ticks) == 1.0
    assert evaluation.per_digit_summary(acc).startswith("Hardest digit: 0 (90.0% right)")
    assert evaluation.per_digit_summary(acc).endswith(" The axis starts at 85%, not 0, so the differences show.")
    # 5 points below the hardest digit, down to a whole percent: the caption says where it really starts
    hardest = np.full(10, 0.995)
    hardest[9] = 0.979
    assert evaluation.per_digit_figure(hardest, np.full(10, 100)).layout.yaxis.range[0] == pytest.approx(0.92)
    assert "The axis starts at 92%, not 0" in evaluation.per_digit_summary(hardest)
    # a network near chance: the axis starts at 0, and the caption does not say otherwise
    chance = np.array([0.0, 1.0, 0, 0, 0, 0, 0, 0, 0, 0])
    assert evaluation.per_digit_figure(chance, np.full(10, 100)).layout.yaxis.range[0] == 0
    assert evaluation.per_digit_summary(chance) == "Hardest digit: 0 (0.0% right); easiest: 1 (100.0%)."


# --- neurons ---------------------------------------------------------------------------


def test_ablation_figure_ranks_and_flags_dead():
    drops = np.array([0.001, -0.0002, 0.0, 0.0015, 0.0])
    dead = np.array([False, False, True, False, False])
    fig = neurons.ablation_figure(drops, dead, 10_000, selected=3)
    bars = fig.data[0]
    assert list(bars.x) == ["#3", "#0", "#2", "#4", "#1"]  # most needed first, ties in neuron order
    assert list(bars.y) == [15, 10, 0, 0, -2]  # digits lost
    assert bars.marker.color[2] == neurons.DEAD and bars.marker.color[0] == neurons.NEEDED
    assert bars.marker.color[4] == neurons.HARMFUL
    assert bars.marker.line.width[0] > 0 and bars.marker.line.width[1] == 0  # the selected neuron
    flags, chosen = fig.data[1:]
    assert list(flags.x) == ["#2"]
    # and a pointer above it, in a colour no bar has; a tap on it picks the same neuron
    assert list(chosen.x) == ["#3"] and chosen.y[0] > 15 and chosen.marker.color == neurons.CHOSEN
    assert neurons.CHOSEN not in (neurons.NEEDED, neurons.HARMFUL, neurons.NEUTRAL, neurons.DEAD)
    assert neurons.neuron_from_selection([{"customdata": list(chosen.customdata[0])}]) == 3
    assert len(neurons.ablation_figure(drops, dead, 10_000).data) == 2  # nothing chosen, no pointer
    assert neurons.neuron_from_selection([{"customdata": [3.0, 1.0, 0.15]}]) == 3
    assert neurons.neuron_from_selection([]) is None
    assert neurons.neuron_from_selection([{"customdata": {"0": 12.0, "1": 4.0, "2": 0.1}}]) == 12


def test_ablation_summary():
    text = neurons.ablation_summary(np.array([0.001, 0.0, -0.0001]), np.array([False, True, False]), 10_000)
    assert "neuron 0 costs the most: 10 of 10,000" in text and "1 never fires" in text and "1 gain" in text
    assert "1 of 3 neurons loses digits when silenced" in text
    assert "no single neuron is essential: losing the most needed one costs 0.1% of the digits" in text
    # a neuron that holds 3% of the answers is not "spread over many"
    assert "essential" not in neurons.ablation_summary(np.array([0.03, 0.0, 0.0]), np.zeros(3, bool), 10_000)
    # no neuron needed (a network whose ReLUs died): not "Silencing neuron 0 costs the most: 0"
    dead = np.array([True, True, False])
    text = neurons.ablation_summary(np.array([0.0, 0.0, -0.0002]), dead, 10_000)
    assert text.startswith("Silencing any one of the 3 neurons loses no test digit; silencing 1 of them even gains")
    assert "costs the most" not in neurons.ablation_summary(np.zeros(3), dead, 10_000)


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.31, "31%"), (0.0003, "3 of 10,000"), (0.9997, "9,997 of 10,000"), (0.0, "0%"), (1.0, "100%")],
)
def test_firing_share_never_rounds_to_none_or_all(share, text):
    assert neurons.firing_share(share, 10_000) == text


def test_preference_summary_counts_only_neurons_that_fire():
    assert neurons.preference_summary(np.array([3, 3, 5]), np.zeros(3, bool)) == (
        "More neurons prefer 3s than any other digit."
    )
    # dead neurons' mean activations are all 0, so their argmax says 0: they are left out
    preferred, dead = np.array([0, 0, 0, 7]), np.array([True, True, True, False])
    assert neurons.preference_summary(preferred, dead) == "The one neuron that fires at all prefers 7s."
    dead[1] = False
    assert neurons.preference_summary(preferred, dead) == (
        "Of the 2 neurons that fire at all, 0s and 7s tie for the most neurons (1 each)."
    )
    dead[2] = False
    assert neurons.preference_summary(preferred, dead) == (
        "Of the 3 neurons that fire at all, more prefer 0s than any other digit."
    )
    assert neurons.preference_summary(preferred, np.ones(4, bool)) == "No neuron fires for any test digit."


def test_mean_activation_heatmap_groups_neurons_by_preferred_digit():
    means = np.zeros((10, 4))
    means[7, 0], means[2, 1], means[2, 2], means[0, 3] = 1.0, 0.5, 0.9, 0.3
    order = neurons.preference_order(means)
    assert order.tolist() == [3, 2, 1, 0]  # digit 0's neuron, then digit 2's (strongest first), then digit 7's
    fig = neurons.mean_activation_figure(means)
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), means[:, order])
    np.testing.assert_array_equal(np.asarray(fig.data[0].customdata)[0], [3, 2, 1, 0])  # hover names the neuron
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 1.0)
    dead = neurons.mean_activation_figure(np.zeros((10, 4))).data[0]
    assert (dead.zmin, dead.zmax) == (0, 1.0)  # all zeros: a scale from 0 up, never below (ReLU)


def test_neuron_profile_figure():
    fig = neurons.neuron_profile_figure(np.arange(10.0), 5)
    assert list(fig.data[0].y) == list(range(10)) and "Neuron 5" in fig.layout.title.text


# --- why -------------------------------------------------------------------------------


def test_waterfall_steps_sum_to_the_logit():
    rng = np.random.default_rng(0)
    active = rng.random(40) > 0.4
    contributions = np.where(active, rng.normal(size=40), 0.0)
    logit = contributions.sum() + 0.3
    fig = why.waterfall_figure(contributions, active, 0.3, logit, 7, top=5)
    trace = fig.data[0]
    assert list(trace.measure) == ["relative"] * 7 + ["total"]
    assert trace.y[5] == f"other {int(active.sum()) - 5} active neurons" and trace.y[-2] == "output bias b2"
    np.testing.assert_allclose(sum(trace.x[:-1]), trace.x[-1])  # the running sum lands on the logit
    shown = [int(label.split()[1]) for label in trace.y[:5]]
    assert all(active[shown])
    mags = np.abs(contributions[shown])
    assert np.all(np.diff(mags) <= 0)  # largest first, and they are the 5 largest
    assert mags[-1] == np.sort(np.abs(contributions[active]))[-5]


def test_attribution_map_is_symmetric_around_zero():
    values = np.linspace(-1, 3, 784)
    fig = why.attribution_figure(values, title="x")
    heat = fig.data[0]
    assert np.asarray(heat.z).shape == (28, 28)
    assert heat.zmin == -3 and heat.zmax == 3 and heat.zmid == 0
    assert _is_empty(why.attribution_figure(np.zeros(5), title="x"))


def test_why_summaries():
    contributions = np.array([1.0, -0.5, 0.0, 2.0])
    active = np.array([True, True, False, True])
    text = why.waterfall_summary(contributions, active, 0.25, 2.75)
    assert "3 of 4 neurons fired" in text and "2 push this logit up (by +3.00" in text
    assert "1 pushes it down (-0.50)" in text and text.endswith("The other one is silent and adds exactly 0.")
    every = why.waterfall_summary(contributions, np.ones(4, bool), 0.25, 2.75)
    assert "1 pushes it down" in every and "silent" not in every  # all 4 fired: no "other 0"
    many = why.waterfall_summary(np.array([1.0, 2.0, 0.0, 0.0]), np.array([True, True, False, False]), 0.0, 3.0)
    assert "0 push it down" in many and many.endswith("The other 2 are silent and add exactly 0.")
    x = np.zeros(784)
    x[:3] = 1.0
    att = np.zeros(784)
    att[:3] = [1.0, -0.25, 0.5]
    assert "the 3 inked pixels" in why.attribution_summary(att, x, 0.5, 1.75)
    one = why.attribution_summary(att[:1].tolist() + [0.0] * 783, x[:1].tolist() + [0.0] * 783, 0.5, 1.5)
    assert (
        one
        == "Only the one inked pixel can count (x = 0 elsewhere): it adds +1.00; with the effective bias +0.50 that is the logit 1.50."
    )


def test_why_when_no_neuron_fired():
    # a network whose ReLUs have died (the Learn page's Adam at lr 1 leaves 9,914 of the test digits so)
    silent = np.zeros(4, bool)
    text = why.waterfall_summary(np.zeros(4), silent, 0.39, 0.39)
    assert text == "None of the 4 neurons fired, so every one adds exactly 0: the logit is the output bias alone, 0.39."
    fig = why.waterfall_figure(np.zeros(4), silent, 0.39, 0.39, 7, top=5)
    assert list(fig.data[0].y) == ["output bias b2", "logit"]  # no neuron bars, no "other -5 active neurons"
    x = np.zeros(784)
    x[:3] = 1.0
    line = why.attribution_summary(np.zeros(784), x, 0.39, 0.39)
    assert "no hidden neuron fired, so w_eff is 0 at every pixel" in line and "+0.00 and +0.00" not in line
    assert "no pixel is inked" in why.attribution_summary(np.zeros(784), np.zeros(784), 0.39, 0.39)


# --- gallery ---------------------------------------------------------------------------


def test_digit_image_upscales_nearest_neighbour():
    x = np.zeros(784, dtype=np.float32)
    x[28 * 2 + 5] = 1.0  # row 2, column 5
    img = digit_image(x, scale=3)
    assert img.shape == (84, 84) and img.dtype == np.uint8
    assert np.all(img[6:9, 15:18] == 255) and img.sum() == 9 * 255
    images = np.zeros((4, 28, 28), np.uint8)
    images[2] = 7
    assert [im.max() for im in digit_images(images, [2, 0])] == [7, 0]


def test_each_neighbour_picture_is_named_for_a_screen_reader():
    labels = np.array([3, 8, 7, 0])
    alts = neighbour_alts(labels, np.array([2, 1]), np.array([0.91249, 0.5]), "raw pixels")
    assert alts == [
        "Neighbour 1 by raw pixels: test digit #2, a 7, cosine similarity 0.912",
        "Neighbour 2 by raw pixels: test digit #1, an 8, cosine similarity 0.500",
    ]


def test_the_unfamiliar_note_comes_only_past_99_percent():
    from nnviz.embed import Familiarity

    lonely = Familiarity(nearest=0.6741, closer=9_987, total=10_000, searched=10_000)
    note = embeddings.unfamiliar_note(lonely, dims=128, prediction=1, probability=0.578)
    assert note.startswith("**Unlike the MNIST digits.**")
    assert note.startswith("**Unlike the MNIST digits.** The network answers anyway, 57.8% for a 1:")
    assert note.endswith(
        " The numbers: its embedding (the 128 hidden activations) has cosine similarity 0.674 to the nearest of "
        "the 10,000 test digits; 9,987 of the 10,000 test digits have a nearer neighbour of their own."
    )
    just_under = Familiarity(nearest=0.75, closer=9_899, total=10_000, searched=10_000)
    assert embeddings.unfamiliar_note(just_under, dims=128, prediction=1, probability=0.9) is None
    assert embeddings.unfamiliar_note(None, dims=128, prediction=1, probability=0.9) is None  # a zero embedding
    test_digit = Familiarity(nearest=0.6, closer=9_990, total=10_000, searched=9_999)  # its own row left out
    assert "the nearest of the other 9,999 test digits" in embeddings.unfamiliar_note(
        test_digit, dims=16, prediction=3, probability=1.0
    )
    assert "anyway, >99.9999% for a 3:" in embeddings.unfamiliar_note(
        test_digit, dims=16, prediction=3, probability=1.0
    )


def test_the_familiarity_summary_says_lonely_only_when_it_is():
    from nnviz.embed import Familiarity

    usual = embeddings.familiarity_summary(Familiarity(0.912, 3_210, 10_000, 9_999))
    assert usual == (
        "An outlier check by nearest neighbour: its nearest embedding among the other 9,999 test digits has "
        "similarity 0.912, and 3,210 of the 10,000 test digits have a nearer neighbour of their own, so it is "
        "lonelier than 32.1% of them. Not an outlier: this check draws the line at 99%."
    )
    # just short of the line: rounded down, never shown as the 99% it has not reached
    near = embeddings.familiarity_summary(Familiarity(0.736, 9_899, 10_000, 9_999))
    assert near.endswith("lonelier than 98.9% of them. Not an outlier: this check draws the line at 99%.")
    lonely = embeddings.familiarity_summary(Familiarity(0.674, 9_987, 10_000, 10_000))
    assert "among the 10,000 test digits" in lonely and lonely.endswith("an outlier, unlike the MNIST digits.")
    assert "and 1 of the 10,000 test digits has a nearer neighbour" in embeddings.familiarity_summary(
        Familiarity(0.99, 1, 10_000, 9_999)
    )
    edge = embeddings.familiarity_summary(Familiarity(0.7, 9_900, 10_000, 10_000))  # exactly 99%: an outlier
    assert edge.endswith("an outlier, unlike the MNIST digits.")


def test_the_unfamiliar_note_says_how_the_network_does_on_digits_that_lonely():
    from nnviz.embed import Familiarity

    lonely = Familiarity(nearest=0.6741, closer=9_987, total=10_000, searched=10_000)
    accuracy = embeddings.LonelyAccuracy(100, 0.89, 0.98818)
    note = embeddings.unfamiliar_note(lonely, dims=128, prediction=1, probability=0.578, accuracy=accuracy)
    assert (
        "has no 'none of these'. On the 100 loneliest test digits (the ones this note would be shown for) it is "
        "right 89.0% of the time, against 98.8% on the others. The numbers:" in note
    )
    none = embeddings.LonelyAccuracy(0, float("nan"), 0.99)
    assert "loneliest" not in embeddings.unfamiliar_note(lonely, dims=128, prediction=1, probability=0.5, accuracy=none)
