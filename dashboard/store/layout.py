"""Where a store keeps what, and how it is published: files first, then the manifest, atomically.

A reader trusts ``manifest.json`` alone: a file the manifest does not name (left by a crash between writing a
batch and publishing it) is ignored, and the next writer deletes it. Every file is written under a temporary
name, flushed to disk, renamed into place, and its directory flushed, before the manifest that names it is
replaced; so after ``kill -9`` or a power cut a store is always the state of its last published manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from dashboard.errors import DataBloomError

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
LOCK = ".lock"
ROWS, REJECTS, ROLLUPS = "rows", "rejects", "rollups"
KINDS = (ROWS, REJECTS, ROLLUPS)
TEMP_SUFFIX = ".tmp"
PARQUET_MAGIC = b"PAR1"


class StoreError(DataBloomError):
    """A store that cannot be used as asked: not a store, newer, damaged, busy, or out of disk space."""


@dataclass
class SourceRecord:
    """One log as far as it was ingested, known by its content (first bytes) rather than its name."""

    id: int
    names: list[str]
    format: str
    head_sha256: str  # of the first ``head_bytes`` bytes of the decompressed content
    head_bytes: int
    offset: int  # decompressed bytes ingested: the next ingest resumes here
    lines: int
    parsed: int
    rejected: int
    raw_size: int  # size of the file on disk at the last ingest
    compressed: bool
    complete: bool  # a compressed file read to its end: compressed files do not grow
    batches: list[int] = field(default_factory=list)
    follow: dict | None = None  # a followed log (``tail --store``): its path and the follower's position
    path: str | None = (
        None  # where it was last read (absolute): the Lines page reads its lines there while it holds them
    )


def _known(cls: type, doc: dict) -> dict:
    """The fields of ``doc`` that ``cls`` has: a field a later version adds does not stop this one reading."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in doc.items() if k in names}


@dataclass
class FileRecord:
    """One published Parquet file: its kind, batch, path inside the store, rows, bytes and time range."""

    path: str
    kind: str
    batch: int
    rows: int
    bytes: int
    start: str | None = None  # ISO times (UTC) of the first and last row (bucket for rollups)
    end: str | None = None
    day: str | None = None  # YYYY-MM-DD for rows


@dataclass
class Manifest:
    """What a store holds: every source ingested, every file published, what prune dropped."""

    schema_version: int = SCHEMA_VERSION
    next_batch: int = 1
    batches: list[int] = field(default_factory=list)
    sources: list[SourceRecord] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    pruned_rows: int = 0
    pruned_before: str | None = None

    def of_kind(self, kind: str) -> list[FileRecord]:
        """The published files of one kind, in batch order."""
        return [f for f in self.files if f.kind == kind]

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.of_kind(ROWS))


def check_dir(store: Path, create: bool = False) -> Path:
    """``store`` as a directory (made when ``create``); StoreError when it is a file or missing."""
    if store.exists() and not store.is_dir():
        raise StoreError(f"{store}: is a file, not a store directory")
    if not store.exists():
        if not create:
            raise StoreError(f"{store}: no such store (run `databloom ingest LOG --store {store}` first)")
        try:
            store.mkdir(parents=True)
        except OSError as exc:
            raise StoreError(f"{store}: cannot create the store directory ({exc.strerror})") from exc
    return store


def read_manifest(store: Path) -> Manifest | None:
    """The published manifest, None for a new (empty) store; StoreError when it cannot be trusted."""
    path = store / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read the manifest ({exc})") from exc
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise StoreError(f"{path}: the manifest is not valid JSON ({exc}); restore it from a backup") from exc
    version = doc.get("schema_version") if isinstance(doc, dict) else None
    if not isinstance(version, int):
        raise StoreError(f"{path}: the manifest has no schema_version: not a Data Bloom store")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{store}: written by a newer Data Bloom (store schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}): upgrade Data Bloom to read it"
        )
    try:
        return Manifest(
            schema_version=version,
            next_batch=int(doc["next_batch"]),
            batches=[int(b) for b in doc["batches"]],
            sources=[SourceRecord(**_known(SourceRecord, s)) for s in doc["sources"]],
            files=[FileRecord(**_known(FileRecord, f)) for f in doc["files"]],
            pruned_rows=int(doc.get("pruned_rows", 0)),
            pruned_before=doc.get("pruned_before"),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{path}: the manifest does not have the expected fields ({exc})") from exc


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (a rename or a new file) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, write: Callable[[Path], None]) -> int:
    """Have ``write`` fill a temporary file, flush it, rename it to ``path``; its size in bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
    try:
        write(temp)
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        size = temp.stat().st_size
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(path.parent)
    return size


def write_manifest(store: Path, manifest: Manifest) -> None:
    """Publish ``manifest``: readers see the old one or the new one, never a mix."""
    text = json.dumps(asdict(manifest), indent=1, ensure_ascii=False) + "\n"
    write_atomically(store / MANIFEST, lambda temp: temp.write_text(text, encoding="utf-8"))


def publish(store: Path, manifest: Manifest, record: SourceRecord, files: list[FileRecord]) -> Manifest:
    """Publish a source's new state with the files of its batch (if any); the manifest now published."""
    batch = manifest.next_batch
    sources = sorted([s for s in manifest.sources if s.id != record.id] + [record], key=lambda s: s.id)
    published = replace(
        manifest,
        next_batch=batch + 1 if files else batch,
        batches=[*manifest.batches, batch] if files else manifest.batches,
        sources=sources,
        files=[*manifest.files, *files],
    )
    write_manifest(store, published)
    return published


@contextlib.contextmanager
def locked(store: Path) -> Iterator[None]:
    """Hold the store's writer lock; a second writer stops at once with a clear message."""
    handle = open(store / LOCK, "a+b")  # noqa: SIM115 - held for the block
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(f"{store}: another ingest or prune is writing this store; wait for it to finish") from exc
        yield
    finally:
        handle.close()  # closing releases the lock


def part_name(batch: int) -> str:
    """File name of a batch's part."""
    return f"part-{batch:06d}.parquet"


def remove_unpublished(store: Path, manifest: Manifest | None) -> int:
    """Delete the files a crash left behind (not named in the manifest); how many. Call under the lock."""
    named = {f.path for f in manifest.files} if manifest else set()
    removed = 0
    for kind in KINDS:
        top = store / kind
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*"), reverse=True):  # files before their directories
            relative = path.relative_to(store).as_posix()
            if path.is_dir():
                with contextlib.suppress(OSError):
                    path.rmdir()  # only when empty
            elif relative not in named:
                path.unlink()
                removed += 1
    return removed


def damaged_files(store: Path, files: list[FileRecord]) -> list[str]:
    """One message per published file that is missing, of the wrong size, or not Parquet."""
    problems = []
    for record in files:
        path = store / record.path
        try:
            size = path.stat().st_size
            with open(path, "rb") as handle:
                head = handle.read(4)
                handle.seek(max(size - 4, 0))
                tail = handle.read(4)
        except FileNotFoundError:
            problems.append(f"{path}: missing (named in {MANIFEST})")
            continue
        except OSError as exc:
            problems.append(f"{path}: unreadable ({exc.strerror})")
            continue
        if size != record.bytes or head != PARQUET_MAGIC or tail != PARQUET_MAGIC:
            problems.append(f"{path}: corrupt ({size:,} bytes, {record.bytes:,} published; not a whole Parquet file)")
    return problems
