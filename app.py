"""Data Bloom: ``streamlit run app.py [-- --log PATH [--format F] [--geoip FILE] [--follow PATH] [--cube FILE]]``.

A router only: the page modules under ``dashboard/views`` draw everything. Each page module is imported when its
page is first shown, so a cold start imports only the page it opens on.
"""

import sys

import streamlit as st

from dashboard.resources import FAVICON
from dashboard.views import icons, pages
from dashboard.views.config import parse_app_args

st.set_page_config(page_title="Data Bloom", page_icon=str(FAVICON), layout="wide")

CONFIG = parse_app_args(sys.argv[1:])


def traffic_page() -> None:
    from dashboard.views import traffic

    traffic.page(CONFIG)


def explore_page() -> None:
    from dashboard.views import explore

    explore.page(CONFIG)


def lines_page() -> None:
    from dashboard.views import lines

    lines.page(CONFIG)


def clients_page() -> None:
    from dashboard.views import clients

    clients.page(CONFIG)


def audience_page() -> None:
    from dashboard.views import audience

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
