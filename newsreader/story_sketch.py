"""A story's fingerprint: a bottom-k sketch of its body's word shingles.

Two copies of one story (a wire story republished, an edited headline, a
paragraph trimmed or moved, other boilerplate) share most of their runs of
five words; two stories on one topic share almost none. A sketch keeps the
``SKETCH_SIZE`` smallest hashes of an article's shingles, so any two sketches
estimate how much of the shorter article the longer one holds, without
either text. Pure: no database, so sketches are made where articles are
prepared (in the parse workers at refresh).
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE_WORDS = 5
SKETCH_SIZE = 64
"""Hashes kept per article: the estimate's sample (256 bytes stored)."""
MARK_COUNT = 16
"""The smallest of them, indexed to find an article's candidate copies."""
MIN_SHINGLES = 12
"""Fewer distinct shingles than this (a one-line summary) is too little to tell a copy by."""
MIN_SHARED = 8
"""The fewest sampled shingles a verdict of "the same story" rests on."""
SAME_STORY = 0.5
"""The share of the shorter article's sampled shingles the longer must hold."""
MIN_LENGTH_RATIO = 0.2
"""The shorter article is at least this share of the longer: a digest that quotes a
short story whole is not that story."""

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Sketch:
    """An article's shingle count and its smallest shingle hashes, ascending."""

    size: int
    hashes: tuple[int, ...]

    @property
    def marks(self) -> tuple[int, ...]:
        """The hashes indexed to find candidates."""
        return self.hashes[:MARK_COUNT]

    def to_bytes(self) -> bytes:
        return b"".join(value.to_bytes(4, "big") for value in self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Sketch:
        return cls(
            size, tuple(int.from_bytes(data[i : i + 4], "big") for i in range(0, len(data), 4))
        )


def story_sketch(text: str, boilerplate: Iterable[str] = ()) -> Sketch | None:
    """The sketch of a body's text (one paragraph a line), or None when it is too short.

    ``boilerplate`` lines (a source's repeated paragraphs) are left out first.
    """
    skip = {line.strip() for line in boilerplate}
    words: list[str] = []
    for line in text.splitlines():
        if line.strip() not in skip:
            words.extend(_WORD.findall(line.casefold()))
    if len(words) < SHINGLE_WORDS:
        return None
    hashes = {
        zlib.crc32(" ".join(words[start : start + SHINGLE_WORDS]).encode())
        for start in range(len(words) - SHINGLE_WORDS + 1)
    }
    if len(hashes) < MIN_SHINGLES:
        return None
    return Sketch(len(hashes), tuple(heapq.nsmallest(SKETCH_SIZE, hashes)))


def held_share(one: Sketch, other: Sketch) -> tuple[float, int]:
    """How much of the shorter article the longer holds, and the sample it rests on.

    Below the lower of the two sketches' largest hashes, each sketch is every
    shingle its article has, so the shorter's shingles there, found in the
    longer's, estimate the share without bias.
    """
    shorter, longer = (one, other) if one.size <= other.size else (other, one)
    limit = min(shorter.hashes[-1], longer.hashes[-1])
    held = set(longer.hashes)
    sample = [value for value in shorter.hashes if value <= limit]
    if not sample:
        return 0.0, 0
    return sum(value in held for value in sample) / len(sample), len(sample)


def same_story(one: Sketch, other: Sketch) -> bool:
    """Whether two sketches are of one story told twice."""
    if min(one.size, other.size) < MIN_LENGTH_RATIO * max(one.size, other.size):
        return False
    share, sample = held_share(one, other)
    return sample >= MIN_SHARED and share >= SAME_STORY
