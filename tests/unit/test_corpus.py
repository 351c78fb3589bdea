"""Sweep over the shared corpus of real articles, feeds and pages (skipped when absent)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.extract import extract_file
from newsreader.importer import import_paths
from tests.helpers.paths import CORPUS


def test_every_corpus_file_imports(corpus: Path, cache: Cache) -> None:
    roots = [corpus / "seed", corpus / "articles", corpus / "feeds"]
    report = import_paths(cache, roots)
    assert report.failures == []
    text_files = list((corpus / "articles").rglob("*.txt"))
    assert len(text_files) >= 40
    assert report.new + report.duplicate + report.updated >= len(text_files) + 33


def test_bbc_files_take_line_one_as_title_and_folder_as_category(
    corpus: Path, cache: Cache
) -> None:
    import_paths(cache, [corpus / "articles"])
    bbc = sorted((corpus / "articles").rglob("bbc-*.txt"))
    assert bbc
    titles = {}
    for row in cache.list_articles(limit=1000):
        stored = cache.get_article(row.id)
        assert stored is not None
        titles[Path(stored.article.source).name] = (row.title, row.categories)
    for path in bbc:
        first_line = path.read_bytes().decode("cp1252").splitlines()[0].strip()
        title, categories = titles[path.name]
        assert title == first_line, path.name
        assert categories == (path.parent.name,), path.name


def test_no_corpus_article_loses_its_text(corpus: Path) -> None:
    """Every long body line of every article ends up in a paragraph, a figure or a link.

    A picture widget's label ("View full size image") is furniture, and goes.
    """
    for path in sorted((corpus / "articles").rglob("*.txt")):
        [article] = extract_file(path)
        kept = " ".join(
            [
                *article.paragraphs,
                *(f"{f.credit} {f.caption}" if f.credit else f.caption for f in article.figures),
                *(link.text for link in article.links),
            ]
        )
        squashed = re.sub(r"\s+", " ", kept)
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        for line in text.splitlines():
            line = re.sub(r"\s+", " ", line.replace("View full size image", "")).strip()
            if len(line) > 200 and line.isprintable():
                assert line[:150] in squashed, (path.name, line[:80])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def handle_data(self, data: str) -> None:
        self.words.extend(data.split())


def _words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return set(parser.words)


def _html_cases() -> list[str]:
    root = CORPUS / "html"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


@pytest.mark.parametrize("name", _html_cases())
def test_web_pages_extract_the_article_not_the_navigation(corpus: Path, name: str) -> None:
    folder = corpus / "html" / name
    [article] = extract_file(folder / "source.html")
    expected_words = _words((folder / "expected.html").read_text(encoding="utf-8"))
    got = " ".join([*(s.heading or "" for s in article.sections), *article.paragraphs])
    got_words = set(got.split())
    recall = len(expected_words & got_words) / len(expected_words)
    precision = len(expected_words & got_words) / len(got_words)
    assert recall >= 0.85, recall
    assert precision >= 0.95, precision
    metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    # The page's own title (og:title or <title>); sites word the two differently.
    expected_title = set(metadata["title"].casefold().split())
    assert len(expected_title & set(article.title.casefold().split())) >= 0.6 * len(expected_title)
