"""Article files of every supported kind -> :class:`~newsreader.model.Article`.

:func:`extract_file` picks the extractor by file suffix. Every expected failure
(empty, binary, undecodable, too big, not a feed, not a regular file) is an
:class:`ExtractError` with a reason fit to show the user.
"""

from __future__ import annotations

from pathlib import Path

from newsreader.extract.decode import UnreadableFile, decode_text
from newsreader.files import FileRefused, display_path, read_file
from newsreader.model import Article, bound_categories

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest file read: counted as it is read, not taken from its stated size."""
TEXT_SUFFIXES = frozenset({".txt", ".text"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES


class ExtractError(Exception):
    """A file that cannot be imported; the message says why."""


def is_supported(path: Path) -> bool:
    """Whether a file's suffix names a format newsreader reads."""
    return path.suffix.lower() in SUPPORTED_SUFFIXES


JSON_FEED_MARK = b"jsonfeed.org/version"
JSON_PEEK_BYTES = 64 * 1024


def worth_importing(path: Path) -> bool:
    """Whether a regular file met in a folder walk is one to import: of a supported
    type, and, for ``.json`` (which holds much besides feeds), a JSON Feed by the
    version it names in its first 64 KiB. A file named on its own is always tried."""
    if not is_supported(path):
        return False
    if path.suffix.lower() != ".json":
        return True
    try:
        with path.open("rb") as file:
            return JSON_FEED_MARK in file.read(JSON_PEEK_BYTES)
    except OSError:
        return True  # tried, so that the reason is said


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
    try:
        data = read_file(path, MAX_FILE_BYTES)
    except FileRefused as error:
        raise ExtractError(str(error)) from error
    return extract_bytes(data, path, root=root, folders=folders)


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
