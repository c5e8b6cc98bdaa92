"""Exactly why it said that: the winning logit taken apart by hidden neuron and by pixel, checked to add up."""

import streamlit as st

from nnviz.explain import contrast, explain
from nnviz.figures import why as figs
from nnviz.figures.gallery import digit_image
from nnviz.post import sentence
from nnviz.ui import chart, current_selection, quote, require_model, through_router
from nnviz.ui.network import network_paths
from nnviz.ui.params import page_link

through_router()

quote(sentence("each pixel value flows through layers"))  # verbatim from the post
st.title("Exactly why it said that")
model = require_model()
sel = current_selection()
answer = explain(model, sel.input).target
# no key: when the digit (and so the answer) changes, the control starts again from the new answer
picked = st.segmented_control(f"Explain the score of digit (the network's answer: {answer})", range(10), default=answer)
e = explain(model, sel.input, answer if picked is None else picked)
n_active, n_hidden = int(e.active.sum()), len(e.active)
fired = (
    f"{n_active} of its {n_hidden} hidden neurons fired; ReLU passes those unchanged and zeroes the rest."
    if n_active
    else f"None of its {n_hidden} hidden neurons fired; ReLU zeroes them all."
)
st.markdown(
    f"For {sel.description} the network says **{answer}**. {fired} "
    f"With that set fixed, every step is linear, so the score of digit **{e.target}** (its *logit*: softmax turns "
    f"the ten logits into the probabilities) is exactly a weighted sum "
    f"of the {len(e.x)} pixels:  \n"
    f"`logit = x · w_eff + b_eff`, with `w_eff = W1[:, active] @ W2[active, {e.target}]`."
)

page_link("draw", "Draw another digit", icon=":material/draw:")

img_col, w_col, a_col = st.columns(3)
with img_col:
    st.image(
        digit_image(e.x, scale=6),
        caption="x: the pixels the network reads",
        width=168,
        alt=f"x: {sel.description}, 28 × 28 pixels",
        output_format="PNG",
    )
with w_col:
    chart(figs.attribution_figure(e.w_eff, title="w_eff: each pixel's weight"), key="w")
with a_col:
    chart(figs.attribution_figure(e.attribution, title="x ⊙ w_eff: each pixel's share"), key="a")
st.caption(figs.attribution_summary(e.attribution, e.x, e.b_eff, e.logit) + " Red raises the score, blue lowers it.")

# A score alone does not make the answer: softmax compares them.  The rival is the digit picked
# above when it is not the answer, else the runner-up.
order = [int(d) for d in (-e.logits).argsort(kind="stable")]
rival = e.target if e.target != answer else order[1]
versus = contrast(model, sel.input, answer, rival)
st.header(f"Why {answer} and not {rival}?")
st.markdown(
    f"Softmax turns the ten scores into probabilities, and anything added to all ten alike changes nothing: "
    f"what decides between **{answer}** and **{rival}** is the difference of their scores. With the same neurons "
    f"firing it is exactly a weighted sum of the pixels too, `x · (w_eff of {answer} − w_eff of {rival})` plus the "
    "difference of the two effective biases."
)
map_col, text_col = st.columns([1, 2])
with map_col:
    chart(
        figs.attribution_figure(versus.attribution, title=f"each pixel's share of {answer} − {rival}"), key="contrast"
    )
with text_col:
    st.caption(figs.contrast_summary(versus, e.x) + f" Red favours {answer}, blue favours {rival}.")

st.header("The same score, neuron by neuron")
chart(figs.waterfall_figure(e.contributions, e.active, e.output_bias, e.logit, e.target), key="fall")
st.caption(
    figs.waterfall_summary(e.contributions, e.active, e.output_bias, e.logit)
    + " Red bars raise the score, blue bars lower it, as on the pixel map above."
)

st.header("The same score, as paths through the network")
network_paths(model, sel.input, model.forward(sel.input[None]), e.target, key="paths")

st.header("Check: do the parts add up?")
checks = [*e.checks(), versus.check()]
# a list, not a table: on a phone a table's last columns were a sideways scroll away, under its toolbar
st.markdown(
    "\n".join(
        f"- {'✓' if c.ok() else '✗'} **{c.name}** = {c.total:.6f}; the forward pass: {c.logit:.6f} "
        f"({'equal' if c.ok() else 'NOT equal'}, gap {c.error:.1e})"
        for c in checks
    )
)
worst = max(c.error for c in checks)
if all(c.ok() for c in checks):
    rounding = "exactly" if worst == 0 else f"up to float32 rounding (the largest gap is {worst:.1e})"
    st.caption(f"Every way lands on the forward pass's numbers, {rounding}.")
else:
    st.error(f"The parts do not add up to the logit (gap {worst:.1e}): this explanation is wrong.")
