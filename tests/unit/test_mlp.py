"""The NumPy network against oracles: finite differences, a step worked by hand, scikit-learn."""

import json
import math

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

import nnviz
import nnviz.mlp as mlp_module
from nnviz.mlp import MLP, SGD, Adam, ModelError, as_input, cross_entropy, log_loss, log_losses, softmax


def small_net(seed=0, n_inputs=8, n_hidden=6, n_outputs=4):
    net = MLP.init(n_hidden, seed=seed, n_inputs=n_inputs, n_outputs=n_outputs)
    rng = np.random.default_rng(seed + 1)
    net.b1[:] = rng.normal(0, 0.1, n_hidden)  # non-zero biases so their gradients are exercised
    net.b2[:] = rng.normal(0, 0.1, n_outputs)
    return net


def loss64(params, x, y, l2=0.0, mask=None):
    """The same loss written independently, in float64: the oracle for the gradient check."""
    W1, b1, W2, b2 = (np.asarray(params[k], np.float64) for k in ("W1", "b1", "W2", "b2"))
    h = np.maximum(x @ W1 + b1, 0.0)
    if mask is not None:
        h = h * mask
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean() + 0.5 * l2 * ((W1**2).sum() + (W2**2).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
@pytest.mark.parametrize("shape", [(), (7,), (3, 128), (2, 3, 5)])
def test_relu_is_max_of_zero_and_z_bit_for_bit(shape, dtype):
    rng = np.random.default_rng(0)
    z = np.asarray(rng.normal(0, 3, shape)).astype(dtype)  # shape (): a 0-d array, not a scalar
    if dtype != np.int64 and z.size >= 3:
        z.flat[:3] = [-0.0, np.nan, 0.0]  # ReLU gives +0.0 for -0.0, and keeps NaN (a diverged run shows)
    h = mlp_module.relu(z)
    expected = np.where(np.isnan(z), z, np.where(z > 0, z, dtype(0))).astype(dtype)
    assert h.shape == z.shape and h.dtype == z.dtype
    assert np.array_equal(np.atleast_1d(h).view(np.uint8), np.atleast_1d(expected).view(np.uint8))


def test_a_neuron_at_exactly_zero_passes_no_gradient():
    """ReLU's slope at 0 is taken as 0 (as scikit-learn does): a neuron with z = 0 exactly is off."""
    net = MLP.init(4, seed=0)
    net.b1 = np.array([0.0, 0.5, 0.0, 0.5], np.float32)
    x = np.zeros((3, 784), np.float32)  # z1 = b1: neurons 0 and 2 at exactly 0
    g = net.backward(net.forward(x), np.array([1, 2, 3]))
    assert np.all(net.forward(x).z1[:, [0, 2]] == 0)
    assert np.all(g.dz1[:, [0, 2]] == 0) and np.all(g.b1[[0, 2]] == 0)  # (W2's rows are 0 either way: h = 0)
    assert np.all(g.b1[[1, 3]] != 0)


@pytest.mark.parametrize(
    ("l2", "dropout", "rows"),
    [(0.0, 0.0, 5), (0.1, 0.0, 5), (0.0, 0.5, 5), (0.0, 0.0, 24)],  # 24 rows with blank pixels: the inked-only path
)
def test_gradients_match_finite_differences(l2, dropout, rows):
    net = small_net()
    rng = np.random.default_rng(3)
    x = rng.random((rows, 8)).astype(np.float32)
    if rows >= 16:
        x[:, [1, 4, 6]] = 0.0  # pixels blank in every image
    y = rng.integers(0, 4, rows)
    fwd = net.forward(x, dropout=dropout, rng=np.random.default_rng(4))
    assert (fwd.inked is not None) == (rows >= 16)
    grads = net.backward(fwd, y, l2=l2).params()
    params64 = {k: v.astype(np.float64) for k, v in net.params().items()}
    eps = 1e-6
    for name, p in params64.items():
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = loss64(params64, x, y, l2, fwd.mask)
            p[i] = old - eps
            down = loss64(params64, x, y, l2, fwd.mask)
            p[i] = old
            numeric[i] = (up - down) / (2 * eps)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-3, atol=1e-5, err_msg=name)


def test_one_sgd_step_worked_by_hand():
    # x = [1, 2] through a 2 -> 2 -> 2 network, true class 0.
    net = MLP(
        W1=[[0.1, -0.2], [0.3, 0.4]],
        b1=[0.0, 0.1],
        W2=[[1.0, -1.0], [0.5, 0.5]],
        b2=[0.0, 0.0],
    )
    x = np.array([[1.0, 2.0]], np.float32)
    fwd = net.forward(x)
    # z1 = [1*0.1 + 2*0.3, 1*(-0.2) + 2*0.4 + 0.1] = [0.7, 0.7]; both neurons fire.
    np.testing.assert_allclose(fwd.z1, [[0.7, 0.7]], atol=1e-6)
    # logits = [0.7*1 + 0.7*0.5, 0.7*(-1) + 0.7*0.5] = [1.05, -0.35]
    np.testing.assert_allclose(fwd.logits, [[1.05, -0.35]], atol=1e-6)
    # p0 = e^1.05 / (e^1.05 + e^-0.35) = sigmoid(1.4)
    p0 = 1 / (1 + math.exp(-1.4))
    np.testing.assert_allclose(fwd.probabilities, [[p0, 1 - p0]], atol=1e-6)
    g = net.backward(fwd, np.array([0]))
    e = p0 - 1  # output error p - y for class 0; class 1 gets -e
    np.testing.assert_allclose(g.dlogits, [[e, -e]], atol=1e-6)
    # dW2 = h^T (p - y): each hidden activation (0.7) times each output error
    np.testing.assert_allclose(g.W2, [[0.7 * e, -0.7 * e], [0.7 * e, -0.7 * e]], atol=1e-6)
    # dhidden = (p - y) W2^T = [e*1 + (-e)*(-1), e*0.5 + (-e)*0.5] = [2e, 0]
    np.testing.assert_allclose(g.dhidden, [[2 * e, 0.0]], atol=1e-6)
    # dW1 = x^T dz1 = [[1*2e, 0], [2*2e, 0]]
    np.testing.assert_allclose(g.W1, [[2 * e, 0.0], [4 * e, 0.0]], atol=1e-6)
    np.testing.assert_allclose(g.b1, [2 * e, 0.0], atol=1e-6)
    SGD(lr=0.5, momentum=0.0).step(net.params(), g.params())
    # w <- w - 0.5 * g
    np.testing.assert_allclose(net.W1, [[0.1 - e, -0.2], [0.3 - 2 * e, 0.4]], atol=1e-6)
    np.testing.assert_allclose(net.b2, [-0.5 * e, 0.5 * e], atol=1e-6)
    # and the step helped: the loss on this example went down
    assert cross_entropy(net.forward(x).probabilities, np.array([0])) < -math.log(p0)


def test_momentum_accumulates_velocity():
    w = {"w": np.array([1.0], np.float32)}
    opt = SGD(lr=0.1, momentum=0.9)
    opt.step(w, {"w": np.array([1.0], np.float32)})  # v = -0.1 ; w = 0.9
    opt.step(w, {"w": np.array([1.0], np.float32)})  # v = 0.9 * -0.1 - 0.1 = -0.19 ; w = 0.71
    np.testing.assert_allclose(w["w"], [0.71], atol=1e-6)


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    # After one step m_hat = g and v_hat = g^2, so the step is lr * g / |g| = lr * sign(g).
    w = {"w": np.array([1.0, 1.0, 1.0], np.float32)}
    Adam(lr=0.01).step(w, {"w": np.array([3.0, -0.5, 0.0], np.float32)})
    np.testing.assert_allclose(w["w"], [0.99, 1.01, 1.0], atol=1e-6)


def _adam_beside_algorithm_1(opt: Adam, steps: int, seed: int, on_step=lambda opt: None):
    """Run ``opt`` (lr 0.01) and Algorithm 1 of Kingma & Ba, written out in float64, on the same gradients.

    Returns our float32 weights and the paper's w, m and v after ``steps`` steps.
    """
    rng = np.random.default_rng(seed)
    w32 = {"w": rng.normal(size=50).astype(np.float32)}
    w, m, v = w32["w"].astype(np.float64), np.zeros(50), np.zeros(50)
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    for t in range(1, steps + 1):
        g = rng.normal(size=50)
        opt.step(w32, {"w": g.astype(np.float32)})
        on_step(opt)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    return w32["w"], w, m, v


def test_adam_follows_the_papers_algorithm_over_many_steps():
    """Algorithm 1 of Kingma & Ba written out in float64, against our folded float32 version."""
    ours, w, _, _ = _adam_beside_algorithm_1(Adam(lr=0.01), steps=30, seed=7)
    np.testing.assert_allclose(ours, w, rtol=1e-4, atol=1e-5)


def test_adam_rescaling_its_stored_moments_changes_no_step():
    """Brought down by 2**-16 mid-run (here at step ~20, normally after ~22,000), it still follows Algorithm 1."""
    opt = Adam(lr=0.01)
    opt._rescale_above = 1.01  # r = 0.999 ** (-t / 2) passes it at t = 20
    scales = []
    ours, w, m, v = _adam_beside_algorithm_1(opt, steps=60, seed=11, on_step=lambda o: scales.append(o.gradient_scale))
    assert max(scales) > 0.1 > min(scales)  # it did rescale
    np.testing.assert_allclose(ours, w, rtol=1e-4, atol=1e-5)
    m32, v32 = opt.moments("w")
    np.testing.assert_allclose(m32, m, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(v32, v, rtol=1e-4, atol=1e-9)
    with pytest.raises(KeyError, match="no step"):
        opt.moments("b")


def test_adam_with_premultiplied_gradients_takes_the_same_steps():
    """The trainer's route: backward(scale=gradient_scale) then step(premultiplied=True), vs the plain one."""
    images, labels = nnviz.load_mnist("test")
    plain, fast = MLP.init(seed=4), MLP.init(seed=4)
    opt_plain, opt_fast = Adam(lr=2e-3), Adam(lr=2e-3)
    for start in range(0, 20 * 64, 64):
        x, y = as_input(images[start : start + 64]), labels[start : start + 64]
        g = plain.backward(plain.forward(x), y, l2=1e-4)
        opt_plain.step(plain.params(), g.params())
        g_fast = fast.backward(fast.forward(x), y, l2=1e-4, scale=opt_fast.gradient_scale)
        opt_fast.step(fast.params(), g_fast.params(), premultiplied=True)
    assert opt_fast.gradient_scale == pytest.approx(0.1 / 0.999 ** (21 / 2))  # (1 - b1) r, r = b2^(-t/2)
    for name, w in plain.params().items():
        assert not np.array_equal(w, MLP.init(seed=4).params()[name])  # they did move
        np.testing.assert_allclose(fast.params()[name], w, rtol=1e-4, atol=1e-5)


def test_backward_scale_multiplies_every_gradient():
    net = small_net()
    x = np.random.default_rng(3).random((5, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 3, 1])
    fwd = net.forward(x)
    g, g3 = net.backward(fwd, y, l2=0.1), net.backward(fwd, y, l2=0.1, scale=3.0)
    for name in ("W1", "b1", "W2", "b2", "dlogits", "dhidden", "dz1"):
        np.testing.assert_allclose(getattr(g3, name), 3.0 * getattr(g, name), rtol=1e-5, atol=1e-7)


def test_forward_shapes_dtype_and_probabilities():
    net = MLP.init(seed=1)
    x = np.random.default_rng(0).random((3, 784))
    out = net.forward(x)
    assert out.z1.shape == out.hidden.shape == (3, 128)
    assert out.logits.shape == out.probabilities.shape == (3, 10)
    assert all(a.dtype == np.float32 for a in (out.x, out.z1, out.hidden, out.logits, out.probabilities))
    np.testing.assert_allclose(out.probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert (out.hidden >= 0).all()
    np.testing.assert_allclose(net.predict_proba(x), out.probabilities, rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        net.forward(np.zeros((3, 100)))


def test_softmax_is_stable_for_huge_logits():
    p = softmax(np.array([[1000.0, 0.0, -1000.0]], np.float32))
    assert np.isfinite(p).all() and p[0, 0] == pytest.approx(1.0)


@pytest.mark.parametrize("shape", [(1, 10), (15, 10), (16, 10), (128, 10), (10_000, 10), (64, 65), (3, 200)])
def test_softmax_takes_the_row_maximum_it_always_did(shape):
    # _row_max reads many short rows down the columns of a transposed copy: the same maxima,
    # so softmax gives bit for bit the numbers of the plain formula (ties and a NaN included)
    rng = np.random.default_rng(1)
    logits = np.round(rng.normal(size=shape) * 8).astype(np.float32)  # rounded: many ties
    logits[0, -1] = np.nan
    plain = np.exp(logits - logits.max(axis=1, keepdims=True))
    plain /= plain.sum(axis=1, keepdims=True)
    np.testing.assert_array_equal(softmax(logits), plain)


def test_log_loss_is_cross_entropy_where_that_is_exact_and_true_where_it_is_not():
    rng = np.random.default_rng(0)
    logits, labels = (rng.normal(size=(50, 10)) * 3).astype(np.float32), rng.integers(0, 10, 50)
    assert log_loss(logits, labels) == pytest.approx(cross_entropy(softmax(logits), labels), rel=1e-6)
    confident = np.zeros((1, 10), np.float32)
    confident[0, 0] = 30.0
    assert softmax(confident)[0, 0] == 1.0 and cross_entropy(softmax(confident), np.array([0])) == 0.0
    assert log_loss(confident, [0]) == pytest.approx(math.log1p(9 * math.exp(-30)), rel=1e-12)  # 8.4e-13, not 0
    assert log_loss(confident, [1]) == pytest.approx(30 + math.log1p(9 * math.exp(-30)))  # not clipped at ~16
    assert log_loss(np.array([[1000.0, 0.0], [0.0, 1000.0]]), [1, 1]) == pytest.approx(500.0)  # no overflow
    per_row = log_losses(logits, labels)  # float32 in, float32 out: the loss surface's many grid points
    assert per_row.dtype == np.float32 and per_row.shape == (50,)
    np.testing.assert_allclose(per_row, -np.log(softmax(logits.astype(np.float64))[np.arange(50), labels]), rtol=1e-5)


def test_the_models_loss_is_exact_where_a_clipped_one_is_not():
    net = MLP.init(8, seed=0)
    net.b2[:] = 0.0
    net.b2[3] = 40.0  # every input is read as a 3, beyond any doubt
    x = np.zeros((2, 784), np.float32)
    assert net.loss(x, np.array([3, 3])) == pytest.approx(log_loss(net.forward(x).logits, [3, 3]))
    assert net.loss(x, np.array([5, 5])) == pytest.approx(40.0, abs=1e-6)  # a clipped -log p stops at 16.1


def test_he_initialisation_is_seeded_and_scaled():
    a, b = MLP.init(seed=7), MLP.init(seed=7)
    assert np.array_equal(a.W1, b.W1) and not np.array_equal(a.W1, MLP.init(seed=8).W1)
    assert a.W1.std() == pytest.approx(math.sqrt(2 / 784), rel=0.02)
    assert a.W2.std() == pytest.approx(math.sqrt(2 / 128), rel=0.1)
    assert (a.b1 == 0).all() and a.n_weights == 100_352 + 1_280 and a.n_biases == 138 and a.n_params == 101_770


def test_same_predictions_as_scikit_learn_given_the_same_weights():
    from nnviz import load_mnist

    images, labels = load_mnist("test")
    x = as_input(images[:1000])
    net = MLP.init(seed=5)
    net.b1[:] = np.random.default_rng(0).normal(0, 0.05, 128)
    clf = MLPClassifier(hidden_layer_sizes=(128,), max_iter=1)
    with pytest.warns(Warning):  # one iteration does not converge; we only need the fitted structure
        clf.fit(x[:200], labels[:200])
    clf.coefs_ = [net.W1.astype(np.float64), net.W2.astype(np.float64)]
    clf.intercepts_ = [net.b1.astype(np.float64), net.b2.astype(np.float64)]
    np.testing.assert_allclose(net.predict_proba(x), clf.predict_proba(x), atol=1e-5)
    assert np.array_equal(net.predict(x), clf.predict(x))


def test_save_load_round_trip(tmp_path):
    net = MLP.init(seed=2)
    net.meta = {"seed": 2, "test_accuracy": 0.5, "nested": {"a": [1, 2]}}
    path = tmp_path / "m.npz"
    net.save(path)
    back = MLP.load(path)
    for k, v in net.params().items():
        assert np.array_equal(back.params()[k], v)
    assert back.meta == net.meta


def _write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ({"W1": np.zeros((784, 128))}, "missing"),
        (
            {"W1": np.zeros((784, 128)), "b1": np.zeros(64), "W2": np.zeros((128, 10)), "b2": np.zeros(10)},
            "chain",
        ),
        (
            {"W1": np.zeros((784, 128)), "b1": np.zeros(128), "W2": np.zeros((128, 10)), "b2": np.full(10, np.nan)},
            "NaN",
        ),
        (
            {"W1": np.zeros((784, 128)), "b1": np.zeros(128), "W2": np.zeros((128, 10)), "b2": np.array(["a"] * 10)},
            "dtype",
        ),
    ],
    ids=["missing-array", "shapes", "nan", "strings"],
)
def test_load_rejects_wrong_content(tmp_path, arrays, message):
    arrays.setdefault("meta", np.array(json.dumps({})))
    path = _write_npz(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ModelError, match=message):
        MLP.load(path)


def test_load_never_unpickles(tmp_path):
    net = MLP.init(seed=0)
    evil = np.array([{"run": "code"}], dtype=object)  # an object array needs pickle to load
    path = _write_npz(tmp_path / "evil.npz", **net.params(), meta=evil)
    with pytest.raises(ModelError, match="refused|pickle"):
        MLP.load(path)


def test_load_rejects_non_npz_and_missing(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ModelError, match="junk.npz"):
        MLP.load(junk)
    with pytest.raises(ModelError, match="not found"):
        MLP.load(tmp_path / "nope.npz")
    bad_meta = _write_npz(tmp_path / "meta.npz", **MLP.init(seed=0).params(), meta=np.array("{not json"))
    with pytest.raises(ModelError, match="JSON"):
        MLP.load(bad_meta)


def test_skipping_blank_pixels_changes_nothing_but_rounding(monkeypatch):
    """A batch of real digits: the inked-only products agree with the plain ones, blank rows exactly zero."""
    images, labels = nnviz.load_mnist("test")
    x, y = as_input(images[:128]), labels[:128]
    net = MLP.init(seed=5)
    fast = net.forward(x)
    fast_grads = net.backward(fast, y)
    assert fast.inked is not None and 300 < len(fast.inked) < 700
    blank = np.setdiff1d(np.arange(784), fast.inked)
    assert (x[:, blank] == 0).all() and (fast_grads.W1[blank] == 0).all()

    monkeypatch.setattr(mlp_module, "inked_columns", lambda x, **kw: None)
    plain = net.forward(x)
    plain_grads = net.backward(plain, y)
    assert plain.inked is None
    np.testing.assert_allclose(fast.z1, plain.z1, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(fast.probabilities, plain.probabilities, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fast_grads.W1, plain_grads.W1, rtol=1e-4, atol=1e-7)
    np.testing.assert_array_equal(fast.prediction, plain.prediction)


def test_parameters_live_in_one_vector():
    """W1, b1, W2, b2 are views of ``flat``: what an optimizer does to the vector, the network does."""
    net = small_net()
    sizes = [p.size for p in net.params().values()]
    assert net.flat.shape == (net.n_params,) == (sum(sizes),) and net.flat.dtype == np.float32
    start = 0
    for p in net.params().values():
        assert np.shares_memory(p, net.flat)
        np.testing.assert_array_equal(p.ravel(), net.flat[start : start + p.size])
        start += p.size
    net.flat[0] = 7.0
    assert net.W1[0, 0] == 7.0
    # assigning an array writes it into the vector, so the views stay live
    net.b2 = np.arange(4)
    np.testing.assert_array_equal(net.flat[-4:], [0, 1, 2, 3])
    with pytest.raises(ValueError, match="shape"):
        net.b2 = np.zeros(5)
    # the arrays passed in are copied, not kept
    b1 = np.zeros(6, np.float32)
    built = MLP(net.W1, b1, net.W2, net.b2)
    built.b1 += 1
    assert (b1 == 0).all()


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_copies_keep_their_own_vector(how):
    import copy
    import pickle

    net = small_net()
    twin = {
        "copy": net.copy,
        "deepcopy": lambda: copy.deepcopy(net),
        "pickle": lambda: pickle.loads(pickle.dumps(net)),
    }[how]()
    np.testing.assert_array_equal(twin.flat, net.flat)
    assert not np.shares_memory(twin.flat, net.flat)
    twin.flat += 1
    assert np.shares_memory(twin.W1, twin.flat) and twin.W1[0, 0] == net.W1[0, 0] + 1


def test_backward_into_a_reused_vector_gives_the_same_gradients():
    """A training loop passes the same ``out`` every step; stale values there must not leak into the gradient."""
    images, labels = nnviz.load_mnist("test")
    net = MLP.init(seed=3)
    out = np.full(net.n_params, np.nan, np.float32)  # garbage from an earlier step
    for start in (0, 128):
        x, y = as_input(images[start : start + 128]), labels[start : start + 128]
        fwd = net.forward(x)
        assert fwd.inked is not None  # the inked-only path, whose blank rows must be written as zeros
        fresh = net.backward(fwd, y)
        reused = net.backward(fwd, y, out=out)
        assert reused.flat is out and np.shares_memory(reused.W1, out)
        np.testing.assert_array_equal(out, fresh.flat)
        for name, g in fresh.params().items():
            np.testing.assert_array_equal(g, reused.params()[name])
        out[:] = np.nan


def test_forward_on_just_the_inked_columns_is_the_same_pass():
    """The trainer converts only the inked pixels and passes them with their columns: same numbers, same gradients."""
    images, labels = nnviz.load_mnist("test")
    u, y = images[:128].reshape(128, -1), labels[:128]
    net = MLP.init(seed=2)
    full = net.forward(as_input(u))
    cols = mlp_module.inked_columns(u)  # found in the uint8 images
    np.testing.assert_array_equal(cols, full.inked)
    compact = net.forward(as_input(u[:, cols]), inked=cols)
    for name in ("z1", "hidden", "logits", "probabilities"):
        np.testing.assert_array_equal(getattr(compact, name), getattr(full, name))
    np.testing.assert_array_equal(net.backward(compact, y).flat, net.backward(full, y).flat)
    with pytest.raises(ValueError, match="shape"):
        net.forward(as_input(u[:, cols[:-1]]), inked=cols)  # neither 784 columns nor the inked ones


def test_input_gradient_of_a_compact_batch_needs_somewhere_to_go():
    """From just the inked columns the gradient's 784 rows cannot be inferred: a clear error, or the full result."""
    images, _ = nnviz.load_mnist("test")
    u = images[:32].reshape(32, -1)
    cols = mlp_module.inked_columns(u)
    assert cols is not None and cols[-1] >= len(cols)  # compact: a column index past its width
    x, x_compact = as_input(u), as_input(u[:, cols])
    dz = np.random.default_rng(0).standard_normal((32, 8)).astype(np.float32)
    full = mlp_module.input_gradient(x, dz)
    with pytest.raises(ValueError, match="pass out"):
        mlp_module.input_gradient(x_compact, dz, cols)
    out = np.full_like(full, np.nan)
    mlp_module.input_gradient(x_compact, dz, cols, out=out)  # x_cols taken to be x itself
    np.testing.assert_array_equal(out, mlp_module.input_gradient(x, dz, cols))
    np.testing.assert_allclose(out, full, rtol=1e-5, atol=1e-6)


def test_adam_working_in_the_gradient_buffer_changes_no_number():
    images, labels = nnviz.load_mnist("test")
    a, b = MLP.init(seed=6), MLP.init(seed=6)
    opt_a, opt_b = Adam(lr=2e-3), Adam(lr=2e-3)
    buffer = np.empty_like(b.flat)
    for start in range(0, 5 * 64, 64):
        x, y = as_input(images[start : start + 64]), labels[start : start + 64]
        g = a.backward(a.forward(x), y, scale=opt_a.gradient_scale)
        opt_a.step(a.params(), g.params(), premultiplied=True)
        b.backward(b.forward(x), y, scale=opt_b.gradient_scale, out=buffer)
        opt_b.step({"all": b.flat}, {"all": buffer}, premultiplied=True, scratch=True)
        np.testing.assert_array_equal(b.flat, a.flat)


def test_fingerprint_is_equal_for_equal_weights_and_changes_with_any_weight():
    a = MLP.init(16, seed=0)
    b = a.copy()
    assert a.fingerprint() == b.fingerprint()
    b.W1[3, 4] += 1e-6
    assert a.fingerprint() != b.fingerprint()
    assert MLP.init(16, seed=0).fingerprint() != MLP.init(17, seed=0).fingerprint()
