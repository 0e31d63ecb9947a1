"""Data Bloom: ``streamlit run app.py [-- --log PATH [--format F] [--geoip FILE] [--follow PATH] [--cube FILE]]``.

Streamlit reads this file in two ways. ``streamlit run`` finds the ``st.App`` at the bottom, imports the file as a
module and serves that app, whose lifespan starts the warm-up (``dashboard.views.warm``: the page modules and the
opening log are read while the first browser loads). Each page view then runs the file as its script
(``__main__``): a router only. The page modules under ``dashboard/views`` draw everything; each is imported when
its page is first shown.
"""

import sys

import streamlit as st

from dashboard.views import warm


def main() -> None:
    """The page script: the page set, then the chosen page. Its imports are here, not at the top: the server
    imports this file before it answers, and the warm-up imports the heavy modules after it does."""
    from dashboard.resources import FAVICON
    from dashboard.views import icons, pages
    from dashboard.views.config import parse_app_args

    st.set_page_config(page_title="Data Bloom", page_icon=str(FAVICON), layout="wide")
    config = parse_app_args(sys.argv[1:])

    def traffic_page() -> None:
        from dashboard.views import traffic

        traffic.page(config)

    def explore_page() -> None:
        from dashboard.views import explore

        explore.page(config)

    def lines_page() -> None:
        from dashboard.views import lines

        lines.page(config)

    def clients_page() -> None:
        from dashboard.views import clients

        clients.page(config)

    def audience_page() -> None:
        from dashboard.views import audience

        audience.page(config)

    registered = {
        "traffic": st.Page(traffic_page, title="Traffic", icon=icons.TRAFFIC, url_path="traffic", default=True),
        "explore": st.Page(explore_page, title="Explore", icon=icons.EXPLORE, url_path="explore"),
        "lines": st.Page(lines_page, title="Lines", icon=":material/article:", url_path="lines"),
        "clients": st.Page(clients_page, title="Clients", icon=":material/lan:", url_path="clients"),
        "audience": st.Page(audience_page, title="Audience", icon=":material/groups:", url_path="audience"),
    }
    pages.register(registered)
    st.navigation(list(registered.values())).run()


if __name__ == "__main__":  # a page view: Streamlit runs this file as the script
    main()
else:  # `streamlit run app.py` imports it for this app (Streamlit finds it by its st.App call)
    app = st.App(__file__, lifespan=warm.lifespan)
