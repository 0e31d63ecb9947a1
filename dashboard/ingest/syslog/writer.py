"""The receiver's output file: append whole lines, rotate by rename + create so a follower sees a rotation."""

from __future__ import annotations

import os
from pathlib import Path

BACKUPS = 9


class RotatingFile:
    """An append-only file rotated by rename + create at ``max_bytes`` (FILE → FILE.1 → FILE.2 …)."""

    def __init__(self, path: str | os.PathLike, max_bytes: int | None = None, backups: int = BACKUPS) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.backups = backups
        self.rotations = 0
        self.handle = open(self.path, "ab")  # noqa: SIM115 - owned by this object
        self.size = self.handle.tell()

    def write_lines(self, lines: list[bytes]) -> int:
        """Append whole lines (rotating between lines when the limit is reached) and flush; returns bytes."""
        written = 0
        batch: list[bytes] = []
        batch_bytes = 0
        for line in lines:
            if self.max_bytes and self.size + batch_bytes + len(line) > self.max_bytes and self.size + batch_bytes:
                self.handle.write(b"".join(batch))
                self.size += batch_bytes
                written += batch_bytes
                batch, batch_bytes = [], 0
                self.rotate()
            batch.append(line)
            batch_bytes += len(line)
        if batch:
            self.handle.write(b"".join(batch))
            self.size += batch_bytes
            written += batch_bytes
        self.handle.flush()
        return written

    def rotate(self) -> None:
        """FILE.(n-1) → FILE.n …, FILE → FILE.1, then a new empty FILE (the oldest beyond ``backups`` goes)."""
        self.handle.flush()
        self.handle.close()
        name = self.path.name
        for k in range(self.backups - 1, 0, -1):
            older = self.path.with_name(f"{name}.{k}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{name}.{k + 1}"))
        if self.backups > 0:
            os.replace(self.path, self.path.with_name(f"{name}.1"))
        else:
            self.path.unlink()
        self.handle = open(self.path, "ab")  # noqa: SIM115 - owned by this object
        self.size = 0
        self.rotations += 1

    def close(self) -> None:
        self.handle.flush()
        self.handle.close()
