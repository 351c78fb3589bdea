"""Bytes of an article file to text: encoding detection and refusal of binaries."""

from __future__ import annotations

import codecs
import re

from newsreader.sanitize import clean_text


class UnreadableFile(Exception):
    """A file that is not an article: empty, binary, or not text at all."""


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BINARY_MAGIC = (
    b"\x1f\x8b",  # gzip
    b"PK\x03\x04",  # zip
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x7fELF",
)


def decode_text(data: bytes) -> str:
    """Decode an article file: UTF-8 (with or without BOM), else Windows-1252.

    Returns the cleaned text with ``\\n`` line ends.

    Raises:
        UnreadableFile: the file is empty, or looks binary.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            break
    else:
        if data.startswith(BINARY_MAGIC):
            raise UnreadableFile("binary file, not text")
        if b"\x00" in data[:8192]:
            raise UnreadableFile("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Scraped text that is not UTF-8 is Windows-1252 in practice; latin-1
            # would turn its curly quotes (0x91-0x94) into C1 controls.
            text = data.decode("cp1252", errors="replace")
    if _control_ratio(text) > 0.05:
        raise UnreadableFile("binary file (mostly control characters)")
    text = clean_text(text)
    if not text.strip():
        raise UnreadableFile("empty file")
    return text


def _control_ratio(text: str) -> float:
    """The share of the first 8 KB that is control characters other than whitespace."""
    sample = text[:8192]
    if not sample:
        return 0.0
    return len(_NOT_TEXT.findall(sample)) / len(sample)


_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
