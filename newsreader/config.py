"""``feeds.toml``: the feed list, local article sources and settings.

Read with ``tomllib`` and checked key by key; every problem is a
:class:`ConfigError` that names the file, the line and the key. Unknown keys are
warnings, not errors. Edits are :mod:`newsreader.config_edit`'s.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

try:
    import fcntl
except ImportError:  # not on Windows: the mtime check below is all there is
    fcntl = None  # type: ignore[assignment]

from newsreader.files import FileRefused, read_file
from newsreader.filters import Filter, FilterError, parse_filter
from newsreader.keys import (
    ACTIONS,
    NEEDS_A_KEY,
    UNBOUND,
    KeyClash,
    KeyNameError,
    normalise_key,
    resolve_keys,
)
from newsreader.links import normalise_url, without_fragment
from newsreader.model import CATEGORY_SEPARATOR, FeedState, parse_category_path
from newsreader.paths import bundled_data_dir
from newsreader.sanitize import clean_line, display_url, feed_url_problem, hide_password


def feed_key(url: str) -> str:
    """What makes two spellings of a feed's address one feed (a fragment never reaches
    the server, so unlike an article's address it does not count)."""
    return without_fragment(normalise_url(url))


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(scheme)


def carry_credentials(url: str, given: str) -> str:
    """``url`` with the user name and password of ``given``, when it has none of its own
    and is on the same origin (scheme, host and port).

    A redirect's target or a page's link to its feed comes without them; the
    fetch sends them to that one origin only, and so does this.
    """
    try:
        new, old = urlsplit(url), urlsplit(given)
        origins = [_origin(new), _origin(old)]
    except ValueError:
        return url
    if origins[0] != origins[1] or "@" in new.netloc or "@" not in old.netloc:
        return url
    userinfo = old.netloc.rpartition("@")[0]
    start = url.index("//") + 2
    return f"{url[:start]}{userinfo}@{url[start:]}"


MAX_CONFIG_BYTES = 16 * 1024 * 1024
"""The largest feeds.toml read: about 100,000 feeds."""


class ConfigError(Exception):
    """A problem in a config file, located by line and key."""

    def __init__(self, path: Path, line: int | None, key: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.key = key
        self.message = message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One ``[[feeds]]`` entry."""

    url: str
    name: str | None = None
    category: tuple[str, ...] = ()
    enabled: bool = True
    full_text: bool = False

    def display_name(self, state: FeedState | None = None) -> str:
        """What to call the feed (:func:`feed_name`), given what its last refresh learnt."""
        return feed_name(self.url, self.name, state.title if state else None)


def feed_name(url: str, name: str | None = None, title: str | None = None) -> str:
    """What to call a feed, everywhere it is named: its configured name, else its own
    title with any password hidden, else its URL with its password hidden.

    A name or title that is the feed's address counts as none (a feed without a
    title has its URL for one), so an address is always shown as
    :func:`~newsreader.sanitize.display_url` shows it.
    """
    given = name if name != url else None
    own = title if title != url else None
    return given or (own and hide_password(own)) or display_url(url)


ACCOUNT_TYPES = ("greader",)
"""The sync protocols an ``[[accounts]]`` entry may name: the Google Reader API."""


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One ``[[accounts]]`` entry: an aggregator whose feeds and read state are synced.

    The password itself is never in the config: ``password_env`` names an
    environment variable that holds it, ``password_command`` a command that
    prints it (:mod:`newsreader.sync.credentials` reads either). ``where`` is
    the entry's ``file:line`` for each key, for errors found only when the
    account is used.
    """

    name: str
    type: str
    url: str
    user: str
    password_env: str | None = None
    password_command: str | None = None
    where: Mapping[str, str] = field(default_factory=dict)

    def place(self, key: str) -> str:
        """``file:line: key`` of one of the entry's keys (the entry's header if unknown)."""
        return f"{self.where.get(key) or self.where.get('', '')}: {key}"


@dataclass(frozen=True, slots=True)
class QueryConfig:
    """One ``[[queries]]`` entry: a node of the tree that lists the articles a filter passes."""

    name: str
    filter: Filter
    category: tuple[str, ...] = ()


class IgnoreMode(StrEnum):
    """What a killfile rule does with the articles its filter passes."""

    HIDE = "hide"
    """Stored, never listed nor counted but under the tree's Hidden node."""
    SKIP = "skip"
    """A feed's new entries not stored at all, at refresh (a sync account's items and
    imported files are stored: a hide rule hides them)."""


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One ``[[ignore]]`` entry of the killfile."""

    filter: Filter
    mode: IgnoreMode = IgnoreMode.HIDE
    where: str = ""
    """``file:line`` of the entry, naming it in reports."""


@dataclass(frozen=True, slots=True)
class LocalSource:
    """One ``[[local]]`` entry: a file or folder of articles."""

    path: Path
    category: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``[settings]`` table."""

    concurrency: int = 64
    """Feeds downloaded at once."""
    per_host: int = 4
    """Connections to any one host at once."""
    timeout: float = 20.0
    """Seconds for a whole response."""
    connect_timeout: float = 10.0
    """Seconds to connect."""
    max_bytes: int = 20 * 1024 * 1024
    """Largest response body accepted."""
    keep_days: int = 0
    """Articles older than this many days are removed (0: keep all; starred always kept)."""
    keep_per_feed: int = 0
    """At most this many articles per feed are kept (0: no limit; starred always kept)."""
    max_retry_after: float = 86_400.0
    """The longest a server's Retry-After defers a feed, in seconds (0: never wait)."""
    images: bool = True
    """Whether the reader fetches and shows figures' images."""
    reading_width: int = 80
    """The widest the reader's text column runs, in columns, centred in the pane (0: the
    pane's full width)."""
    read_whole_story: bool = True
    """Whether reading one copy of a story (one row of the list) marks its other copies
    read too."""


@dataclass(frozen=True, slots=True)
class Config:
    """A parsed ``feeds.toml``."""

    path: Path
    feeds: tuple[FeedConfig, ...] = ()
    local: tuple[LocalSource, ...] = ()
    accounts: tuple[AccountConfig, ...] = ()
    settings: Settings = field(default_factory=Settings)
    warnings: tuple[str, ...] = ()
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The ``[keys]`` table: an action id -> the keys it has instead of its defaults
    (none: unbound). Actions not named keep theirs (:func:`newsreader.keys.resolve_keys`)."""
    queries: tuple[QueryConfig, ...] = ()
    """The ``[[queries]]``: query feeds, in the config's order."""
    ignore: tuple[IgnoreRule, ...] = ()
    """The ``[[ignore]]`` killfile, in the config's order."""

    @property
    def enabled_feeds(self) -> tuple[FeedConfig, ...]:
        """The feeds a refresh fetches: those not written ``enabled = false``."""
        return tuple(feed for feed in self.feeds if feed.enabled)


_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")

MAX_RETRY_AFTER_LIMIT = 30 * 86_400
"""The largest ``max_retry_after`` accepted: a server may defer a feed a month at most."""

MIN_READING_WIDTH = 20
MAX_READING_WIDTH = 1000
"""The ``reading_width`` accepted (besides 0, the pane's full width)."""

_SETTINGS_RULES: dict[str, tuple[type | tuple[type, ...], Callable[[Any], bool], str]] = {
    "concurrency": (int, lambda v: 1 <= v <= 256, "an integer from 1 to 256"),
    "per_host": (int, lambda v: 1 <= v <= 64, "an integer from 1 to 64"),
    "timeout": ((int, float), lambda v: 0 < v <= 600, "a number of seconds from 0 to 600"),
    "connect_timeout": ((int, float), lambda v: 0 < v <= 600, "a number of seconds from 0 to 600"),
    "max_bytes": (int, lambda v: 1024 <= v <= 1024**3, "a number of bytes from 1024 to 1 GiB"),
    "keep_days": (int, lambda v: v >= 0, "a whole number of days, 0 or more"),
    "keep_per_feed": (int, lambda v: v >= 0, "a whole number, 0 or more"),
    "max_retry_after": (
        (int, float),
        lambda v: 0 <= v <= MAX_RETRY_AFTER_LIMIT,
        f"a number of seconds from 0 to {MAX_RETRY_AFTER_LIMIT} (30 days)",
    ),
    "images": (bool, lambda v: True, "true or false"),
    "reading_width": (
        int,
        lambda v: v == 0 or MIN_READING_WIDTH <= v <= MAX_READING_WIDTH,
        f"a number of columns from {MIN_READING_WIDTH} to {MAX_READING_WIDTH}, or 0 (full width)",
    ),
    "read_whole_story": (bool, lambda v: True, "true or false"),
}
_FEED_KEYS = frozenset({"url", "name", "category", "enabled", "full_text"})
_LOCAL_KEYS = frozenset({"path", "category"})
_ACCOUNT_KEYS = frozenset({"name", "type", "url", "user", "password_env", "password_command"})
_QUERY_KEYS = frozenset({"name", "filter", "category"})
_IGNORE_KEYS = frozenset({"filter", "mode"})
_TOP_KEYS = frozenset({"settings", "feeds", "local", "accounts", "keys", "queries", "ignore"})
_QUERY_NAME_LIMIT = 200
_ACCOUNT_NAME_LIMIT = 100


class _LineIndex:
    """Finds the line of a key in TOML text (tomllib reports no positions).

    Tracks ``[table]`` and ``[[array]]`` headers, counting array entries, and
    the ``key =`` lines under each.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, int, str | None], int] = {}
        counts: dict[str, int] = {}
        table, index = "", 0
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = header.group(2)
                if header.group(1) == "[[":
                    index = counts.get(table, 0)
                    counts[table] = index + 1
                else:
                    index = 0
                self._lines.setdefault((table, index, None), number)
                continue
            key = _KEY.match(line)
            if key:
                self._lines.setdefault((table, index, key.group(1).strip('"')), number)

    def line(self, table: str, index: int = 0, key: str | None = None) -> int | None:
        """The line of ``key`` in entry ``index`` of ``table`` (or of its header).

        A table written inline at the top (``feeds = ...``) is found as a key there.
        """
        return (
            self._lines.get((table, index, key))
            or self._lines.get((table, index, None))
            or self._lines.get(("", 0, table))
        )


def is_feed_url(url: str) -> bool:
    """Whether a config accepts this as a feed's address (see
    :func:`~newsreader.sanitize.feed_url_problem`): http or https, with a host."""
    return feed_url_problem(url) is None


def quoted_url(url: str) -> str:
    """A refused address as an error message quotes it: its password hidden, any
    control character written as an escape, cut short past 100 characters."""
    shown = hide_password(url)
    return repr(shown if len(shown) <= 100 else shown[:100] + "…")


def load_config(path: Path) -> Config:
    """Read and check a ``feeds.toml``.

    Raises:
        ConfigError: the file cannot be read, is not TOML, or has a bad value.
    """
    return parse_config(read_config_text(path), path)


def read_config_text(path: Path) -> str:
    """A config file's text; a missing or unreadable file is a :class:`ConfigError`.

    It is read as any file a stranger could have put in its place: a regular
    file of at most :data:`MAX_CONFIG_BYTES` (a FIFO would hang, ``/dev/zero``
    would fill memory).
    """
    if not path.exists() and not path.is_symlink():
        raise ConfigError(path, None, None, "no such file")
    try:
        data = read_file(path, MAX_CONFIG_BYTES)
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except FileRefused as error:
        raise ConfigError(path, None, None, f"cannot read: {error}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, None, "cannot read: not UTF-8 text") from error


def parse_config(text: str, path: Path) -> Config:
    """Check the TOML text of a config; ``path`` names it in errors and anchors relative paths."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_ERROR_LINE.search(message)
        line = int(match.group(1)) if match else None
        reason = _TOML_ERROR_LINE.sub("", message).strip()
        raise ConfigError(path, line, None, f"not valid TOML: {reason}") from error
    lines = _LineIndex(text)
    warnings: list[str] = []

    def fail(table: str, index: int, key: str | None, message: str) -> ConfigError:
        return ConfigError(path, lines.line(table, index, key), key, message)

    def warn_unknown(
        table: str, index: int, entry: Mapping[str, Any], known: frozenset[str]
    ) -> None:
        for key in entry:
            if key not in known:
                line = lines.line(table, index, key)
                where = f"{path}:{line}" if line else str(path)
                warnings.append(f"{where}: unknown key {key!r} ignored")

    warn_unknown("", 0, data, _TOP_KEYS)
    settings = _settings(data.get("settings", {}), fail, warn_unknown)
    feeds = _feeds(data.get("feeds", []), fail, warn_unknown)
    local = _local(data.get("local", []), path, fail, warn_unknown)
    accounts = _accounts(data.get("accounts", []), path, lines, fail, warn_unknown)
    keys = _keys(data.get("keys", {}), fail)
    queries = _queries(data.get("queries", []), fail, warn_unknown)
    ignore = _ignore(data.get("ignore", []), path, lines, fail, warn_unknown)
    return Config(path, feeds, local, accounts, settings, tuple(warnings), keys, queries, ignore)


_Fail = Callable[[str, int, str | None, str], ConfigError]
_Warn = Callable[[str, int, Mapping[str, Any], frozenset[str]], None]


def _settings(value: object, fail: _Fail, warn: _Warn) -> Settings:
    if not isinstance(value, dict):
        raise fail("settings", 0, None, "settings must be a table")
    warn("settings", 0, value, frozenset(_SETTINGS_RULES))
    chosen: dict[str, Any] = {}
    for key, (kind, valid, description) in _SETTINGS_RULES.items():
        if key not in value:
            continue
        item: Any = value[key]
        # True is an int to Python: a number setting refuses it all the same.
        if (
            (kind is not bool and isinstance(item, bool))
            or not isinstance(item, kind)
            or not valid(item)
        ):
            raise fail("settings", 0, key, f"{key} must be {description}")
        chosen[key] = item
    return Settings(**chosen)


def _keys(value: object, fail: _Fail) -> dict[str, tuple[str, ...]]:
    """The ``[keys]`` table: known actions, real key names, no two actions on a key in a place."""
    if not isinstance(value, dict):
        raise fail("keys", 0, None, "keys must be a table")
    chosen: dict[str, tuple[str, ...]] = {}
    for action, given in value.items():
        if action not in ACTIONS:
            raise fail("keys", 0, action, f"unknown action {action!r} (see the README's keys)")
        names = [given] if isinstance(given, str) else given
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise fail("keys", 0, action, f'{action} must be a key, a list of keys or "{UNBOUND}"')
        if names == [UNBOUND]:
            names = []
        if not names and action in NEEDS_A_KEY:
            raise fail(
                "keys", 0, action, f"{action} needs a key: without one the help cannot be closed"
            )
        try:
            chosen[action] = tuple(dict.fromkeys(normalise_key(name) for name in names))
        except KeyNameError as error:
            raise fail("keys", 0, action, f"{action}: {error}") from error
    try:
        resolve_keys(chosen)
    except KeyClash as clash:
        raise fail("keys", 0, clash.action, str(clash)) from clash
    return chosen


def _string(entry: Mapping[str, Any], key: str, table: str, index: int, fail: _Fail) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail(table, index, key, f"{key} must be a string")
    return value


def _bool(
    entry: Mapping[str, Any], key: str, default: bool, table: str, index: int, fail: _Fail
) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise fail(table, index, key, f"{key} must be true or false")
    return value


def _entries(value: object, table: str, fail: _Fail) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise fail(table, 0, None, f"{table} must be tables written [[{table}]]")
    return value


def _feeds(value: object, fail: _Fail, warn: _Warn) -> tuple[FeedConfig, ...]:
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(_entries(value, "feeds", fail)):
        warn("feeds", index, entry, _FEED_KEYS)
        url = _string(entry, "url", "feeds", index, fail)
        if not url or not url.strip():
            raise fail("feeds", index, "url", "a feed needs a url")
        url = url.strip()
        problem = feed_url_problem(url)
        if problem:
            raise fail("feeds", index, "url", f"url {problem}, not {quoted_url(url)}")
        key = feed_key(url)
        if key in seen:
            message = f"duplicate feed {display_url(url)} (also feed {seen[key] + 1})"
            raise fail("feeds", index, "url", message)
        seen[key] = index
        category = _string(entry, "category", "feeds", index, fail)
        name = _string(entry, "name", "feeds", index, fail)
        feeds.append(
            FeedConfig(
                url=url,
                name=clean_line(name) or None if name else None,
                category=parse_category_path(category) if category else (),
                enabled=_bool(entry, "enabled", True, "feeds", index, fail),
                full_text=_bool(entry, "full_text", False, "feeds", index, fail),
            )
        )
    return tuple(feeds)


def _local(value: object, config_path: Path, fail: _Fail, warn: _Warn) -> tuple[LocalSource, ...]:
    sources: list[LocalSource] = []
    for index, entry in enumerate(_entries(value, "local", fail)):
        warn("local", index, entry, _LOCAL_KEYS)
        raw_path = _string(entry, "path", "local", index, fail)
        if not raw_path:
            raise fail("local", index, "path", "a local source needs a path")
        path = Path(raw_path).expanduser()
        if not path.is_absolute():
            beside_config = config_path.parent / path
            bundled = bundled_data_dir() / path
            # "samples" in the default config means the samples shipped with the package.
            path = bundled if not beside_config.exists() and bundled.exists() else beside_config
        category = _string(entry, "category", "local", index, fail)
        sources.append(LocalSource(path, parse_category_path(category) if category else ()))
    return tuple(sources)


def _accounts(
    value: object, config_path: Path, lines: _LineIndex, fail: _Fail, warn: _Warn
) -> tuple[AccountConfig, ...]:
    accounts: list[AccountConfig] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(_entries(value, "accounts", fail)):
        warn("accounts", index, entry, _ACCOUNT_KEYS)

        def required(key: str, entry: dict[str, Any] = entry, index: int = index) -> str:
            given = _string(entry, key, "accounts", index, fail)
            if given is None or not given.strip():
                raise fail("accounts", index, key, f"an account needs a {key}")
            return given.strip()

        name = clean_line(required("name"))
        if len(name) > _ACCOUNT_NAME_LIMIT or CATEGORY_SEPARATOR in name:
            raise fail(
                "accounts",
                index,
                "name",
                f"name must be at most {_ACCOUNT_NAME_LIMIT} characters, without "
                f"{CATEGORY_SEPARATOR!r} (it is the account's node in the tree)",
            )
        if name.casefold() in names:
            message = f"duplicate account name {name!r} (also account {names[name.casefold()] + 1})"
            raise fail("accounts", index, "name", message)
        names[name.casefold()] = index
        kind = required("type")
        if kind not in ACCOUNT_TYPES:
            known = ", ".join(repr(known) for known in ACCOUNT_TYPES)
            raise fail("accounts", index, "type", f"type must be one of {known}, not {kind!r}")
        url = required("url")
        problem = feed_url_problem(url)
        if problem:
            raise fail("accounts", index, "url", f"url {problem}, not {quoted_url(url)}")
        if urlsplit(url).password is not None:
            raise fail(
                "accounts",
                index,
                "url",
                "url must not hold a password: use password_env or password_command",
            )
        user = required("user")
        password_env = _string(entry, "password_env", "accounts", index, fail)
        password_command = _string(entry, "password_command", "accounts", index, fail)
        if (password_env is None) == (password_command is None):
            raise fail(
                "accounts",
                index,
                "password_env" if password_env is not None else None,
                "an account needs one of password_env (the name of an environment variable "
                "holding the password) or password_command (a command printing it)",
            )
        if password_env is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", password_env):
            raise fail(
                "accounts",
                index,
                "password_env",
                "password_env must be the name of an environment variable, "
                f"not {clean_line(password_env)[:60]!r}",
            )
        if password_command is not None and not password_command.strip():
            raise fail("accounts", index, "password_command", "password_command is empty")
        where = {
            key: f"{config_path}:{line}"
            for key in ("", *_ACCOUNT_KEYS)
            if (line := lines.line("accounts", index, key or None)) is not None
        }
        accounts.append(AccountConfig(name, kind, url, user, password_env, password_command, where))
    return tuple(accounts)


def _filter(entry: Mapping[str, Any], table: str, index: int, fail: _Fail, what: str) -> Filter:
    text = _string(entry, "filter", table, index, fail)
    if text is None or not text.strip():
        raise fail(table, index, "filter", f"{what} needs a filter")
    try:
        return parse_filter(text)
    except FilterError as error:
        raise fail(table, index, "filter", str(error)) from error


def _queries(value: object, fail: _Fail, warn: _Warn) -> tuple[QueryConfig, ...]:
    queries: list[QueryConfig] = []
    names: dict[str, int] = {}
    for index, entry in enumerate(_entries(value, "queries", fail)):
        warn("queries", index, entry, _QUERY_KEYS)
        name = clean_line(_string(entry, "name", "queries", index, fail) or "")
        if not name:
            raise fail("queries", index, "name", "a query needs a name")
        if len(name) > _QUERY_NAME_LIMIT:
            raise fail(
                "queries", index, "name", f"name must be at most {_QUERY_NAME_LIMIT} characters"
            )
        if name.casefold() in names:
            message = f"duplicate query name {name!r} (also query {names[name.casefold()] + 1})"
            raise fail("queries", index, "name", message)
        names[name.casefold()] = index
        article_filter = _filter(entry, "queries", index, fail, "a query")
        category = _string(entry, "category", "queries", index, fail)
        queries.append(
            QueryConfig(name, article_filter, parse_category_path(category) if category else ())
        )
    return tuple(queries)


def _ignore(
    value: object, config_path: Path, lines: _LineIndex, fail: _Fail, warn: _Warn
) -> tuple[IgnoreRule, ...]:
    rules: list[IgnoreRule] = []
    for index, entry in enumerate(_entries(value, "ignore", fail)):
        warn("ignore", index, entry, _IGNORE_KEYS)
        article_filter = _filter(entry, "ignore", index, fail, "an ignore rule")
        mode = (_string(entry, "mode", "ignore", index, fail) or IgnoreMode.HIDE.value).lower()
        if mode not in IgnoreMode.__members__.values():
            raise fail(
                "ignore", index, "mode", f'mode must be "hide" or "skip", not {clean_line(mode)!r}'
            )
        line = lines.line("ignore", index)
        where = f"{config_path}:{line}" if line else str(config_path)
        rules.append(IgnoreRule(article_filter, IgnoreMode(mode), where))
    return tuple(rules)
