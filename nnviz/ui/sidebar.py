"""The sidebar every page shares: a model card read from the live model, and the series."""

from __future__ import annotations

import streamlit as st

from nnviz.mlp import ModelError
from nnviz.ui import active_model


def sidebar() -> None:
    """Draw the shared sidebar."""
    with st.sidebar:
        st.markdown("#### The network")
        try:
            model = active_model()
        except ModelError as exc:
            st.error(f"Model not loaded: {exc}")
            return
        n_in, n_hidden, n_out = model.sizes
        trained_here = st.session_state.get("user_model") is not None
        st.markdown(
            f"**{n_in} → {n_hidden} → {n_out}**, ReLU, softmax  \n"
            f"{model.n_weights:,} weights + {model.n_biases:,} biases = **{model.n_params:,} parameters**"
        )
        acc = model.meta.get("test_accuracy")
        if isinstance(acc, float):
            st.markdown(f"Test accuracy: **{acc:.2%}** on the 10,000 MNIST test digits")
        st.caption(
            "You trained this one on the Learn page."
            if trained_here
            else "The shipped model, trained with `python -m nnviz.train`."
        )
        st.markdown("#### The series")
        st.markdown(
            "- Previous: vector databases and embeddings → [Embeddings](/embeddings)\n"
            "- **Part 1: Neural Networks** (this app)\n"
            "- Part 2: backpropagation and gradient descent → [Train it yourself](/learn)"
        )
