"""The command line, run in-process against temporary config and data dirs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsreader.config import load_config
from newsreader.paths import bundled_config
from tests.helpers.cli import CliRunner
from tests.helpers.config import write_config
from tests.helpers.paths import ARTICLES, BAD, SEED
from tests.loopback import LoopbackServer, rss, static

SHOW_KEYS = {
    "id", "title", "categories", "source", "url", "published", "sections", "figures", "links",
    "read", "starred",
}  # fmt: skip


def test_import_reports_counts_and_is_idempotent(cli: CliRunner) -> None:
    first = cli("import", str(ARTICLES))
    assert first.code == 0, first.err
    assert first.out.strip() == "8 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed"
    again = cli("import", str(ARTICLES))
    assert again.out.strip() == "0 new, 0 updated, 8 unchanged, 0 duplicate, 0 failed"


def test_folders_become_categories_unless_the_article_has_a_breadcrumb(cli: CliRunner) -> None:
    cli("import", str(ARTICLES))
    rows = [json.loads(line) for line in cli("list", "--json", "--limit", "100").out.splitlines()]
    by_title = {row["title"]: row for row in rows}
    assert by_title["Tram Line Extension Opens to the Northern Suburbs"]["categories"] == ["world"]
    # The breadcrumb (World > Europe) wins over the folder (world/europe).
    harbour = by_title["Harbour Ferries Return to the Old Port After a Decade Away"]
    assert harbour["categories"] == ["World", "Europe"]
    # Markdown front matter categories win too.
    assert by_title["Solar Kiosks Bring Charging to Rural Markets"]["categories"] == [
        "Technology",
        "Energy",
    ]
    assert by_title["Bridge Repairs Finish Early"]["categories"] == ["world"]


def test_a_given_category_is_the_root_of_breadcrumbs_and_folders(
    cli: CliRunner, tmp_path: Path
) -> None:
    cli("import", str(ARTICLES), "--category", "Archive")
    rows = [json.loads(line) for line in cli("list", "--json", "--limit", "100").out.splitlines()]
    by_title = {row["title"]: row["categories"] for row in rows}
    assert by_title["Harbour Ferries Return to the Old Port After a Decade Away"] == [
        "Archive", "World", "Europe"
    ]  # fmt: skip
    assert by_title["Tram Line Extension Opens to the Northern Suburbs"] == ["Archive", "world"]
    assert all(categories[0] == "Archive" for categories in by_title.values())
    # The same through a [[local]] source with a category, in a refresh.
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[local]]\npath = "{ARTICLES / "world"}"\ncategory = "Mine/Old"\n')
    cli("--data-dir", str(tmp_path / "other"), "--offline", "refresh")
    listed = cli("--data-dir", str(tmp_path / "other"), "list", "--json").out.splitlines()
    assert {tuple(json.loads(line)["categories"][:2]) for line in listed} == {("Mine", "Old")}


def test_bad_files_are_named_with_a_reason_and_the_rest_imports(
    cli: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(BAD, folder)
    shutil.copy(ARTICLES / "world" / "tram-line.txt", folder)
    unreadable = folder / "locked.txt"
    unreadable.write_text("Locked\n\nYou cannot read me.\n")
    unreadable.chmod(0)
    result = cli("import", str(folder))
    assert result.code == 1
    assert "Traceback" not in result.err
    errors = [line.removeprefix("newsreader: ").split(": ", 1) for line in result.err.splitlines()]
    reasons = {Path(path).name: reason for path, reason in errors}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["squashed.xml"] == "binary file, not a feed"
    assert reasons["notafeed.xml"] == "not a feed (XML error at line 2: syntax error)"
    if os.geteuid() != 0:  # root reads everything
        assert reasons["locked.txt"] == "Permission denied"
    readable_by_us = 2 if os.geteuid() == 0 else 1
    assert result.out.startswith(f"{readable_by_us} new")


def test_missing_path_and_bad_usage(cli: CliRunner) -> None:
    missing = cli("import", "/nonexistent/folder")
    assert missing.code == 1 and "no such file or folder" in missing.err
    assert cli("list", "--limit", "0").code == 2
    assert cli("frobnicate").code == 2


def test_show_json_contract(cli: CliRunner) -> None:
    cli("import", str(ARTICLES))
    rows = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    harbour = next(r for r in rows if r["title"].startswith("Harbour Ferries"))
    tram = next(r for r in rows if r["title"].startswith("Tram Line"))
    shown = cli("show", str(harbour["id"]), "--json")
    assert shown.code == 0
    data = json.loads(shown.out)
    assert set(data) >= SHOW_KEYS
    assert data["sections"][1] == {
        "heading": "A Quiet Crossing - Electric Boats Replace the Diesel Fleet",
        "paragraphs": data["sections"][1]["paragraphs"],
    }
    assert len(data["sections"][1]["paragraphs"]) == 2
    assert data["figures"] == [
        {"caption": "Ferry at the Old Port Quay on Its First Morning",
         "credit": "Photo: City Transport Office", "image": None}
    ]  # fmt: skip
    [link] = data["links"]
    assert (link["kind"], link["target"]) == ("read-also", tram["id"])
    assert data["source"].endswith("harbour-ferries.txt")
    assert data["read"] is False


def test_show_renders_headings_figures_and_numbered_links(cli: CliRunner) -> None:
    cli("import", str(ARTICLES / "world"))
    rows = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    harbour = next(r for r in rows if r["title"].startswith("Harbour Ferries"))
    out = cli("show", str(harbour["id"])).out
    lines = out.splitlines()
    assert lines[0] == "Harbour Ferries Return to the Old Port After a Decade Away"
    assert "World › Europe" in lines[1]
    assert "Commuters Welcome the Shorter Journey" in lines
    assert any("Ferry at the Old Port Quay" in line and "Photo: City" in line for line in lines)
    assert any(line.startswith("[1] Tram Line Extension") for line in lines)
    assert cli("show", "999999").code == 1


def test_list_filters_and_search(cli: CliRunner) -> None:
    cli("import", str(ARTICLES))
    rows = [
        json.loads(line) for line in cli("list", "--json", "--category", "World").out.splitlines()
    ]
    assert {r["title"] for r in rows} == {
        "Harbour Ferries Return to the Old Port After a Decade Away"
    }
    found = [
        json.loads(x) for x in cli("list", "--json", "--search", "valve machine").out.splitlines()
    ]
    assert [r["title"] for r in found] == ["Museum Reopens With a Hall of Old Computers"]
    assert cli("read", str(found[0]["id"])).code == 0
    unread = [json.loads(x) for x in cli("list", "--json", "--unread").out.splitlines()]
    assert found[0]["id"] not in {r["id"] for r in unread}
    assert len(unread) == 7
    plain = cli("list", "--search", "valve").out
    assert "Museum Reopens" in plain


def test_dirs_honours_options_and_environment(cli: CliRunner, tmp_path: Path) -> None:
    out = cli("dirs").out
    assert f"config: {tmp_path / 'feeds.toml'}" in out
    assert f"cache:  {tmp_path / 'data' / 'cache.sqlite3'}" in out
    other = cli("--data-dir", str(tmp_path / "elsewhere"), "dirs").out
    assert str(tmp_path / "elsewhere" / "cache.sqlite3") in other


def test_seed_round_trip_through_the_cache(cli: CliRunner) -> None:
    if not SEED.exists():
        pytest.skip("shared corpus not available")
    cli("import", str(SEED))
    [row] = [json.loads(x) for x in cli("list", "--json").out.splitlines()]
    data = json.loads(cli("show", str(row["id"]), "--json").out)
    assert data["categories"] == ["Updates", "Politics"]
    assert [len(s["paragraphs"]) for s in data["sections"]] == [1, 2, 3, 3, 3]
    assert data["links"][0]["target"] is None


def test_installed_command_runs(tmp_path: Path) -> None:
    """Smoke test of the installed console script, as a user would run it."""
    command = shutil.which("newsreader", path=str(Path(sys.executable).parent))
    assert command is not None, "the newsreader command is not installed"
    env = {
        **os.environ,
        "NEWSREADER_DATA_DIR": str(tmp_path),
        "NEWSREADER_CONFIG": str(tmp_path / "f.toml"),
    }
    version = subprocess.run(
        [command, "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert version.returncode == 0 and version.stdout.startswith("newsreader ")
    imported = subprocess.run(
        [command, "import", str(ARTICLES / "world")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("4 new")


def test_config_errors_exit_2_with_one_line(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://a.org/"\ncategory = 3\n')
    result = cli("refresh")
    assert result.code == 2
    assert result.err == f"newsreader: {config}:3: category must be a string\n"


def test_refresh_lines_json_and_exit_codes(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/good.xml"] = static(rss("Good", [("g1", "Fine Story", "<p>Fine.</p>")]))
    write_config(tmp_path / "feeds.toml", [server.url("good.xml"), server.url("missing.xml")])
    result = cli("refresh")
    assert result.code == 1
    lines = result.out.splitlines()
    assert any(line.startswith("updated") and "Good" in line and "1 new" in line for line in lines)
    assert any(line.startswith("failed") and "HTTP 404 Not Found" in line for line in lines)
    assert lines[-1].startswith("2 feeds (1 failed), 1 new article,")
    summary = json.loads(cli("refresh", "--json").out)
    assert [feed["status"] for feed in summary["feeds"]] == ["unchanged", "failed"]
    assert summary["failed"] == 1
    offline = cli("--offline", "refresh")
    assert offline.code == 0 and "2 feeds (0 failed)" in offline.out


def test_first_run_creates_the_config_from_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("NEWSREADER_CONFIG", raising=False)
    monkeypatch.setenv("NEWSREADER_DATA_DIR", str(tmp_path / "data"))
    assert main(["--offline", "refresh"]) == 0
    created = home / "config" / "newsreader" / "feeds.toml"
    assert created.read_text() == bundled_config().read_text()
    assert f"created {created}" in capsys.readouterr().err


def test_add_discovers_the_feed_of_a_page(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("# my feeds\n")
    server.routes["/feed.xml"] = static(rss("Site News", [("s1", "Hello", "<p>Hi.</p>")]))
    page = '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'
    server.routes["/"] = static(page.encode(), "text/html")
    result = cli("add", server.url("/"), "--category", "Sites/Mine")
    assert result.code == 0, result.err
    assert f"found the feed {server.url('feed.xml')}" in result.out
    text = config.read_text()
    assert text.startswith("# my feeds\n") and server.url("feed.xml") in text
    again = cli("add", server.url("feed.xml"))
    assert again.code == 1 and "already in" in again.err


def test_opml_export_and_import_through_the_cli(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://a.org/rss"\ncategory = "World/Europe"\n')
    exported = cli("opml", "export")
    assert exported.code == 0 and 'xmlUrl="https://a.org/rss"' in exported.out
    opml = tmp_path / "in.opml"
    opml.write_text(exported.out.replace("https://a.org/rss", "https://b.org/rss"))
    imported = cli("opml", "import", str(opml))
    assert imported.out.strip() == "added 1 feed, 0 already there"
    assert [f.category for f in load_config(config).feeds] == [("World", "Europe")] * 2


def test_a_feed_without_a_name_is_called_by_its_title(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/site.xml"] = static(rss("Site News", [("s1", "Hello There", "<p>Hi.</p>")]))
    never = "https://never.example/feed.xml"
    write_config(tmp_path / "feeds.toml", [server.url("site.xml"), never])
    cli("refresh")
    [row] = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert cli("show", str(row["id"])).out.splitlines()[1].startswith("Site News · ")
    assert json.loads(cli("show", str(row["id"]), "--json").out)["source_name"] == "Site News"
    exported = cli("opml", "export").out
    assert 'text="Site News"' in exported and f'text="{never}"' in exported
    # A round trip keeps the title as the name; an address is never written as a name.
    other = tmp_path / "other.toml"
    other.write_text("")
    opml = tmp_path / "feeds.opml"
    opml.write_text(exported)
    cli("--config", str(other), "opml", "import", str(opml))
    names = [feed.name for feed in load_config(other).feeds]
    assert names == ["Site News", None]


def test_feeds_lists_status_and_errors(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/good.xml"] = static(rss("Good", [("g1", "Fine Story", "<p>Fine.</p>")]))
    write_config(tmp_path / "feeds.toml", [server.url("good.xml"), server.url("missing.xml")])
    assert cli("feeds").out.split()[0] == "new"
    cli("refresh")
    rows = [json.loads(line) for line in cli("feeds", "--json").out.splitlines()]
    assert [(r["name"], r["articles"], r["last_error"]) for r in rows] == [
        ("Good", 1, None),
        (server.url("missing.xml"), 0, "HTTP 404 Not Found"),
    ]
    lines = cli("feeds").out.splitlines()
    assert lines[0].startswith("ok") and lines[1].startswith("FAILED")
    assert lines[2].strip() == "HTTP 404 Not Found"


def test_a_feed_the_parser_breaks_on_is_not_added_and_prints_no_traceback(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsreader.extract.feed

    def breaks(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug in the parser")

    monkeypatch.setattr(newsreader.extract.feed, "parse_feed", breaks)
    config = tmp_path / "feeds.toml"
    config.write_text("# mine\n")
    server.routes["/odd.xml"] = static(rss("Odd", [("o1", "Odd", "<p>Odd.</p>")]))
    result = cli("add", server.url("odd.xml"))
    assert result.code == 1 and "Traceback" not in result.err
    assert "TypeError: a bug in the parser" in result.err
    assert config.read_text() == "# mine\n"


def test_refresh_json_cleans_the_paths_and_reasons_of_local_failures(
    cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "feeds.toml").write_text('[[local]]\npath = "gone\\u009b2J\\u202e"\n')
    summary = json.loads(cli("--offline", "refresh", "--json").out)
    [failure] = summary["local"]["failures"]
    # The screen-clearing CSI and the bidi override are gone; the name is left.
    assert (
        failure["path"] == str(tmp_path / "gone") and failure["reason"] == "no such file or folder"
    )


def test_a_feed_moved_to_another_category_takes_its_cached_articles(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/good.xml"] = static(rss("Good", [("g1", "Fine Story", "<p>Fine.</p>")]))
    config = write_config(tmp_path / "feeds.toml", [server.url("good.xml")])
    cli("refresh")
    config.write_text(config.read_text().replace("Test/Loopback", "Elsewhere"))
    cli("--offline", "refresh")  # no download: the feed's articles move all the same
    [row] = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert row["categories"] == ["Elsewhere"]
    # and files imported again under another category move too
    cli("import", str(ARTICLES / "world" / "tram-line.txt"))
    moved = cli("import", str(ARTICLES / "world" / "tram-line.txt"), "--category", "Old")
    assert moved.out.strip() == "0 new, 1 updated, 0 unchanged, 0 duplicate, 0 failed"


def test_newsreader_undo_on_the_command_line(cli: CliRunner, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for number in range(3):
        (articles / f"story-{number}.md").write_text(
            f"# Story {number}\n\nFerries ran late on day {number}.\n", encoding="utf-8"
        )
    assert cli("import", str(articles)).code == 0
    assert cli("undo").out == "Nothing to undo.\n"
    ids = [str(row["id"]) for row in _json_rows(cli)]
    marked = cli("read", *ids)
    assert marked.code == 0
    assert "Marked 3 articles read" in marked.out
    assert all(row["read"] for row in _json_rows(cli))
    undone = cli("undo")
    assert (undone.code, undone.out) == (
        0,
        "Marked 3 articles unread again (marked read with newsreader read)\n",
    )
    assert not any(row["read"] for row in _json_rows(cli))
    assert cli("read", ids[0]).out == ""  # one article: `newsreader unread ID` undoes it
    assert cli("undo").out == "Nothing to undo.\n"


def _json_rows(cli: CliRunner) -> list[dict[str, object]]:
    result = cli("list", "--json")
    assert result.code == 0
    return [json.loads(line) for line in result.out.splitlines()]
