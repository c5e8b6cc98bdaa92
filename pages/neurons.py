"""The neuron atlas: what each hidden neuron is worth, and what it fires for."""

import numpy as np
import streamlit as st

from nnviz.embed import embed
from nnviz.figures import neurons as figs
from nnviz.figures import weights as weight_figs
from nnviz.figures.common import agree
from nnviz.post import sentence
from nnviz.ui import chart, current_selection, pickable_chart, quote, require_model, through_router
from nnviz.ui.inside import analysis, atlas
from nnviz.ui.params import name_in_url, page_link, query_int

through_router()

quote(sentence("A typical network has an input layer"))  # verbatim from the post
st.title("Neuron atlas")
model = require_model()
facts, hidden = atlas(model), analysis(model).hidden
n_test, n_hidden = hidden.shape
n_output_params = model.W2.size + model.b2.size
st.caption(
    f'"Where learning happens" is shorthand: training tunes the output layer\'s {n_output_params:,} weights and '
    f"biases too. This page maps the hidden layer's {n_hidden} neurons."
)
st.markdown(
    f"What is each of the {n_hidden} hidden neurons worth? Silence one -- force its output to 0 -- and count "
    f"how many more test digits the network then gets wrong (fewer, sometimes). All {n_hidden} silencings are "
    f"computed in one pass over the {n_test:,} test digits."
)
most_needed = int(np.argmax(facts.drops))
if "atlas_neuron" not in st.session_state:  # a link's ?neuron=, else the one last studied here, else the most needed
    linked = query_int("neuron", 0, n_hidden - 1)
    kept = st.session_state.get("atlas_kept")  # a plain key: Streamlit drops the box's own on other pages
    if linked is not None:
        st.session_state["atlas_neuron"] = linked
    elif kept is not None and kept < n_hidden:
        st.session_state["atlas_neuron"] = kept
    else:
        st.session_state["atlas_neuron"] = most_needed


def on_pick() -> None:
    """A click (or a second tap) on a bar: study that neuron.  Runs before the page, so the bar is outlined at once.

    A callback fires on each new selection only: the chart's kept selection does not
    take the neuron back from the number box on later runs.
    """
    clicked = figs.neuron_from_selection(st.session_state["ablation"].selection.points)
    if clicked is not None:
        st.session_state["atlas_neuron"] = clicked


neuron = int(st.session_state["atlas_neuron"])
st.session_state["atlas_kept"] = neuron
pickable_chart(
    figs.ablation_figure(facts.drops, facts.dead, n_test, selected=neuron),
    key="ablation",
    on_select=on_pick,
    selection_mode="points",
)
st.caption(
    figs.ablation_summary(facts.drops, facts.dead, n_test)
    + " Tap a bar, or type its number in the box below, to study that neuron."
)

st.header("What each neuron fires for")
chart(figs.mean_activation_figure(facts.means), key="means")
st.caption(
    "Mean activation of every neuron on the test digits of each class, neurons grouped by the digit they fire "
    f"most for. {figs.preference_summary(facts.preferred, facts.dead)}"
)

st.header(f"Neuron {neuron}")
st.number_input("Neuron", 0, n_hidden - 1, key="atlas_neuron", width=200)
name_in_url("neuron", neuron, most_needed)
lost, best = round(float(facts.drops[neuron]) * n_test), int(facts.preferred[neuron])
fires = (
    f"It fires for **{figs.firing_share(float(facts.firing[neuron]), n_test)}** of test digits; "
    f"its mean activation is highest on **{best}s**."
    if not facts.dead[neuron]
    else "It fires for **none** of the test digits: a dead neuron."
)
st.markdown(
    f"Silenced, the network {'loses' if lost >= 0 else 'gains'} **{abs(lost)}** "
    f"{agree(abs(lost), 'test digit', 'test digits')}. {fires}"
)
left, right = st.columns(2)
with left:
    chart(figs.neuron_profile_figure(facts.means[:, neuron], neuron), key="profile")
sel = current_selection()
mine = float(embed(model, sel.input[None])[0, neuron])
with right:
    usual = (
        "it fires for none of the test digits"
        if facts.dead[neuron]
        else f"its mean on test {best}s: {facts.means[best, neuron]:.3f}"
    )
    st.markdown(f"On {sel.description} this neuron's activation is **{mine:.3f}** ({usual}).")
    # what it looks for, here: its incoming weights as the 28x28 picture the Weights page shows larger
    chart(weight_figs.neuron_figure(model.W1[:, neuron], neuron, height=240), key="atlas_weights")
    st.caption(
        f"Its {model.sizes[0]} incoming weights, one per pixel: red where ink raises its sum, blue where ink lowers it."
    )
    label = "Its outgoing weights and the test digits that excite it most"
    page_link("weights", label, icon=":material/grid_on:", neuron=neuron)
