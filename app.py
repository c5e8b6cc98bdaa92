"""nnviz: draw a digit and watch the network of "Neural Networks Part 1" think.

The entry file is a router: page config, the navigation, the shared sidebar.
Each page is a thin file in pages/ that calls the nnviz library.
"""

from pathlib import Path

import streamlit as st

from nnviz.ui import through_router
from nnviz.ui.sidebar import next_page, sidebar

HERE = Path(__file__).resolve().parent


def page(file: str, title: str, icon: str, url_path: str, **kwargs) -> st.Page:
    return st.Page(HERE / "pages" / file, title=title, icon=icon, url_path=url_path, **kwargs)


through_router()  # a fresh server may have started in legacy pages/ mode
st.set_page_config(page_title="nnviz: Neural Networks Part 1, live", page_icon="🧠", layout="wide")

# The default page is served at / only: Streamlit answers its own url_path with "Page not found".
# So that path is one nobody types, and the two people do type, /post and /home, are hidden pages
# that send the reader to /.
post = page("post.py", "The post", ":material/article:", "start", default=True)


def to_the_post() -> None:
    """``/post`` or ``/home``: the default page lives at ``/``, so a hand-typed address is sent there, its query kept.

    All of it: a parameter given twice goes on twice, so the post's run gives the same
    notice it would give the address typed at ``/``.
    """
    st.switch_page(post, query_params={name: st.query_params.get_all(name) for name in st.query_params})


ALIASES = ("post", "home")
post_aliases = [st.Page(to_the_post, title="The post", url_path=path, visibility="hidden") for path in ALIASES]
draw = page("draw.py", "Draw a digit", ":material/draw:", "draw")
weights = page("weights.py", "Weights", ":material/grid_on:", "weights")
matmul = page("matmul.py", "Matrix multiplication", ":material/calculate:", "matmul")
learn = page("learn.py", "Train it yourself", ":material/school:", "learn")
embeddings = page("embeddings.py", "Embeddings", ":material/scatter_plot:", "embeddings")
errors = page("errors.py", "Where it errs", ":material/rule:", "errors")
neurons = page("neurons.py", "Neuron atlas", ":material/hub:", "neurons")
why = page("why.py", "Why it said that", ":material/psychology:", "why")

SECTIONS = {
    "Part 1: the network": [post, draw, weights, matmul, *post_aliases],
    "Part 2: learning": [learn],
    "Inside the network": [embeddings, errors, neurons, why],
}
# The menu is drawn by sidebar(): its links carry each page's view (the digit, the neuron...), so
# arriving needs no change of address, which the browser would keep as one more step of history.
nav = st.navigation(SECTIONS, position="hidden")
if nav.url_path not in ALIASES:
    # before the page: guards it and checks and applies the link's state.  Not on the way
    # through an alias: its notices would vanish with the switch; the post's own run gives them.
    sidebar(nav, SECTIONS)
nav.run()
if nav.url_path not in ALIASES:
    next_page(nav, SECTIONS)  # no page ends in a dead end: the menu's next one, the post after the last
