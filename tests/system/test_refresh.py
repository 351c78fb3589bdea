"""Refresh against a real HTTP server on 127.0.0.1: correct HTTP, isolation, state."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import newsreader.extract.feed as feed_module
from newsreader.cache import Cache
from newsreader.config import Config, load_config
from newsreader.extract.feed import parse_feed as real_parse_feed
from newsreader.refresh import FeedResult, FeedStatus, RefreshReport, refresh
from tests.helpers.cache import article_count
from tests.helpers.config import write_config
from tests.helpers.paths import corpus_feeds
from tests.loopback import (
    LoopbackServer,
    Reply,
    article_page,
    conditional,
    gzipped,
    redirect,
    rss,
    static,
)

FEED = rss(
    "Loopback News",
    [
        (
            "a1",
            "Bridge Repairs Finish",
            "<p>Repairs finished early.</p><h2>Traffic</h2><p>Buses return.</p>",
        ),
        ("a2", "Library Opens Sundays", "<p>The library opens on <a href='/sun'>Sundays</a>.</p>"),
    ],
)


class ParseCounter:
    """Counts calls to the feed parser (a spy on the real function)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = real_parse_feed

        def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        # The refresh loads the parser where it parses (a pool worker, or its thread).
        monkeypatch.setattr(feed_module, "parse_feed", counting)


def run(config: Config, cache: Cache, **kwargs: object) -> RefreshReport:
    return refresh(config, cache, parse_workers=0, **kwargs)  # type: ignore[arg-type]


def config_for(tmp_path: Path, server: LoopbackServer, *paths: str, settings: str = "") -> Config:
    return load_config(
        write_config(tmp_path / "feeds.toml", [server.url(p) for p in paths], settings)
    )


def test_200_then_304_sends_validators_and_parses_nothing(
    tmp_path: Path, server: LoopbackServer, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/feed.xml"] = conditional(FEED)
    config = config_for(tmp_path, server, "feed.xml")
    counter = ParseCounter(monkeypatch)
    first = run(config, cache)
    assert [r.status for r in first.feeds] == [FeedStatus.UPDATED]
    assert first.feeds[0].new == 2
    second = run(config, cache)
    assert [r.status for r in second.feeds] == [FeedStatus.NOT_MODIFIED]
    assert counter.calls == 1
    first_request, second_request = server.requests_to("/feed.xml")
    assert "if-none-match" not in first_request.headers
    state = cache.feed_state(server.url("feed.xml"))
    assert second_request.headers["if-none-match"] == state.etag
    assert second_request.headers["if-modified-since"] == state.last_modified
    assert second_request.headers["user-agent"].startswith("newsreader/")
    assert article_count(cache) == 2


def test_a_refresh_with_nothing_to_parse_loads_no_parser(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """Start-up is most of a refresh that finds nothing new: the feed parsers, the sync
    client and the regular-expression engine are loaded only when something needs them."""
    server.routes["/feed.xml"] = conditional(FEED)
    config_path = write_config(tmp_path / "feeds.toml", [server.url("feed.xml")])
    data_dir = tmp_path / "data"
    code = (
        "import sys\n"
        "from newsreader.cli import main\n"
        f"status = main(['--config', {str(config_path)!r}, '--data-dir', {str(data_dir)!r}, "
        "'refresh'])\n"
        "wanted = ('feedparser', 'lxml', 'regex', 'newsreader.extract.feed', 'newsreader.sync')\n"
        "print(status, sorted(m for m in sys.modules if m.startswith(wanted)))\n"
    )

    def refresh_in_a_new_process() -> str:
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1]

    first = refresh_in_a_new_process()  # a 200: the feed is parsed (in a worker)
    assert first.startswith("0 ")
    assert refresh_in_a_new_process() == "0 []"  # a 304: nothing to parse
    assert len(server.requests) == 2


def test_unchanged_body_without_validators_is_not_parsed(
    tmp_path: Path, server: LoopbackServer, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/plain.xml"] = static(FEED)
    config = config_for(tmp_path, server, "plain.xml")
    counter = ParseCounter(monkeypatch)
    run(config, cache)
    second = run(config, cache)
    assert second.feeds[0].status is FeedStatus.UNCHANGED
    assert counter.calls == 1


def test_gzip(tmp_path: Path, server: LoopbackServer, cache: Cache) -> None:
    server.routes["/gz.xml"] = gzipped(FEED)
    report = run(config_for(tmp_path, server, "gz.xml"), cache)
    assert report.feeds[0].status is FeedStatus.UPDATED and report.feeds[0].new == 2
    assert "gzip" in server.requests_to("/gz.xml")[0].headers["accept-encoding"]


def test_permanent_redirect_is_followed_and_recorded(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/old.xml"] = redirect(server.url("new.xml"), 301)
    server.routes["/new.xml"] = conditional(FEED)
    config = config_for(tmp_path, server, "old.xml")
    assert run(config, cache).feeds[0].status is FeedStatus.UPDATED
    assert cache.feed_state(server.url("old.xml")).permanent_url == server.url("new.xml")
    assert run(config, cache).feeds[0].status is FeedStatus.NOT_MODIFIED
    assert len(server.requests_to("/old.xml")) == 1  # the second refresh went straight to new


def test_redirect_loop_fails_only_that_feed(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/loop"] = redirect(server.url("loop"), 302)
    server.routes["/good.xml"] = static(FEED)
    report = run(config_for(tmp_path, server, "loop", "good.xml"), cache)
    loop, good = report.feeds
    assert loop.status is FeedStatus.FAILED and loop.error == "more than 5 redirects"
    assert good.status is FeedStatus.UPDATED
    assert len(server.requests_to("/loop")) == 6


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_http_errors_mark_the_feed_failed(
    tmp_path: Path, server: LoopbackServer, cache: Cache, status: int, message: str
) -> None:
    server.routes["/broken.xml"] = static(b"oops", status=status)
    report = run(config_for(tmp_path, server, "broken.xml"), cache)
    assert (report.feeds[0].status, report.feeds[0].error) == (FeedStatus.FAILED, message)
    state = cache.feed_state(server.url("broken.xml"))
    assert state.last_error == message and state.last_success is None


def test_retry_after_is_respected(tmp_path: Path, server: LoopbackServer, cache: Cache) -> None:
    server.routes["/busy.xml"] = lambda _r: Reply(429, b"", {"Retry-After": "120"})
    config = config_for(tmp_path, server, "busy.xml")
    first = run(config, cache)
    assert first.feeds[0].status is FeedStatus.FAILED
    assert first.feeds[0].error is not None and first.feeds[0].error.startswith("HTTP 429")
    retry_after = cache.feed_state(server.url("busy.xml")).retry_after
    assert retry_after is not None and 100 < retry_after - time.time() <= 121
    second = run(config, cache)
    assert second.feeds[0].status is FeedStatus.DEFERRED
    assert len(server.requests_to("/busy.xml")) == 1


def test_slow_response_times_out_within_the_limit(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/slow.xml"] = lambda _r: Reply(200, FEED, drip=0.2, drip_limit=40)
    config = config_for(tmp_path, server, "slow.xml", settings="timeout = 1")
    started = time.monotonic()
    report = run(config, cache)
    assert time.monotonic() - started < 4
    assert report.feeds[0].error == "timed out after 1 s"


def test_oversized_response_is_refused(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/huge.xml"] = static(FEED + b" " * 300_000)
    report = run(config_for(tmp_path, server, "huge.xml", settings="max_bytes = 100000"), cache)
    assert report.feeds[0].error == "response too large (over 97 KiB)"
    server.routes["/huge-gz.xml"] = gzipped(FEED.replace(b"</rss>", b" " * 300_000 + b"</rss>"))
    report = run(config_for(tmp_path, server, "huge-gz.xml", settings="max_bytes = 100000"), cache)
    assert report.feeds[0].error == "response too large (over 97 KiB)"


def test_html_page_is_not_a_feed(tmp_path: Path, server: LoopbackServer, cache: Cache) -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hello</p></body></html>"
    server.routes["/index.html"] = static(page, "text/html")
    report = run(config_for(tmp_path, server, "index.html"), cache)
    assert report.feeds[0].status is FeedStatus.FAILED
    assert report.feeds[0].error is not None and report.feeds[0].error.startswith("not a feed")


def test_iso_8859_1_feed(tmp_path: Path, server: LoopbackServer, cache: Cache) -> None:
    latin = rss(
        "Café Noticias", [("l1", "Año nuevo en Málaga", "<p>Señales del café.</p>")], "iso-8859-1"
    )
    assert "ñ".encode("latin-1") in latin
    server.routes["/latin.xml"] = lambda _r: Reply(
        200, latin, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"}
    )
    run(config_for(tmp_path, server, "latin.xml"), cache)
    [row] = cache.list_articles()
    assert row.title == "Año nuevo en Málaga"
    assert cache.search("café")[0].id == row.id


def test_read_and_starred_survive_a_refresh_that_changes_the_article(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    versions = iter(
        [FEED, FEED.replace(b"Repairs finished early.", b"Repairs finished a week early.")]
    )
    current = {"body": next(versions)}
    server.routes["/changing.xml"] = lambda _r: Reply(200, current["body"])
    config = config_for(tmp_path, server, "changing.xml")
    run(config, cache)
    bridge = next(r for r in cache.list_articles() if r.title == "Bridge Repairs Finish")
    cache.set_read(bridge.id)
    cache.set_starred(bridge.id)
    current["body"] = next(versions)
    report = run(config, cache)
    assert (report.feeds[0].new, report.feeds[0].updated) == (0, 1)
    after = cache.get_article(bridge.id)
    assert after is not None and after.read and after.starred
    assert after.article.body_html is not None and "a week early" in after.article.body_html
    assert article_count(cache) == 2


def test_feed_html_becomes_sections_when_opened(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    from newsreader.reading import open_article

    server.routes["/feed.xml"] = static(FEED)
    run(config_for(tmp_path, server, "feed.xml"), cache)
    library = next(r for r in cache.list_articles() if r.title == "Library Opens Sundays")
    bridge = next(r for r in cache.list_articles() if r.title == "Bridge Repairs Finish")
    opened = open_article(cache, bridge.id)
    assert opened is not None
    assert [(s.heading, s.paragraphs) for s in opened.article.sections] == [
        (None, ("Repairs finished early.",)),
        ("Traffic", ("Buses return.",)),
    ]
    again = cache.get_article(bridge.id)
    assert again is not None and again.article.body_html is None  # kept converted
    linked = open_article(cache, library.id)
    assert linked is not None
    assert [(link.text, link.url) for link in linked.article.links] == [
        ("Sundays", "https://example.org/sun")
    ]


def test_unreachable_hosts_fail_fast(tmp_path: Path, cache: Cache) -> None:
    config = load_config(
        write_config(
            tmp_path / "feeds.toml", ["http://feeds.example.invalid/rss", "http://127.0.0.1:9/feed"]
        )
    )
    started = time.monotonic()
    report = run(config, cache)
    assert time.monotonic() - started < 10
    assert [r.status for r in report.feeds] == [FeedStatus.FAILED, FeedStatus.FAILED]
    assert report.feeds[0].error == "cannot resolve host feeds.example.invalid"
    assert report.feeds[1].error is not None and report.feeds[1].error.startswith("cannot connect")


def test_offline_touches_no_network(tmp_path: Path, server: LoopbackServer, cache: Cache) -> None:
    server.routes["/feed.xml"] = static(FEED)
    report = run(config_for(tmp_path, server, "feed.xml"), cache, offline=True)
    assert [r.status for r in report.feeds] == [FeedStatus.OFFLINE]
    assert server.requests == []


def test_retention_never_removes_starred(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    items = [(f"g{n}", f"Story {n}", f"<p>Body {n}</p>") for n in range(6)]
    server.routes["/many.xml"] = static(rss("Many", items))
    config = config_for(tmp_path, server, "many.xml")
    run(config, cache)
    oldest = min(cache.list_articles(), key=lambda r: r.sort_key)
    cache.set_starred(oldest.id)
    limited = config_for(tmp_path, server, "many.xml", settings="keep_per_feed = 2")
    report = run(limited, cache)
    kept = cache.list_articles()
    assert report.pruned == 3
    assert oldest.id in {r.id for r in kept} and len(kept) == 3


def test_local_sources_are_imported(tmp_path: Path, cache: Cache) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "one.txt").write_text(
        "A Local Story\n\nIt was written here, on disk, and read offline.\n"
    )
    config_path = tmp_path / "feeds.toml"
    config_path.write_text('[[local]]\npath = "articles"\ncategory = "Mine"\n')
    report = run(load_config(config_path), cache)
    assert report.local.new == 1 and report.ok
    [row] = cache.list_articles()
    assert row.categories == ("Mine",)


def test_the_real_corpus_feeds_parse_when_served(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    feeds = corpus_feeds()
    if not feeds:
        pytest.skip("shared corpus not available")
    for path in feeds:
        server.routes[f"/{path.name}"] = static(path.read_bytes())
    report = run(config_for(tmp_path, server, *(path.name for path in feeds)), cache)
    failed = [(r.url, r.error) for r in report.feeds if r.status is not FeedStatus.UPDATED]
    assert failed == []
    assert article_count(cache) > 300


def test_pool_parsing_gives_the_same_result(tmp_path: Path, server: LoopbackServer) -> None:
    server.routes["/feed.xml"] = static(FEED)
    config = config_for(tmp_path, server, "feed.xml")
    titles = []
    for workers, name in ((0, "inline"), (2, "pool")):
        with Cache(tmp_path / f"{name}.sqlite3") as cache:
            refresh(config, cache, parse_workers=workers)
            titles.append(sorted(r.title for r in cache.list_articles()))
    assert titles[0] == titles[1] == ["Bridge Repairs Finish", "Library Opens Sundays"]


def test_full_text_fetches_the_page_of_summary_only_items(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    from newsreader.reading import open_article

    page_paragraphs = [
        f"Paragraph {n} of the whole story, long enough to count as article text for the extractor."
        for n in range(1, 6)
    ]
    server.routes["/story.html"] = static(article_page("Whole Story", page_paragraphs), "text/html")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
        f"<item><guid>t1</guid><title>Whole Story</title><link>{server.url('story.html')}</link>"
        "<description>Just a teaser.</description></item></channel></rss>"
    ).encode()
    server.routes["/teasers.xml"] = static(feed)
    path = write_config(tmp_path / "feeds.toml", [server.url("teasers.xml")])
    path.write_text(path.read_text().replace('category = "Test/Loopback"', "full_text = true"))
    report = run(load_config(path), cache)
    assert report.ok
    [row] = cache.list_articles()
    opened = open_article(cache, row.id)
    assert opened is not None
    assert opened.article.paragraphs == page_paragraphs
    assert [r.id for r in cache.search("extractor")] == [row.id]
    again = run(load_config(path), cache)
    assert again.feeds[0].status is FeedStatus.UNCHANGED
    assert len(server.requests_to("/story.html")) == 1


def test_a_stop_from_another_thread_ends_the_refresh_and_keeps_what_was_stored(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    """The reader quitting: a feed on a silent server must not keep it alive for the
    whole timeout; what was already stored stays, and nothing else is started."""
    server.routes["/quick.xml"] = static(FEED)
    server.routes["/silent.xml"] = lambda _r: Reply(200, FEED, drip=0.5, drip_limit=400)
    local = tmp_path / "local"
    local.mkdir()
    (local / "note.md").write_text("# Local Note\n\nA note imported from a folder.\n")
    config_path = write_config(
        tmp_path / "feeds.toml",
        [server.url("quick.xml"), server.url("silent.xml")],
        "timeout = 120",
    )
    config_path.write_text(
        config_path.read_text() + f'\n[[local]]\npath = "{local}"\n', encoding="utf-8"
    )
    stop = threading.Event()

    def stop_after_the_quick_one(result: FeedResult, done: int, total: int) -> None:
        if result.url.endswith("quick.xml"):
            stop.set()

    started = time.monotonic()
    report = run(load_config(config_path), cache, progress=stop_after_the_quick_one, stop=stop)
    assert time.monotonic() - started < 30  # not the 120 s timeout, nor the 200 s drip
    assert [result.url for result in report.feeds] == [server.url("quick.xml")]
    assert {s.title for s in cache.list_articles()} == {
        "Bridge Repairs Finish",
        "Library Opens Sundays",
    }  # and not the local note: the local sources wait for the next refresh
