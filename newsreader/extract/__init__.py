"""Article files of every supported kind -> :class:`~newsreader.model.Article`.

:func:`extract_file` picks the extractor by file suffix. Every expected failure
(empty, binary, undecodable, too big, not a feed, not a regular file) is an
:class:`ExtractError` with a reason fit to show the user.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from newsreader.extract.decode import UnreadableFile, decode_text
from newsreader.model import Article

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest file read: counted as it is read, not taken from its stated size."""
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
MAX_CATEGORY_DEPTH = 32
"""Levels of a category path that are kept: the first ones, the root's before the article's."""
MAX_CATEGORY_CHARS = 200
"""Characters kept of each level's name."""

TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES


class ExtractError(Exception):
    """A file that cannot be imported; the message says why."""


def bound_categories(path: Sequence[str]) -> tuple[str, ...]:
    """A category path within :data:`MAX_CATEGORY_DEPTH` levels of :data:`MAX_CATEGORY_CHARS`.

    The first levels are kept, so a configured root is never pushed out by an
    article's own path; what lies deeper is dropped and long names are cut.
    """
    return tuple(part[:MAX_CATEGORY_CHARS] for part in path[:MAX_CATEGORY_DEPTH])


def is_supported(path: Path) -> bool:
    """Whether a file's suffix names a format newsreader reads."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def extract_file(
    path: Path, *, root: tuple[str, ...] = (), folders: tuple[str, ...] = ()
) -> list[Article]:
    """Read one file and extract its articles (one, or one per feed entry).

    An article's category is ``root`` followed by its own breadcrumb (plain
    text, front matter) or, when it has none, by ``folders``: a configured
    category is always the root, never escaped.

    Args:
        path: The file.
        root: The category the user gave (``[[local]]``, ``import --category``).
        folders: The folders below the imported one that hold the file.

    Raises:
        ExtractError: the file cannot be read or holds no article.
    """
    return extract_bytes(read_file(path), path, root=root, folders=folders)


def read_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, at most ``limit`` (:data:`MAX_FILE_BYTES`) of them.

    A FIFO, socket or device is refused without being read: it is looked at
    before it is opened (opening some devices does things), opened without
    waiting and without becoming the controlling terminal, and looked at again
    once open, in case it was swapped meanwhile. The cap counts the bytes read,
    so a file whose stated size is wrong (``/proc``) cannot exhaust memory.

    Raises:
        ExtractError: not a regular file, too large, or it cannot be read.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
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
        raise ExtractError(error.strerror or str(error)) from error


def not_regular(mode: int) -> str | None:
    """Why a file of this mode is not read ("not a regular file (FIFO)"), or None."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "unknown kind")
    return f"not a regular file ({kind})"


def _refuse_special(mode: int) -> None:
    reason = not_regular(mode)
    if reason is not None:
        raise ExtractError(reason)


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


def _too_large(limit: int) -> ExtractError:
    return ExtractError(f"file too large (over {limit // (1024 * 1024)} MB)")


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


def extract_bytes(
    data: bytes, path: Path, *, root: tuple[str, ...] = (), folders: tuple[str, ...] = ()
) -> list[Article]:
    """Extract articles from a file's bytes; ``path`` decides the format and names it.

    The source is the path as :func:`display_path` shows it. ``root`` and
    ``folders`` are as for :func:`extract_file`.
    """
    suffix = path.suffix.lower()
    source = display_path(path)
    shown = Path(source)
    fallback_title = shown.stem.replace("_", " ").replace("-", " ").strip() or shown.name
    try:
        if suffix in FEED_SUFFIXES:
            return _feed(data, source, bound_categories((*root, *folders)))
        text = decode_text(data)
        if suffix in MARKDOWN_SUFFIXES:
            from newsreader.extract.markdown import extract_markdown

            article = extract_markdown(
                text, source=source, guid=source, fallback_title=fallback_title
            )
        elif suffix in HTML_SUFFIXES:
            from newsreader.extract.webpage import NoArticleFound, extract_web_page

            try:
                article = extract_web_page(
                    text, source=source, guid=source, fallback_title=fallback_title
                )
            except NoArticleFound as error:
                raise ExtractError(str(error)) from error
        elif suffix in TEXT_SUFFIXES:
            from newsreader.extract.plaintext import extract_plain_text

            article = extract_plain_text(
                text, source=source, guid=source, fallback_title=fallback_title
            )
        else:
            raise ExtractError(f"unsupported file type {suffix or '(none)'}")
    except UnreadableFile as error:
        raise ExtractError(str(error)) from error
    if not article.paragraphs and not article.sections:
        raise ExtractError("no article text found")
    categories = bound_categories((*root, *(article.categories or folders)))
    if categories != article.categories:
        article = _with_categories(article, categories)
    return [article]


def _feed(data: bytes, source: str, categories: tuple[str, ...]) -> list[Article]:
    from newsreader.extract.feed import NotAFeed, parse_feed

    try:
        parsed = parse_feed(data, source=source, categories=categories)
    except NotAFeed as error:
        raise ExtractError(str(error)) from error
    return parsed.articles


def _with_categories(article: Article, categories: tuple[str, ...]) -> Article:
    from dataclasses import replace

    return replace(article, categories=categories)
