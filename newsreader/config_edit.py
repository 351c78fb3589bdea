"""Edits of ``feeds.toml``: add, remove, enable, disable feeds, keeping the user's file.

Every edit (``add``, ``remove``, ``enable``, ``disable``, OPML import) goes through
:func:`edit_config`: ``tomlkit`` so that the user's comments and order survive,
under a lock file, checked before it is written, and written atomically.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows: the mtime check below is all there is
    fcntl = None  # type: ignore[assignment]

from newsreader.config import (
    Config,
    ConfigError,
    FeedConfig,
    feed_key,
    parse_config,
    read_config_text,
)
from newsreader.sanitize import clean_line

if TYPE_CHECKING:
    from tomlkit.items import AoT, InlineTable, Item, Key, Table
    from tomlkit.toml_document import TOMLDocument


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content all at once: a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _edit_lock(path: Path) -> Iterator[None]:
    """Hold ``.<name>.lock`` beside the config while editing it.

    Two ``newsreader add`` at once would otherwise each write the file from the
    text they read, and the first one's feed would be lost.
    """
    lock_path = path.with_name(f".{path.name}.lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as error:
        raise ConfigError(path, None, None, f"cannot write: {error.strerror}") from error
    with handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


class FeedNotFound(Exception):
    """No feed, or more than one, answers to the URL or name asked for."""


_T = TypeVar("_T")
_EDIT_ATTEMPTS = 3


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What changes when the file is saved: inode (editors rename), mtime and size."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(path, None, None, f"cannot read: {error.strerror}") from error
    return status.st_ino, status.st_mtime_ns, status.st_size


def edit_config(path: Path, edit: Callable[[TOMLDocument, Config], _T]) -> _T:
    """Edit a config file in place, keeping its comments, order and formatting.

    Under the lock file, the file is read and checked, and ``edit`` is called with
    its tomlkit document and parsed config: it changes the document (or leaves it
    alone) and returns what the caller wants back. A changed document must still
    be a valid config; it is then written atomically. When the file changed on
    disk meanwhile (an editor saved it), the edit is redone on the new text, so
    ``edit`` must depend on nothing but its arguments.

    Raises:
        ConfigError: the file is not a valid config, the edit would make it one
            no more, or it cannot be written (read-only, or it keeps changing).
        FeedNotFound: raised by ``edit``, and passed on.
    """
    import tomlkit

    with _edit_lock(path):
        for _attempt in range(_EDIT_ATTEMPTS):
            before = _identity(path)
            text = read_config_text(path) if before is not None else ""
            current = parse_config(text, path)
            document = tomlkit.parse(text)
            result = edit(document, current)
            new_text = tomlkit.dumps(document)
            if new_text == text:
                return result
            try:
                parse_config(new_text, path)
            except ConfigError as error:
                raise ConfigError(
                    path, None, error.key, f"not changed: the edit would not load ({error.message})"
                ) from error
            if _identity(path) != before or (before is not None and read_config_text(path) != text):
                continue  # an editor saved the file meanwhile: start again from its text
            if before is not None and not os.access(path, os.W_OK):
                raise ConfigError(path, None, None, "cannot write: the file is read-only")
            try:
                write_atomically(path, new_text)
            except OSError as error:
                raise ConfigError(path, None, None, f"cannot write: {error.strerror}") from error
            return result
    raise ConfigError(path, None, None, "the file keeps changing; try again")


def _unchanged_but(document: TOMLDocument, expected: dict[str, Any], path: Path) -> None:
    """Check that an edited document reads as exactly ``expected``: nothing else moved."""
    import tomlkit

    try:
        after = tomllib.loads(tomlkit.dumps(document))
    except tomllib.TOMLDecodeError:
        after = None
    if after != expected:
        raise ConfigError(
            path, None, None, "not changed: the edit would change more than asked; edit it by hand"
        )


def _feed_items(document: TOMLDocument) -> list[Table | InlineTable]:
    """The ``[[feeds]]`` tables (or inline tables) of a document, in order."""
    feeds = document.get("feeds")
    return list(feeds) if feeds is not None else []


def _feed_index(document: TOMLDocument, url: str) -> int:
    key = feed_key(url)
    for index, item in enumerate(_feed_items(document)):
        if feed_key(str(item.get("url", ""))) == key:
            return index
    raise FeedNotFound(f"no feed {url}")  # parse_config found it: cannot happen


def find_feed(config: Config, wanted: str) -> FeedConfig:
    """The feed whose URL (normalised) is ``wanted``, or else whose name it is (any case).

    Raises:
        FeedNotFound: no feed has that URL or name, or several have that name.
    """
    key = feed_key(wanted)
    for feed in config.feeds:
        if feed_key(feed.url) == key:
            return feed
    name = clean_line(wanted).casefold()
    named = [feed for feed in config.feeds if feed.name and feed.name.casefold() == name]
    if len(named) == 1:
        return named[0]
    if not named:
        raise FeedNotFound(f"no feed {wanted} in {config.path}")
    urls = ", ".join(feed.url for feed in named)
    raise FeedNotFound(
        f"{len(named)} feeds are named {clean_line(wanted)!r} in {config.path}: {urls}; "
        "give the URL of the one you mean"
    )


def add_feeds(path: Path, feeds: list[FeedConfig]) -> list[FeedConfig]:
    """Append feeds to a config file, keeping its comments and order.

    Feeds already in the file (same normalised URL) are skipped; see
    :func:`edit_config` for how the file is edited.

    Returns:
        The feeds that were added.

    Raises:
        ConfigError: the file is not a valid config, or cannot be written.
    """

    def add(document: TOMLDocument, current: Config) -> list[FeedConfig]:
        import tomlkit
        from tomlkit.items import Array

        expected = tomllib.loads(document.as_string())
        known = {feed_key(feed.url) for feed in current.feeds}
        added: list[FeedConfig] = []
        for feed in feeds:
            key = feed_key(feed.url)
            if key not in known:
                known.add(key)
                added.append(feed)
        if not added:
            return []
        array = document.get("feeds")
        for feed in added:
            entry: dict[str, str] = {"url": feed.url}
            if feed.name:
                entry["name"] = feed.name
            if feed.category:
                entry["category"] = "/".join(feed.category)
            if isinstance(array, Array):
                inline = tomlkit.inline_table()
                inline.update(entry)
                array.append(inline)
            else:
                table = tomlkit.table()
                table.update(entry)
                _append_feed_table(document, table)
            expected.setdefault("feeds", []).append(entry)
        _unchanged_but(document, expected, path)
        return added

    return edit_config(path, add)


def remove_feed(path: Path, wanted: str) -> FeedConfig:
    """Remove the feed with this URL or name from a config file.

    Its table goes, with the comments inside it; comments after it that a blank
    line sets apart (they head what follows) stay, as does everything else.

    Raises:
        FeedNotFound: no such feed, or the name is ambiguous.
        ConfigError: the file is not a valid config, or cannot be written.
    """

    def remove(document: TOMLDocument, current: Config) -> FeedConfig:
        feed = find_feed(current, wanted)
        expected = tomllib.loads(document.as_string())
        index = _feed_index(document, feed.url)
        del expected["feeds"][index]
        if not expected["feeds"]:
            del expected["feeds"]
        _remove_feed_table(document, index)
        _unchanged_but(document, expected, path)
        return feed

    return edit_config(path, remove)


def set_feed_enabled(path: Path, wanted: str, enabled: bool) -> tuple[FeedConfig, bool]:
    """Enable or disable the feed with this URL or name in a config file.

    Disabling writes ``enabled = false`` (in place of ``enabled = true``, else
    after the feed's last key); enabling removes the ``enabled`` key, true being
    the default, so that disabling and enabling again gives back the file as it was.

    Returns:
        The feed as it was, and whether the file changed (False: it already was so).

    Raises:
        FeedNotFound: no such feed, or the name is ambiguous.
        ConfigError: the file is not a valid config, or cannot be written.
    """

    def toggle(document: TOMLDocument, current: Config) -> tuple[FeedConfig, bool]:
        from tomlkit.items import Table

        feed = find_feed(current, wanted)
        if feed.enabled == enabled:
            return feed, False
        expected = tomllib.loads(document.as_string())
        index = _feed_index(document, feed.url)
        item = _feed_items(document)[index]
        if enabled:
            del expected["feeds"][index]["enabled"]
            del item["enabled"]
        else:
            expected["feeds"][index]["enabled"] = False
            if "enabled" in item or not isinstance(item, Table):
                item["enabled"] = False
            else:
                _add_after_last_key(item, "enabled", False)
        _unchanged_but(document, expected, path)
        return feed, True

    return edit_config(path, toggle)


def _trivia_end(table: Table) -> int:
    """Where the comments and blank lines that end a table's body begin."""
    from tomlkit.items import Comment, Whitespace

    body = table.value.body
    end = len(body)
    while end and body[end - 1][0] is None and isinstance(body[end - 1][1], Comment | Whitespace):
        end -= 1
    return end


def _add_after_last_key(table: Table, key: str, value: object) -> None:
    """Add a key after the table's last one, not after the comments that end it."""
    import tomlkit

    body = table.value.body
    end = _trivia_end(table)
    trailing = body[end:]
    del body[end:]  # keyless items: no index in the table's map moves
    item = tomlkit.item(value)
    if end:
        item.trivia.indent = body[end - 1][1].trivia.indent  # as the keys above are
    table.add(key, item)
    body.extend(trailing)


def _append_feed_table(document: TOMLDocument, table: Table) -> None:
    """Append a ``[[feeds]]`` table after the last one, set apart by a blank line.

    The comments that end the last feed but head the next table (see
    :func:`_comments_apart`) move under the new feed, after the same blank line.
    """
    import tomlkit
    from tomlkit.items import Whitespace

    feeds = document.get("feeds")
    if feeds is None:
        before = document.as_string()
        if before and not before.endswith("\n\n"):
            table.trivia.indent = "\n"
        document.append("feeds", tomlkit.aot())
        document["feeds"].append(table)
        return
    last = feeds.body[-1] if feeds.body else None
    if last is None:
        set_apart = True
    else:
        body = last.value.body
        if _neighbours(document, feeds)[0] is not None:
            trailing = body[_trivia_end(last) :]
            apart = _comments_apart(trailing, header_follows=True)
            del body[len(body) - len(apart) :]
            if len(trailing) > len(apart):
                table.add(tomlkit.nl())  # the blank line that set the last feed apart
            table.value.body.extend(apart)
        set_apart = bool(body) and isinstance(body[-1][1], Whitespace)
    if not set_apart:
        table.trivia.indent = "\n"
    feeds.append(table)


def _remove_feed_table(document: TOMLDocument, index: int) -> None:
    """Remove one feed from the document, keeping the comments set apart after it.

    tomlkit counts every line up to the next header as part of a table, so a
    comment heading the next feed (``# Science``, after a blank line) would go
    with the feed above it. It is kept, in front of whatever now follows.
    """
    from tomlkit.items import AoT

    feeds = document["feeds"]
    if not isinstance(feeds, AoT):
        del feeds[index]  # an inline array: its items carry no comments of their own
        if not feeds:
            del document["feeds"]
        return
    tables = feeds.body
    table = tables[index]
    after, before = _neighbours(document, feeds)
    following = tables[index + 1] if index + 1 < len(tables) else after
    trailing = _comments_apart(table.value.body[_trivia_end(table) :], following is not None)
    kept = "".join(item.as_string() for _key, item in trailing)
    previous = tables[index - 1] if index > 0 else before
    at_end = index + 1 == len(tables) and _is_last(document, feeds)
    del feeds[index]
    if not feeds.body:
        del document["feeds"]
    if not kept:
        if at_end and previous is not None:
            _trim_blank_end(previous)  # the file ended with the removed table
    elif following is not None:
        following.trivia.indent = kept + following.trivia.indent
    elif previous is not None:
        previous.value.body.extend(trailing)
    else:
        for _key, item in trailing:
            document.add(item)


def _comments_apart(
    trailing: list[tuple[Key | None, Item]], header_follows: bool
) -> list[tuple[Key | None, Item]]:
    """Of the comments and blank lines ending a table, those that are not its own.

    Comments right under the table's keys with a blank line (or the end of the
    file) after them are the table's, as are the blank lines that set it apart;
    comments a blank line sets apart from the keys, or right above the next
    header, are kept.
    """
    from tomlkit.items import Whitespace

    def blank(entry: tuple[Key | None, Item]) -> bool:
        return isinstance(entry[1], Whitespace)

    start = 0
    while start < len(trailing) and not blank(trailing[start]):
        start += 1  # the comments right under the keys
    if start == len(trailing) and header_follows:
        return trailing  # they are right above the next header too: keep them
    while start < len(trailing) and blank(trailing[start]):
        start += 1
    return trailing[start:]


def _neighbours(document: TOMLDocument, feeds: AoT) -> tuple[Table | None, Table | None]:
    """The tables whose headers come right after and right before the feeds.

    None where there is none, or it has no header of its own (``[a.b]`` alone).
    """
    from tomlkit.items import AoT, Table

    def table_of(item: object, last: bool) -> Table | None:
        if isinstance(item, AoT) and item.body:
            return item.body[-1 if last else 0]
        if isinstance(item, Table) and not item.is_super_table():
            return item
        return None

    items = [item for _key, item in document.body]
    position = next((n for n, item in enumerate(items) if item is feeds), None)
    if position is None:
        return None, None
    after = table_of(items[position + 1], last=False) if position + 1 < len(items) else None
    before = table_of(items[position - 1], last=True) if position > 0 else None
    return after, before


def _is_last(document: TOMLDocument, feeds: AoT) -> bool:
    return bool(document.body) and document.body[-1][1] is feeds


def _trim_blank_end(table: Table) -> None:
    """Drop the blank lines that end a table's body."""
    from tomlkit.items import Whitespace

    body = table.value.body
    while body and body[-1][0] is None and isinstance(body[-1][1], Whitespace):
        body.pop()
