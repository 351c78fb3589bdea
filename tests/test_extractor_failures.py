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
from newsreader.importer import import_paths
from newsreader.store import Store
from tests.conftest import ARTICLES, CliRunner

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
    monkeypatch.setattr(refresh_module, "extract_web_page", _raise_import_error)


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
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch, broken_extractor: None
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(HTML, folder)
    shutil.copy(TEXT, folder)
    monkeypatch.setattr(importer, "POOL_THRESHOLD", 1)
    report = import_paths(store, [folder], workers=2)
    assert report.failures == [(folder / HTML.name, REASON)]
    assert report.new == 1
    assert [row.title for row in store.list_articles()] == [TEXT_TITLE]
