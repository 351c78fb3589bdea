"""Every fixture article extracts to exactly what its sidecar ``.expected.json`` says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsreader.extract import extract_file
from newsreader.model import body_to_json
from tests.helpers.paths import ARTICLES

FIXTURE_FILES = sorted(
    path for path in ARTICLES.rglob("*") if path.is_file() and not path.name.endswith(".json")
)


def _as_json(path: Path) -> list[dict[str, object]]:
    return [
        {
            "title": article.title,
            "categories": list(article.categories),
            "url": article.url,
            "author": article.author,
            "published": article.published.isoformat() if article.published else None,
            **body_to_json(article),
        }
        for article in extract_file(path)
    ]


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_fixture_matches_its_expected_result(path: Path) -> None:
    expected = json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))
    assert _as_json(path) == expected


def test_every_fixture_has_an_expected_result() -> None:
    assert len(FIXTURE_FILES) >= 7
    for path in FIXTURE_FILES:
        assert Path(f"{path}.expected.json").exists(), path
