"""The core never imports Textual (nor the UI package), and loads rich only to render."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest

from tests.helpers.paths import ROOT

PYPROJECT = ROOT / "pyproject.toml"


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
RICH_FREE_MODULES = [name for name in CORE_MODULES if name != "newsreader.render"]
"""What loads no rich module: the core, and the command line until it prints."""


def _loaded(module: str, *roots: str) -> list[str]:
    """The modules under these roots that importing ``module`` loads, in a fresh interpreter."""
    code = (
        f"import sys, {module}; "
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {roots!r} "
        "or m.startswith('newsreader.ui')); print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return [name for name in result.stdout.strip().split(",") if name]


def test_the_core_is_all_there() -> None:
    assert {"newsreader.cache", "newsreader.refresh", "newsreader.cli", "newsreader.tree"} <= set(
        CORE_MODULES
    )


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    assert _loaded(module, "textual") == []


@pytest.mark.parametrize("module", RICH_FREE_MODULES)
def test_core_module_does_not_load_rich(module: str) -> None:
    assert _loaded(module, "rich") == []


def _matched(expressions: list[str], modules: list[str]) -> set[str]:
    """The modules import-linter's expressions name (``pkg.**``: every module under pkg)."""
    return {
        module
        for module in modules
        for expression in expressions
        if module == expression
        or (expression.endswith(".**") and module.startswith(expression[:-2]))
    }


def test_the_import_contract_covers_the_whole_core() -> None:
    """lint-imports checks every rich-free module: none added since escapes the contract."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    core = next(c for c in config["contracts"] if "rich" in c["forbidden_modules"])
    expected = {
        name
        for name in RICH_FREE_MODULES
        if name != "newsreader.cli" and not name.startswith("newsreader.cli.")
    }
    assert _matched(core["source_modules"], CORE_MODULES) == expected


def test_the_reader_starts_without_the_fetching_and_parsing_libraries() -> None:
    """The HTTP client and the parsers load when the first feed is fetched or a page
    extracted, not at launch (aiohttp alone is about a tenth of a second)."""
    code = (
        "import sys, newsreader.cli, newsreader.ui.app; "
        "print(','.join(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'aiohttp', 'feedparser', 'trafilatura', 'lxml'})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
