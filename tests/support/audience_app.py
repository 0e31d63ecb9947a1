"""The Audience page as app.py runs it, on its own: AppTest cannot switch to a page given as a function."""

import sys

import streamlit as st

from dashboard.views import audience
from dashboard.views.config import parse_app_args

st.set_page_config(page_title="Data Bloom", layout="wide")
audience.page(parse_app_args(sys.argv[1:]))
