"""The network drawn with its strongest paths into one digit's score, as the Draw and Why pages show it."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from nnviz.explain import strongest_paths
from nnviz.figures.network import network_figure, network_gist, network_legend, network_summary
from nnviz.mlp import MLP, Forward
from nnviz.ui import chart

__all__ = ["network_paths"]


def network_paths(model: MLP, x, out: Forward, target: int, *, key: str) -> DeltaGenerator:
    """The figure with its caption, and its legend beside it (none when no neuron fired).

    Parameters
    ----------
    model : MLP
    x : (784,) the input
    out : Forward
        ``model.forward(x[None])``, which the page has already run.
    target : int
        The digit whose score the paths lead into.
    key : str
        The chart's key.

    Returns
    -------
    The legend's column, for the page to add to.
    """
    paths = strongest_paths(model, x, target)
    figure_col, legend_col = st.columns(2, gap="large")
    with figure_col:
        chart(network_figure(x, out.hidden[0], out.probabilities[0], paths), key=key)
        st.caption(network_summary(paths, model.n_weights))
    with legend_col:
        if paths.n_active:
            # the gist first; the full legend, with this digit's numbers, for whoever wants it
            st.markdown(network_gist(paths))
            with st.expander("How to read this picture", icon=":material/help:"):
                st.markdown(network_legend(paths, *model.sizes))
    return legend_col
