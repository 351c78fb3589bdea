"""The web page benchmark runs on the corpus and scores a working extractor."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.benchmarks import extraction_figures


def test_the_html_benchmark_scores_both_folders(corpus: Path) -> None:
    figures = extraction_figures("html_run.py", corpus)
    assert set(figures) == {"pages", "html"}
    for name in ("pages", "html"):
        assert figures[name]["pages failed"] == 0
        assert figures[name]["text recall"] >= 0.95
        assert figures[name]["decorative figures"] == 0
        assert figures[name]["chrome paragraphs"] == 0
        assert figures[name]["title repeated as a heading"] <= 1
        assert figures[name]["standfirsts kept"] >= 0.95
    assert figures["pages"]["pages"] == 68
    assert figures["pages"]["caption recall"] >= 0.45
    assert figures["pages"]["credits kept"] >= 0.9
    assert figures["pages"]["bylines right"] >= 0.7
