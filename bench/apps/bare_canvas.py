"""The reference page for the stroke benchmark: only the canvas and a text readout.

The canvas has the settings of ``nnviz.ui.canvas`` (white ink on black, 280x280,
stroke 18, image data returned); the readout is the amount of ink, so it changes
with every stroke.  Nothing of nnviz is imported: this is what Streamlit and the
component cost on their own.
"""

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

result = st_canvas(
    stroke_width=18,
    stroke_color="#FFFFFF",
    background_color="#000000",
    height=280,
    width=280,
    drawing_mode="freedraw",
    return_image_data=True,
    key="canvas",
)
data = result.image_data
ink = 0 if data is None else int(np.asarray(data)[:, :, 0].astype(np.int64).sum())
st.text(f"ink: {ink}")
