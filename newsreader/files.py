"""Reading files that strangers may have put in the way: regular files only, within a cap.

Every file newsreader reads on the user's behalf (articles, feeds, OPML lists,
the config) goes through :func:`read_file`, so that a FIFO cannot hang it, a
device or ``/proc`` file cannot fill memory, and a name that is not UTF-8 is
shown as text (:func:`display_path`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(Exception):
    """A file that is not read; the message says why, fit for the user."""


READ_CHUNK_BYTES = 1024 * 1024
"""Bytes asked for at a time past a file's stated size (a file that grows, or lies)."""
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
"""A FIFO opens at once instead of waiting for a writer; a terminal never becomes ours."""
_KINDS = (
    (stat.S_ISDIR, "folder"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file, at most ``limit`` of them.

    A FIFO, socket or device is refused without being read: it is looked at
    before it is opened (opening some devices does things), opened without
    waiting and without becoming the controlling terminal, and looked at again
    once open, in case it was swapped meanwhile. The cap counts the bytes read,
    so a file whose stated size is wrong (``/proc``) cannot exhaust memory.

    Raises:
        FileRefused: not a regular file, too large, or it cannot be read.
    """
    try:
        _refuse_special(path.stat().st_mode)
        descriptor = os.open(path, _OPEN_FLAGS)
        try:
            info = os.fstat(descriptor)
            _refuse_special(info.st_mode)
            if info.st_size > limit:
                raise _too_large(limit)
            os.set_blocking(descriptor, True)
            return _read_at_most(descriptor, info.st_size, limit)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise FileRefused(error.strerror or str(error)) from error


def not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read ("not a regular file (FIFO)"), or None."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "unknown kind")
    return f"not a regular file ({kind})"


def _refuse_special(mode: int) -> None:
    reason = not_regular(mode)
    if reason is not None:
        raise FileRefused(reason)


def _read_at_most(descriptor: int, stated_size: int, limit: int) -> bytes:
    """Read to the end, or refuse once more than ``limit`` bytes have come.

    Reads ask for whole chunks (some files, ``/proc/self/pagemap`` among them,
    refuse reads of a few bytes), so at most ``limit`` + :data:`READ_CHUNK_BYTES`
    bytes are ever read, whatever the file says of its size.
    """
    chunks: list[bytes] = []
    total = 0
    # The whole file in one read where its stated size (at most the limit) is true.
    want = max(stated_size + 1, READ_CHUNK_BYTES)
    while total <= limit:
        chunk = os.read(descriptor, want)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        want = READ_CHUNK_BYTES
    raise _too_large(limit)


def _too_large(limit: int) -> FileRefused:
    return FileRefused(f"file too large (over {limit // (1024 * 1024)} MB)")


def display_path(path: Path | str) -> str:
    """A path as text that can be stored and shown: bytes not UTF-8 as ``\\xNN``.

    A file name is bytes; one that is not UTF-8 arrives with each bad byte as a
    lone surrogate, which SQLite, JSON and terminals all refuse. The real path
    stays what is opened; this is what is said and stored of it.
    """
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")  # the name's own bytes
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "backslashreplace")  # a surrogate of no byte
        return raw.decode("utf-8", "backslashreplace")
    return text
