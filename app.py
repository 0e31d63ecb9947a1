"""Data Bloom: ``streamlit run app.py [-- --log PATH [--format F] [--geoip FILE] [--follow PATH] [--cube FILE]]``.

A router only: the page modules under ``dashboard/views`` draw everything.
"""

import sys

import streamlit as st

from dashboard.resources import FAVICON
from dashboard.views import audience, clients, explore, icons, lines, pages, traffic
from dashboard.views.config import parse_app_args

st.set_page_config(page_title="Data Bloom", page_icon=str(FAVICON), layout="wide")

CONFIG = parse_app_args(sys.argv[1:])


def traffic_page() -> None:
    traffic.page(CONFIG)


def explore_page() -> None:
    explore.page(CONFIG)


def lines_page() -> None:
    lines.page(CONFIG)


def clients_page() -> None:
    clients.page(CONFIG)


def audience_page() -> None:
    audience.page(CONFIG)


PAGES = {
    "traffic": st.Page(traffic_page, title="Traffic", icon=icons.TRAFFIC, url_path="traffic", default=True),
    "explore": st.Page(explore_page, title="Explore", icon=icons.EXPLORE, url_path="explore"),
    "lines": st.Page(lines_page, title="Lines", icon=":material/article:", url_path="lines"),
    "clients": st.Page(clients_page, title="Clients", icon=":material/lan:", url_path="clients"),
    "audience": st.Page(audience_page, title="Audience", icon=":material/groups:", url_path="audience"),
}
pages.register(PAGES)
st.navigation(list(PAGES.values())).run()
