"""Small tables → what a page or the report shows, by kind: ``timeline`` (time axes), ``bars`` (top-N),
``heatmaps``, ``maps`` (the offline world map), ``format`` (figures as text), ``report`` (one HTML file) and
``export`` (CSV). ``theme`` holds what they share. No Streamlit here.
"""
