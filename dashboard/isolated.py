"""``load_log`` of bytes in a child process: a long-lived server keeps the frame, not the parse's leftovers.

Parsing and enriching a 1M-line upload leaves ~60 MB of freed memory that the allocators keep on top of the 45 MB
frame for as long as the server runs. Parsed in a child process (spawned: the server has threads, so no fork),
that memory goes back to the OS when the child exits; the server receives the finished ``LoadedLog``. A new
child costs ~1 s of imports, so only large inputs go there (``ISOLATE_BYTES``).
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
from collections.abc import Callable, Hashable
from pathlib import Path

from dashboard.ingest.formats import LogFormat
from dashboard.ingest.sources import SourceError
from dashboard.pipeline import LoadedLog, load_log

ISOLATE_BYTES = 16 << 20  # inputs at least this big are parsed in a child process
SPAWN = multiprocessing.get_context("spawn")


def load_bytes(
    data: bytes,
    fmt: str | LogFormat | None,
    *,
    geoip: str | Path | None,
    name: str,
    progress: Callable[[int], None] | None = None,
    max_decompressed: int | None = None,
    fingerprint: tuple[Hashable, ...] | None = None,
) -> LoadedLog:
    """``load_log`` of an upload's bytes: in a child process when they are ``ISOLATE_BYTES`` or more.

    The child's progress reaches ``progress``; its errors are raised here as they were raised there (as a
    ``SourceError`` naming the input when they cannot travel). If ``progress`` raises (the page stopped to rerun),
    the child is stopped too.
    """
    options = {"geoip": geoip, "name": name, "max_decompressed": max_decompressed, "fingerprint": fingerprint}
    if len(data) < ISOLATE_BYTES:
        return load_log(io.BytesIO(data), fmt, progress=progress, **options)
    receiver, sender = SPAWN.Pipe(duplex=False)
    data_out, data_in = SPAWN.Pipe(duplex=False)
    child = SPAWN.Process(target=_child, args=(data_out, sender, fmt, options), daemon=True, name="databloom-parse")
    child.start()
    sender.close()
    data_out.close()
    try:
        data_in.send_bytes(data)  # written as it is: no pickled copy of the upload
        data_in.close()
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                child.join(5)
                raise SourceError(
                    f"{name}: the parser process stopped before it finished (exit code {child.exitcode}); "
                    "the server may be short of memory"
                ) from None
            if kind == "progress":
                if progress is not None:
                    progress(value)
            elif kind == "done":
                return value
            else:
                raise value
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _child(data_out, sender, fmt: str | LogFormat | None, options: dict) -> None:
    """The child: receive the bytes, parse them, send back the result or the error."""
    try:
        data = data_out.recv_bytes()
        data_out.close()
        loaded = load_log(io.BytesIO(data), fmt, progress=lambda done: sender.send(("progress", done)), **options)
        del data
        sender.send(("done", loaded))
    except Exception as exc:  # sent to the server, which raises it where load_log would have
        sender.send(("error", _portable(exc, options["name"])))
    finally:
        sender.close()


def _portable(exc: Exception, name: str) -> Exception:
    """The exception itself when it pickles back to the same type, else a ``SourceError`` with its message."""
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:
        back = None
    return exc if type(back) is type(exc) else SourceError(f"{name}: {exc}")
