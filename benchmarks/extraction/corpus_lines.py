"""Lines of a corpus file as the extractor sees them, and the checksum that labels them.

The labels in ``labels/`` name a line by its file, its number (1-based, after
decoding) and the first 8 hex digits of the SHA-1 of its stripped text, so the
repository holds no corpus text and a changed file is noticed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from newsreader.extract.decode import decode_text


def line_checksum(line: str) -> str:
    return hashlib.sha1(line.strip().encode("utf-8")).hexdigest()[:8]


def decoded_lines(path: Path) -> list[str]:
    return decode_text(path.read_bytes()).split("\n")
