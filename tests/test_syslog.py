"""The syslog receiver: RFC 3164 and 5424 headers, both TCP framings, UDP, bad input, rotation, clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.ingest.syslog import (
    FramingError,
    MalformedMessage,
    RotatingFile,
    SyslogReceiver,
    TcpFramer,
    as_line,
    parse_address,
    parse_message,
)
from support.loglines import UA_CHROME, combined

ROOT = Path(__file__).resolve().parents[1]
LOCAL = ("127.0.0.1", 0)
ACCESS = combined("81.2.69.160", "01/Jun/2026:10:00:00 +0000", "GET /a?b=1 HTTP/1.1", 200, 512, agent=UA_CHROME)
PAYLOAD = ACCESS.encode()


@pytest.mark.parametrize(
    ("message", "rfc", "hostname", "app"),
    [
        (b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD, 3164, "web1", "nginx"),  # nginx access_log syslog:
        (b"<190>Jun 11 10:00:00 nginx: " + PAYLOAD, 3164, "", "nginx"),  # nginx with nohostname
        (b"<14>Jun  1 10:00:00 web1 apache[4242]: " + PAYLOAD, 3164, "web1", "apache"),  # logger -t apache
        (b"<14>2026-06-01T10:00:00.123+02:00 web1 apache: " + PAYLOAD, 3164, "web1", "apache"),  # rsyslog style
        (b"<13>1 2026-06-01T10:00:00.5Z web1 apache 4242 - - " + PAYLOAD, 5424, "web1", "apache"),
        (b'<13>1 2026-06-01T10:00:00Z web1 nginx - ID7 [x@1 a="q\\"]" b="]"][y@2] ' + PAYLOAD, 5424, "web1", "nginx"),
        (b"<13>1 - - - - - - \xef\xbb\xbf" + PAYLOAD + b"\n", 5424, "", ""),  # logger --rfc5424 with BOM
        (b"<134>" + PAYLOAD, 0, "", ""),  # priority only: the rest is the message
    ],
)
def test_headers_are_stripped(message: bytes, rfc: int, hostname: str, app: str) -> None:
    parsed = parse_message(message)
    assert (parsed.payload, parsed.rfc, parsed.hostname, parsed.app) == (PAYLOAD, rfc, hostname, app)


def test_priority_is_split_into_facility_and_severity() -> None:
    parsed = parse_message(b"<190>Jun  1 10:00:00 web1 nginx: x")
    assert (parsed.facility, parsed.severity) == (23, 6)


@pytest.mark.parametrize(
    "message",
    [
        PAYLOAD,  # no priority
        b"<192>Jun  1 10:00:00 web1 nginx: x",  # priority out of range
        b"<13>1 2026-06-01T10:00:00Z web1",  # RFC 5424 header cut short
        b'<13>1 2026-06-01T10:00:00Z web1 app - - [x@1 a="b" msg',  # unterminated structured data
        b"<13>1 2026-06-01T10:00:00Z web1 app - - oops msg",  # structured data neither - nor [
        b"<190>Jun  1 10:00:00 web1 nginx: ",  # nothing to write
        b"",
    ],
)
def test_malformed_messages_raise(message: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(message)


def test_embedded_newlines_stay_on_one_line() -> None:
    assert as_line(b"a\nb\r") == b"a\\x0Ab\\x0D\n"


def octet(messages: list[bytes]) -> bytes:
    return b"".join(b"%d %s" % (len(m), m) for m in messages)


MESSAGES = [b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD + b" %d" % i for i in range(5)] + [b"<13>1 - - - - - - \n x"]


@pytest.mark.parametrize("framing", ["octet", "newline"])
def test_framer_reassembles_messages_split_anywhere(framing: str) -> None:
    expected = MESSAGES if framing == "octet" else MESSAGES[:-1]  # the last one holds a newline
    stream = octet(expected) if framing == "octet" else b"".join(m + b"\n" for m in expected)
    for step in (1, 2, 7, 64, len(stream)):
        framer = TcpFramer()
        got = [m for i in range(0, len(stream), step) for m in framer.feed(stream[i : i + step])]
        assert got == [(m, False) for m in expected], step
        assert framer.finish() == ([], 0)


def test_framer_cuts_oversized_messages() -> None:
    big = b"<13>" + b"x" * 100
    framer = TcpFramer(max_bytes=20)
    assert framer.feed(octet([big, b"<13>ok"])) == [(big[:20], True), (b"<13>ok", False)]
    framer = TcpFramer(max_bytes=20)
    got = framer.feed(big[:50]) + framer.feed(big[50:] + b"\n<13>ok\n")
    assert got == [(big[:20], True), (b"<13>ok", False)]


def test_framer_end_of_stream() -> None:
    framer = TcpFramer()
    assert framer.feed(b"<13>one\n<13>two") == [(b"<13>one", False)]
    assert framer.finish() == ([(b"<13>two", False)], 0)  # unterminated last message: kept
    framer = TcpFramer()
    assert framer.feed(b"30 <13>only part") == []
    assert framer.finish() == ([], 1)  # incomplete octet-counted message: counted


def test_framer_rejects_a_broken_length_header() -> None:
    framer = TcpFramer()
    with pytest.raises(FramingError):
        framer.feed(b"12x <13>hello")


def test_rotating_file_renames_and_creates(tmp_path: Path) -> None:
    out = tmp_path / "syslog.log"
    writer = RotatingFile(out, max_bytes=25, backups=2)
    writer.write_lines([b"%02d-------\n" % i for i in range(8)])  # 10 bytes each: two per file
    writer.close()
    assert out.read_bytes() == b"06-------\n07-------\n"
    assert (tmp_path / "syslog.log.1").read_bytes() == b"04-------\n05-------\n"
    assert (tmp_path / "syslog.log.2").read_bytes() == b"02-------\n03-------\n"
    assert not (tmp_path / "syslog.log.3").exists() and writer.rotations == 3


@pytest.mark.parametrize(
    ("text", "address"),
    [("5514", ("127.0.0.1", 5514)), ("0.0.0.0:514", ("0.0.0.0", 514)), ("[::1]:5514", ("::1", 5514))],
)
def test_parse_address(text: str, address: tuple[str, int]) -> None:
    assert parse_address(text) == address


def send_tcp(address: tuple[str, int], data: bytes) -> None:
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(data)


def written(out: Path) -> list[bytes]:
    return out.read_bytes().splitlines()


@pytest.mark.parametrize("framing", ["octet", "newline"])
def test_tcp_both_framings_end_to_end(tmp_path: Path, framing: str) -> None:
    out = tmp_path / "out.log"
    messages = [b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD + b" %d" % i for i in range(1000)]
    data = octet(messages) if framing == "octet" else b"\n".join(messages) + b"\n"
    with SyslogReceiver(out, tcp=LOCAL) as receiver:
        send_tcp(receiver.tcp_address, data)
        send_tcp(receiver.tcp_address, data)
    assert sorted(written(out)) == sorted([PAYLOAD + b" %d" % i for i in range(1000)] * 2)
    assert receiver.stats.received == receiver.stats.written == 2000 and receiver.stats.connections == 2


def test_octet_counted_message_cut_by_the_connection_is_counted(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    with SyslogReceiver(out, tcp=LOCAL) as receiver:
        send_tcp(receiver.tcp_address, octet([b"<13>whole", b"<13>never finished"])[:-3])
    assert written(out) == [b"whole"] and receiver.stats.malformed == 1


def test_udp_end_to_end_with_malformed_and_oversized(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    with SyslogReceiver(out, udp=LOCAL, max_message=600) as receiver, socket.socket(type=socket.SOCK_DGRAM) as s:
        s.sendto(b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD, receiver.udp_address)
        s.sendto(b"no priority here", receiver.udp_address)
        s.sendto(b"<13>1 - - - - - - " + b"y" * 2000, receiver.udp_address)
        s.sendto(b"<13>1 - - - - - - " + PAYLOAD, receiver.udp_address)
    assert written(out) == [PAYLOAD, b"y" * (600 - len(b"<13>1 - - - - - - ")), PAYLOAD]
    stats = receiver.stats
    assert (stats.received, stats.written, stats.malformed, stats.oversized) == (4, 3, 1, 1)


def test_garbage_on_a_tcp_connection_does_not_stop_the_receiver(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    with SyslogReceiver(out, tcp=LOCAL) as receiver:
        send_tcp(receiver.tcp_address, b"99999999999999 garbage\n")
        send_tcp(receiver.tcp_address, b"\x00\xff\xfe binary\n<13>ok\n")
        send_tcp(receiver.tcp_address, b"<13>after\n")
    assert written(out) == [b"ok", b"after"]
    assert receiver.stats.malformed == 2


def test_rotation_at_max_bytes_keeps_every_line(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    messages = [b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD + b" %d" % i for i in range(300)]
    with SyslogReceiver(out, tcp=LOCAL, max_bytes=8192, backups=20) as receiver:
        send_tcp(receiver.tcp_address, b"\n".join(messages) + b"\n")
    files = [*sorted(tmp_path.glob("out.log.*"), key=lambda p: -int(p.suffix[1:])), out]
    assert len(files) > 5 and all(f.stat().st_size <= 8192 for f in files)
    assert [line for f in files for line in written(f)] == [PAYLOAD + b" %d" % i for i in range(300)]
    assert receiver.stats.rotations == len(files) - 1


def test_stop_right_after_sending_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    receiver = SyslogReceiver(out, tcp=LOCAL, udp=LOCAL).start()
    conn = socket.create_connection(receiver.tcp_address)
    udp = socket.socket(type=socket.SOCK_DGRAM)
    for i in range(200):
        udp.sendto(b"<13>udp %d" % i, receiver.udp_address)
    conn.sendall(b"".join(b"<13>tcp %d\n" % i for i in range(5000)) + b"<13>tcp last")  # no final newline
    stats = receiver.stop()  # the connection is still open: its data is drained, the last message kept
    conn.close()
    udp.close()
    lines = written(out)
    assert sorted(x for x in lines if x.startswith(b"tcp")) == sorted(
        [b"tcp %d" % i for i in range(5000)] + [b"tcp last"]
    )
    assert sum(x.startswith(b"udp") for x in lines) == 200
    assert stats.written == stats.received == 5201


def test_listen_command_drains_on_sigterm(tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    code = "import sys; from dashboard.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [sys.executable, "-c", code, "listen", "--tcp", "127.0.0.1:0", "--out", str(out), "--seconds", "20"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        ready = json.loads(proc.stderr.readline())
        host, port = ready["listening"]["tcp"]
        send_tcp((host, port), octet([b"<190>Jun  1 10:00:00 web1 nginx: " + PAYLOAD] * 50))
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGTERM)
        stdout, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert json.loads(stdout)["written"] == 50 and written(out) == [PAYLOAD] * 50
