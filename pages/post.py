"""The landing page: the post, its numbers checked and linked, beside the network it describes, running."""

import numpy as np
import streamlit as st

from nnviz import post, ui
from nnviz.figures import draw as figs

CHART = dict(width="stretch", config={"displayModeBar": False})


@st.cache_resource(show_spinner=False)
def shipped_accuracy() -> float:
    """The shipped network's accuracy on the 10,000 test digits, computed once per server."""
    return ui.shipped_model().accuracy(*ui.mnist("test"))


def accuracy(model) -> float:
    if model is ui.shipped_model():
        return shipped_accuracy()
    cache = st.session_state.setdefault("post_accuracy", {})
    if id(model) not in cache:  # the reader's own network: once per trained model
        cache.clear()
        cache[id(model)] = model.accuracy(*ui.mnist("test"))
    return cache[id(model)]


def another_digit() -> None:
    rng = st.session_state.setdefault("post_rng", np.random.default_rng())
    ui.set_selection(ui.sample_selection(int(rng.integers(len(ui.mnist("test")[1])))))


model = ui.require_model()
ui.quote(post.sentence("handwritten digit recognition"))
st.title("Neural Networks Part 1, live")
live, text = st.columns([2, 3], gap="large")


@st.fragment
def demo() -> float:
    selection = ui.current_selection()
    seconds = post.time_one_digit(model, selection.input)
    probabilities = model.forward(selection.input[None]).probabilities[0]
    st.markdown(f"**The network reading {selection.description}, right now:**")
    with st.container(horizontal=True, vertical_alignment="center"):
        digit = figs.input_figure(selection.input, height=150, colorbar=False).update_layout(width=150)
        st.plotly_chart(digit, key="post_digit", width="content", config=CHART["config"])
        st.plotly_chart(figs.probabilities_figure(probabilities, height=170), key="post_probabilities", **CHART)
    st.caption(figs.probabilities_summary(probabilities))
    with st.container(horizontal=True):
        st.metric("Prediction", int(probabilities.argmax()))
        st.metric("Time for one digit", post.format_ms(seconds), help="Median of 50 forward passes, on this server.")
    with st.container(horizontal=True):
        st.button("Another test digit", on_click=another_digit, icon=":material/casino:")
        if st.button("Draw your own", type="primary", icon=":material/draw:"):
            st.switch_page("pages/draw.py")
    return seconds


with live:
    seconds = demo()
    facts = post.facts(model, seconds)
    n_in, n_hidden, n_out = model.sizes
    st.markdown(f"**This network:** {n_in} → {n_hidden} → {n_out} neurons")
    with st.container(horizontal=True):
        st.metric("Parameters", f"{facts.n_params:,}", help=f"{facts.n_weights:,} weights + {facts.n_biases:,} biases")
        st.metric("Test accuracy", f"{accuracy(model):.2%}", help="On the 10,000 MNIST test digits, computed here.")

with text, st.container(border=True):
    st.markdown(f"### {post.load_post().title}")
    st.markdown(post.render_markdown(facts))
with text:
    st.caption(f"**A note on the numbers.** {post.footnote(facts)}")
    st.markdown("**Keep going**")
    st.page_link("pages/learn.py", label="Part 2: train this network yourself", icon=":material/school:")
    st.page_link(
        "pages/embeddings.py",
        label="The previous post, vector databases: your digit as an embedding",
        icon=":material/scatter_plot:",
    )
    st.markdown("**Recommended in the post**\n" + "".join(f"\n- {r.markdown()}" for r in post.RESOURCES))
