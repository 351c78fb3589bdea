"""Shared fixtures: throwaway caches, the shared corpus, the CLI, a loopback server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from newsreader.cache import Cache
from tests.helpers.cli import CliRunner
from tests.helpers.freshrss import FreshRSS, ServerUser, freshrss_session
from tests.helpers.paths import CORPUS
from tests.loopback import LoopbackServer

# Property tests are derandomized so that a failure reproduces (and prints the blob
# to replay it); HYPOTHESIS_PROFILE=explore searches new random examples instead.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    """A fresh cache in a temporary folder.

    It takes the name of pytest's own ``cache`` fixture (state kept between runs),
    which no test here uses: in this project the cache is newsreader's.
    """
    with Cache(tmp_path / "cache.sqlite3") as opened:
        yield opened


@pytest.fixture
def corpus() -> Path:
    """The shared corpus; tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    return CORPUS


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


@pytest.fixture(scope="session")
def freshrss(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshRSS]:
    """A real FreshRSS on loopback for the whole session (skipped without PHP)."""
    yield from freshrss_session(tmp_path_factory.mktemp("freshrss"))


@pytest.fixture
def freshrss_user(freshrss: FreshRSS) -> ServerUser:
    """A new user of the session's FreshRSS, for one test."""
    return freshrss.new_user()
