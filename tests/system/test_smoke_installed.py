"""The smoke test CI runs against a fresh install, here against this environment's command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import TESTS
from tests.smoke_installed import FILES, expected_titles, installed_command, smoke


def test_the_smoke_test_covers_every_kind_of_file() -> None:
    from newsreader.extract import FEED_SUFFIXES, HTML_SUFFIXES, MARKDOWN_SUFFIXES, TEXT_SUFFIXES

    for kind in (TEXT_SUFFIXES, MARKDOWN_SUFFIXES, HTML_SUFFIXES, FEED_SUFFIXES):
        assert any(path.suffix in kind for path in FILES), kind
    assert all(path.exists() and expected_titles(path) for path in FILES)


def test_the_installed_command_imports_lists_and_shows_every_kind() -> None:
    command = installed_command()
    assert command == Path(str(shutil.which("newsreader", path=str(command.parent))))
    assert smoke(command) == []


def test_the_smoke_test_fails_when_the_command_does(tmp_path: Path) -> None:
    broken = tmp_path / "newsreader"
    broken.write_text(f"#!{sys.executable}\nraise ImportError('no module named lxml')\n")
    broken.chmod(0o755)
    problems = smoke(broken)
    assert problems and all("printed a traceback" in problem for problem in problems[:4])


def test_the_script_runs_on_its_own() -> None:
    script = TESTS / "smoke_installed.py"
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "imported, listed, shown" in done.stdout
