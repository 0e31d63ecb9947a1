"""Line splitting: whole lines out of blocks of any size, over-long lines cut to a prefix, numbering kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from dashboard.ingest import sources
from dashboard.ingest.follow import Follower
from dashboard.ingest.sources import REJECT_RAW_BYTES, Chunk, LineSplitter, iter_chunks
from support.loglines import UA_CHROME, combined

MAX_LINE = 10
ACCESS = combined("81.2.69.160", "01/Jun/2026:10:00:00 +0000", "GET / HTTP/1.1", 200, 5, agent=UA_CHROME).encode()

CASES = {
    "short lines": b"a\nbb\nccc\n",
    "unterminated last line": b"a\nbb",
    "blank lines": b"\n\n\na\n\n",
    "over-long line between short ones": b"a\n" + b"x" * 50 + b"\nb\n",
    "two over-long lines in a row": b"y" * 40 + b"\n" + b"z" * 40 + b"\nc\n",
    "over-long unterminated last line": b"a\n" + b"w" * 50,
    "line of exactly the limit": b"0123456789\n" + b"x" * 11 + b"\n",
    "nothing": b"",
}


def split(data: bytes, block: int) -> list[Chunk]:
    """Feed ``data`` in blocks of ``block`` bytes, taking the complete lines after each feed."""
    splitter = LineSplitter(MAX_LINE)
    chunks, line = [], 1
    for start in range(0, len(data), block):
        splitter.feed(data[start : start + block])
        assert len(splitter.pending) - splitter.complete <= MAX_LINE  # an over-long line is never held whole
        fed = data[: start + block]
        assert splitter.unfinished_bytes == len(fed) - (fed.rfind(b"\n") + 1)  # what a resume reads again
        if splitter.complete:
            chunks.append(splitter.take(line))
            line += chunks[-1].line_count()
    if (rest := splitter.finish(line)) is not None:
        chunks.append(rest)
    return chunks


def numbered(chunks: list[Chunk]) -> dict[int, bytes | tuple[str, bytes]]:
    """Line number → its bytes, or ("long", prefix) for an over-long line."""
    out: dict[int, bytes | tuple[str, bytes]] = {}
    for chunk in chunks:
        assert chunk.first_line == len(out) + 1  # numbering runs on from the previous chunk
        texts = bytes(chunk.data).split(b"\n")
        if not chunk.last_unterminated:
            assert texts.pop() == b""
        for i, text in enumerate(texts):
            out[chunk.first_line + i] = ("long", chunk.long_lines[i]) if i in chunk.long_lines else text
            assert i not in chunk.long_lines or text == b""  # a cut line stands as an empty line
    return out


@pytest.mark.parametrize("block", [1, 3, 8, 1000])
@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_every_line_comes_out_once_and_only_over_long_ones_are_cut(data: bytes, block: int) -> None:
    got = numbered(split(data, block))
    originals = data.split(b"\n")
    if data.endswith(b"\n") or not data:
        originals.pop()
    assert len(got) == len(originals)
    for n, original in enumerate(originals, start=1):
        if isinstance(got[n], tuple):
            prefix = got[n][1]  # what had arrived when the line outgrew the limit, at most REJECT_RAW_BYTES
            assert len(prefix) > MAX_LINE and original.startswith(prefix) and len(prefix) <= REJECT_RAW_BYTES
        else:
            # cut for sure once the line outgrows the limit by a whole block before its newline arrives
            assert len(original) < MAX_LINE + block and got[n] == original


def test_over_long_line_keeps_only_its_first_bytes() -> None:
    splitter = LineSplitter(max_line_bytes=100)
    splitter.feed(b"ok\n" + b"x" * 1000)
    splitter.feed(b"y" * 5000)
    assert splitter.unfinished_bytes == 6000 and len(splitter.pending) == 3
    splitter.feed(b"z\nnext\n")
    chunk = splitter.take(7)
    assert bytes(chunk.data) == b"ok\n\nnext\n" and chunk.long_lines == {1: b"x" * REJECT_RAW_BYTES}
    assert chunk.first_line == 7 and chunk.line_count() == 3 and splitter.finish(10) is None


def read_whole(stream: io.BytesIO, chunk_bytes: int | None = None) -> dict[int, bytes | tuple[str, bytes]]:
    return numbered(list(iter_chunks(stream, chunk_bytes=chunk_bytes)))


def test_iter_chunks_numbers_lines_across_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "READ_BYTES", 64)
    data = b"".join(ACCESS + b" %d\n" % i for i in range(50)) + b"tail"
    got = read_whole(io.BytesIO(data), chunk_bytes=200)
    assert list(got.values()) == data.split(b"\n")


def test_files_and_followers_split_the_same_way(tmp_path: Path) -> None:
    """The parser's reader and ``tail -F`` share one splitter: same lines, same cut lines, same numbers."""
    huge = sources.READ_BYTES + sources.MAX_LINE_BYTES  # spans reads, so it is cut while it streams in
    data = b"".join(
        [ACCESS + b"\n", b"a" * huge + b"\n", ACCESS + b"\n", b"\n", b"b" * huge + b"\n", ACCESS + b"\n", b"c" * huge]
    )
    log = tmp_path / "access.log"
    log.write_bytes(data)
    with Follower(log, grace=0) as follower:
        followed = follower.poll()
        log.rename(tmp_path / "access.log.1")  # rotated: the old file's unterminated last line is delivered
        log.write_bytes(b"")
        followed += follower.poll() + follower.poll()
    read = read_whole(io.BytesIO(data))
    assert numbered(followed) == read
    assert [n for n, v in read.items() if isinstance(v, tuple)] == [2, 5, 7]
    assert all(isinstance(chunk.data, bytes) for chunk in followed)
