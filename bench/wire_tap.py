"""A loopback TCP relay in front of the app that counts the bytes the server sends: what crosses the network.

The browser's websocket frames arrive decompressed in Playwright and in the DevTools protocol, so the bytes a
rerun costs on the wire (permessage-deflate, ``server.enableWebsocketCompression``) are counted here instead.
"""

from __future__ import annotations

import contextlib
import socket
import threading

CHUNK = 1 << 16


class WireTap:
    """Listens on a free loopback port and relays each connection to ``port``; ``sent`` counts server→browser."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.target = (host, port)
        self.sent = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server((host, 0))
        self.url = f"http://{host}:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # closed
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(CHUNK):
                if counted:
                    with self._lock:
                        self.sent += len(data)
                sink.sendall(data)
        for s in (source, sink):  # one side closed: close both, the other pipe ends too
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._listener.close()
