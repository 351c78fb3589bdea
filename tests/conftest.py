"""Shared fixtures: throwaway caches, fixture files, the shared corpus, the CLI."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsreader.cli import main
from newsreader.store import Store
from tests.loopback import LoopbackServer

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
ARTICLES = FIXTURES / "articles"
BAD = FIXTURES / "bad"
CORPUS = TESTS.parent.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "china-russia-wang-yi-putin.txt"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh cache in a temporary folder."""
    with Store(tmp_path / "cache.sqlite3") as opened:
        yield opened


@pytest.fixture
def corpus() -> Path:
    """The shared corpus; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    return CORPUS


@dataclass
class CliResult:
    code: int
    out: str
    err: str


class CliRunner:
    """Runs the command line in-process and captures what it prints."""

    def __init__(self, capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
        self._capsys = capsys
        self.data_dir = data_dir

    def __call__(self, *args: str) -> CliResult:
        self._capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        captured = self._capsys.readouterr()
        return CliResult(code, captured.out, captured.err)


@pytest.fixture
def cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> CliRunner:
    """The command line against a temporary config and data dir (never the user's)."""
    for name in list(os.environ):
        if name.startswith("NEWSREADER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSREADER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSREADER_CONFIG", str(tmp_path / "feeds.toml"))
    return CliRunner(capsys, tmp_path / "data")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A real HTTP server on 127.0.0.1, stopped after the test."""
    loopback = LoopbackServer()
    loopback.start()
    try:
        yield loopback
    finally:
        loopback.stop()


def write_config(path: Path, feeds: list[str], settings: str = "", extra: str = "") -> Path:
    """Write a feeds.toml with these feed URLs (and optional settings lines)."""
    lines = ["[settings]", settings or "timeout = 3", ""]
    for url in feeds:
        lines += ["[[feeds]]", f'url = "{url}"', 'category = "Test/Loopback"', ""]
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path
