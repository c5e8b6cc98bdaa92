"""Matrix multiplication: the forward pass with its real shapes and numbers, and its speed measured here."""

import streamlit as st

from nnviz import post, ui
from nnviz.figures import matmul as figs
from nnviz.matmul import speed_test, trace, worked_sum
from nnviz.timing import multiply_adds
from nnviz.ui.params import page_link

ui.through_router()

ui.quote(post.sentence("This is due to matrix multiplication"))
st.title("Matrix multiplication")
model = ui.require_model()
n_in, n_hidden, n_out = model.sizes
selection = ui.current_selection()
st.markdown(f"The digit: **{selection.description}**.")
page_link("draw", "Draw your own digit", icon=":material/draw:")
# words first, for a reader who has not met the notation; then the same in symbols
st.markdown(
    f"The whole network, in words: each of the {n_hidden} hidden neurons adds up every pixel times its own weight, "
    f"plus its bias (z₁, {n_hidden} numbers). ReLU keeps a positive sum and turns a negative one into 0: the "
    f"{n_hidden} activations h. The {n_out} output scores z₂, one per digit, are made the same way from h, and "
    f"softmax turns them into {n_out} probabilities that add up to 1. In symbols, four lines:"
)
st.latex(
    rf"""\begin{{aligned}}
z_1 &= x_{{\,1\times{n_in}}}\;W_{{1\;{n_in}\times{n_hidden}}} + b_{{1\;({n_hidden})}} \\
h &= \mathrm{{ReLU}}(z_1) = \max(0, z_1) \\
z_2 &= h_{{\,1\times{n_hidden}}}\;W_{{2\;{n_hidden}\times{n_out}}} + b_{{2\;({n_out})}} \\
p &= \mathrm{{softmax}}(z_2)_{{\,1\times{n_out}}}
\end{{aligned}}"""
)
first, second = multiply_adds(model)
st.markdown(
    f"One digit costs {n_in} × {n_hidden} = **{first:,}** multiply-adds in the first product and "
    f"{n_hidden} × {n_out} = **{second:,}** in the second: **{first + second:,}** in all."
)

t = trace(model, selection.input, k=5, m=5)
out = t.forward
st.header(f"1 · {n_in} inputs through {n_in * n_hidden:,} weights")
ui.chart(figs.layer1_figure(t), key="layer1")
st.caption(figs.layer1_summary(t))
j = int(t.neurons[0])
ws = worked_sum(out.x[0], model.W1[:, j], model.b1[j], out.z1[0, j])
labels = [f"px {i}" for i in range(n_in)]
st.markdown(
    figs.worked_sum_text(ws, result=f"z1[{j}]", a_name="x", w_name="W1", b_name="b1", labels=labels),
    unsafe_allow_html=True,
)

st.header(f"2 · {n_hidden} hidden activations through {n_hidden * n_out:,} weights")
ui.chart(figs.layer2_figure(t), key="layer2")
st.caption(figs.layer2_summary(t))
d = t.prediction
ws = worked_sum(out.hidden[0], model.W2[:, d], model.b2[d], out.logits[0, d])
labels = [f"h{i}" for i in range(n_hidden)]
st.markdown(
    figs.worked_sum_text(ws, result=f"z2[{d}]", a_name="h", w_name="W2", b_name="b2", labels=labels),
    unsafe_allow_html=True,
)


@st.fragment
def timings() -> None:
    """Measured on this server, once per session and model (and again on request)."""
    st.header("3 · “In milliseconds”, measured on this server")
    key = ("speed", ui.model_key(model))
    if st.button("Measure again") or st.session_state.get("speed_key") != key:
        test_images = ui.mnist("test")[0]
        with st.spinner(f"Timing Python loops, NumPy's matrix products, and {len(test_images):,} digits at once…"):
            st.session_state["speed"] = speed_test(model, selection.input, test_images)
            st.session_state["speed_key"] = key
    s = st.session_state["speed"]
    a, b, c = st.columns(3)
    a.metric("Python loops, 1 digit", post.format_ms(s.loops))
    b.metric("NumPy, 1 digit", post.format_ms(s.numpy), f"{s.speedup:,.0f}× faster", "off", delta_arrow="off")
    c.metric(
        f"NumPy, {s.batch_size:,} digits",
        post.format_ms(s.batch),
        f"{s.per_digit_in_batch * 1e6:.1f} µs each",
        "off",
        delta_arrow="off",
    )
    ui.chart(figs.speed_figure(s), key="speed_chart")
    st.caption(figs.speed_summary(s))
    same = "the same digit" if s.same_prediction else "DIFFERENT digits"
    st.markdown(
        f"Both ways compute the same {s.multiply_adds:,} multiply-adds and give {same}; their 10 probabilities "
        f"differ by at most {s.max_difference:.1e} (rounding: NumPy works in float32, the loops in Python's float64)."
    )


timings()
