"""Plotly figure builders: arrays in, ``go.Figure`` out, no Streamlit.

One module per area of the app (``draw``, ``weights``, ...); shared colours and
layout live in :mod:`nnviz.figures.common`.  Each builder is pure, so tests check
``fig.data`` without a browser, and each returns a figure (an empty, labelled one
for empty input) plus, where the page shows one, a one-line text summary.
"""
