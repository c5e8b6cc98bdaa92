"""What every figure shares: building one is safe while another reader's thread imports pandas."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import _plotly_utils.optional_imports
import numpy as np
import plotly.graph_objects as go
import plotly.io

from nnviz.figures import common, neurons, weights


def test_a_figure_is_built_while_another_thread_is_still_importing_pandas(monkeypatch):
    """On a fresh server Streamlit imports pandas on the first canvas; a figure built meanwhile in
    another session's thread must not trip over the half-imported module."""
    half = types.ModuleType("pandas")  # no Series, no Index yet: its code is still running
    half.__spec__ = importlib.machinery.ModuleSpec("pandas", None)
    half.__spec__._initializing = True  # what CPython sets while a module's code runs
    monkeypatch.setitem(sys.modules, "pandas", half)
    images = np.zeros((3, 28, 28), np.uint8)
    fig = weights.top_digits_figure(images, np.arange(3), np.arange(3), np.ones(3), neuron=0)  # the one that failed
    fig.add_trace(go.Bar(x=[0, 1], y=[1.0, 2.0], hovertemplate="%{y}", text=["a", "b"]))
    assert fig.to_json()
    assert common.layout(go.Figure(go.Heatmap(z=[[1, 2]], hovertemplate="%{z}")), height=100).to_json()
    # Streamlit's serialisation, unvalidated: a value the JSON encoder cannot take falls through to
    # the encoder's own look for pandas (here, the atlas's bars' labels)
    drops, dead = np.array([0.001, -0.0002, 0.0, 0.0015]), np.array([False, False, True, False])
    assert plotly.io.to_json(neurons.ablation_figure(drops, dead, 10_000, selected=3), validate=False)


def test_no_plotly_module_keeps_the_unguarded_look_up():
    unguarded = _plotly_utils.optional_imports.get_module.__wrapped__
    holders = [
        m.__name__ for m in list(sys.modules.values()) if getattr(m, "__dict__", {}).get("get_module") is unguarded
    ]
    assert not holders
