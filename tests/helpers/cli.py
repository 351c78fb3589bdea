"""The command line, run in-process or in a child process, as a test drives it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsreader.cli import main


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
