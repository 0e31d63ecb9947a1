"""Streamlit pages: each module arranges widgets and calls the pure layers below."""
