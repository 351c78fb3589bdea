"""The web page benchmark runs on the corpus and scores a working extractor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import ROOT

BENCHMARK = ROOT / "benchmarks" / "extraction" / "html_run.py"


def test_the_html_benchmark_scores_both_folders(corpus: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--corpus", str(corpus), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
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
