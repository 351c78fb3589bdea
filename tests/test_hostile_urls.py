"""Hostile addresses and what newsreader prints of them.

A page's feed link carrying escape sequences, a hand-edited ``feeds.toml`` holding
one, and JSON outputs whose strings come from strangers: each through ``add``,
``feeds``, ``refresh``, ``list``, ``show`` and OPML, against a real HTTP server on
127.0.0.1 and real files.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsreader.config import ConfigError, FeedConfig, load_config
from newsreader.config_edit import add_feeds
from newsreader.opml import read_opml, write_opml
from newsreader.sanitize import (
    MAX_URL_LENGTH,
    clean_json,
    feed_url_problem,
)
from newsreader.sources.discover import feed_links
from newsreader.store import Store
from tests.conftest import TESTS, CliRunner, write_config
from tests.loopback import LoopbackServer, rss, static

HOSTILE = TESTS / "hostile"

ESCAPES = "\x1b]0;PWNED-TITLE\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31m\u202e"
"""A window title (OSC 0), a clipboard write (OSC 52), a screen clear, an 8-bit CSI
and a right-to-left override."""
PERCENT_ESCAPES = "%1B%5D0;PWNED-TITLE%07%1B%5D52;c;cHduZWQ=%07%1B%5B2J%C2%9B31m%E2%80%AE"
"""The same, percent-encoded: a valid address, harmless wherever it is shown."""
CHARREF_ESCAPES = "&#27;]0;PWNED-TITLE&#7;&#x1b;]52;c;cHduZWQ=&#7;&#27;[2J&#x9b;31m&#x202e;"
"""The same as HTML character references, which the page's parser turns into raw ones."""

# Every control (C0 but newline, DEL, C1), bidi and zero-width character, and CR.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ud800-\udfff]"
)
JSON_ESCAPED_CONTROL = re.compile(r"\\u00[01][0-9a-fA-F]|\\u007[fF]|\\u00[89][0-9a-fA-F]")
"""A control written as a JSON escape (``\\u001b``): no less an escape once decoded."""


def assert_clean(text: str, where: str) -> None:
    """No control, escape, bidi or zero-width character in printed text."""
    bad = FORBIDDEN.search(text)
    assert bad is None, f"{where}: {bad.group()!r} in {text[max(0, bad.start() - 60) :][:120]!r}"


def assert_clean_json(text: str, where: str, *, newlines: bool = False) -> Any:
    """JSON output with no escaped control in its text and no character of categories
    Cc, Cf, Cs, Zl or Zp in any string (keys too); newlines only where text has
    paragraphs. Returns the decoded value."""
    assert_clean(text, where)
    escaped = JSON_ESCAPED_CONTROL.search(text)
    assert escaped is None, f"{where}: {escaped.group()} in the JSON text"
    value = json.loads(text)

    def walk(item: Any, path: str) -> None:
        if isinstance(item, str):
            for character in item:
                if character == "\n" and newlines:
                    continue
                category = unicodedata.category(character)
                assert category not in ("Cc", "Cf", "Cs", "Zl", "Zp"), (
                    f"{where}{path}: {character!r} ({category}) in {item!r}"
                )
        elif isinstance(item, dict):
            for key, inner in item.items():
                walk(key, path)
                walk(inner, f"{path}.{key}")
        elif isinstance(item, list):
            for index, inner in enumerate(item):
                walk(inner, f"{path}[{index}]")

    walk(value, "")
    return value


def json_lines(text: str, where: str) -> list[Any]:
    return [assert_clean_json(line, where) for line in text.splitlines()]


def page(*hrefs: str) -> bytes:
    """A web page naming these feeds (raw bytes: escapes go into the HTML as they are)."""
    links = "".join(
        f'<link rel="alternate" type="application/rss+xml" href="{href}">' for href in hrefs
    )
    return (
        f"<html><head><title>A site</title>{links}</head><body><p>Hi.</p></body></html>"
    ).encode()


FEED = rss("Site feed", [("s1", "Story one", "<p>One.</p>"), ("s2", "Story two", "<p>Two.</p>")])


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text("# mine\n[settings]\ntimeout = 3\n", encoding="utf-8")
    return path


# --- 1. a page's feed link, and a configured address, with escapes ---------------------


@pytest.mark.parametrize("escapes", [ESCAPES, CHARREF_ESCAPES], ids=["raw", "charref"])
def test_a_feed_link_with_escapes_is_passed_over(
    cli: CliRunner, config: Path, server: LoopbackServer, escapes: str
) -> None:
    server.routes["/feed.xml"] = static(FEED)
    server.routes["/only"] = static(page(f"/feed.xml?a={escapes}"), "text/html")
    server.routes["/both"] = static(page(f"/feed.xml?a={escapes}", "/feed.xml"), "text/html")

    refused = cli("add", server.url("only"))
    assert refused.code == 1
    assert "is neither a feed nor a page that names one" in refused.err
    assert_clean(refused.out + refused.err, "add of a page naming only a bad link")
    assert config.read_text(encoding="utf-8") == "# mine\n[settings]\ntimeout = 3\n"

    added = cli("add", server.url("both"))
    assert added.code == 0, added.err
    assert added.out.startswith(f"found the feed {server.url('feed.xml')}\n")
    assert_clean(added.out + added.err, "add")
    assert load_config(config).feeds[-1].url == server.url("feed.xml")
    assert "PWNED" not in config.read_text(encoding="utf-8")
    assert all("PWNED" not in request.path for request in server.requests)  # never fetched

    forced = cli("add", server.url("only"), "--force")
    assert forced.code == 0
    assert_clean(forced.out + forced.err, "add --force")
    assert load_config(config).feeds[-1].url == server.url("only")  # the page, not its link
    exported = cli("opml", "export")
    assert exported.code == 0 and "PWNED" not in exported.out
    assert_clean(exported.out + exported.err, "opml export")


def test_a_percent_encoded_feed_link_is_kept_and_exported_as_valid_xml(
    cli: CliRunner, config: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    server.routes["/feed.xml"] = static(FEED)
    server.routes["/site"] = static(page(f"/feed.xml?a={PERCENT_ESCAPES}"), "text/html")
    url = server.url(f"feed.xml?a={PERCENT_ESCAPES}")

    added = cli("add", server.url("site"))
    assert added.code == 0, added.err
    assert added.out == f"found the feed {url}\nadded {url} (Site feed) to {config}\n"
    assert load_config(config).feeds[-1].url == url
    refreshed = cli("refresh", "--json")
    assert refreshed.code == 0, refreshed.err
    report = assert_clean_json(refreshed.out, "refresh --json")
    assert report["feeds"][0]["url"] == url and report["feeds"][0]["new"] == 2
    for args in (("feeds",), ("list",), ("show", "1")):
        shown = cli(*args)
        assert shown.code == 0
        assert_clean(shown.out + shown.err, " ".join(args))

    exported = cli("opml", "export")
    assert exported.code == 0
    assert_clean(exported.out + exported.err, "opml export")
    root = ElementTree.fromstring(exported.out)  # well-formed
    [outline] = root.iter("outline")
    assert outline.get("xmlUrl") == url and outline.get("text") == "Site feed"

    # Round trip: exported to a file, imported into a new config, the same address.
    assert cli("opml", "export", str(tmp_path / "out.opml")).code == 0
    other = tmp_path / "other.toml"
    other.write_text("", encoding="utf-8")
    imported = cli("--config", str(other), "opml", "import", str(tmp_path / "out.opml"))
    assert (imported.code, imported.out) == (0, "added 1 feeds, 0 already there\n")
    assert [feed.url for feed in load_config(other).feeds] == [url]
    assert read_opml(tmp_path / "out.opml")[0].url == url


BAD_URLS = {
    "osc": f"https://hostile.example/feed?{ESCAPES}",
    "c1": "https://hostile.example/\x9b31mfeed",
    "bidi": "https://hostile.example/\u202efeed.xml",
    "zero-width": "https://hostile.example/\u200bfeed.xml",
    "space": "https://hostile.example/my feed.xml",
    "tab": "https://hostile.example/my\tfeed.xml",
    "no-host": "https:///feed.xml",
    "too-long": "https://hostile.example/" + "a" * (MAX_URL_LENGTH - 23),
}


def test_the_url_bound() -> None:
    longest = "https://hostile.example/" + "a" * (MAX_URL_LENGTH - 24)
    assert len(longest) == MAX_URL_LENGTH == len(BAD_URLS["too-long"]) - 1
    assert feed_url_problem(longest) is None
    assert feed_url_problem(BAD_URLS["too-long"]) == (
        f"must be at most {MAX_URL_LENGTH} characters long"
    )
    for name, url in BAD_URLS.items():
        assert feed_url_problem(url), name
    for good in ("https://xn--bcher-kva.example/feed", "https://bücher.example/", longest):
        assert feed_url_problem(good) is None


@pytest.mark.parametrize("name", sorted(BAD_URLS))
def test_a_config_with_a_bad_url_is_refused_everywhere_by_file_line_and_key(
    cli: CliRunner, config: Path, name: str
) -> None:
    escaped = json.dumps(BAD_URLS[name], ensure_ascii=True)  # a TOML basic string
    text = f'[settings]\ntimeout = 3\n\n[[feeds]]\nurl = "https://good.example/"\n\n[[feeds]]\nurl = {escaped}\n'
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).startswith(f"{config}:8: url must ")
    assert caught.value.key == "url"
    for args in (
        ("feeds",),
        ("feeds", "--json"),
        ("refresh", "--json"),
        ("opml", "export"),
        ("--offline", "add", "https://new.example/"),
        ("remove", "https://good.example/"),
    ):
        result = cli(*args)
        assert (result.code, result.out) == (2, ""), args
        assert result.err.startswith(f"newsreader: {config}:8: url must "), result.err
        assert_clean(result.err, " ".join(args))
    assert config.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "path", sorted((HOSTILE / "config").glob("url-*.toml")), ids=lambda path: path.name
)
def test_the_hostile_configs_with_bad_urls_are_refused(path: Path, cli: CliRunner) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: url must ", str(caught.value))
    result = cli("--config", str(path), "opml", "export")
    assert (result.code, result.out) == (2, "")
    assert_clean(result.err, path.name)


def test_no_bad_url_is_ever_written_to_the_config(cli: CliRunner, config: Path) -> None:
    for url in BAD_URLS.values():
        with pytest.raises(ConfigError, match="not changed: the edit would not load"):
            add_feeds(config, [FeedConfig(url)])
        result = cli("--offline", "add", url)
        assert result.code == 2
        assert_clean(result.err, "add")
    assert config.read_text(encoding="utf-8") == "# mine\n[settings]\ntimeout = 3\n"


def test_add_cleans_the_name_it_is_given(cli: CliRunner, config: Path) -> None:
    result = cli("--offline", "add", "https://a.example/", "--name", f"Mine {ESCAPES}!")
    assert result.code == 0
    assert load_config(config).feeds[-1].name == "Mine !"
    assert "\\u" not in config.read_text(encoding="utf-8")


def test_opml_import_takes_no_address_with_an_escape_and_export_is_always_xml(
    tmp_path: Path,
) -> None:
    opml = tmp_path / "feeds.opml"
    outlines = [
        ("c1", "https://hostile.example/&#x9d;c1.xml"),  # XML holds no C0 escape at all
        ("bidi", "https://hostile.example/&#x202e;lmx.exe"),
        ("long", "https://hostile.example/" + "a" * MAX_URL_LENGTH),
        ("tab", "https://hostile.example/tab&#9;bed.xml"),  # read as a browser would
        ("percent", f"https://hostile.example/feed?a={PERCENT_ESCAPES}"),
    ]
    body = "".join(f'<outline type="rss" text="{n}" xmlUrl="{u}"/>' for n, u in outlines)
    opml.write_text(f'<opml version="2.0"><head/><body>{body}</body></opml>', encoding="utf-8")
    assert [(feed.name, feed.url) for feed in read_opml(opml)] == [
        ("tab", "https://hostile.example/tabbed.xml"),
        ("percent", f"https://hostile.example/feed?a={PERCENT_ESCAPES}"),
    ]
    # What XML cannot hold at all never reaches the document; a bad address is left out.
    feeds = [
        FeedConfig("https://a.example/", name="A \ufffe\uffff\x01 name", category=("C\x02",)),
        FeedConfig(BAD_URLS["osc"]),
    ]
    document = write_opml(feeds)
    assert_clean(document, "write_opml")
    outline = [o for o in ElementTree.fromstring(document).iter("outline") if o.get("xmlUrl")]
    assert [(o.get("text"), o.get("xmlUrl")) for o in outline] == [("A name", "https://a.example/")]


def test_feed_links_keeps_only_addresses_a_config_takes() -> None:
    hrefs = [f"/f?{ESCAPES}", "/a b", "/" + "x" * MAX_URL_LENGTH, "javascript:alert(1)", "/ok"]
    html = page(*hrefs).decode()
    assert feed_links(html, "https://site.example/") == ["https://site.example/ok"]


# --- 2. every --json output is cleaned as a whole ----------------------------------------


@pytest.fixture
def hostile_status() -> Iterator[str]:
    """A server on 127.0.0.1 that answers everything 503 with escapes in its reason phrase."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()
    line = f"HTTP/1.1 503 Busy {ESCAPES}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                try:
                    connection.recv(65536)
                    connection.sendall(line.encode("utf-8"))
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/busy.xml"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)


def hostile_cache(cli: CliRunner, tmp_path: Path, busy_url: str) -> Path:
    """A config with a feed whose server answers with escapes, and a local folder with
    a good and a bad article whose file names carry them; refreshed once."""
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / f"story {ESCAPES}.txt").write_text(
        "Harbour Story\n\nThe ferries ran late again on Tuesday, the harbour master said.\n",
        encoding="utf-8",
    )
    (articles / f"bad {ESCAPES}.xml").write_bytes(b"")
    config = write_config(
        tmp_path / "feeds.toml", [busy_url], extra='\n[[local]]\npath = "articles"\n'
    )
    return config


def test_every_json_output_is_clean_of_what_strangers_wrote(
    cli: CliRunner, tmp_path: Path, hostile_status: str
) -> None:
    hostile_cache(cli, tmp_path, hostile_status)
    refreshed = cli("refresh", "--json")
    assert refreshed.code == 1
    report = assert_clean_json(refreshed.out, "refresh --json")
    [busy] = report["feeds"]
    assert busy["error"] == "HTTP 503 Busy" and busy["url"] == hostile_status
    [failure] = report["local"]["failures"]
    assert failure["path"].endswith("/articles/bad .xml") and failure["reason"] == "empty file"
    assert_clean(refreshed.err, "refresh --json (stderr)")

    text = cli("refresh")
    assert_clean(text.out + text.err, "refresh")
    [feed] = json_lines(cli("feeds", "--json").out, "feeds --json")
    assert feed["last_error"] == "HTTP 503 Busy"
    assert_clean(cli("feeds").out, "feeds")
    [row] = json_lines(cli("list", "--json").out, "list --json")
    assert row["source"].endswith("/articles/story .txt")
    shown = assert_clean_json(cli("show", str(row["id"]), "--json").out, "show", newlines=True)
    assert shown["source"] == row["source"] and shown["source_name"] == row["source"]


def test_the_json_helper_cleans_what_a_builder_forgot(
    cli: CliRunner, tmp_path: Path, hostile_status: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsreader.cli
    import newsreader.render

    hostile_cache(cli, tmp_path, hostile_status)
    assert cli("refresh").code == 1
    with Store(cli.data_dir / "cache.sqlite3") as store:  # as another version may leave it
        state = store.feed_state(hostile_status)
        store.save_feed_state(replace(state, title=f"T {ESCAPES}", last_error=f"E {ESCAPES}"))
    # Every field cleaner of the builders off: what is left is the one helper.
    for module in (newsreader.cli, newsreader.render):
        for name in ("clean_line", "clean_text", "display_url"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, lambda text: text)
    outputs = {
        "refresh --json": cli("refresh", "--json").out,
        "feeds --json": cli("feeds", "--json").out,
        "list --json": cli("list", "--json").out,
    }
    assert ESCAPES in cli("feeds").out  # the cleaners really are off
    for where, text in outputs.items():
        for line in [text] if where == "refresh --json" else text.splitlines():
            assert_clean_json(line, where)
    [row] = [json.loads(line) for line in outputs["list --json"].splitlines()]
    assert_clean_json(cli("show", str(row["id"]), "--json").out, "show --json", newlines=True)


def test_clean_json_cleans_every_string_and_key() -> None:
    value = {f"key{ESCAPES}": [f"a{ESCAPES}", ("b\x9b2J", 3), {"c": None, "d": "e\u202ef"}, 1.5]}
    assert clean_json(value) == {"key": ["a", ["b", 3], {"c": None, "d": "ef"}, 1.5]}
    assert clean_json("one\ntwo\rthree") == "one\ntwo\nthree"
