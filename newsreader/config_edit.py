"""Edits of ``feeds.toml``: add, remove, enable, disable feeds, keeping the user's file.

Every edit (``add``, ``remove``, ``enable``, ``disable``, OPML import) goes through
:func:`edit_config`: ``tomlkit`` so that the user's comments and order survive,
under a lock file, checked before it is written, and written atomically.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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
)
from newsreader.model import CATEGORY_SEPARATOR
from newsreader.sanitize import clean_line, display_url

if TYPE_CHECKING:
    from tomlkit.items import AoT, InlineTable, Item, Key, Table
    from tomlkit.toml_document import TOMLDocument


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content all at once: a crash leaves the old or the new file."""
    temporary = _prepared(path, text)
    try:
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _prepared(path: Path, text: str) -> Path:
    """A temporary file beside ``path`` holding ``text``, on disk, with ``path``'s mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        temporary.chmod(mode)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


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


_Identity = tuple[int, int, int, int]
"""What changes when a file is saved: device and inode (editors rename), mtime and size."""


def _identity_of(status: os.stat_result) -> _Identity:
    return status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size


@dataclass(frozen=True, slots=True)
class _Read:
    """The config as one edit read it."""

    text: str
    identity: _Identity | None
    """None: there was no file."""


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[_Read]:
    """Read the config, keeping it open meanwhile.

    Its identity and text come from one open file, and while it is open its inode
    cannot be freed, so no later file can take its number and pass for it.
    """
    try:
        file = path.open(encoding="utf-8")
    except FileNotFoundError:
        file = None
    except OSError as error:
        raise ConfigError(path, None, None, f"cannot read: {error.strerror}") from error
    if file is None:
        yield _Read("", None)
        return
    with file:
        identity = _identity_of(os.fstat(file.fileno()))
        try:
            text = file.read()
        except UnicodeDecodeError as error:
            raise ConfigError(path, None, None, "cannot read: not UTF-8 text") from error
        except OSError as error:
            raise ConfigError(path, None, None, f"cannot read: {error.strerror}") from error
        yield _Read(text, identity)


def _still_as_read(path: Path, read: _Read) -> bool:
    """Whether the file is still the one read: its text, then (last) its identity."""
    try:
        with path.open(encoding="utf-8") as file:
            if file.read() != read.text:
                return False
        return _identity_of(path.stat()) == read.identity
    except (OSError, UnicodeDecodeError):
        return False


def _replace_as_read(path: Path, temporary: Path, read: _Read) -> bool:
    """Put the prepared file where the file read was, unless it changed since.

    Returns False, with every save another program made still in place, when the
    file is no longer the one read. A new file is linked into place, which fails
    if one appeared meanwhile. An existing one is checked at the last moment, then
    exchanged with the prepared file in one step where the system can (Linux):
    the exchange hands back the file it displaced, so a save that came in between
    the check and the exchange is seen, and put back. Elsewhere a rename follows
    the check, and a save in that instant would be lost.
    """
    if read.identity is None:
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: check, then rename
            if path.exists():
                return False
            temporary.replace(path)
        return True
    if not _still_as_read(path, read):
        return False
    with contextlib.ExitStack() as kept_open:
        ours = _kept_open(temporary, kept_open)
        if not _exchange(temporary, path):
            temporary.replace(path)
            return True
        if _identity_of(temporary.stat()) == read.identity:
            return True  # ``temporary`` now names the file read, which is done with
        _put_back(path, temporary, ours, kept_open)
    return False


_PUT_BACK_ATTEMPTS = 10


def _put_back(
    path: Path, temporary: Path, ours: os.stat_result, kept_open: contextlib.ExitStack
) -> None:
    """An exchange displaced a save this edit had not read: put that save back.

    If yet another save replaced the file this edit put there, that one is newer:
    it goes back instead, and so on. The files put in place are kept open, so that
    none of their inode numbers is freed and taken by a newer file meanwhile.
    """
    put_in = ours
    for _attempt in range(_PUT_BACK_ATTEMPTS):
        saved = _kept_open(temporary, kept_open)
        if not _exchange(temporary, path):
            raise OSError(errno.EIO, "cannot put the file back", str(path))
        came_out = temporary.stat()
        if (came_out.st_dev, came_out.st_ino) == (put_in.st_dev, put_in.st_ino):
            return  # what came out is what this edit had put in: the save is back
        put_in = saved
    raise OSError(errno.EBUSY, "the file keeps changing", str(path))


def _kept_open(path: Path, stack: contextlib.ExitStack) -> os.stat_result:
    """Open a file for as long as the stack lasts; its status."""
    file = stack.enter_context(path.open("rb"))
    return os.fstat(file.fileno())


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's ``renameat2``, on Linux; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function: Callable[..., int] = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two files' names in one step; False where the system cannot.

    Raises:
        OSError: the exchange is possible here, and failed.
    """
    import ctypes

    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    flags = _RENAME_EXCHANGE
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), flags) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # an old kernel, or a file system without it
    raise OSError(number, os.strerror(number), str(second))


def edit_config(path: Path, edit: Callable[[TOMLDocument, Config], _T]) -> _T:
    """Edit a config file in place, keeping its comments, order and formatting.

    Under the lock file, the file is read and checked, and ``edit`` is called with
    its tomlkit document and parsed config: it changes the document (or leaves it
    alone) and returns what the caller wants back. A changed document must still
    be a valid config; it is then written to a temporary file. When the file
    changed on disk meanwhile (an editor saved it), the edit is redone on the new
    text, so ``edit`` must depend on nothing but its arguments; else the
    temporary file replaces it (see :func:`_replace_as_read`).

    Raises:
        ConfigError: the file is not a valid config, the edit would make it one
            no more, or it cannot be written (read-only, or it keeps changing).
        FeedNotFound: raised by ``edit``, and passed on.
    """
    import tomlkit

    with _edit_lock(path):
        for _attempt in range(_EDIT_ATTEMPTS):
            with _reading(path) as read:
                current = parse_config(read.text, path)
                document = tomlkit.parse(read.text)
                result = edit(document, current)
                new_text = tomlkit.dumps(document)
                if new_text == read.text:
                    return result
                try:
                    parse_config(new_text, path)
                except ConfigError as error:
                    message = f"not changed: the edit would not load ({error.message})"
                    raise ConfigError(path, None, error.key, message) from error
                if read.identity is not None and not os.access(path, os.W_OK):
                    raise ConfigError(path, None, None, "cannot write: the file is read-only")
                try:
                    temporary = _prepared(path, new_text)
                    try:
                        if _replace_as_read(path, temporary, read):
                            return result
                    finally:
                        temporary.unlink(missing_ok=True)
                except OSError as error:
                    raise ConfigError(
                        path, None, None, f"cannot write: {error.strerror}"
                    ) from error
            # an editor saved the file meanwhile: start again from its text
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
        raise FeedNotFound(f"no feed {display_url(wanted)} in {config.path}")
    urls = ", ".join(display_url(feed.url) for feed in named)
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
                entry["category"] = CATEGORY_SEPARATOR.join(feed.category)
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


def move_feeds(path: Path, moves: Mapping[str, str]) -> dict[str, str]:
    """Give feeds new addresses in a config file: ``moves`` maps a feed's ``url`` (as
    loaded) to its new one.

    Each ``url`` value is replaced where it stands, its comment kept; nothing else
    changes. A feed no longer in the file is passed over, and so is one whose new
    address is another feed's.

    Returns:
        The moves made.

    Raises:
        ConfigError: the file is not a valid config, or cannot be written.
    """

    def move(document: TOMLDocument, current: Config) -> dict[str, str]:
        expected = tomllib.loads(document.as_string())
        known = {feed_key(feed.url) for feed in current.feeds}
        made: dict[str, str] = {}
        for feed in current.feeds:
            new = moves.get(feed.url)
            if new is None or new == feed.url:
                continue
            if feed_key(new) != feed_key(feed.url) and feed_key(new) in known:
                continue
            index = _feed_index(document, feed.url)
            _feed_items(document)[index]["url"] = new
            expected["feeds"][index]["url"] = new
            known.add(feed_key(new))
            made[feed.url] = new
        _unchanged_but(document, expected, path)
        return made

    return edit_config(path, move)


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
