"""An extractor that raises something unexpected fails one file or page, never the run.

The stand-in raises ImportError, as trafilatura does when one of its own
dependencies is missing; any other exception takes the same path.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest

import newsreader.extract.webpage as webpage
import newsreader.importer as importer
import newsreader.refresh as refresh_module
from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.importer import import_paths
from newsreader.reading import open_article
from newsreader.refresh import FeedStatus, refresh
from newsreader.ui.app import NewsReaderApp
from tests.helpers.cli import CliRunner
from tests.helpers.config import write_config
from tests.helpers.paths import ARTICLES
from tests.helpers.reader import make_app, open_titled, shown_title, until
from tests.loopback import LoopbackServer, article_page, static

HTML = ARTICLES / "tech" / "museum-page.html"
TEXT = ARTICLES / "world" / "tram-line.txt"
TEXT_TITLE = "Tram Line Extension Opens to the Northern Suburbs"
MISSING = "No module named 'lxml_html_clean'"
REASON = f"cannot extract: ImportError: {MISSING}"


def _raise_import_error(*_args: object, **_kwargs: object) -> None:
    raise ImportError(MISSING)


@pytest.fixture
def broken_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Web page extraction raises ImportError wherever it is called from."""
    monkeypatch.setattr(webpage, "extract_web_page", _raise_import_error)


def test_import_names_the_file_and_goes_on(
    cli: CliRunner, tmp_path: Path, broken_extractor: None
) -> None:
    result = cli("import", str(HTML), str(TEXT))
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert result.err.strip() == f"newsreader: {HTML.resolve()}: {REASON}"
    assert result.out.startswith("1 new,") and result.out.rstrip().endswith("1 failed")
    listed = cli("list", "--json").out
    assert TEXT_TITLE in listed and "Museum" not in listed


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the stand-in reaches pool workers only when they are forked",
)
def test_import_through_the_process_pool_names_the_file_and_goes_on(
    tmp_path: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch, broken_extractor: None
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(HTML, folder)
    shutil.copy(TEXT, folder)
    monkeypatch.setattr(importer, "POOL_THRESHOLD", 1)
    report = import_paths(cache, [folder], workers=2)
    assert report.failures == [(folder / HTML.name, REASON)]
    assert report.new == 1
    assert [row.title for row in cache.list_articles()] == [TEXT_TITLE]


TEASER = "Just a teaser."


@pytest.mark.parametrize(
    ("broken", "workers"),
    [("extract_web_page", 0), ("extract_web_page", 2), ("_page_job", 0)],
    ids=["extractor-in-process", "extractor-in-pool", "page-job-in-process"],
)
def test_full_text_that_cannot_be_extracted_keeps_the_summary(
    tmp_path: Path,
    server: LoopbackServer,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
    workers: int,
) -> None:
    # The extractor is replaced where it is defined (refresh and pages call it through
    # its module); the page job where refresh defines it.
    monkeypatch.setattr(
        webpage if broken == "extract_web_page" else refresh_module, broken, _raise_import_error
    )
    paragraphs = [f"Paragraph {n} of the whole story, long enough to be text." for n in range(5)]
    server.routes["/story.html"] = static(article_page("Whole Story", paragraphs), "text/html")
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>'
        f"<item><guid>t1</guid><title>Whole Story</title><link>{server.url('story.html')}</link>"
        f"<description>{TEASER}</description></item></channel></rss>"
    ).encode()
    server.routes["/teasers.xml"] = static(feed)
    path = write_config(tmp_path / "feeds.toml", [server.url("teasers.xml")])
    path.write_text(path.read_text().replace('category = "Test/Loopback"', "full_text = true"))
    report = refresh(load_config(path), cache, parse_workers=workers)
    assert report.ok, [(feed.url, feed.error) for feed in report.feeds]
    assert report.feeds[0].status is FeedStatus.UPDATED
    assert len(server.requests_to("/story.html")) == 1  # the page was fetched, then failed
    [row] = cache.list_articles()
    opened = open_article(cache, row.id)
    assert opened is not None and opened.article.paragraphs == [TEASER]


async def test_the_reader_says_why_a_page_could_not_be_extracted(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraphs = [f"Paragraph {n} of a page no feed carried, long enough." for n in range(4)]
    server.routes["/page.html"] = static(article_page("A Page", paragraphs), "text/html")
    app: NewsReaderApp = make_app(tmp_path)
    (tmp_path / "linker.md").write_text(f"# Linker\n\nSee [the page]({server.url('page.html')}).\n")
    with Cache(app.locations.cache_file) as cache:
        import_paths(cache, [tmp_path / "linker.md"], workers=0)
    monkeypatch.setattr(webpage, "extract_web_page", _raise_import_error)

    def status() -> str:
        return str(app.query_one("#status-text").render())

    def warnings() -> list[str]:
        return [n.message for n in app._notifications if n.severity == "warning"]

    async with app.run_test(size=(120, 40)) as pilot:
        app.main_screen.article_list.load(app.main_screen.article_list.list_query)
        await open_titled(app, pilot, "Linker")
        await pilot.press("1")
        assert await until(pilot, lambda: any(MISSING in m for m in warnings())), (
            status(),
            warnings(),
        )
        assert "Fetching" not in status()
        [warning] = [m for m in warnings() if MISSING in m]
        assert warning == f"Cannot open {server.url('page.html')}: ImportError: {MISSING}"
        assert shown_title(app) == "Linker"
        assert len(server.requests_to("/page.html")) == 1
