"""Loaded by a server started with this directory on PYTHONPATH: every network contact off this machine fails.

A connect to anything but loopback, and a name lookup of anything but localhost, is written to the file named by
``DATABLOOM_OFFLINE_LOG`` and refused with an OSError. A wildcard bind ("::", "0.0.0.0") is kept on loopback, so
the server under test is never reachable from outside. The first line of the log says the guard is active.
"""

from __future__ import annotations

import ipaddress
import os
import socket

LOG = os.environ.get("DATABLOOM_OFFLINE_LOG")
LOCAL_NAMES = {None, "", "localhost", "localhost.localdomain", "ip6-localhost"}
WILDCARDS = {"", "0.0.0.0", "::"}


def _record(line: str) -> None:
    if LOG:
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host in LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or str(address) in WILDCARDS


_connect, _connect_ex, _bind, _getaddrinfo = (
    socket.socket.connect,
    socket.socket.connect_ex,
    socket.socket.bind,
    socket.getaddrinfo,
)


def _check(sock: socket.socket, address: object, how: str) -> None:
    inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    if inet and not _is_local(address[0]):
        _record(f"{how} {address[0]}:{address[1]}")
        raise OSError(101, f"offline test: {how} to {address[0]} refused")


def connect(self: socket.socket, address: object) -> None:
    _check(self, address, "connect")
    return _connect(self, address)


def connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address, "connect")
    return _connect_ex(self, address)


def bind(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address[0] in WILDCARDS:
        address = ("::1" if self.family == socket.AF_INET6 else "127.0.0.1", *address[1:])
    return _bind(self, address)


def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if not _is_local(host):
        _record(f"lookup {host}")
        raise socket.gaierror(socket.EAI_NONAME, f"offline test: lookup of {host} refused")
    return _getaddrinfo(host, *args, **kwargs)


if LOG:
    socket.socket.connect, socket.socket.connect_ex, socket.socket.bind = connect, connect_ex, bind
    socket.getaddrinfo = getaddrinfo
    _record(f"# offline guard active in pid {os.getpid()}")
