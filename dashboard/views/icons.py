"""The icons the pages show, as Streamlit's bundled Material Symbols: an emoji is an empty box without an emoji font.

Every icon of a page, a button, an alert or a caption comes from here (a test scans the views for emoji).
"""

APP = ":material/local_florist:"
TRAFFIC = ":material/monitoring:"
EXPLORE = ":material/travel_explore:"
SAMPLE = ":material/science:"
ERROR = ":material/error:"
WARNING = ":material/warning:"
INFO = ":material/info:"
PLAY = ":material/play_arrow:"
PAUSE = ":material/pause:"
ADD = ":material/add:"
UNDO = ":material/undo:"
FILTER_OFF = ":material/filter_alt_off:"
MAP = ":material/map:"
CLOSE = ":material/close:"
# Alert severities, most severe first.
SEVERITY = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
SEVERITY_OTHER = ":material/circle:"
