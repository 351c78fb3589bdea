"""Images made at test time with Pillow: a real small PNG, and hostile ones."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int = 40, height: int = 24, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of one colour."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(width: int = 64, height: int = 48) -> bytes:
    """A real JPEG with some detail in it."""
    picture = Image.new("RGB", (width, height))
    picture.putdata(
        [((x * 4) % 256, (y * 5) % 256, 90) for y in range(height) for x in range(width)]
    )
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side: int = 100_000) -> bytes:
    """A PNG declaring ``side`` x ``side`` pixels (10 gigapixels) in a few kilobytes.

    Its rows are zeros, compressed: decoded it would take tens of gigabytes.
    """
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    data = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def truncated_jpeg() -> bytes:
    """A JPEG cut off halfway through its data."""
    whole = jpeg(256, 256)
    return whole[: len(whole) // 2]
