"""Realtime benchmark: following across rotations, latency, incremental poll cost, syslog throughput and loss.

    python bench/realtime.py [--seconds 60] [--rate 2000] [--rotations 20] [--rows 1000000]

1. A writer process appends ``rate`` lines/s (each carries a sequence number and its write time) for
   ``seconds`` while a rotator thread in it does ``rotations`` rotations, alternating rename + create (the
   writer reopens its log 50 ms later, like nginx after USR1) and copytruncate (copy, then truncate, while the
   writer keeps appending: lines written between the copy and the truncate exist in no file — logrotate's
   own caveat). The follower is the dashboard's: ``live.SharedLive``, whose background thread reads the file
   every 0.5 s whatever the pages' refresh (2 s). Printed: lines written, lines on disk afterwards (in any
   file), lines ingested, duplicates, lines on disk the follower missed, p50/p95 latency written → in the frame.
2. The cost of a poll bringing 1,000 new lines with ``rows`` rows already loaded, against the same poll on an
   empty log (it must not grow with the rows loaded), and the one-off cost of assembling the frame after it.
3. Syslog: 100,000 messages over one TCP connection on loopback, all written; UDP loss at 10k msg/s from a
   separate sender process.

Only 127.0.0.1 is used. Figures vary between runs on shared machines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WRITE_TICK_S = 0.01
REOPEN_DELAY_S = 0.05
BACKUPS = 40
SEQ = re.compile(r"seq=(\d+)&t=([\d.]+)")
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
TARGET_LATENCY_S = 2.0
TARGET_POLL_MS = 100
SYSLOG_MESSAGES = 100_000
UDP_RATE = 10_000
UDP_SECONDS = 3.0
NGINX_HEADER = b"<190>Jun  1 10:00:00 web1 nginx: "


def _line(seq: int) -> bytes:
    now = time.time()
    when = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now))
    return (
        f'81.2.69.{seq % 250 + 1} - - [{when}] "GET /item?seq={seq}&t={now:.6f} HTTP/1.1" 200 {seq % 5000} '
        f'"-" "{AGENT}"\n'
    ).encode()


def _shift(path: Path) -> None:
    for k in range(BACKUPS - 1, 0, -1):
        older = path.with_name(f"{path.name}.{k}")
        if older.exists():
            os.replace(older, path.with_name(f"{path.name}.{k + 1}"))


def writer_main(path: Path, seconds: float, rate: int, rotations: int) -> None:
    """The writer process: appends at ``rate`` lines/s; a rotator thread rotates the log meanwhile."""
    state = {"handle": open(path, "ab", buffering=0), "reopen": False}  # noqa: SIM115 - reopened on rotation
    stop = threading.Event()
    kinds: list[str] = []

    def rotator() -> None:
        gap = seconds / (rotations + 1)
        for k in range(rotations):
            if stop.wait(gap):
                return
            _shift(path)
            if k % 2 == 0:  # rename + create; the server reopens a little later
                os.replace(path, path.with_name(path.name + ".1"))
                path.touch()
                time.sleep(REOPEN_DELAY_S)
                state["reopen"] = True
                kinds.append("rename+create")
            else:  # copytruncate: the server never notices
                shutil.copyfile(path, path.with_name(path.name + ".1"))
                os.truncate(path, 0)
                kinds.append("copytruncate")

    thread = threading.Thread(target=rotator)
    thread.start()
    seq, began = 0, time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:
        due = int(elapsed * rate)
        if due > seq:
            state["handle"].write(b"".join(_line(i) for i in range(seq, due)))
            seq = due
        if state["reopen"]:
            state["handle"].close()
            state["handle"] = open(path, "ab", buffering=0)  # noqa: SIM115
            state["reopen"] = False
        time.sleep(WRITE_TICK_S)
    stop.set()
    thread.join()
    state["handle"].close()
    print(json.dumps({"written": seq, "rotations": kinds}))


def _seqs_and_times(frame) -> tuple[list[int], list[float]]:
    seqs, times = [], []
    for query in frame["query"].astype(str):
        m = SEQ.search(query)
        if m:
            seqs.append(int(m.group(1)))
            times.append(float(m.group(2)))
    return seqs, times


def bench_follow(seconds: float, rate: int, rotations: int, tmp: Path) -> dict:
    from dashboard.live.livelog import LiveLog
    from dashboard.live.shared import READ_SECONDS, SharedLive

    path = tmp / "access.log"
    path.touch()
    cmd = [sys.executable, __file__, "--writer", str(path), str(seconds), str(rate), str(rotations)]
    writer = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    live = LiveLog(path, "combined")
    ingested, latencies, polls_ms, last_rows = [], [], [], [time.monotonic()]

    def on_poll(result) -> None:  # the app's background reader, as the dashboard runs it
        now = time.time()
        seqs, times = _seqs_and_times(result.rows)
        ingested.extend(seqs)
        latencies.extend(now - t for t in times)
        polls_ms.append(result.seconds * 1000)
        if seqs:
            last_rows[0] = time.monotonic()

    shared = SharedLive(live, interval=READ_SECONDS, on_poll=on_poll)
    while writer.poll() is None or time.monotonic() - last_rows[0] < 3 * READ_SECONDS + 1:
        time.sleep(0.1)
    shared.stop()
    shared.thread.join()
    report = json.loads(writer.stdout.read())
    on_disk: set[int] = set()
    for f in tmp.glob("access.log*"):
        on_disk.update(int(m.group(1)) for m in SEQ.finditer(f.read_text()))
    got = set(ingested)
    stats = live.follower.stats
    live.close()
    latencies.sort()
    return {
        "seconds": seconds,
        "rate": rate,
        "rotations_done": report["rotations"].count("rename+create"),
        "copytruncates_done": report["rotations"].count("copytruncate"),
        "rotations_seen": live.rotations,
        "written": report["written"],
        "on_disk_after": len(on_disk),
        "lost_by_copytruncate_window": report["written"] - len(on_disk),
        "ingested": len(ingested),
        "duplicates": len(ingested) - len(got),
        "on_disk_but_missed": len(on_disk - got),
        "recovered_from_copy_bytes": stats.recovered_bytes,
        "partial_lines_rejected": live.rejected,
        "latency_p50_s": statistics.median(latencies) if latencies else None,
        "latency_p95_s": latencies[int(len(latencies) * 0.95)] if latencies else None,
        "poll_ms_median": statistics.median(polls_ms),
    }


def bench_incremental(rows: int, tmp: Path) -> dict:
    from dashboard.live.livelog import LiveLog
    from dashboard.sample import generate_sample

    path, small = tmp / "big.log", tmp / "small.log"
    began = time.perf_counter()
    with open(path, "wb") as f:
        for block in generate_sample(rows, seed=1).chunks():
            f.write(block)
    extra = b"".join(generate_sample(10_000, days=0.1, seed=2).chunks()).splitlines(keepends=True)
    generated = time.perf_counter() - began

    def timed_polls(live: LiveLog, target: Path) -> tuple[list[float], list[float]]:
        polls, frames = [], []
        for k in range(5):
            with open(target, "ab") as f:
                f.write(b"".join(extra[k * 1000 : (k + 1) * 1000]))
            result = live.poll()
            assert result.lines == 1000, result.lines
            polls.append(result.seconds * 1000)
            t = time.perf_counter()
            _ = live.frame
            frames.append((time.perf_counter() - t) * 1000)
        return polls, frames

    began = time.perf_counter()
    live = LiveLog(path, "combined")
    while live.lines < rows:
        live.poll()
    _ = live.frame
    loaded = time.perf_counter() - began
    big_polls, big_frames = timed_polls(live, path)
    live.close()
    small.touch()
    empty = LiveLog(small, "combined")
    empty.poll()
    small_polls, _ = timed_polls(empty, small)
    empty.close()
    return {
        "rows_loaded": rows,
        "generate_s": round(generated, 1),
        "initial_load_s": round(loaded, 1),
        "poll_1000_lines_ms_with_rows_loaded": [round(x, 1) for x in big_polls],
        "poll_1000_lines_ms_on_empty_log": [round(x, 1) for x in small_polls],
        "frame_assembly_after_poll_ms": [round(x, 1) for x in big_frames],
    }


def bench_tcp(tmp: Path) -> dict:
    from dashboard.ingest.syslog import SyslogReceiver

    out = tmp / "tcp.log"
    body = [NGINX_HEADER + _line(i).rstrip(b"\n") for i in range(SYSLOG_MESSAGES)]
    data = b"".join(b"%d %s" % (len(m), m) for m in body)
    receiver = SyslogReceiver(out, tcp=("127.0.0.1", 0)).start()
    began = time.perf_counter()
    with socket.create_connection(receiver.tcp_address) as conn:
        conn.sendall(data)
    stats = receiver.stop()
    elapsed = time.perf_counter() - began
    lines = out.read_bytes().count(b"\n")
    return {"sent": SYSLOG_MESSAGES, "written": stats.written, "lines_in_file": lines, "seconds": round(elapsed, 2)}


def udp_sender_main(host: str, port: int, rate: int, seconds: float) -> None:
    """The UDP sender process: ``rate`` messages/s, paced per millisecond."""
    sock = socket.socket(type=socket.SOCK_DGRAM)
    sent, began = 0, time.monotonic()
    while (elapsed := time.monotonic() - began) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            sock.sendto(NGINX_HEADER + _line(sent).rstrip(b"\n"), (host, port))
            sent += 1
        time.sleep(0.001)
    print(json.dumps({"sent": sent, "seconds": time.monotonic() - began}))


def bench_udp(tmp: Path) -> dict:
    from dashboard.ingest.syslog import SyslogReceiver

    out = tmp / "udp.log"
    receiver = SyslogReceiver(out, udp=("127.0.0.1", 0)).start()
    host, port = receiver.udp_address
    cmd = [sys.executable, __file__, "--udp-sender", host, str(port), str(UDP_RATE), str(UDP_SECONDS)]
    report = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    stats = receiver.stop()
    sent = report["sent"]
    return {
        "rate": UDP_RATE,
        "sent": sent,
        "written": stats.written,
        "loss_rate": round(1 - stats.written / sent, 5) if sent else None,
        "actual_rate": round(sent / report["seconds"]),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--writer"]:
        writer_main(Path(argv[1]), float(argv[2]), int(argv[3]), int(argv[4]))
        return 0
    if argv[:1] == ["--udp-sender"]:
        udp_sender_main(argv[1], int(argv[2]), int(argv[3]), float(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="writer duration (issue: 60)")
    parser.add_argument("--rate", type=int, default=2000, help="lines/s written (issue: 2000)")
    parser.add_argument("--rotations", type=int, default=20, help="alternating rename+create / copytruncate")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows loaded before the incremental poll")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="realtime-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for title, run in (
            ("follow across rotations", lambda: bench_follow(args.seconds, args.rate, args.rotations, tmp)),
            ("incremental poll", lambda: bench_incremental(args.rows, tmp)),
            ("syslog TCP", lambda: bench_tcp(tmp)),
            ("syslog UDP", lambda: bench_udp(tmp)),
        ):
            began = time.perf_counter()
            doc = run()
            print(f"== {title} ({time.perf_counter() - began:.1f} s)")
            for key, value in doc.items():
                print(f"  {key:<40} {value}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
