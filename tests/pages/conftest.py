"""Page tests run as on a warm server: through app.py's router, in Streamlit's current multipage mode.

AppTest starts every run like a fresh server, where the ``pages/`` folder switches
Streamlit into its legacy mode until ``st.navigation`` has run once; every page
then corrects that itself (``nnviz.ui.through_router``), which the test
``test_links.py::test_cold_server_deep_link_goes_through_the_router`` checks.
All other page tests see what a reader sees on every run after the first.
"""

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def warm_router(request, monkeypatch):
    if request.node.get_closest_marker("cold_server"):
        yield
        return
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # as after the first st.navigation call

    monkeypatch.setattr(PagesManager, "__init__", init)
    yield
