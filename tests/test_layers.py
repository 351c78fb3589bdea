"""The core never imports Textual (nor the UI package)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _core_modules() -> list[str]:
    """Every module of the package outside ``newsreader.ui``."""
    import pkgutil

    import newsreader

    names = ["newsreader"]
    for module in pkgutil.walk_packages(newsreader.__path__, "newsreader."):
        if not module.name.startswith("newsreader.ui") and module.name != "newsreader.__main__":
            names.append(module.name)
    return sorted(names)


CORE_MODULES = _core_modules()


def test_the_core_is_all_there() -> None:
    assert {"newsreader.store", "newsreader.refresh", "newsreader.cli", "newsreader.tree"} <= set(
        CORE_MODULES
    )


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
