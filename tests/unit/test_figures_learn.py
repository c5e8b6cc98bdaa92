"""The Learn page's figures: the data behind each trace, symmetric weight scales, empty inputs."""

import numpy as np
import plotly.graph_objects as go
import pytest

import nnviz
from nnviz.backprop import backprop_step
from nnviz.figures import common
from nnviz.figures import learn as figs
from nnviz.figures.draw import format_probability
from nnviz.landscape import Landscape, landscape, parameter_vector
from nnviz.mlp import MLP, as_input


def is_empty(fig: go.Figure, text: str) -> bool:
    return len(fig.data) == 0 and any(text in a.text for a in fig.layout.annotations)


def test_loss_curve_plots_the_history():
    epoch, loss = np.array([0.1, 0.5, 1.0]), np.array([2.0, 0.8, 0.3])
    fig = figs.loss_figure(epoch, loss)
    assert len(fig.data) == 1
    np.testing.assert_array_equal(fig.data[0].x, epoch)
    np.testing.assert_array_equal(fig.data[0].y, loss)
    assert "loss" in fig.data[0].hovertemplate
    assert figs.loss_summary(epoch, loss) == "Training loss fell from 2.000 to 0.300 over 1.00 epochs."
    # a learning rate too large: the curve climbs, and the words say so
    assert figs.loss_summary(epoch, loss[::-1]) == (
        "Training loss rose from 0.300 to 2.000 over 1.00 epochs: the steps made the network worse, not better."
    )
    flat = np.array([2.3026, 2.3031, 2.3029])
    assert figs.loss_summary(epoch, flat).startswith("Training loss stayed at 2.303 over 1.00 epochs")
    assert is_empty(figs.loss_figure(np.array([]), np.array([])), "Start")


def test_accuracy_curve_in_percent_with_the_final_line():
    epoch = np.array([0.5, 1.0])
    fig = figs.accuracy_figure(epoch, np.array([0.8, 0.9]), np.array([0.85, 0.95]), final=0.9612)
    assert [t.name for t in fig.data] == ["training batches", "test images"]
    np.testing.assert_allclose(fig.data[1].y, [85.0, 95.0])
    assert any(s.y0 == pytest.approx(96.12) for s in fig.layout.shapes)
    # every point of both curves inside the axis, the lower one a training batch's
    low, high = fig.layout.yaxis.range
    assert low <= 80.0 and high >= 95.0
    fig = figs.accuracy_figure(epoch, np.array([0.576, 0.9]), np.array([0.821, 0.95]))
    assert fig.layout.yaxis.range[0] <= 57.6
    assert "96.12%" in figs.accuracy_summary(np.array([0.95]), final=0.9612, n_test=10_000)
    assert "10,000" in figs.accuracy_summary(np.array([0.95]), final=0.9612, n_test=10_000)
    assert "95.00% on 2,000" in figs.accuracy_summary(np.array([0.95]), eval_size=2000, n_test=10_000)
    assert is_empty(figs.accuracy_figure(np.array([]), np.array([]), np.array([])), "Start")


def tiles(fig: go.Figure, trace: go.Heatmap, n: int) -> list[np.ndarray]:
    """Cut the mosaic heatmap back into its 28x28 tiles, at the positions of the title trace."""
    titles = next(t for t in fig.data if t.name == "titles")
    z = np.asarray(trace.z, float)
    out = []
    for x, y in zip(titles.x[-n:], titles.y[-n:], strict=True):
        top, left = round(y + 0.5), round(x - 13.5)
        out.append(z[top : top + 28, left : left + 28])
    return out


def test_neuron_strip_is_one_heatmap_on_one_symmetric_scale():
    rng = np.random.default_rng(0)
    weights = rng.normal(0, 0.1, (8, 784)).astype(np.float32)
    weights[3, 5] = -0.9
    neurons = np.arange(0, 80, 10)
    fig = figs.neuron_strip_figure(weights, neurons)
    heatmaps = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == 1  # one trace, not eight subplots: it redraws while training
    h = heatmaps[0]
    assert (h.zmin, h.zmax) == pytest.approx((-0.9, 0.9))
    assert h.colorscale == go.Heatmap(colorscale=common.DIVERGING).colorscale
    for i, tile in enumerate(tiles(fig, h, 8)):
        np.testing.assert_array_equal(tile, weights[i].reshape(28, 28))
    titles = next(t for t in fig.data if t.name == "titles")
    assert list(titles.text) == [f"neuron {n}" for n in neurons]
    # hover knows which neuron and pixel each cell is
    custom = np.asarray(h.customdata)
    z = np.asarray(h.z, float)
    r, c = np.argwhere(z == np.float32(-0.9))[0]
    assert list(custom[r, c]) == [30, 0, 5]
    assert np.isnan(z).any() and h.hoverongaps is False  # gaps between tiles, not hoverable
    assert is_empty(figs.neuron_strip_figure(np.zeros((0, 784)), np.array([])), "No neurons")


@pytest.fixture(scope="module")
def step():
    net = MLP.init(32, seed=1)
    x = np.zeros(784, np.float32)
    x[300:420] = 1.0  # a bar of ink
    return backprop_step(net, x, 3, lr=0.1, top=4)


def test_output_error_bars_coloured_by_sign(step):
    fig = figs.output_error_figure(step.output_error, 3)
    bar = fig.data[0]
    np.testing.assert_allclose(bar.y, step.output_error)  # errors of 0.01 and more: the axis is p - y itself
    assert fig.layout.yaxis.title.text == "p − y"
    assert bar.marker.color[3] == figs.NEGATIVE  # the true digit is pushed up
    assert all(c == figs.POSITIVE for i, c in enumerate(bar.marker.color) if i != 3)
    text = figs.output_error_summary(step.output_error, 3)
    assert f"The true digit 3 gets {figs.error_text(step.output_error[3], 3)} (pushed up)" in text
    big = np.abs(step.output_error) >= figs.LABEL_SHARE * np.abs(step.output_error).max()
    assert list(bar.text) == [figs.error_text(v, 2) if b else "" for v, b in zip(step.output_error, big, strict=True)]


def test_a_sure_digits_tiny_output_error_is_printed_not_rounded_to_zero():
    err = np.full(10, 2e-7)
    err[7] = -1.8e-5  # p(7) = 0.999982: the size of the error on a digit the network is sure of
    err[1] = 1.8e-5 - 8 * 2e-7  # the ten add up to 0
    fig = figs.output_error_figure(err, 7)
    bar = fig.data[0]
    # the axis in units of 1e-5, so the bars have height and the labels two digits
    assert fig.layout.yaxis.title.text == "p − y  (× 10<sup>−5</sup>)"
    np.testing.assert_allclose(bar.y, err * 1e5)
    np.testing.assert_array_equal(bar.customdata, err)  # the hover shows the value itself
    assert bar.text[7] == "-1.8" and bar.text[1] == "+1.6"
    assert bar.text[0] == ""  # 1% of the largest: left to the hover
    assert "The true digit 7 gets -0.000018 (pushed up)" in figs.output_error_summary(err, 7)  # float32's last digit


def test_the_output_errors_add_up_to_zero_and_the_summary_says_why():
    err = np.array([0.25, -0.5, 0.25, 0, 0, 0, 0, 0, 0, 0], np.float32)  # sums exactly
    assert "add up to 0, as the probabilities and y each add up to 1 (exactly, here)." in figs.output_error_summary(
        err, 1
    )
    err[0] = np.nextafter(err[0], np.float32(1))  # one float32 step, what rounding leaves in a real p - y
    left = float(err.astype(np.float64).sum())
    assert left > 0 and f"(float32 rounding leaves +{left:.1e})." in figs.output_error_summary(err, 1)


def test_a_step_too_small_for_float32_p_is_told_from_the_loss():
    before, after = np.r_[0.99998, np.full(9, 2e-6)], np.r_[0.99998, np.full(9, 2e-6)]
    loss, loss_after = 1.8008e-5, 1.8006e-5  # the loss (exact, from the logits) did move
    line = figs.before_after_summary(before, after, 0, loss, loss_after)
    change = np.exp(-loss_after) - np.exp(-loss)
    assert line.startswith(f"p(0) stayed at 99.998% to the digits shown (p rose by {change:.2g});")
    assert "from 1.8008e-05 to 1.8006e-05 (-2e-09)." in line
    assert figs.before_after_summary(before, after, 0, loss, loss) == (
        "p(0) stayed at 99.998%; the loss −log p(0) stayed at 1.801e-05."
    )


def test_a_step_that_changes_nothing_says_why(certain_three):
    # a 3 with float32 p(3) = 1.0, so p - y is 0 for the 3 and ~1e-8 for the others; at lr 0.01
    # every update is ~1e-9, which rounds away in all but a few weights, and no logit changes
    images, _ = nnviz.load_mnist("test")
    net = nnviz.load_model()
    i = certain_three
    step = backprop_step(net, as_input(images[i : i + 1])[0], 3, lr=0.01)
    assert step.probabilities[3] == 1.0 and step.output_error[3] == 0.0 and step.loss_after == step.loss > 0
    assert 0 < step.changed < 1000 and step.changed == np.count_nonzero(step.model_after.flat != net.flat)
    assert step.largest_update == pytest.approx(0.01 * np.abs(step.gradients.flat).max())
    text = figs.output_error_summary(step.output_error, 3)
    assert text.startswith("The true digit 3 gets 0: float32 rounds p(3) to exactly 1, so its own score gets no push;")
    assert "(pushed up)" not in text and "+0.000000" not in text  # the wrong digits' errors in e-notation
    line = figs.unchanged_step_summary(step.changed, net.n_params, step.largest_update)
    assert f"changed only {step.changed:,} of the 101,770 numbers" in line and f"{step.largest_update:.2g})" in line
    assert "none of the 101,770" in figs.unchanged_step_summary(0, 101_770, 1e-12)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1.80126e-05, 1.80102e-05, ("1.8013e-05", "1.8010e-05")),
        (0.0002120, 0.0002116, ("0.0002120", "0.0002116")),  # trailing zero kept: four digits each
        (0.1672, 1.449e-24, ("0.1672", "1.449e-24")),
        (0.5, 0.5, ("0.5000", "0.5000")),
    ],
)
def test_loss_pair_tells_before_from_after(a, b, expected):
    assert figs.loss_pair(a, b) == expected


@pytest.mark.parametrize(
    ("v", "significant", "text"),
    [
        (-0.19512, 3, "-0.195"),
        (0.19512, 2, "+0.20"),
        (-0.00933, 3, "-0.00933"),
        (-3.6e-5, 3, "-0.000036"),
        (0.0, 3, "0"),
        (3.6e-8, 3, "+3.60e-08"),  # a wrong digit's p, which float32 holds: not "+0.000000"
        (-6e-8, 2, "-6.0e-08"),
    ],
)
def test_error_text(v, significant, text):
    assert figs.error_text(v, significant) == text


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (0.8048, 0.9872, ("80.5%", "98.7%")),
        (0.999067, 0.999075, ("99.9067%", "99.9075%")),  # a small step on a digit it is sure of
        (0.5, 0.5, ("50.0%", "50.0%")),
        (0.9996, 1.0, ("99.96%", ">99.9999%")),  # float32's 1.0 is a rounding, never certain
        (0.846, 1.0, ("84.6%", ">99.9999%")),
        (0.999999991, 0.999999992, ("99.999999%", "99.999999%")),  # apart beyond six decimals
    ],
)
def test_probability_pair_tells_before_from_after(a, b, expected):
    assert figs.probability_pair(a, b) == expected


def test_before_after_bars(step):
    fig = figs.before_after_figure(step.probabilities, step.probabilities_after, 3, lr=0.1)
    assert len(fig.data) == 2 and fig.layout.barmode == "group"
    np.testing.assert_allclose(fig.data[0].y, step.probabilities)
    np.testing.assert_allclose(fig.data[1].y, step.probabilities_after)
    assert list(fig.data[1].customdata) == [format_probability(v) for v in step.probabilities_after]  # the hover
    assert "0.1" in fig.data[1].name
    line = figs.before_after_summary(step.probabilities, step.probabilities_after, 3, step.loss, step.loss_after)
    p, p_after = figs.probability_pair(step.probabilities[3], step.probabilities_after[3])
    assert f"went from {p} to {p_after};" in line and f"to {step.loss_after:.4g} (" in line
    assert f"({step.loss_after - step.loss:+.3g})" in line


def test_gradient_images_are_the_input_then_symmetric_gradients(step):
    dz1 = step.dz1[step.neurons]
    fig = figs.gradient_figure(step.x, step.dW1, dz1, step.neurons)
    image, grads = fig.data[0], fig.data[1]
    np.testing.assert_array_equal(np.asarray(image.z), step.x.reshape(28, 28))
    assert image.colorscale == go.Heatmap(colorscale=common.GREYS).colorscale
    m = np.abs(step.dW1).max()
    assert grads.zmin == pytest.approx(-m) and grads.zmax == pytest.approx(m)
    found = tiles(fig, grads, len(step.neurons) + 1)
    titles = next(t for t in fig.data if t.name == "titles")
    # the input sits exactly over the first (blank) tile of the mosaic
    assert np.isnan(found[0]).all()
    assert (image.x0, image.y0) == (round(titles.x[0] - 13.5), round(titles.y[0] + 0.5))
    for i, tile in enumerate(found[1:]):
        np.testing.assert_allclose(tile, step.dW1[i].reshape(28, 28), rtol=1e-6)
    assert titles.text[0] == "the input<br>x" and titles.text[1].startswith(f"neuron {step.neurons[0]}<br>x · (")
    # the hover's numbers: neuron, pixel row and column, dz1; float32, half of float64's bytes to the browser
    custom = np.asarray(grads.customdata)
    assert custom.dtype == np.float32
    first = custom[custom[..., 0] == step.neurons[0]]
    assert len(first) == 784 and sorted({(r, c) for r, c in first[:, 1:3].astype(int)}) == [
        (r, c) for r in range(28) for c in range(28)
    ]
    np.testing.assert_allclose(first[:, 3], dz1[0], rtol=1e-6)
    line = figs.gradient_summary(dz1, step.neurons, step.identity_error, step.active, 32)
    assert f"{step.active} of 32" in line
    assert is_empty(figs.gradient_figure(step.x, np.zeros((0, 784)), np.array([]), np.array([])), "No neuron")
    none = figs.gradient_summary(np.array([]), np.array([]), 0.0, 0, 32)
    assert none.startswith("None of the 32 hidden neurons fired") and "moves only the 10 output biases b2" in none
    # three significant digits each, trailing zeros kept: "+0.130", not "+0.13" beside "-0.173"
    assert "5 (+0.130), 9 (-0.173)" in figs.gradient_summary(np.array([0.13, -0.173]), np.array([5, 9]), 0.0, 2, 32)
    lone = figs.gradient_summary(np.array([0.13]), np.array([5]), 0.0, 1, 32)
    assert lone.endswith("the gradient backpropagation computed matches it exactly.")
    near = figs.gradient_summary(np.array([0.13]), np.array([5]), 3e-9, 1, 32)
    assert near.endswith("matches it to within 3.0e-09.")
    assert lone.startswith("1 of 32 hidden neurons fired; only it passes the error back. Its error signal dz1: 5 (")


def test_landscape_contour_with_the_path():
    rng = np.random.default_rng(0)
    x = rng.random((50, 784)).astype(np.float32)
    y = rng.integers(0, 10, 50)
    start, model = MLP.init(8, seed=0), MLP.init(8, seed=1)
    path = np.stack(
        [parameter_vector(start), (parameter_vector(start) + parameter_vector(model)) / 2, parameter_vector(model)]
    )
    ls = landscape(model, x, y, kind="path", path=path, resolution=5)
    fig = figs.landscape_figure(ls)
    contour, line = fig.data[0], fig.data[1]
    assert isinstance(contour, go.Contour)
    np.testing.assert_allclose(np.asarray(contour.z), np.log10(ls.loss))
    assert np.asarray(contour.text)[2, 2] == f"{ls.loss[2, 2]:.4f}"
    np.testing.assert_allclose(line.x, ls.path[:, 0])
    np.testing.assert_allclose(line.customdata, ls.path_loss)
    assert fig.data[-1].name == "current parameters"
    assert "principal direction 1" in fig.layout.xaxis.title.text
    summary = figs.landscape_summary(ls)
    assert f"{ls.centre_loss:.3f}" in summary and "path's movement" in summary
    assert "a step of 1 along either moves the parameters a distance of 1" in summary  # what the axes count
    # the slice runs through every parameter, biases too (the path is parameter_vector's): "parameters", as the
    # app's note on the numbers distinguishes weights (101,632) from parameters (101,770)
    assert "at the current parameters (the star)" in summary
    assert is_empty(figs.landscape_figure(None), "No loss surface")


def test_random_landscape_summary_says_the_path_barely_shows():
    ls = Landscape(
        alphas=np.linspace(-1, 1, 3),
        betas=np.linspace(-1, 1, 3),
        loss=np.full((3, 3), 0.5),
        centre_loss=0.5,
        kind="random",
        path=np.zeros((2, 2)),
        n_images=10,
    )
    assert "barely shows" in figs.landscape_summary(ls)
    assert "changes each neuron's incoming weights by as much as their own size" in figs.landscape_summary(ls)
    fig = figs.landscape_figure(ls)
    assert "random direction 1" in fig.layout.xaxis.title.text


def test_dead_neurons_summary():
    assert figs.dead_neurons_summary(0, 128) == ""
    assert figs.dead_neurons_summary(3, 128) == " 3 of its 128 hidden neurons never fire on the test digits."
    assert figs.dead_neurons_summary(1, 128) == " 1 of its 128 hidden neurons never fires on the test digits."
    most = figs.dead_neurons_summary(123, 128)
    assert most.startswith(" 123 of its 128") and "too large a learning rate" in most


def test_a_run_near_chance_is_not_reported_as_a_success():
    labels = np.repeat(np.arange(10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])  # MNIST's test set
    assert figs.chance_level(labels) == (1, 0.1135)
    learned, text = figs.trained_summary(0.1135, 10_000, "after all its epochs", labels)
    assert not learned
    assert text == (
        "Trained, but it learned next to nothing: **11.35%** of the 10,000 test digits right, after all its epochs. "
        "Always answering 1 (the commonest digit) would score 11.35%."
    )
    learned, text = figs.trained_summary(0.9787, 10_000, "after all its epochs", labels)
    assert learned and text == "Trained: **97.87%** of the 10,000 test digits right, after all its epochs"
    assert (
        not figs.trained_summary(0.1634, 10_000, "", labels)[0] and figs.trained_summary(0.1636, 10_000, "", labels)[0]
    )


def test_the_shipped_recipe_is_read_from_the_model_file():
    meta = nnviz.load_model().meta
    cfg = meta["config"]
    text = figs.shipped_recipe(meta)
    assert f"reached {meta['test_accuracy']:.2%} with " in text
    assert f"({cfg['hidden']} hidden neurons)" in text and f"batches of {cfg['batch_size']}" in text
    assert f"{cfg['epochs']} epochs of randomly shifted" in text  # the shipped run augments
    assert f"in {meta['train_seconds']:.0f} s of computing" in text
    plain = dict(meta, config=dict(cfg, optimizer="sgd", augment=False, dropout=0.0), train_seconds=None)
    text = figs.shipped_recipe(plain)
    assert "SGD + momentum 0.9 (peak learning rate" in text and "randomly" not in text and "dropout" not in text
    assert "s of computing" not in text
    # a file without the record: nothing, rather than a guess
    assert figs.shipped_recipe({}) == "" and figs.shipped_recipe(dict(meta, config={"lr": 1})) == ""
