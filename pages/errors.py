"""Where the network errs: accuracy, accuracy per digit, and every mistake behind the confusion matrix."""

import numpy as np
import streamlit as st

from nnviz.figures import evaluation as figs
from nnviz.figures.common import a_digit
from nnviz.figures.draw import format_probability_short
from nnviz.figures.gallery import digit_image
from nnviz.post import sentence
from nnviz.ui import chart, mnist, pickable_chart, quote, require_model, through_router
from nnviz.ui.inside import analysis
from nnviz.ui.params import page_link, query_int

through_router()

quote(sentence("Understanding how they learn from data"))  # verbatim from the post
st.title("Where the network errs")
model = require_model()
ev = analysis(model).evaluation
images, labels = mnist("test")
n = len(labels)
worst = int(np.nanargmin(ev.per_digit))
st.markdown(
    f"On the {n:,} MNIST test digits, never seen in training, it is right **{ev.accuracy:.2%}** of the time: "
    f"**{ev.n_mistakes:,} mistakes**. Hardest digit: **{worst}** ({ev.per_digit[worst]:.1%} right)."
)


def name_cell(cell: tuple[int, int]) -> None:
    """Put the open cell in the address (``?true=&said=``): the next run opens it, and a shared link does."""
    st.query_params.update(true=str(cell[0]), said=str(cell[1]))


# the cell to open: a click on the matrix, else the link's ?true=&said=, else the cell last opened
# in this session (a page switch clears the address; it is named again), else the most common mistake
cell = (query_int("true", 0, 9), query_int("said", 0, 9))
if None not in cell:
    st.session_state["errors_cell"] = cell
elif "errors_cell" in st.session_state:
    cell = st.session_state["errors_cell"]
    name_cell(cell)
else:
    cell = ev.worst_confusion() or (0, 0)


def pick_cell() -> None:
    """The cell chosen in the two boxes under the matrix (a keyboard's way in, and a small screen's)."""
    name_cell((st.session_state["errors_true"], st.session_state["errors_said"]))


matrix_col, bars_col = st.columns([3, 2])
with matrix_col:
    event = pickable_chart(figs.confusion_figure(ev.confusion, selected=cell), key="confusion", selection_mode="points")
    clicked = figs.cell_from_selection(event["selection"]["points"])
    if clicked is not None and clicked != cell:
        cell = clicked
        name_cell(cell)  # the next run keeps it
        st.rerun()  # redraw the matrix with the new cell outlined
    st.caption(figs.confusion_summary(ev.confusion))
    st.session_state["errors_true"], st.session_state["errors_said"] = cell
    with st.container(horizontal=True):
        st.selectbox("True digit", range(10), key="errors_true", on_change=pick_cell, width=130)
        st.selectbox("Network said", range(10), key="errors_said", on_change=pick_cell, width=130)
with bars_col:
    chart(figs.per_digit_figure(ev.per_digit, ev.confusion.sum(axis=1)), key="per_digit")
    st.caption(figs.per_digit_summary(ev.per_digit))

true, said = cell
found = ev.mistakes(true, said)
if true == said:
    st.header(f"{len(found):,} {true}s it got right, least sure first")
else:
    st.header(figs.mistakes_heading(len(found), true, said))
if len(found) == 0:
    st.info("No digit in this cell. Tap another cell of the matrix, or choose one under it.")
many = min(len(found), 96)  # a diagonal cell holds ~1,000 digits: cap what a phone must load
shown = found[:12]
if many > 12 and st.toggle(
    f"Show all {many}" if many == len(found) else f"Show {many} of {len(found):,}",
    key="errors_show_all",
    persist_state="session",  # kept across cells and pages: a reader who asked for all keeps seeing all
):
    shown = found[:many]
with st.container(horizontal=True, gap="medium"):  # cards wrap: 2 a row on a phone, 6 on a desktop
    for i in shown:
        p = ev.probabilities[i]
        top3 = " · ".join(f"{d}: {format_probability_short(p[d])}" for d in np.argsort(-p)[:3])
        with st.container(width=140, gap=None):
            st.image(
                digit_image(images[i], scale=3),
                width=84,
                alt=f"Test digit #{i}, {a_digit(labels[i])}, read as {a_digit(ev.predictions[i])}",
                output_format="PNG",
            )
            st.markdown(
                f"<small>**#{i}**: {a_digit(labels[i])}, said {ev.predictions[i]}<br>{top3}</small>",
                unsafe_allow_html=True,
            )
            page_link("draw", "Open on Draw", sample=int(i))
