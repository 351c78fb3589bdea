"""A story's fingerprint: a bottom-k sketch of its body's word shingles.

Two copies of one story (a wire story republished, an edited headline, a
paragraph trimmed or moved, other boilerplate) share most of their runs of
five words; two stories on one topic share almost none. A sketch keeps the
``SKETCH_SIZE`` smallest hashes of an article's shingles, so any two sketches
estimate how much of the shorter article the longer one holds, without
either text. Pure: no database, so sketches are made where articles are
prepared (in the parse workers at refresh).

A sketch reads the opening ``SKETCHED_CHARS`` of the text: copies share their
opening (a copy trims the end far more often than the start), and on the
labelled benchmark the longer texts' later shingles changed no verdict while
they were most of the cost. The sketch's size is scaled to the whole text, so
a digest is not mistaken for one of the stories it quotes.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from operator import xor

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

SKETCHED_CHARS = 2000
"""The opening of the text that is sketched (about 330 words)."""

_WORD = re.compile(r"\w+")
_PLACES = SHINGLE_WORDS
"""A word has one 32-bit value for each place in a shingle (five, from one BLAKE2b digest
of it); a shingle's hash is the exclusive or of its words' values at their places, so the
same words in another order, or a word twice, hash apart."""
_WORD_CACHE_LIMIT = 30_000


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
        return struct.pack(f">{len(self.hashes)}I", *self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Sketch:
        return cls(size, struct.unpack(f">{len(data) // 4}I", data))


def story_sketch(text: str, boilerplate: Iterable[str] = ()) -> Sketch | None:
    """The sketch of a body's text (one paragraph a line), or None when it is too short.

    ``boilerplate`` lines (a source's repeated paragraphs) are left out first.
    """
    skip = {line.strip() for line in boilerplate}
    if skip:
        text = "\n".join(line for line in text.splitlines() if line.strip() not in skip)
    words = _WORD.findall(text[:SKETCHED_CHARS].casefold())
    opening = min(len(text), SKETCHED_CHARS)
    if len(text) > SKETCHED_CHARS and words:
        words.pop()  # perhaps cut in two
    if len(words) < SHINGLE_WORDS:
        return None
    if len(_word_hashes) > _WORD_CACHE_LIMIT:
        _word_hashes.clear()
    first, second, third, fourth, fifth = zip(*map(_word_hashes.__getitem__, words), strict=True)
    # All in C: the hash of the shingle starting at each word (see _PLACES).
    hashes = set(
        map(
            xor,
            map(xor, map(xor, first, second[1:]), map(xor, third[2:], fourth[3:])),
            fifth[4:],
        )
    )
    if len(hashes) < MIN_SHINGLES:
        return None
    # The whole text's words, as many as the opening's for its length: any script.
    words_in_all = round(len(words) * len(text) / opening)
    size = max(len(hashes), words_in_all - SHINGLE_WORDS + 1)
    return Sketch(size, tuple(sorted(hashes)[:SKETCH_SIZE]))


class _WordHashes(dict[str, tuple[int, ...]]):
    """A word's hash at each place of a shingle, kept: most words recur."""

    def __missing__(self, word: str) -> tuple[int, ...]:
        digest = hashlib.blake2b(word.encode(), digest_size=4 * _PLACES).digest()
        value = self[word] = struct.unpack(f">{_PLACES}I", digest)
        return value


_word_hashes = _WordHashes()


def held_share(one: Sketch, other: Sketch) -> tuple[float, int]:
    """How much of the shorter article the longer holds, and the sample it rests on.

    Below the lower of the two sketches' largest hashes, each sketch is every
    shingle its article has, so the shorter's shingles there, found in the
    longer's, estimate the share without bias.
    """
    shorter, longer = (one, other) if one.size <= other.size else (other, one)
    limit = min(shorter.hashes[-1], longer.hashes[-1])
    sample = bisect.bisect_right(shorter.hashes, limit)  # the hashes are ascending
    if not sample:
        return 0.0, 0
    return len(set(shorter.hashes[:sample]).intersection(longer.hashes)) / sample, sample


def story_share(one: Sketch, other: Sketch) -> float | None:
    """How much of the shorter article the longer holds, when the two are one story told
    twice; None when they are not."""
    if min(one.size, other.size) < MIN_LENGTH_RATIO * max(one.size, other.size):
        return None
    share, sample = held_share(one, other)
    return share if sample >= MIN_SHARED and share >= SAME_STORY else None


def same_story(one: Sketch, other: Sketch) -> bool:
    """Whether two sketches are of one story told twice."""
    return story_share(one, other) is not None
