"""The ``newsreader`` command: argument parsing and wiring of the core.

Every expected failure ends as a one-line message on stderr and an exit code:
0 success, 1 some work failed (the rest was done), 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from newsreader import __version__
from newsreader.model import CATEGORY_SEPARATOR, parse_category_path
from newsreader.paths import CONFIG_ENV, DATA_DIR_ENV, Locations, resolve_locations
from newsreader.sanitize import clean_json, clean_line, display_url
from newsreader.wording import plural

if TYPE_CHECKING:
    from newsreader.cache import Cache, MergeReason
    from newsreader.cache.matching import CompiledFilter
    from newsreader.config import AccountConfig, Config
    from newsreader.filters import Filter
    from newsreader.model import ArticleSummary, FeedState
    from newsreader.queries import FilterContext
    from newsreader.refresh import FeedResult, RefreshReport
    from newsreader.ui.app import NewsReaderApp

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
CHECK_LISTED = 50
"""`cache check` names at most this many articles' problems, then says how many more."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader: feeds and scraped articles, cached offline.",
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    parser.add_argument(
        "--config", metavar="FILE", help=f"the feeds.toml to use (env {CONFIG_ENV})"
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", help=f"where the cache lives (env {DATA_DIR_ENV})"
    )
    parser.add_argument(
        "--offline", action="store_true", help="use the cache only; touch no network"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    refresh_cmd = commands.add_parser("refresh", help="refresh feeds and local sources")
    refresh_cmd.add_argument("--json", action="store_true", help="print a JSON summary")
    refresh_cmd.add_argument(
        "--offline", dest="refresh_offline", action="store_true", help="import local sources only"
    )

    sync_cmd = commands.add_parser(
        "sync", help="sync the accounts of feeds.toml with their servers"
    )
    sync_cmd.add_argument("--account", type=_utf8_text, metavar="NAME", help="only this account")
    sync_cmd.add_argument("--json", action="store_true", help="print a JSON summary")
    accounts_cmd = commands.add_parser("accounts", help="list the sync accounts and their state")
    accounts_cmd.add_argument("--json", action="store_true", help="one JSON object per account")

    feeds_cmd = commands.add_parser("feeds", help="list feeds and how their last refresh went")
    feeds_cmd.add_argument("--json", action="store_true", help="one JSON object per feed")
    feeds_cmd.add_argument(
        "--update-moved",
        action="store_true",
        help="write the new address of each feed that moved permanently to feeds.toml",
    )

    add_cmd = commands.add_parser("add", help="add a feed (or a site's feed) to feeds.toml")
    add_cmd.add_argument("url", metavar="URL")
    add_cmd.add_argument("--name", metavar="NAME")
    add_cmd.add_argument("--category", type=_utf8_text, metavar="A/B")
    add_cmd.add_argument(
        "--force", action="store_true", help="add it even if it is not a feed, or fails"
    )
    add_cmd.add_argument(
        "--account", type=_utf8_text, metavar="NAME", help="subscribe on this sync account"
    )

    for name, help_text in (
        ("remove", "remove a feed from feeds.toml (its cached articles stay)"),
        ("enable", "refresh a disabled feed again"),
        ("disable", "keep a feed in feeds.toml but stop refreshing it"),
    ):
        edit_cmd = commands.add_parser(name, help=help_text)
        edit_cmd.add_argument("feed", metavar="URL|NAME", help="the feed's address or its name")
        if name == "remove":
            edit_cmd.add_argument(
                "--account", type=_utf8_text, metavar="NAME", help="unsubscribe on this account"
            )

    opml_cmd = commands.add_parser("opml", help="import or export feeds as OPML")
    opml_actions = opml_cmd.add_subparsers(dest="opml_action", metavar="ACTION", required=True)
    opml_import = opml_actions.add_parser("import", help="add the feeds of an OPML file")
    opml_import.add_argument("file", type=Path, metavar="FILE")
    opml_export = opml_actions.add_parser("export", help="write the feeds as OPML")
    opml_export.add_argument("file", type=Path, nargs="?", metavar="FILE")

    import_cmd = commands.add_parser("import", help="import article files or folders")
    import_cmd.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    import_cmd.add_argument(
        "--category", type=_utf8_text, metavar="A/B", help="category path for these files"
    )

    list_cmd = commands.add_parser("list", help="list cached articles, newest first")
    list_cmd.add_argument(
        "--category", type=_utf8_text, metavar="A/B", help="only this category and below"
    )
    list_cmd.add_argument("--unread", action="store_true", help="only unread articles")
    list_cmd.add_argument("--starred", action="store_true", help="only starred articles")
    list_cmd.add_argument(
        "--search", type=_utf8_text, metavar="QUERY", help="full-text search instead"
    )
    list_cmd.add_argument(
        "--filter",
        type=_utf8_text,
        metavar="EXPR",
        help='only the articles a filter passes: title =~ "rust" and unread (see the README)',
    )
    list_cmd.add_argument(
        "--query", type=_utf8_text, metavar="NAME", help="a query feed of feeds.toml"
    )
    list_cmd.add_argument(
        "--hidden", action="store_true", help="the articles the killfile hides instead"
    )
    list_cmd.add_argument(
        "--story", type=int, metavar="ID", help="every copy of an article's story instead"
    )
    list_cmd.add_argument("--limit", type=_positive_int, default=50, metavar="N")
    list_cmd.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per article (every copy of a story, with its story and sources)",
    )

    show_cmd = commands.add_parser("show", help="show one article")
    show_cmd.add_argument("id", type=int, metavar="ID")
    show_cmd.add_argument("--json", action="store_true", help="print JSON")

    for name, help_text in (("read", "mark articles read"), ("unread", "mark articles unread"),
                            ("star", "star articles"), ("unstar", "unstar articles")):  # fmt: skip
        mark_cmd = commands.add_parser(name, help=help_text)
        mark_cmd.add_argument("ids", nargs="+", type=int, metavar="ID")
    commands.add_parser(
        "undo", help="mark the articles of the last mark-all-read (A, or read ID ID...) unread"
    )

    commands.add_parser("dirs", help="show where config and cache live")

    cache_cmd = commands.add_parser("cache", help="check the cache, or set it aside")
    cache_actions = cache_cmd.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    cache_actions.add_parser("check", help="run SQLite's integrity check on the cache")
    cache_actions.add_parser(
        "reset", help="move the cache aside (kept, with a timestamp) and start a new one"
    )
    return parser


def _utf8_text(value: str) -> str:
    """An argument that must be text: bytes that are not UTF-8 are a usage error.

    Such bytes arrive as lone surrogates, which no category or search text can
    match and SQLite and the config refuse; said here, they are a plain error.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError("not valid UTF-8 text") from None
    return value


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    locations = resolve_locations(args.config, args.data_dir)
    try:
        return _dispatch(args, locations)
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.cache import CacheError
    from newsreader.config import ConfigError

    if args.command is None:
        return _run_reader(locations, offline=args.offline)
    if args.command == "dirs":
        return _dirs(locations)
    handlers = {
        "refresh": _refresh,
        "sync": _sync,
        "accounts": _accounts,
        "feeds": _feeds,
        "add": _add,
        "remove": _remove,
        "enable": _enable,
        "disable": _enable,
        "opml": _opml,
        "import": _import,
        "list": _list,
        "show": _show,
        "cache": _cache,
        "undo": _undo,
    }
    try:
        return handlers.get(args.command, _mark)(args, locations)
    except CacheError as error:
        return _fail(str(error))
    except ConfigError as error:
        return _fail(str(error), EXIT_USAGE)


def _run_reader(locations: Locations, *, offline: bool) -> int:
    """Open the terminal reader on the user's config and cache."""
    # The reader follows the terminal as it is resized: COLUMNS and LINES left in
    # the environment (a shell may export them) would fix its size at their values,
    # since Python's terminal size reads them before asking the terminal.
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    from newsreader.cache import CacheError
    from newsreader.config import ConfigError

    try:
        app = reader_app(locations, offline=offline)
    except (ConfigError, CacheError) as error:
        return _fail(str(error), EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILED)
    if not offline and app.config.enabled_feeds:
        from newsreader.pool import start_fork_server
        from newsreader.ui.screens.main import PARSE_PRELOAD

        start_fork_server(PARSE_PRELOAD)
    app.run()
    # A crash inside the reader (Textual shows its traceback) is not a success.
    return app.return_code or EXIT_OK


def reader_app(locations: Locations, *, offline: bool) -> NewsReaderApp:
    """The reader on the user's config (made on a first run, said inside the reader)."""
    from newsreader.ui.app import NewsReaderApp

    notices: list[str] = []
    config = _load_config(locations, created=notices.append)
    return NewsReaderApp(locations, config, offline=offline, notices=notices)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"newsreader: {clean_line(message)}", file=sys.stderr)
    return code


def _print_json(value: object, *, indent: int | None = None) -> None:
    """Print a ``--json`` output: every string in it cleaned first, whoever built it."""
    print(json.dumps(clean_json(value), ensure_ascii=False, indent=indent))


def _open_cache(locations: Locations) -> Cache:
    from newsreader.cache import open_cache

    cache, moved_to = open_cache(locations.cache_file)
    if moved_to is not None:
        print(
            f"newsreader: the cache was damaged; it was moved to {moved_to} "
            "and a new cache was started",
            file=sys.stderr,
        )
    return cache


def _cache(args: argparse.Namespace, locations: Locations) -> int:
    return _cache_reset(locations) if args.cache_action == "reset" else _cache_check(locations)


def _cache_check(locations: Locations) -> int:
    from newsreader.cache import Cache

    if not locations.cache_file.exists():
        print(f"no cache yet at {locations.cache_file}")
        return EXIT_OK
    with Cache(locations.cache_file) as cache:
        problems = cache.integrity_problems()
        articles = [] if problems else cache.content_problems()
    if problems:
        for problem in problems:
            _fail(problem)
        return _fail(
            f"the cache {locations.cache_file} is damaged; "
            "`newsreader cache reset` moves it aside and starts a new one"
        )
    if articles:
        for article_id, problem in articles[:CHECK_LISTED]:
            _fail(f"article {article_id}: {problem}")
        if len(articles) > CHECK_LISTED:
            _fail(f"... and {len(articles) - CHECK_LISTED} more")
        ids = len({article_id for article_id, _ in articles})
        return _fail(
            f"{locations.cache_file}: the file is sound, but {plural(ids, 'article')} "
            "cannot be shown whole (an unreadable text shows a placeholder, an impossible "
            "date no date); every other article is unaffected"
        )
    print(f"{locations.cache_file}: ok")
    return EXIT_OK


def _cache_reset(locations: Locations) -> int:
    from newsreader.cache import reset_cache

    if not locations.cache_file.exists():
        print(f"no cache at {locations.cache_file}; nothing to move")
        return EXIT_OK
    try:
        # Refused (a CacheError, one line) while another newsreader has it open.
        moved_to = reset_cache(locations.cache_file)
    except OSError as error:
        return _fail(f"cannot move the cache aside: {error}")
    print(f"moved the cache to {moved_to}; the next command starts a new one")
    return EXIT_OK


def _load_config(locations: Locations, created: Callable[[str], object] | None = None) -> Config:
    """The user's config; on first run, a copy of the bundled default (and say so).

    ``created`` is handed the first run's message too (the reader shows it: its
    screen hides a line printed before it until it quits).
    """
    from newsreader.config import load_config
    from newsreader.config_edit import write_atomically
    from newsreader.paths import bundled_config

    path = locations.config_file
    if not path.exists() and not locations.config_given:
        write_atomically(path, bundled_config().read_text(encoding="utf-8"))
        message = f"created {path} from the bundled default"
        print(f"newsreader: {message}", file=sys.stderr)
        if created is not None:
            created(message[:1].upper() + message[1:])
    config = load_config(path)
    for warning in config.warnings:
        print(f"newsreader: warning: {clean_line(warning)}", file=sys.stderr)
    return config


def _refresh(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.cli.accounts import sync_line, warn_plain_http
    from newsreader.refresh import refresh

    config = _load_config(locations)
    offline = args.refresh_offline or args.offline
    data_dir = locations.data_dir
    if not offline:
        warn_plain_http(config.accounts)
    with _open_cache(locations) as cache:
        if args.json:
            report = refresh(config, cache, offline=offline, data_dir=data_dir)
        elif sys.stderr.isatty():
            report = _refresh_with_bar(config, cache, offline, data_dir)
        else:
            report = refresh(
                config, cache, offline=offline, progress=_print_feed_line, data_dir=data_dir
            )
    if args.json:
        _print_json(_refresh_json(report) | {"killfile": _killfile_json(config, report)}, indent=2)
    else:
        _print_failures(report.local.failures)
        for account in report.accounts:
            print(sync_line(account), file=sys.stderr if account.error else sys.stdout)
        failed = len(report.failed_feeds)
        deferred = len(report.deferred_feeds)
        waiting = f", {deferred} deferred" if deferred else ""
        synced = ""
        if report.accounts:
            broken = sum(not account.ok for account in report.accounts)
            synced = f"{plural(len(report.accounts), 'account')} ({broken} failed), "
        if report.killfile_error:
            _warn(f"the killfile's hide rules were not applied again: {report.killfile_error}")
        for rule in _killfile_json(config, report):
            if not rule["count"]:
                continue
            skip = rule["mode"] == "skip"
            counted = plural(
                int(str(rule["count"])),
                "new entry" if skip else "article",
                "new entries" if skip else None,
            )
            print(f"killfile {rule['where']}: {'skipped' if skip else 'hides'} {counted}")
        print(
            f"{plural(len(report.feeds), 'feed')} ({failed} failed{waiting}), {synced}"
            f"{plural(report.new_articles, 'new article')}, "
            f"{report.pruned} removed, in {report.seconds:.1f} s"
        )
    return EXIT_OK if report.ok else EXIT_FAILED


def _killfile_json(config: Config, report: RefreshReport) -> list[dict[str, object]]:
    """What each rule of the killfile took in a refresh: its new entries left out (``skip``),
    the articles it hides now (``hide``); every rule, in the config's order."""
    from newsreader.config import IgnoreMode

    return [
        {
            "where": clean_line(rule.where),
            "filter": clean_line(rule.filter.text),
            "mode": rule.mode.value,
            "count": (report.skipped if rule.mode is IgnoreMode.SKIP else report.hidden).get(
                index, 0
            ),
        }
        for index, rule in enumerate(config.ignore)
    ]


def _sync(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.cli.accounts import (
        account_problem,
        run_sync,
        sync_json,
        sync_line,
        warn_plain_http,
    )

    config = _load_config(locations)
    problem = account_problem(config, args.account)
    if problem:
        return _fail(problem, EXIT_USAGE)
    if args.offline:
        return _fail("sync needs the network; --offline touches none", EXIT_USAGE)
    chosen = [a for a in config.accounts if args.account in (None, a.name)]
    warn_plain_http(chosen)
    with _open_cache(locations) as cache:
        reports = run_sync(
            config,
            cache,
            locations.data_dir,
            only=args.account,
            bar=not args.json and sys.stderr.isatty(),
        )
        _apply_killfile(cache, config, always=True)
    if args.json:
        _print_json([sync_json(report) for report in reports], indent=2)
    else:
        for report in reports:
            print(sync_line(report), file=sys.stderr if report.error else sys.stdout)
    return EXIT_OK if all(report.ok for report in reports) else EXIT_FAILED


def _accounts(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.cli.accounts import account_line, account_rows

    config = _load_config(locations)
    with _open_cache(locations) as cache:
        rows = account_rows(config, cache.account_states())
    if args.json:
        for row in rows:
            _print_json(row)
    elif not rows:
        print(f"No accounts in {config.path}.")
    else:
        for row in rows:
            print(account_line(row))
    return EXIT_OK


def _result_name(result: FeedResult) -> str:
    """A feed's name in a refresh's report (named by :func:`~newsreader.config.feed_name`),
    as one clean line."""
    return clean_line(result.name)


def _print_feed_line(result: FeedResult, done: int, total: int) -> None:
    detail = f"{result.new} new" if result.status == "updated" else ""
    if result.merged:
        detail += f", {result.merged} also in another feed"
    if result.error:
        detail = result.error
    print(f"{result.status:<12} {_result_name(result)}  {clean_line(detail)}".rstrip(), flush=True)


def _refresh_with_bar(config: Config, cache: Cache, offline: bool, data_dir: Path) -> RefreshReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from newsreader.refresh import refresh

    failures = 0
    with Progress(
        TextColumn("Refreshing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        transient=True,
        console=Console(stderr=True),
        # Drawn at each feed's result, not by a thread of its own: the parse pool is
        # not forked from a process running threads (see newsreader.pool).
        auto_refresh=False,
    ) as bar:
        task = bar.add_task("refresh", total=len(config.enabled_feeds), failed=0)

        def advance(result: FeedResult, done: int, total: int) -> None:
            nonlocal failures
            if result.failed or result.deferred:
                failures += result.failed
                bar.console.print(
                    f"{result.status}: {_result_name(result)}: {clean_line(result.error or '')}",
                    markup=False,
                    highlight=False,
                )
            bar.update(task, completed=done, failed=failures, refresh=True)

        return refresh(config, cache, offline=offline, progress=advance, data_dir=data_dir)


def _refresh_json(report: RefreshReport) -> dict[str, object]:
    from newsreader.cli.accounts import sync_json
    from newsreader.files import display_path

    return {
        "feeds": [
            {
                "url": display_url(result.url),
                "name": _result_name(result),
                "status": result.status.value,
                "new": result.new,
                "updated": result.updated,
                "merged": result.merged,
                "error": clean_line(result.error) if result.error else None,
                "deferred_until": _iso_time(result.retry_after),
            }
            for result in report.feeds
        ],
        "local": {
            "new": report.local.new,
            "updated": report.local.updated,
            "unchanged": report.local.unchanged,
            "failures": [
                {"path": clean_line(display_path(path)), "reason": clean_line(reason)}
                for path, reason in report.local.failures
            ],
        },
        "accounts": [sync_json(account) for account in report.accounts],
        "failed": len(report.failed_feeds)
        + len(report.local.failures)
        + sum(not account.ok for account in report.accounts),
        "deferred": len(report.deferred_feeds),
        "pruned": report.pruned,
        "seconds": round(report.seconds, 3),
    }


def _iso_time(seconds: float | None) -> str | None:
    """Epoch seconds as local ISO 8601, or None."""
    from datetime import datetime

    return datetime.fromtimestamp(seconds).isoformat() if seconds is not None else None


def _feeds(args: argparse.Namespace, locations: Locations) -> int:
    import time
    from datetime import datetime

    from newsreader.cache import retry_time

    if args.update_moved:
        return _update_moved(locations)
    config = _load_config(locations)
    with _open_cache(locations) as cache:
        states = cache.feed_states()
        counts = cache.source_counts()
        merged = cache.merged_counts()
    for feed in config.feeds:
        state = states.get(feed.url)
        name = clean_line(feed.display_name(state))
        articles = counts.get(feed.url, (0, 0))[0]
        success = state.last_success if state else None
        error = state.last_error if state else None
        repeated = state.repeated_ids if state else 0
        copies = merged.get(feed.url, {})
        moved = _moved_to(feed.url, state)
        until = retry_time(state, config.settings.max_retry_after) if state else None
        deferred_until = until if until is not None and until > time.time() else None
        if args.json:
            record = {
                "url": display_url(feed.url),
                "name": name,
                "categories": list(feed.category),
                "enabled": feed.enabled,
                "articles": articles,
                "entries": state.item_count if state else 0,
                "repeated_ids": repeated,
                "merged": {reason.value: count for reason, count in copies.items()},
                "last_success": datetime.fromtimestamp(success).isoformat() if success else None,
                "last_error": clean_line(error) if error else None,
                "moved_to": display_url(moved) if moved else None,
                "deferred_until": _iso_time(deferred_until),
            }
            _print_json(record)
            continue
        status = "off" if not feed.enabled else "FAILED" if error else "ok" if success else "new"
        when = datetime.fromtimestamp(success).strftime("%Y-%m-%d %H:%M") if success else "never"
        category = CATEGORY_SEPARATOR.join(feed.category)
        print(f"{status:<6} {articles:>6}  {when:<16}  {name}  [{category}]".rstrip())
        if error:
            print(f"{'':<6} {clean_line(error)}")
        if moved:
            print(f"{'':<6} moved permanently to {display_url(moved)}")
        if deferred_until is not None:
            when = datetime.fromtimestamp(deferred_until).strftime("%Y-%m-%d %H:%M")
            print(f"{'':<6} deferred until {when}: its server asked to wait (Retry-After)")
        note = _merge_note(repeated, copies)
        if note:
            print(f"{'':<6} {note}")
    return EXIT_OK


def _moved_to(url: str, state: FeedState | None) -> str | None:
    """Where a feed moved permanently (its redirects said so), with its user name and
    password when it stays on their origin; None when it did not move."""
    from newsreader.config import carry_credentials

    if state is None or not state.permanent_url:
        return None
    moved = carry_credentials(state.permanent_url, url)
    return moved if moved != url else None


def _update_moved(locations: Locations) -> int:
    """``feeds --update-moved``: each moved feed's new address into feeds.toml, its
    cached articles (stored under the old one) moved along with it.

    The cache is changed first, then the config; what the config does not take
    (it failed, or the feed left it meanwhile) is moved back in the cache, where
    the move is then forgotten until the next refresh learns it again.
    """
    from newsreader.config_edit import move_feeds

    config = _load_config(locations)
    refused: list[str] = []
    with _open_cache(locations) as cache:
        states = cache.feed_states()
        moves: dict[str, str] = {}
        for feed in config.feeds:
            moved = _moved_to(feed.url, states.get(feed.url))
            reason = _not_movable(feed.url, moved, config) if moved else None
            if moved and reason:
                refused.append(f"{display_url(feed.url)} moved to {display_url(moved)}, {reason}")
            elif moved:
                moves[feed.url] = moved
        carried: dict[str, int] = {}
        for old, new in moves.items():
            count = cache.rename_source(old, new)
            if count is None:
                reason = "of which the cache already holds articles"
                refused.append(f"{display_url(old)} moved to {display_url(new)}, {reason}")
            else:
                carried[old] = count
        try:
            made = move_feeds(locations.config_file, {old: moves[old] for old in carried})
        except BaseException:
            for old in carried:
                cache.rename_source(moves[old], old)
            raise
        for old in carried.keys() - made.keys():
            cache.rename_source(moves[old], old)
            refused.append(f"{display_url(old)} left {locations.config_file} meanwhile")
    for reason in refused:
        _warn(f"{reason}; not changed")
    for old, new in made.items():
        count = carried[old]
        cached = f"; its {plural(count, 'cached article')} moved with it"
        print(
            f"{display_url(old)} moved permanently: now {display_url(new)} in "
            f"{locations.config_file}{cached if count else ''}"
        )
    if not made and not refused:
        print("no feed moved permanently")
    return EXIT_FAILED if refused else EXIT_OK


def _not_movable(old: str, new: str, config: Config) -> str | None:
    """Why a feed cannot take the address it moved to, or None."""
    from newsreader.config import feed_key
    from newsreader.sanitize import feed_url_problem

    problem = feed_url_problem(new)
    if problem:
        return f"an address a config would refuse (its url {problem})"
    taken = [f for f in config.feeds if f.url != old and feed_key(f.url) == feed_key(new)]
    return f"which another feed in {config.path} has" if taken else None


def _merge_note(repeated: int, copies: Mapping[MergeReason, int]) -> str:
    """Why a feed shows fewer articles than it has entries, in words."""
    from newsreader.cache import MergeReason

    reasons = {
        MergeReason.SAME_CONTENT: "the same text",
        MergeReason.SAME_ADDRESS_AND_TITLE: "the same address and title",
    }
    parts = [
        f"{plural(count, 'entry is an article', 'entries are articles')} another feed "
        f"brought first ({reasons[reason]}), listed here too"
        for reason, count in copies.items()
    ]
    if repeated:
        parts.insert(
            0, f"{plural(repeated, 'entry', 'entries')} repeated an earlier entry's id (left out)"
        )
    return "; ".join(parts)


def _add(args: argparse.Namespace, locations: Locations) -> int:
    import asyncio

    from newsreader.config import FeedConfig, feed_key
    from newsreader.config_edit import add_feeds
    from newsreader.sanitize import feed_url_problem, is_safe_url
    from newsreader.sources.discover import Discovery, Failure, discover_feed

    config = _load_config(locations)
    if args.account is not None:
        return _account_add(args, config, locations)
    url = args.url.strip()
    problem = feed_url_problem(url)
    if problem and not is_safe_url(url):
        return _fail(f"not an http or https address: {display_url(url)}", EXIT_USAGE)
    if problem:
        return _fail(f"not a feed's address: its url {problem}", EXIT_USAGE)
    if any(feed_key(feed.url) == feed_key(url) for feed in config.feeds):
        return _fail(f"{display_url(url)} is already in {locations.config_file}")
    found = Discovery(url)
    if args.offline:
        _warn(f"offline: {display_url(url)} was not checked")
    else:
        found = asyncio.run(discover_feed(url))
        shown = display_url(found.feed_url)
        if found.failure is Failure.WRONG and not args.force:
            return _fail(f"{found.error}; not added (use --force to add it anyway)")
        if found.failure is Failure.WRONG:
            _warn(f"{found.error}; adding {shown} anyway")
        elif found.failure is Failure.UNCHECKED:
            _warn(f"{found.error}; could not check it, adding {shown} as given")
        elif found.feed_url != url:
            print(f"found the feed {shown}")
        url = found.feed_url
    name = clean_line(args.name) if args.name else None
    feed = FeedConfig(url=url, name=name or None, category=parse_category_path(args.category or ""))
    if not add_feeds(locations.config_file, [feed]):
        return _fail(f"{display_url(url)} is already in {locations.config_file}")
    own_title = found.title not in (None, url, args.url.strip()) and not name
    title = f" ({clean_line(found.title or '')})" if own_title else ""
    print(f"added {display_url(url)}{title} to {locations.config_file}")
    return EXIT_OK


def _warn(message: str) -> None:
    print(f"newsreader: warning: {clean_line(message)}", file=sys.stderr)


def _named_account(args: argparse.Namespace, config: Config, doing: str) -> AccountConfig | int:
    """The account ``--account`` names, or the exit code of why there is none to use."""
    from newsreader.cli.accounts import account_problem

    problem = account_problem(config, args.account)
    if problem:
        return _fail(problem, EXIT_USAGE)
    if args.offline:
        return _fail(f"{doing} on an account needs the network", EXIT_USAGE)
    return next(a for a in config.accounts if a.name == args.account)


def _account_add(args: argparse.Namespace, config: Config, locations: Locations) -> int:
    from newsreader.sanitize import feed_url_problem
    from newsreader.sync import SyncError
    from newsreader.sync.engine import subscribe

    account = _named_account(args, config, "subscribing")
    if isinstance(account, int):
        return account
    url = args.url.strip()
    if feed_url_problem(url):
        return _fail(f"not a feed's address: {display_url(url)}", EXIT_USAGE)
    try:
        listed = subscribe(account, locations.data_dir, url, label=args.category or None)
    except SyncError as error:
        return _fail(str(error))
    where = f" under {clean_line(args.category)}" if args.category else ""
    print(
        f"subscribed {account.name} to {clean_line(listed.title)} ({display_url(url)}){where}; "
        "it shows in the tree after the next sync"
    )
    return EXIT_OK


def _remove(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.config_edit import FeedNotFound, remove_feed

    config = _load_config(locations)
    if args.account is not None:
        return _account_remove(args, config, locations)
    try:
        feed = remove_feed(locations.config_file, args.feed)
    except FeedNotFound as error:
        return _fail(str(error))
    removed = f"removed {display_url(feed.url)} from {locations.config_file}"
    cached = _cached_articles(locations, feed.url)
    if cached == 1:
        removed += "; its 1 cached article stays in the cache"
    elif cached:
        removed += f"; its {cached} cached articles stay in the cache"
    print(removed)
    return EXIT_OK


def _account_remove(args: argparse.Namespace, config: Config, locations: Locations) -> int:
    from newsreader.sync import SyncError
    from newsreader.sync.engine import unsubscribe

    account = _named_account(args, config, "unsubscribing")
    if isinstance(account, int):
        return account
    try:
        listed = unsubscribe(account, locations.data_dir, args.feed)
    except SyncError as error:
        return _fail(str(error))
    print(
        f"unsubscribed {account.name} from {clean_line(listed.title)}; "
        "its cached articles stay in the cache"
    )
    return EXIT_OK


def _cached_articles(locations: Locations, source: str) -> int:
    """How many articles the cache holds from a source (0 when it cannot tell)."""
    from newsreader.cache import Cache, CacheError

    if not locations.cache_file.exists():
        return 0
    try:
        with Cache(locations.cache_file) as cache:
            return cache.source_counts().get(source, (0, 0))[0]
    except CacheError:
        return 0  # the count is only a courtesy; the feed is removed all the same


def _enable(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.config_edit import FeedNotFound, set_feed_enabled

    enabled = args.command == "enable"
    _load_config(locations)
    try:
        feed, changed = set_feed_enabled(locations.config_file, args.feed, enabled)
    except FeedNotFound as error:
        return _fail(str(error))
    if changed:
        print(f"{args.command}d {display_url(feed.url)} in {locations.config_file}")
    else:
        print(f"{display_url(feed.url)} is already {args.command}d")
    return EXIT_OK


def _opml(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.config_edit import add_feeds, write_atomically
    from newsreader.opml import OpmlError, read_opml, write_opml

    config = _load_config(locations)
    if args.opml_action == "export":
        with _open_cache(locations) as cache:
            states = cache.feed_states()
        document = write_opml(list(config.feeds), states)
        if args.file:
            write_atomically(args.file, document)
            print(f"wrote {plural(len(config.feeds), 'feed')} to {args.file}", file=sys.stderr)
        else:
            sys.stdout.write(document)
        with_password = [feed for feed in config.feeds if display_url(feed.url) != feed.url]
        if with_password:
            _warn(
                f"the addresses (xmlUrl) of {plural(len(with_password), 'feed')} "
                "in this export hold a user name or password, as the config does"
            )
        return EXIT_OK
    try:
        feeds = read_opml(args.file)
    except OpmlError as error:
        return _fail(str(error))
    added = add_feeds(locations.config_file, feeds)
    print(f"added {plural(len(added), 'feed')}, {len(feeds) - len(added)} already there")
    return EXIT_OK


def _dirs(locations: Locations) -> int:
    print(f"config: {locations.config_file}")
    print(f"data:   {locations.data_dir}")
    print(f"cache:  {locations.cache_file}")
    print(f"images: {locations.image_dir}")
    return EXIT_OK


def _import(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.importer import import_paths

    with _open_cache(locations) as cache:
        report = import_paths(
            cache, list(args.paths), categories=parse_category_path(args.category or "")
        )
        _apply_killfile(cache, _config_or_none(locations), always=True)
    _print_failures(report.failures)
    print(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.duplicate} duplicate, {len(report.failures)} failed"
    )
    return EXIT_FAILED if report.failures else EXIT_OK


def _print_failures(failures: Sequence[tuple[Path, str]]) -> None:
    """Each file that could not be imported, by its name (undecodable bytes as ``\\xNN``)."""
    from newsreader.files import display_path

    for path, reason in failures:
        print(
            f"newsreader: {clean_line(display_path(path))}: {clean_line(reason)}", file=sys.stderr
        )


def _list(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.cache import Cursor
    from newsreader.render import summary_json, summary_line

    filters = _list_filters(args, locations)
    if filters is None:
        return EXIT_FAILED
    with _open_cache(locations) as cache:
        if args.story is not None:
            rows = _story_rows(cache, args.story)
            if rows is None:
                return EXIT_FAILED
        elif args.search:
            if not _search_words(args.search):
                return EXIT_FAILED
            _apply_killfile(cache, filters.config)
            rows = _list_rows(
                lambda loaded: cache.search(args.search, limit=args.limit, offset=len(loaded)),
                args.limit,
                every_copy=args.json,
            )
        else:
            _apply_killfile(cache, filters.config)
            category = parse_category_path(args.category or "")
            matching = filters.compile(cache)
            rows = _list_rows(
                lambda loaded: cache.list_articles(
                    category,
                    unread_only=args.unread,
                    starred_only=args.starred,
                    limit=args.limit,
                    after=Cursor(loaded[-1].sort_key, loaded[-1].id) if loaded else None,
                    matching=matching,
                    hidden=args.hidden,
                ),
                args.limit,
                every_copy=args.json,
            )
        accounts = cache.accounts_of([row.id for row in rows]) if args.json else {}
    out: TextIO = sys.stdout
    for row in rows:
        if args.json:
            _print_json(summary_json(row) | {"account": accounts.get(row.id)})
        else:
            out.write(summary_line(row, whole_story=args.story is None) + "\n")
    return EXIT_OK


def _list_rows(
    page: Callable[[list[ArticleSummary]], list[ArticleSummary]], limit: int, *, every_copy: bool
) -> list[ArticleSummary]:
    """Up to ``limit`` rows, a page of ``limit`` at a time: every article (``every_copy``),
    else one row per story, its newest article here."""
    from newsreader.stories import one_row_per_story

    loaded: list[ArticleSummary] = []
    rows: list[ArticleSummary] = []
    shown: set[int] = set()
    while len(rows) < limit:
        fetched = page(loaded)
        loaded.extend(fetched)
        rows.extend(fetched if every_copy else one_row_per_story(fetched, shown))
        if len(fetched) < limit:
            break
    return rows[:limit]


def _story_rows(cache: Cache, article_id: int) -> list[ArticleSummary] | None:
    """Every copy of an article's story, the article first; None (said why) if it is gone."""
    first = cache.summaries_of([article_id])
    if not first:
        _fail(f"no article {article_id} in the cache")
        return None
    return [*first, *cache.story_copies(article_id)]


@dataclass(frozen=True, slots=True)
class _ListFilters:
    """The filters a ``list`` asks for, and the config they are read against."""

    config: Config | None
    filters: tuple[Filter, ...] = ()

    def compile(self, cache: Cache) -> CompiledFilter | None:
        if not self.filters:
            return None
        return _filter_context(cache, self.config).compile(cache, self.filters)


def _list_filters(args: argparse.Namespace, locations: Locations) -> _ListFilters | None:
    """``--filter`` and ``--query`` read; None (said why) when one is wrong.

    The config names the feeds a filter's ``feed`` means, the query feeds and the
    killfile; a ``list`` without a filter reads on when the config cannot be read.
    """
    from newsreader.config import ConfigError, load_config
    from newsreader.filters import FilterError, parse_filter

    if args.story is not None and (args.search or args.filter or args.query or args.hidden):
        _fail("--story lists one story's copies: it cannot be combined with --search, "
              "--filter, --query or --hidden")  # fmt: skip
        return None
    if args.search and (args.filter or args.query or args.hidden):
        _fail("--search lists search results: it cannot be combined with --filter, "
              "--query or --hidden")  # fmt: skip
        return None
    try:
        config: Config | None = load_config(locations.config_file)
    except ConfigError as error:
        if args.query:
            _fail(str(error))
            return None
        if args.filter:
            _warn(f"feed = tests name no feed: {error}")
        config = None
    filters: list[Filter] = []
    if args.filter:
        try:
            filters.append(parse_filter(args.filter))
        except FilterError as error:
            _fail(f"--filter: {error}")
            return None
    if args.query:
        queries = {query.name.casefold(): query for query in config.queries} if config else {}
        query = queries.get(args.query.casefold())
        if query is None:
            known = ", ".join(repr(each.name) for each in queries.values()) or "none"
            wanted = clean_line(args.query)
            _fail(f"no query feed named {wanted!r} in feeds.toml (there are: {known})")
            return None
        filters.append(query.filter)
    return _ListFilters(config, tuple(filters))


def _config_or_none(locations: Locations) -> Config | None:
    """The config, or None when it cannot be read (a command that reads on without it)."""
    from newsreader.config import ConfigError, load_config

    try:
        return load_config(locations.config_file)
    except ConfigError:
        return None


def _apply_killfile(cache: Cache, config: Config | None, *, always: bool = False) -> None:
    """Hide what the killfile's ``hide`` rules take: after articles came in (``always``),
    else if the rules changed since last applied. A rule too slow to apply is warned of;
    the articles hidden before stay hidden."""
    from newsreader.cache.matching import FilterTooSlow
    from newsreader.queries import apply_hide_rules

    if config is None or (not config.ignore and not cache.hidden_counts()[0]):
        return
    try:
        apply_hide_rules(cache, config.ignore, _filter_context(cache, config), always=always)
    except FilterTooSlow as error:
        _warn(f"the killfile's hide rules were not applied again: {error}")


def _filter_context(cache: Cache, config: Config | None) -> FilterContext:
    """What ``feed`` means in a filter: the config's feeds and its accounts' subscriptions."""
    from newsreader.queries import FilterContext
    from newsreader.tree import filter_context

    if config is None:
        return FilterContext()
    return filter_context(cache, config.feeds, [account.name for account in config.accounts])


def _search_words(text: str) -> bool:
    """Whether a search has words to look up; says so when it has none, or was cut."""
    from newsreader.cache import parse_search

    query = parse_search(text)
    if not query.terms:
        _fail(f"nothing to search for in {text[:80]!r}: it has no letters or digits")
        return False
    if query.cut:
        _warn(f"the search was cut to its first {len(query.terms)} words")
    return True


def _show(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.links import article_links
    from newsreader.reading import open_article
    from newsreader.render import article_json, article_renderable, link_targets

    with _open_cache(locations) as cache:
        stored = open_article(cache, args.id)
        if stored is None:
            return _fail(f"no article with id {args.id}")
        targets = link_targets(article_links(stored.article), cache)
        source_name = _source_name(locations, cache, stored.article.source)
        unreadable = cache.body_problem(args.id)
        account = cache.accounts_of([args.id]).get(args.id)
        _apply_killfile(cache, _config_or_none(locations))
        related = cache.related(args.id)
    if args.json:
        shown = article_json(stored, targets, source_name, related)
        _print_json(shown | {"account": account}, indent=2)
    else:
        from rich.console import Console

        console = Console(highlight=False, emoji=False, markup=False)
        console.print(
            article_renderable(stored, targets, source_name, related),
            soft_wrap=not console.is_terminal,
        )
    if unreadable is not None:
        return _fail(f"article {args.id}: its stored text is unreadable ({unreadable})")
    return EXIT_OK


def _source_name(locations: Locations, cache: Cache, source: str) -> str:
    """What to call an article's source: the feed's name or title, else the source itself."""
    from newsreader.cache import is_account_source
    from newsreader.config import ConfigError, feed_name, load_config

    if is_account_source(source):
        return cache.account_feed_title(source) or source
    feeds = {}
    # `show` reads the cache; a missing or broken config only costs the feed's name.
    with contextlib.suppress(ConfigError):
        feeds = {feed.url: feed for feed in load_config(locations.config_file).feeds}
    state = cache.feed_state(source)
    feed = feeds.get(source)
    if feed is not None:
        return feed.display_name(state)
    return feed_name(source, title=state.title)


def _mark(args: argparse.Namespace, locations: Locations) -> int:
    missing = []
    with _open_cache(locations) as cache:
        for article_id in args.ids:
            if cache.get_article(article_id) is None:
                missing.append(article_id)
                continue
            if args.command == "unread":
                cache.set_read(article_id, False)
            elif args.command in ("star", "unstar"):
                cache.set_starred(article_id, args.command == "star")
        if args.command == "read":
            # At once, so that more than one can be undone together (`newsreader undo`).
            gone = set(missing)
            found = [article_id for article_id in args.ids if article_id not in gone]
            changed = cache.mark_read(found, description="with newsreader read")
            if changed > 1:
                print(f"Marked {changed} articles read (newsreader undo marks them unread again)")
    for article_id in missing:
        _fail(f"no article with id {article_id}")
    return EXIT_FAILED if missing else EXIT_OK


def _undo(args: argparse.Namespace, locations: Locations) -> int:
    """Mark the articles of the last recorded mark-read unread again; nothing to undo is
    no failure."""
    with _open_cache(locations) as cache:
        undone = cache.undo_marks()
    if undone is None:
        print("Nothing to undo.")
        return EXIT_OK
    print(
        f"Marked {plural(undone.restored, 'article')} unread again "
        f"(marked read {clean_line(undone.description)})"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
