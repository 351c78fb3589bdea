"""Hostile addresses and what newsreader prints of them.

A page's feed link carrying escape sequences, a hand-edited ``feeds.toml`` holding
one, JSON outputs whose strings come from strangers, a feed address with a user
name and password, and a feed that moved permanently: each through ``add``,
``feeds``, ``refresh``, ``list``, ``show``, OPML and the reader, against a real
HTTP server on 127.0.0.1 and real files.
"""

from __future__ import annotations

import asyncio
import base64
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
from textual.geometry import Region
from textual.widget import Widget

from newsreader.cache import Cache
from newsreader.config import ConfigError, FeedConfig, carry_credentials, load_config
from newsreader.config_edit import add_feeds
from newsreader.opml import read_opml, write_opml
from newsreader.paths import Locations
from newsreader.sanitize import (
    MAX_URL_LENGTH,
    clean_json,
    display_url,
    feed_url_problem,
    hide_password,
)
from newsreader.sources.discover import feed_links
from newsreader.sources.http import Fetcher, FetchError
from newsreader.ui.app import NewsReaderApp
from tests.helpers.cli import CliRunner, run_newsreader
from tests.helpers.config import write_config
from tests.helpers.paths import TESTS
from tests.loopback import LoopbackServer, Reply, Request, redirect, rss, static

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
    assert (imported.code, imported.out) == (0, "added 1 feed, 0 already there\n")
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
    with Cache(cli.data_dir / "cache.sqlite3") as cache:  # as another version may leave it
        state = cache.feed_state(hostile_status)
        cache.save_feed_state(replace(state, title=f"T {ESCAPES}", last_error=f"E {ESCAPES}"))
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


# --- 3. a user name and password in a feed's address -------------------------------------

USER, SECRET = "reader", "hunter2-SECRET"
NO_TITLE = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><link>https://example.org/</link>'
    b"<item><guid>p1</guid><title>Private one</title><link>/p/1</link>"
    b"<description>First.</description></item>"
    b"<item><guid>p2</guid><title>Private two</title><link>/p/2</link>"
    b"<description>Second.</description></item></channel></rss>"
)
"""A feed with no title of its own: it is named by its address."""


def authorised(body: bytes, content_type: str = "application/rss+xml") -> Any:
    """A route that answers only a request with the right basic credentials."""
    expected = "Basic " + base64.b64encode(f"{USER}:{SECRET}".encode()).decode()

    def route(request: Request) -> Reply:
        if request.headers.get("authorization") != expected:
            return Reply(401, b"who are you?", {"WWW-Authenticate": 'Basic realm="x"'})
        return Reply(200, body, {"Content-Type": content_type})

    return route


def with_credentials(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{SECRET}@", 1)


def masked(url: str) -> str:
    return url.replace("http://", f"http://{USER}:***@", 1)


def test_display_url_hides_the_password() -> None:
    assert display_url("https://user:pw@host.example/feed") == "https://user:***@host.example/feed"
    assert display_url("https://TOKEN@host.example/") == "https://***@host.example/"
    assert display_url("https://host.example/a@b?c=d@e") == "https://host.example/a@b?c=d@e"
    assert display_url(f"http://u:p@h.example/{ESCAPES}") == "http://u:***@h.example/"
    assert hide_password("https://u:p@h:8080/x#y@z") == "https://u:***@h:8080/x#y@z"
    assert display_url("/home/user/articles/a@b.txt") == "/home/user/articles/a@b.txt"


def test_credentials_go_only_to_the_same_origin() -> None:
    given = "https://u:p@host.example/old"
    assert carry_credentials("https://HOST.example:443/new", given) == (
        "https://u:p@HOST.example:443/new"
    )
    for other in (
        "http://host.example/new",  # another scheme
        "https://other.example/new",  # another host
        "https://host.example:8443/new",  # another port
        "https://them:q@host.example/new",  # its own
    ):
        assert carry_credentials(other, given) == other


def test_no_output_shows_a_feed_address_password(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/private.xml"] = authorised(NO_TITLE)
    plain = server.url("private.xml")
    url = with_credentials(plain)
    config = write_config(tmp_path / "feeds.toml", [url])
    outputs: dict[str, str] = {}

    refreshed = cli("refresh", "--json")
    assert refreshed.code == 0, refreshed.out + refreshed.err
    report = json.loads(refreshed.out)
    assert report["feeds"][0]["new"] == 2  # the fetch sent the credentials
    assert report["feeds"][0]["url"] == report["feeds"][0]["name"] == masked(plain)
    assert all(r.headers.get("authorization") for r in server.requests_to("/private.xml"))
    outputs["refresh --json"] = refreshed.out + refreshed.err
    text = cli("refresh")
    assert text.out.startswith(f"unchanged    {masked(plain)}\n"), text.out
    outputs["refresh"] = text.out + text.err
    feeds = cli("feeds")
    assert f"  {masked(plain)}  [Test/Loopback]" in feeds.out
    outputs["feeds"] = feeds.out + feeds.err
    [record] = json_lines(cli("feeds", "--json").out, "feeds --json")
    assert record["url"] == record["name"] == masked(plain)
    listed = cli("list", "--json")
    rows = json_lines(listed.out, "list --json")
    assert {row["source"] for row in rows} == {masked(plain)}
    outputs["list --json"] = listed.out
    for row in rows:
        for args in (("show", str(row["id"])), ("show", str(row["id"]), "--json")):
            shown = cli(*args)
            assert shown.code == 0 and masked(plain) in shown.out
            outputs[" ".join(args)] = shown.out + shown.err
    exported = cli("opml", "export")
    outline = next(o for o in ElementTree.fromstring(exported.out).iter() if o.get("xmlUrl"))
    assert outline.get("text") == outline.get("title") == masked(plain)
    assert outline.get("xmlUrl") == url  # the address another reader needs to fetch it
    assert exported.err == (
        "newsreader: warning: the addresses (xmlUrl) of 1 feed in this export hold a "
        "user name or password, as the config does\n"
    )
    outputs["opml export text and title"] = str(outline.get("text")) + str(outline.get("title"))
    disabled = cli("disable", url)
    assert disabled.out == f"disabled {masked(plain)} in {config}\n"
    outputs["disable"] = disabled.out
    for where, output in outputs.items():
        assert SECRET not in output, where


async def test_the_reader_names_a_feed_without_its_password(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/private.xml"] = authorised(NO_TITLE)
    plain = server.url("private.xml")
    config = write_config(tmp_path / "feeds.toml", [with_credentials(plain)])
    refreshed = run_newsreader("refresh", data_dir=cli.data_dir, config=config)
    assert refreshed.returncode == 0, refreshed.stderr
    locations = Locations(config, cli.data_dir, config_given=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.main_screen.show_article(1)
        await pilot.pause()
        drawn = screen_text(app)
    assert masked(plain) in drawn  # the tree's feed, the list's source, the article's meta
    assert SECRET not in drawn


def screen_text(app: NewsReaderApp) -> str:
    """The text every visible widget draws, and the notifications."""
    lines: list[str] = []
    for widget in app.screen.walk_children(Widget):
        if widget.display and widget.size.area:
            width, height = widget.outer_size
            for strip in widget.render_lines(Region(0, 0, width, height)):
                lines.append("".join(segment.text for segment in strip))
    lines.extend(toast.message for toast in app._notifications)
    return "\n".join(lines)


def test_add_carries_the_credentials_to_the_feed_a_page_names(
    cli: CliRunner, config: Path, server: LoopbackServer
) -> None:
    server.routes["/site"] = authorised(page("/private.xml"), "text/html")
    server.routes["/private.xml"] = authorised(NO_TITLE)
    result = cli("add", with_credentials(server.url("site")))
    assert result.code == 0, result.err
    assert result.out == (
        f"found the feed {masked(server.url('private.xml'))}\n"
        f"added {masked(server.url('private.xml'))} to {config}\n"
    )
    assert load_config(config).feeds[-1].url == with_credentials(server.url("private.xml"))
    assert len(server.requests_to("/private.xml")) == 1
    assert all(r.headers.get("authorization") for r in server.requests)


def test_messages_that_quote_an_address_hide_its_password(
    cli: CliRunner, config: Path, server: LoopbackServer
) -> None:
    server.routes["/private.xml"] = authorised(NO_TITLE)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    try:
        unreachable = f"http://{USER}:{SECRET}@127.0.0.1:{closed.getsockname()[1]}/feed.xml"
        warned = cli("add", unreachable)
    finally:
        closed.close()
    assert warned.code == 0
    assert unreachable.replace(SECRET, "***") in warned.err
    wrong = server.url("private.xml").replace("http://", f"http://{USER}:wrong-{SECRET}@")
    refused = cli("add", wrong)
    assert refused.code == 1 and "HTTP 401 Unauthorized" in refused.err
    again = cli("--offline", "add", unreachable.replace("/feed.xml", "/feed.xml/"))
    assert again.code == 1 and "is already in" in again.err
    removed = cli("remove", unreachable)
    missing = cli("remove", unreachable)
    duplicate = tmp_config_with(config, [unreachable, unreachable + "/"])
    with pytest.raises(ConfigError) as caught:
        load_config(duplicate)

    async def fetch_without_host() -> str:
        async with Fetcher(timeout=3) as fetcher:
            with pytest.raises(FetchError) as failed:
                await fetcher.fetch(f"http://{USER}:{SECRET}@/feed.xml")
        return str(failed.value)

    invalid = asyncio.run(fetch_without_host())
    assert invalid == f"invalid URL http://{USER}:***@/feed.xml"
    for output in (
        warned.out + warned.err,
        refused.err,
        again.err,
        removed.out,
        missing.err,
        str(caught.value),
        invalid,
    ):
        assert SECRET not in output, output
        assert f"{USER}:***@" in output, output


def tmp_config_with(beside: Path, urls: list[str]) -> Path:
    return write_config(beside.with_name("other.toml"), urls)


# --- 4. a feed that moved permanently ----------------------------------------------------

MOVING = """\
# my feeds
[settings]
timeout = 3

[[feeds]]
url = "{old}"   # it moved since
name = "Moving"
category = "News"

[[feeds]]
url = "{other}"
"""


@pytest.fixture
def moving(tmp_path: Path, server: LoopbackServer) -> tuple[Path, str, str]:
    """A config with a feed that moved permanently (301) and one that did not."""
    old, new = server.url("old.xml"), server.url("new.xml")
    server.routes["/old.xml"] = redirect(new, 301)
    server.routes["/new.xml"] = static(FEED)
    server.routes["/other.xml"] = static(rss("Other", [("o1", "Other one", "<p>O.</p>")]))
    config = tmp_path / "feeds.toml"
    config.write_text(MOVING.format(old=old, other=server.url("other.xml")), encoding="utf-8")
    return config, old, new


def test_a_permanent_redirect_is_shown_and_written_to_the_config_with_the_articles(
    cli: CliRunner, moving: tuple[Path, str, str], server: LoopbackServer
) -> None:
    config, old, new = moving
    original = config.read_text(encoding="utf-8")
    assert cli("refresh").code == 0
    first = min(
        r["id"] for r in json_lines(cli("list", "--json").out, "list") if r["source"] == old
    )
    assert cli("read", str(first)).code == 0
    feeds = cli("feeds")
    assert f"\n       moved permanently to {new}\n" in feeds.out
    assert feeds.out.count("moved permanently") == 1
    records = json_lines(cli("feeds", "--json").out, "feeds --json")
    assert [(r["url"], r["moved_to"]) for r in records] == [
        (old, new),
        (server.url("other.xml"), None),
    ]

    updated = cli("feeds", "--update-moved")
    assert (updated.code, updated.err) == (0, "")
    assert updated.out == (
        f"{old} moved permanently: now {new} in {config}; its 2 cached articles moved with it\n"
    )
    assert config.read_text(encoding="utf-8") == original.replace(old, new)  # comment kept
    [moved, _other] = json_lines(cli("feeds", "--json").out, "feeds --json")
    assert (moved["url"], moved["articles"], moved["moved_to"]) == (new, 2, None)
    assert "moved permanently" not in cli("feeds").out

    asked = len(server.requests_to("/old.xml"))
    again = cli("refresh", "--json")
    assert again.code == 0
    assert len(server.requests_to("/old.xml")) == asked  # straight to the new address
    assert json.loads(again.out)["feeds"][0]["new"] == 0  # the same articles, not copies
    rows = json_lines(cli("list", "--json").out, "list --json")
    assert sorted(
        (r["source"], r["read"]) for r in rows if r["source"] != server.url("other.xml")
    ) == [
        (new, False),
        (new, True),
    ]
    assert cli("feeds", "--update-moved").out == "no feed moved permanently\n"


def test_a_temporary_redirect_is_not_a_move(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/for-now.xml"] = redirect(server.url("feed.xml"), 302)
    server.routes["/feed.xml"] = static(FEED)
    write_config(tmp_path / "feeds.toml", [server.url("for-now.xml")])
    assert cli("refresh").code == 0
    assert "moved" not in cli("feeds").out
    assert json.loads(cli("feeds", "--json").out)["moved_to"] is None
    assert cli("feeds", "--update-moved").out == "no feed moved permanently\n"


def test_a_move_onto_articles_already_cached_is_refused(
    cli: CliRunner, moving: tuple[Path, str, str]
) -> None:
    config, old, new = moving
    assert cli("--offline", "add", new).code == 0
    assert cli("refresh").code == 0  # the new address's articles, cached on their own
    assert cli("remove", new).code == 0
    before = config.read_text(encoding="utf-8")
    result = cli("feeds", "--update-moved")
    assert result.code == 1
    assert result.err == (
        f"newsreader: warning: {old} moved to {new}, of which the cache already holds "
        "articles; not changed\n"
    )
    assert config.read_text(encoding="utf-8") == before
    assert json.loads(cli("feeds", "--json").out.splitlines()[0])["moved_to"] == new


def test_a_move_onto_another_configured_feed_is_refused(
    cli: CliRunner, moving: tuple[Path, str, str]
) -> None:
    config, old, new = moving
    assert cli("--offline", "add", new.replace("http://", "HTTP://")).code == 0
    assert cli("refresh").code == 0
    before = config.read_text(encoding="utf-8")
    result = cli("feeds", "--update-moved")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"newsreader: warning: {old} moved to {new}, which another feed in {config} has; "
        "not changed\n"
    )
    assert config.read_text(encoding="utf-8") == before


def test_a_move_the_config_cannot_take_leaves_the_cache_as_it_was(
    cli: CliRunner, moving: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsreader.config_edit

    config, old, new = moving
    assert cli("refresh").code == 0

    def cannot_write(path: Path, moves: object) -> dict[str, str]:
        raise ConfigError(path, None, None, "cannot write: the file is read-only")

    with monkeypatch.context() as patched:
        patched.setattr(newsreader.config_edit, "move_feeds", cannot_write)
        result = cli("feeds", "--update-moved")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"newsreader: {config}: cannot write: the file is read-only\n"
    [moving_feed, _other] = json_lines(cli("feeds", "--json").out, "feeds --json")
    assert (moving_feed["url"], moving_feed["articles"]) == (old, 2)
    with Cache(cli.data_dir / "cache.sqlite3") as cache:
        assert new not in cache.source_counts() and cache.feed_state(old).title == "Site feed"
    assert cli("refresh").code == 0  # the move, forgotten on the way back, is learnt again
    assert json.loads(cli("feeds", "--json").out.splitlines()[0])["moved_to"] == new


def test_a_move_keeps_the_credentials_on_the_same_origin(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/old.xml"] = redirect(server.url("new.xml"), 308)
    server.routes["/new.xml"] = authorised(NO_TITLE)
    config = write_config(tmp_path / "feeds.toml", [with_credentials(server.url("old.xml"))])
    assert cli("refresh").code == 0
    updated = cli("feeds", "--update-moved")
    assert updated.out.startswith(
        f"{masked(server.url('old.xml'))} moved permanently: now {masked(server.url('new.xml'))}"
    )
    assert load_config(config).feeds[0].url == with_credentials(server.url("new.xml"))
    again = cli("refresh", "--json")
    assert again.code == 0 and json.loads(again.out)["feeds"][0]["status"] == "unchanged"
    feeds = cli("feeds")
    assert f"  {masked(server.url('new.xml'))}  [Test/Loopback]" in feeds.out
    assert SECRET not in updated.out + again.out + feeds.out


def test_rename_source_moves_articles_listings_and_state(cache: Cache) -> None:
    from datetime import UTC, datetime

    from newsreader.model import Article, FeedState, Section

    def story(source: str, guid: str) -> Article:
        return Article(
            title="Harbour story",
            source=source,
            guid=guid,
            url="https://news.example/harbour",
            published=datetime(2024, 3, 2, tzinfo=UTC),
            sections=(Section(None, ("Ferries ran late.",)),),
        )

    [(_, first)] = cache.store_articles([story("https://a.example/", "a1")])
    cache.store_articles([story("https://old.example/", "b1")])  # a listing of the same story
    cache.save_feed_state(FeedState("https://old.example/", title="Old", permanent_url="x"))
    cache.save_feed_state(FeedState("https://new.example/", title="Stale"))
    assert cache.source_counts()["https://old.example/"] == (1, 1)

    assert cache.rename_source("https://old.example/", "https://new.example/") == 1
    counts = cache.source_counts()
    assert "https://old.example/" not in counts and counts["https://new.example/"] == (1, 1)
    state = cache.feed_state("https://new.example/")
    assert (state.title, state.permanent_url) == ("Old", None)
    assert "https://old.example/" not in cache.feed_states()
    assert cache.rename_source("https://a.example/", "https://new.example/") is None
    assert cache.source_counts()["https://a.example/"] == (1, 1)  # nothing changed
    assert cache.get_article(first) is not None


def test_a_feed_with_credentials_still_fetches_after_a_permanent_redirect(
    cli: CliRunner, tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/old.xml"] = redirect(server.url("new.xml"), 301)
    server.routes["/new.xml"] = authorised(NO_TITLE)
    write_config(tmp_path / "feeds.toml", [with_credentials(server.url("old.xml"))])
    assert cli("refresh").code == 0
    again = cli("refresh")  # straight to the remembered address, with the credentials
    assert again.code == 0, again.out + again.err
    assert [r.path for r in server.requests][-1] == "/new.xml"
    assert all(r.headers.get("authorization") for r in server.requests_to("/new.xml"))
