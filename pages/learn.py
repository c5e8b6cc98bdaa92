"""Train it yourself: the post's Part 2 -- backpropagation and gradient descent, live."""

import streamlit as st

from nnviz import post, ui
from nnviz.ui import training
from nnviz.ui.learn import backprop_section, landscape_section

ui.through_router()

ui.quote(post.sentence("how backpropagation trains these networks"))
st.title("Train it yourself")
model = ui.require_model()
st.markdown(
    f"A network starts with random weights and reads digits about as well as a guess. Training shows it a batch of "
    f"images, measures how wrong it was (the *loss*), works out which way and how strongly each of its "
    f"{model.n_params:,} numbers should move to lower the loss (the *gradient*, by *backpropagation*), and nudges "
    "all of them a little downhill (*gradient descent*). Then the next batch. Press **Start** and watch it learn."
)

st.header("1. Train a network from scratch")
training.trainer()

st.header("2. One step of backpropagation on your digit")
st.markdown(
    "Draw a digit (or keep the one from the Draw page), say which digit it is, and see the loss, "
    "the output error, the gradient that reaches the first layer's weights, and what one step of "
    "gradient descent does."
)
st.fragment(backprop_section)()

st.header("3. Gradient descent, seen from above")
st.markdown(
    "The loss is a surface over all the network's parameters, its weights and biases; training walks downhill "
    f"on it. Here is one flat slice of it through the current parameters ({model.n_params:,} dimensions seen "
    "through two); once you have trained a network above, the path its training took is drawn on it."
)
st.fragment(landscape_section)()
