"""The neuron atlas: what each hidden neuron is worth, and what it fires for."""

import numpy as np
import streamlit as st

from nnviz.embed import embed
from nnviz.figures import neurons as figs
from nnviz.ui import current_selection, quote, require_model
from nnviz.ui.inside import analysis, atlas
from nnviz.ui.params import query_int

quote(
    "A typical network has an input layer (where data enters), hidden layers (where learning happens), and an "
    "output layer (where predictions emerge)."
)
st.title("Neuron atlas")
model = require_model()
facts, hidden = atlas(model), analysis(model).hidden
n_test, n_hidden = hidden.shape
st.markdown(
    f"What is each of the {n_hidden} hidden neurons worth? Silence one -- force its output to 0 -- and count the "
    f"test digits the network then gets wrong. All {n_hidden} silencings are computed in one pass over the "
    f"{n_test:,} test digits."
)
if "atlas_neuron" not in st.session_state:  # a link's ?neuron=, else the most needed neuron
    linked = query_int("neuron", 0, n_hidden - 1)
    st.session_state["atlas_neuron"] = linked if linked is not None else int(np.argmax(facts.drops))


def _on_click() -> None:
    clicked = figs.neuron_from_selection(st.session_state["ablation"].selection.points)
    if clicked is not None:
        st.session_state["atlas_neuron"] = clicked


neuron = int(st.session_state["atlas_neuron"])
st.plotly_chart(
    figs.ablation_figure(facts.drops, facts.dead, n_test, selected=neuron),
    on_select=_on_click,
    selection_mode="points",
    key="ablation",
    width="stretch",
)
st.caption(figs.ablation_summary(facts.drops, facts.dead, n_test) + " Tap a bar to study that neuron.")

st.subheader("What each neuron fires for")
st.plotly_chart(figs.mean_activation_figure(facts.means), width="stretch", key="means")
preferred = np.nanargmax(np.nan_to_num(facts.means), axis=0)
st.caption(
    "Mean activation of every neuron on the test digits of each class, neurons grouped by the digit they fire "
    f"most for; most popular: {int(np.bincount(preferred, minlength=10).argmax())}."
)

st.subheader(f"Neuron {neuron}")
st.number_input("Neuron", 0, n_hidden - 1, key="atlas_neuron")
st.query_params["neuron"] = str(neuron)
lost = round(float(facts.drops[neuron]) * n_test)
a, b, c = st.columns(3)
a.metric("Digits lost when silenced", f"{lost:+d}" if lost else "0")
b.metric("Fires for", f"{facts.firing[neuron]:.0%} of test digits")
c.metric("Fires most for", str(int(preferred[neuron])) if not facts.dead[neuron] else "never fires")
left, right = st.columns(2)
with left:
    st.plotly_chart(figs.neuron_profile_figure(facts.means[:, neuron], neuron), width="stretch", key="profile")
sel = current_selection()
mine = float(embed(model, sel.input[None])[0, neuron])
with right:
    st.markdown(
        f"On {sel.description} this neuron's activation is **{mine:.3f}** "
        f"(its mean on test {int(preferred[neuron])}s: {facts.means[preferred[neuron], neuron]:.3f}).\n\n"
        f"See its 784 incoming weights on the [Weights page](/weights?neuron={neuron})."
    )
