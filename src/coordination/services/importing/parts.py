"""A file cut into parts of whole lines, for several processes to import (parallel.py).

Parts are handed out one at a time to whichever process is free, so a process that
started late (a spawned one imports the whole service first) simply takes fewer.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# About 200 cases of a dozen events: small enough that the last part ends soon after
# the others, large enough that a part's own costs (a spool file, a reply) vanish.
PART_BYTES = 1 << 20


@dataclass(frozen=True)
class Part:
    """The whole lines in bytes [start, end) of the file; the first is line `first_line`."""

    index: int
    start: int
    end: int
    first_line: int


def plan(path: Path, part_bytes: int = PART_BYTES) -> list[Part]:
    """The file's parts, in order; one read of the file, counting its lines."""
    parts: list[Part] = []
    start, first_line = 0, 1
    with path.open("rb") as f:
        while block := f.read(part_bytes):
            block += f.readline()  # to the end of the line the block cut
            parts.append(Part(len(parts), start, start + len(block), first_line))
            start, first_line = start + len(block), first_line + block.count(b"\n")
    return parts


def part_lines(path: Path, part: Part) -> Iterator[bytes]:
    """The part's lines, as reading the whole file would give them."""
    with path.open("rb") as f:
        f.seek(part.start)
        yield from io.BytesIO(f.read(part.end - part.start))
