"""The canonical example article extracts exactly as specified."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsreader.extract import extract_file
from newsreader.model import LinkKind
from tests.helpers.paths import SEED


@pytest.fixture
def seed() -> Path:
    if not SEED.exists():
        pytest.skip("shared corpus not available")
    return SEED


def test_seed_title_and_categories(seed: Path) -> None:
    [article] = extract_file(seed)
    assert (
        article.title == "China & Russia’s Relationship Grows Stronger as Wang Yi Meets with Putin"
    )
    assert article.categories == ("Updates", "Politics")


def test_seed_sections(seed: Path) -> None:
    [article] = extract_file(seed)
    assert [(s.heading, len(s.paragraphs)) for s in article.sections] == [
        (None, 1),
        ("Sign of Deepening Ties - Wang Yi and Putin Discuss China-Russia Cooperation", 2),
        ("Putin Highlights the Importance of China-Russia Cooperation amidst Global Tensions", 3),
        ("China and Russia Affirm their Commitment to strengthening Bilateral Ties", 3),
        ("U.N. Secretary-General Condemns Russia’s Invasion of Ukraine", 3),
    ]
    assert article.sections[0].paragraphs[0].startswith("The close ties")
    assert len(article.paragraphs) == 12


def test_seed_loses_and_merges_no_paragraph(seed: Path) -> None:
    [article] = extract_file(seed)
    text = seed.read_text(encoding="utf-8")
    body_lines = [line.strip() for line in text.splitlines() if len(line.strip()) > 150]
    # Every long line of the file is exactly one paragraph (line 1 is breadcrumb + title).
    assert sorted(article.paragraphs) == sorted(body_lines)


def test_seed_figure_is_one_caption_with_its_credit(seed: Path) -> None:
    [article] = extract_file(seed)
    assert [(f.caption, f.credit) for f in article.figures] == [
        ("Wang Yi’s Meeting with Putin Highlights Strong China-Russia Ties", "Source: Web")
    ]
    headings = [s.heading for s in article.sections]
    assert not any(h and "Meeting with Putin Highlights" in h for h in headings)


def test_seed_read_also_link(seed: Path) -> None:
    [article] = extract_file(seed)
    assert [(link.kind, link.text) for link in article.links] == [
        (LinkKind.READ_ALSO, "Russian Offensive in Ukraine Prompts Logistics Race for NATO")
    ]
