"""The reference page for the cold-start benchmark: a one-line Streamlit app."""

import streamlit as st

st.title("Hello")
