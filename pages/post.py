"""The landing page: the post, its numbers checked and linked, beside the network it describes, running."""

import streamlit as st

from nnviz import post, ui
from nnviz.data import SPLITS
from nnviz.figures import draw as figs
from nnviz.figures.common import sentence_start
from nnviz.ui.params import digit_query, link_query, page_link

ui.through_router()
N_TRAIN, N_TEST = SPLITS["train"][2], SPLITS["test"][2]


def accuracy(model) -> tuple[float, str]:
    """Test accuracy and where it comes from: measured by the trainer and saved with the model, else here, once."""
    saved = model.meta.get("test_accuracy")
    if isinstance(saved, float):  # the sidebar shows the same; no need to spend a cold start recomputing it
        return saved, f"measured by the trainer on the {N_TEST:,} MNIST test digits, saved with the model"
    cache, key = st.session_state.setdefault("post_accuracy", {}), ui.model_key(model)  # id() can be reused
    if key not in cache:
        cache.clear()
        cache[key] = model.accuracy(*ui.mnist("test"))
    return cache[key], f"on the {N_TEST:,} MNIST test digits, computed here"


def another_digit() -> None:
    ui.set_selection(ui.sample_selection(ui.random_sample()))


model = ui.require_model()
ui.quote(post.sentence("handwritten digit recognition"))
st.title("Neural Networks Part 1, live")
live, text = st.columns([2, 3], gap="large")


def demo() -> float:
    selection = ui.current_selection()
    runs = 50
    seconds = post.time_one_digit(model, selection.input, repeats=runs)
    probabilities = model.forward(selection.input[None]).probabilities[0]
    st.markdown(f"**The network reading {selection.description}, right now:**")
    # No plotly here: the landing page must draw at once, even on a cold server and a phone.
    with st.container(horizontal=True, vertical_alignment="center"):
        st.image(
            figs.digit_pixels(selection.input, scale=4),
            width=112,
            output_format="PNG",
            alt=f"The network's input: {selection.description}, 28 × 28 pixels",
        )
        st.markdown(figs.probabilities_svg(probabilities), unsafe_allow_html=True)
    st.caption(figs.probabilities_summary(probabilities))
    said = int(probabilities.argmax())
    mistake = figs.mistake_text(selection.label, said)
    if mistake is not None:
        st.markdown(mistake)
    # the buttons before the numbers: on a phone, "Draw your own" is then on the first screen
    with st.container(horizontal=True):
        st.button("Random test digit", on_click=another_digit, icon=":material/casino:")
        if st.button("Draw your own", type="primary", icon=":material/draw:"):
            st.switch_page("pages/draw.py", query_params=link_query("draw") or None)
    with st.container(horizontal=True):
        st.metric("Prediction", said)
        st.metric(
            "Time for one digit",
            post.format_ms(seconds),
            help=f"Median of {runs} forward passes (fewer if this server is busy), on this server.",
        )
    return seconds


with live:
    seconds = demo()
    facts = post.facts(model, seconds)
    n_in, n_hidden, n_out = model.sizes
    st.markdown(f"**This network:** {n_in} → {n_hidden} → {n_out} neurons")
    with st.container(horizontal=True):
        st.metric("Parameters", f"{facts.n_params:,}", help=f"{facts.n_weights:,} weights + {facts.n_biases:,} biases")
        value, source = accuracy(model)
        st.metric("Test accuracy", f"{value:.2%}", help=sentence_start(source) + ".")
    config = model.meta.get("config")
    learned = (config.get("train_size") if isinstance(config, dict) else None) or N_TRAIN  # a reader's may use fewer
    st.caption(
        f"MNIST, the digits it reads: {N_TRAIN + N_TEST:,} handwritten digits, each {facts.side}×{facts.side} "
        "pixels. The network learned from "
        + (
            f"all {N_TRAIN:,} training digits"
            if learned == N_TRAIN
            else f"the first {learned:,} of the {N_TRAIN:,} training digits"
        )
        + f"; its test accuracy is on the other {N_TEST:,}, which it never saw while learning."
    )

with text, st.container(border=True):
    st.markdown(f"## {post.load_post().title}")
    st.markdown(post.render_markdown(facts, digit_query()))
with text:
    st.caption(f"**A note on the numbers.** {post.footnote(facts)}")
    st.caption(f"**And on three words.** {post.wording_note(facts)}")
    st.markdown("**Keep going**")
    page_link("learn", "Part 2: train this network yourself", icon=":material/school:")
    page_link("embeddings", "Previous post: your digit as an embedding", icon=":material/scatter_plot:")
    st.markdown("**Recommended in the post**\n" + "".join(f"\n- {r.markdown()}" for r in post.RESOURCES))
