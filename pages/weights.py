"""Weights: the 100,352 learned numbers of the first layer as pictures, one per hidden neuron."""

import streamlit as st

from nnviz import post, ui
from nnviz.figures import weights as figs
from nnviz.neuron import hidden_activations, respond, top_digits
from nnviz.ui.params import name_in_url, query_int

ui.through_router()

TOP_K = 8

ui.quote(post.sentence("total connections, each with a learned weight"))
st.title("Weights")
model = ui.require_model()
n_in, n_hidden, n_out = model.sizes
W1, b1, W2 = model.W1, model.b1, model.W2


@st.cache_resource(show_spinner="Finding the test digits each neuron likes best…", max_entries=4)
def exciting_digits(key: str, _model):
    """Top digits per neuron over the test set: once per distinct set of weights."""
    return top_digits(hidden_activations(_model, ui.mnist("test")[0]), k=TOP_K)


def choose(neuron: int) -> None:
    st.session_state["weights_neuron"] = neuron
    st.query_params["neuron"] = str(neuron)  # the URL always names the neuron shown, so it can be shared


def on_click() -> None:
    points = st.session_state["mosaic"].selection.points
    if points:
        j = figs.neuron_at(points[0]["x"], points[0]["y"], n_hidden)
        if j is not None:
            choose(j)
            st.session_state["weights_picks"] = st.session_state.get("weights_picks", 0) + 1
            st.session_state["weights_scroll"] = True  # once, on the run this pick starts


# The link wins when it names a neuron; else the last one chosen; else the one your digit excites most.
selection = ui.current_selection()
hidden = model.forward(selection.input[None]).hidden[0] if selection else None
strongest = int(hidden.argmax()) if hidden is not None and hidden.max() > 0 else None  # None: no neuron fires
default = strongest if strongest is not None else 0
linked = query_int("neuron", 0, n_hidden - 1)
if linked is not None:
    st.session_state["weights_neuron"] = linked
elif "weights_neuron" not in st.session_state or st.session_state["weights_neuron"] >= n_hidden:
    st.session_state["weights_neuron"] = default
neuron = st.session_state["weights_neuron"]
name_in_url("neuron", neuron, default)

st.markdown(
    f"What each neuron looks for. Each of the **{n_hidden} hidden neurons** has one weight for each of the "
    f"**{n_in} pixels**: laid out as 28×28, they show the ink that raises its sum (red) or lowers it (blue)."
)
# the mosaic's 128 tiles stay big enough to tap: a narrower row puts the detail below it
st.html(ui.column_at_least("weights_grid", 320))
grid, detail = st.columns([1, 1.4], gap="large")
with grid, st.container(key="weights_grid"):
    st.markdown("**Click a tile** to pick a neuron (on a touch screen: tap once to see which, again to pick it).")
    ui.pickable_chart(
        figs.mosaic_figure(W1, selected=neuron), key="mosaic", on_select=on_click, selection_mode="points"
    )
    st.caption(figs.mosaic_summary(W1))
    st.session_state["weights_neuron_input"] = neuron
    st.number_input(
        "Neuron",
        0,
        n_hidden - 1,
        key="weights_neuron_input",
        on_change=lambda: choose(st.session_state["weights_neuron_input"]),
    )
    st.caption(f"A link to this page with `?neuron={neuron}` opens this neuron; the sidebar's Share makes one.")

with detail, st.container(key="weights_detail"):
    st.header(f"Neuron {neuron}")
    if selection is not None and neuron == strongest:
        st.caption(f"The hidden neuron that {selection.description} excites most.")
    big, yours = st.columns(2)
    with big:
        st.markdown(f"**Its {n_in} incoming weights**")
        ui.chart(figs.neuron_figure(W1[:, neuron], neuron), key="neuron_big")
        st.caption(figs.neuron_summary(W1[:, neuron], neuron, float(b1[neuron])))
    with yours:
        st.markdown("**Weight × input** for " + (selection.description if selection else "your digit"))
        if selection is None:
            st.info("Draw a digit on the Draw page to see what this neuron makes of it.")
        else:
            r = respond(model, selection.input, neuron)
            ui.chart(figs.contribution_figure(r.terms, neuron), key="neuron_terms")
            st.caption(figs.contribution_summary(r.terms, r.bias, r.z, r.activation, neuron))
    if selection is not None:
        st.markdown(figs.sum_check_text(r))
    st.markdown(f"**Its {n_out} outgoing weights**, one per digit")
    ui.chart(figs.outgoing_figure(W2[neuron], neuron), key="neuron_out")
    st.caption(figs.outgoing_summary(W2[neuron], neuron))

st.header(f"The test digits that excite neuron {neuron} most")
top = exciting_digits(ui.model_key(model), model)
images, labels = ui.mnist("test")
fired = top.activations[neuron] > 0  # a digit that leaves the neuron at 0 does not excite it
idx, acts = top.indices[neuron][fired], top.activations[neuron][fired]
if len(idx):
    ui.chart(figs.top_digits_figure(images[idx], idx, labels[idx], acts, neuron=neuron), key="top")
st.caption(figs.top_digits_summary(labels[idx], acts, neuron, len(images)))

st.header(f"The second layer: {n_hidden} × {n_out} weights to the digits")
with ui.wide_only("w2_wide"):
    ui.chart(figs.output_weights_figure(W2, selected=neuron), key="w2")
with ui.stacked_only("w2_phone"):  # on a phone, neurons down and digits across: 10 columns are legible
    ui.chart(figs.output_weights_figure(W2, selected=neuron, upright=True), key="w2_upright")
st.caption(figs.output_weights_summary(W2))

if st.session_state.pop("weights_scroll", False):
    # On a phone the columns stack and the picked neuron's pictures are a screen below the tile
    # just tapped: bring them into view (a no-op while the columns sit side by side).  The pick's
    # number makes each script new, so each pick scrolls.
    picks = st.session_state.get("weights_picks", 0)
    st.html(
        f"<script>(() => {{ if (window.innerWidth >= {ui.STACKED_BELOW}) return;"
        " const el = document.querySelector('.st-key-weights_detail');"
        # clear of the app's header (60 px), which would cover the neuron's name
        " if (el) { el.style.scrollMarginTop = '4.5rem'; el.scrollIntoView({behavior: 'smooth', block: 'start'}); } })();"
        f" /* pick {picks} */</script>",
        unsafe_allow_javascript=True,
    )
