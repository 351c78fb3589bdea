"""The extraction benchmark runs on the corpus and its hand labels still match their lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers.benchmarks import EXTRACTION, extraction_figures


def test_the_benchmark_scores_both_sets(corpus: Path) -> None:
    figures = extraction_figures("run.py", corpus)
    assert set(figures) == {"pages-fit", "pages-held", "articles"}
    # Every hand label still names its line (a stale label stops the run), and the
    # figures are those of a working extractor, not of one that finds nothing.
    assert figures["articles"]["documents"] == 42
    assert figures["articles"]["heading precision"] >= 0.85
    assert figures["articles"]["lines lost"] == 0
    assert figures["pages-held"]["titles right"] >= 0.9


def test_the_shipped_heading_model_is_what_the_training_script_fits(corpus: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(EXTRACTION / "train_headings.py"),
            "--corpus",
            str(corpus),
            "--verify",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "is this fit" in result.stdout
