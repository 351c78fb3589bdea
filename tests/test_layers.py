"""The core never imports Textual (nor the UI package)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = [
    "newsreader",
    "newsreader.model",
    "newsreader.sanitize",
    "newsreader.textnorm",
    "newsreader.paths",
    "newsreader.store",
    "newsreader.links",
    "newsreader.importer",
    "newsreader.render",
    "newsreader.extract",
    "newsreader.extract.decode",
    "newsreader.extract.plaintext",
    "newsreader.extract.htmlbody",
    "newsreader.extract.markdown",
    "newsreader.extract.feed",
    "newsreader.extract.webpage",
    "newsreader.cli",
]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' "
        "or m.startswith('newsreader.ui')); print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
