"""Data Bloom: ``streamlit run app.py [-- --log PATH [--format F] [--geoip FILE] [--follow PATH] [--cube FILE]]``."""

import sys

import streamlit as st

from dashboard.config import parse_app_args
from dashboard.views import pages

st.set_page_config(page_title="Data Bloom", page_icon="🌸", layout="wide")

CONFIG = parse_app_args(sys.argv[1:])


def traffic_page() -> None:
    pages.traffic(CONFIG)


def explore_page() -> None:
    pages.explore_page(CONFIG)


page = st.navigation(
    [
        st.Page(traffic_page, title="Traffic", icon="📈", url_path="traffic", default=True),
        st.Page(explore_page, title="Explore", icon="🔎", url_path="explore"),
    ]
)
page.run()
