"""The app's pages: the shared sidebar, then the page body. app.py routes to these."""

from __future__ import annotations

from ..config import AppConfig
from . import explore, overview, sidebar


def traffic(config: AppConfig) -> None:
    """Overview: figures, browsers, heatmap tables, map, alerts (and the live panel for a followed log)."""
    settings, selected = sidebar.render(config)
    overview.render(settings, selected, config.alerts_config)


def explore_page(config: AppConfig) -> None:
    """Explore: global filters, date range and comparison, all the panels."""
    settings, selected = sidebar.render(config)
    explore.render(settings, selected)
