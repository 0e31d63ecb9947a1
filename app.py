"""Data Bloom: ``streamlit run app.py [-- --log PATH [--format F] [--geoip FILE] [--allow-dir DIR]]``."""

import sys

import streamlit as st

from dashboard.config import parse_app_args
from dashboard.views import overview, sidebar

st.set_page_config(page_title="Data Bloom", page_icon="🌸", layout="wide")

CONFIG = parse_app_args(sys.argv[1:])


def traffic_page() -> None:
    settings, selected = sidebar.render(CONFIG)
    overview.render(settings, selected, CONFIG.alerts_config)


page = st.navigation([st.Page(traffic_page, title="Traffic", icon="📈", url_path="traffic", default=True)])
page.run()
