"""Running a benchmark script of ``benchmarks/extraction`` on the corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers.paths import ROOT

EXTRACTION = ROOT / "benchmarks" / "extraction"


def extraction_figures(script: str, corpus: Path) -> dict[str, Any]:
    """The figures ``script --json`` prints (it must exit 0 within 5 minutes)."""
    result = subprocess.run(
        [sys.executable, str(EXTRACTION / script), "--corpus", str(corpus), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures
