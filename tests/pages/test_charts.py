"""Every chart in the app is drawn by one of nnviz.ui's two chart helpers, with its config.

A chart that is only read (``ui.chart``) hides Plotly's mode bar: its zoom, pan
and download buttons sit over the chart's top corner, and nothing here needs them.  A
chart whose points are picked (``ui.pickable_chart``) also counts each tap as a
tap (``TAPPABLE``); only the Embeddings map keeps its mode bar, for its reset
button.  A page that called ``st.plotly_chart`` with Plotly's default config
would show the mode bar, and fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_session import open_page

from nnviz.ui import NO_MODE_BAR, TAPPABLE

# page -> (a link that makes it draw all its charts, the charts whose points are picked)
PAGES = {
    "draw": ({"sample": "12"}, set()),
    "matmul": ({}, set()),
    "weights": ({}, {"mosaic"}),
    "learn": ({}, set()),
    "embeddings": ({}, {"embedding_map"}),
    "errors": ({}, {"confusion"}),
    "neurons": ({}, {"ablation"}),
    "why": ({}, set()),
}
WITH_MODE_BAR = {"embedding_map"}
ROOT = Path(__file__).resolve().parents[2]


def test_every_page_is_listed():
    # the post's page draws no chart (its landing must be quick: test_post_page)
    assert {p.stem for p in (ROOT / "pages").glob("*.py")} == set(PAGES) | {"post"}


@pytest.mark.parametrize("page", PAGES)
def test_each_chart_uses_the_apps_config(page):
    query, pickable = PAGES[page]
    at = open_page(page, query, canvas=lambda *a, **k: None)  # the Draw page's canvas: nothing drawn
    configs = {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.config) for el in at.get("plotly_chart")}
    assert len(configs) >= 2, configs  # the page drew its charts
    for key, config in configs.items():
        if key in pickable:
            mode_bar = {} if key in WITH_MODE_BAR else NO_MODE_BAR
            assert config == {**mode_bar, **TAPPABLE}, key
        else:
            assert config == NO_MODE_BAR, key


def test_the_chart_code_preloaded_is_the_file_streamlit_imports():
    """``ui.preload_charts_script`` names this Streamlit's Plotly code by the address its own import uses.

    A Streamlit that renames the file would leave the reader's first chart slow again, silently: this says so.
    """
    import re

    import streamlit

    from nnviz.ui import preload_charts_script

    script = preload_charts_script()
    chunk = re.search(r'"(PlotlyChart\.[^"/]+\.js)"', script)
    assert chunk is not None, "no PlotlyChart.<hash>.js in this Streamlit: the charts' code is not preloaded"
    static = Path(streamlit.__file__).parent / "static"
    # the page's main script (the one the preload resolves the file's address against) imports it from beside itself
    main = re.search(
        r'<script type="module"[^>]* src="\./(static/js/index\.[^"/]+\.js)"', (static / "index.html").read_text()
    )
    assert main is not None
    assert f"import(`./{chunk.group(1)}`)" in (static / main.group(1)).read_text()
