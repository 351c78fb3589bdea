"""The ``newsreader`` command: argument parsing and wiring of the core.

Every expected failure ends as a one-line message on stderr and an exit code:
0 success, 1 some work failed (the rest was done), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from newsreader import __version__
from newsreader.paths import CONFIG_ENV, DATA_DIR_ENV, Locations, resolve_locations
from newsreader.sanitize import clean_line

if TYPE_CHECKING:
    from newsreader.store import Store

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    import_cmd = commands.add_parser("import", help="import article files or folders")
    import_cmd.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    import_cmd.add_argument("--category", metavar="A/B", help="category path for these files")

    list_cmd = commands.add_parser("list", help="list cached articles, newest first")
    list_cmd.add_argument("--category", metavar="A/B", help="only this category and below")
    list_cmd.add_argument("--unread", action="store_true", help="only unread articles")
    list_cmd.add_argument("--starred", action="store_true", help="only starred articles")
    list_cmd.add_argument("--search", metavar="QUERY", help="full-text search instead")
    list_cmd.add_argument("--limit", type=_positive_int, default=50, metavar="N")
    list_cmd.add_argument("--json", action="store_true", help="one JSON object per article")

    show_cmd = commands.add_parser("show", help="show one article")
    show_cmd.add_argument("id", type=int, metavar="ID")
    show_cmd.add_argument("--json", action="store_true", help="print JSON")

    for name, help_text in (("read", "mark articles read"), ("unread", "mark articles unread"),
                            ("star", "star articles"), ("unstar", "unstar articles")):  # fmt: skip
        mark_cmd = commands.add_parser(name, help=help_text)
        mark_cmd.add_argument("ids", nargs="+", type=int, metavar="ID")

    commands.add_parser("dirs", help="show where config and cache live")
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return number


def _category_path(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(part.strip() for part in value.split("/") if part.strip())


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
    from newsreader.store import StoreError

    if args.command is None:
        print("newsreader: the reader's screen is not built yet; see `newsreader --help`.")
        return EXIT_OK
    if args.command == "dirs":
        return _dirs(locations)
    try:
        if args.command == "import":
            return _import(args, locations)
        if args.command == "list":
            return _list(args, locations)
        if args.command == "show":
            return _show(args, locations)
        return _mark(args, locations)
    except StoreError as error:
        return _fail(str(error))


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"newsreader: {clean_line(message)}", file=sys.stderr)
    return code


def _open_store(locations: Locations) -> Store:
    from newsreader.store import Store

    return Store(locations.cache_file)


def _dirs(locations: Locations) -> int:
    print(f"config: {locations.config_file}")
    print(f"data:   {locations.data_dir}")
    print(f"cache:  {locations.cache_file}")
    return EXIT_OK


def _import(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.importer import import_paths

    with _open_store(locations) as store:
        report = import_paths(store, list(args.paths), categories=_category_path(args.category))
    for path, reason in report.failures:
        print(f"newsreader: {clean_line(str(path))}: {clean_line(reason)}", file=sys.stderr)
    print(
        f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.duplicate} duplicate, {len(report.failures)} failed"
    )
    return EXIT_FAILED if report.failures else EXIT_OK


def _list(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.render import summary_json, summary_line

    with _open_store(locations) as store:
        if args.search:
            rows = store.search(args.search, limit=args.limit)
        else:
            rows = store.list_articles(
                _category_path(args.category),
                unread_only=args.unread,
                starred_only=args.starred,
                limit=args.limit,
            )
    out: TextIO = sys.stdout
    for row in rows:
        if args.json:
            out.write(json.dumps(summary_json(row), ensure_ascii=False) + "\n")
        else:
            out.write(summary_line(row) + "\n")
    return EXIT_OK


def _show(args: argparse.Namespace, locations: Locations) -> int:
    from newsreader.render import article_json, article_renderable, link_targets

    with _open_store(locations) as store:
        stored = store.get_article(args.id)
        if stored is None:
            return _fail(f"no article with id {args.id}")
        targets = link_targets(stored.article.links, store)
    if args.json:
        print(json.dumps(article_json(stored, targets), ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.console import Console

    console = Console(highlight=False, emoji=False, markup=False)
    console.print(article_renderable(stored, targets), soft_wrap=not console.is_terminal)
    return EXIT_OK


def _mark(args: argparse.Namespace, locations: Locations) -> int:
    missing = []
    with _open_store(locations) as store:
        for article_id in args.ids:
            if store.get_article(article_id) is None:
                missing.append(article_id)
                continue
            if args.command in ("read", "unread"):
                store.set_read(article_id, args.command == "read")
            else:
                store.set_starred(article_id, args.command == "star")
    for article_id in missing:
        _fail(f"no article with id {article_id}")
    return EXIT_FAILED if missing else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
