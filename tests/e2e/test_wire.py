"""The app's websocket is compressed: a slider step's table cells, map fills and chart data cross the network
deflated (``server.enableWebsocketCompression`` in .streamlit/config.toml)."""

from __future__ import annotations

from websockets.sync.client import connect


def test_the_server_accepts_permessage_deflate(server):
    url = server.replace("http://", "ws://", 1) + "/_stcore/stream"
    with connect(url, subprotocols=["streamlit"], compression="deflate", open_timeout=60) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
    assert extensions.startswith("permessage-deflate")


def test_without_the_offer_the_server_sends_plain_frames(server):
    url = server.replace("http://", "ws://", 1) + "/_stcore/stream"
    with connect(url, subprotocols=["streamlit"], compression=None, open_timeout=60) as ws:
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
