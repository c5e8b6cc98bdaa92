"""Placeholder: replaced by the page's owner."""

import streamlit as st

st.title("draw")
st.info("This page is being built.")
