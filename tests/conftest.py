"""Shared fixtures: throwaway caches, fixture files, the shared corpus, the CLI."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from newsreader.cli import main
from newsreader.store import Store
from tests.loopback import LoopbackServer

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
ARTICLES = FIXTURES / "articles"
BAD = FIXTURES / "bad"
CORPUS = TESTS.parent.parent / "shared" / "corpus"
SEED = CORPUS / "seed" / "china-russia-wang-yi-putin.txt"

# Property tests are derandomized so that a failure reproduces (and prints the blob
# to replay it); HYPOTHESIS_PROFILE=explore searches new random examples instead.
settings.register_profile("default", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def corpus_feeds() -> list[Path]:
    """The corpus's feed files in the formats newsreader reads (none without the corpus)."""
    from newsreader.extract import FEED_SUFFIXES

    if not CORPUS.is_dir():
        return []
    return sorted(p for p in (CORPUS / "feeds").iterdir() if p.suffix.lower() in FEED_SUFFIXES)


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


def newsreader_env(data_dir: Path, config: Path) -> dict[str, str]:
    """This process's environment for a child ``newsreader`` on this data dir and config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSREADER_")}
    return env | {"NEWSREADER_DATA_DIR": str(data_dir), "NEWSREADER_CONFIG": str(config)}


def run_newsreader(
    *args: str,
    data_dir: Path,
    config: Path,
    timeout: float = 120,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``newsreader`` in a child process (for limits, signals and other users)."""
    return subprocess.run(
        [sys.executable, "-m", "newsreader", *args],
        capture_output=True,
        text=True,
        env=newsreader_env(data_dir, config),
        timeout=timeout,
        preexec_fn=preexec,
        check=False,
    )


_LAUNCHER = """\
import os, resource, signal, sys
report, limit, deadline, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
pid = os.fork()
if pid == 0:
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.alarm(deadline)  # kept across exec: a hang ends
    os.execv(sys.executable, [sys.executable, "-m", "newsreader", *args])
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""
"""Runs ``newsreader ARGS`` from a small process, and writes its exit code and peak RSS.

Linux counts in a process's peak RSS the memory of the process it was exec'ed
from, so a child started from pytest itself would report pytest's size."""


def measured_newsreader(
    *args: str,
    data_dir: Path,
    config: Path,
    deadline: float = 30.0,
    address_space: int = 0,
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """``newsreader ARGS`` in a child: its result, wall seconds and its own peak RSS in MiB.

    The child is ended after ``deadline`` seconds (it hung), and its address space
    is limited to ``address_space`` bytes when that is given, so that an endless
    read fails in the child rather than on the machine.
    """
    report = data_dir.parent / f"{data_dir.name}.measured"
    started = time.monotonic()
    launched = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(report), str(address_space), str(int(deadline)),
         *args],
        capture_output=True,
        text=True,
        env=newsreader_env(data_dir, config),
        timeout=deadline * 2,
        check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    code, peak_kib = map(int, report.read_text().split())
    result = subprocess.CompletedProcess(list(args), code, launched.stdout, launched.stderr)
    return result, seconds, peak_kib / 1024


_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE = 1
_CAP_DAC_READ_SEARCH = 2


def as_unprivileged() -> None:
    """preexec_fn: make permission bits count even for root.

    Root ignores them through two capabilities; dropping those from the bounding
    set before exec leaves the child root in name only, as bound by modes as
    any user (and still the owner of root's files, so Python itself runs).
    """
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def permission_bits_apply(scratch: Path) -> bool:
    """Whether a child run with :func:`as_unprivileged` is bound by file modes here."""
    locked = scratch / "locked-probe"
    locked.mkdir(mode=0o555)
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(locked / 'x')!r}, 'w')"],
            capture_output=True,
            text=True,
            preexec_fn=as_unprivileged,
            check=False,
        )
    finally:
        (locked / "x").unlink(missing_ok=True)
        locked.rmdir()
    return probe.returncode != 0 and "PermissionError" in probe.stderr
