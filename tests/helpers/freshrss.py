"""A real FreshRSS on loopback for the sync tests (``../shared/servers/freshrss``).

One server per test session (PHP's built-in web server over FreshRSS with SQLite),
one fresh user per test, so tests never see each other's subscriptions. The
tests skip when PHP or the shared server is absent.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsreader.config import AccountConfig
from newsreader.sync.greader import GReaderClient
from tests.helpers.paths import ROOT

FRESHRSS = ROOT.parent / "shared" / "servers" / "freshrss"
START_SECONDS = 120.0
_users = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class FreshRSS:
    """A running FreshRSS: its work folder, API address and process."""

    work: Path
    api: str
    process: subprocess.Popen[str]

    @property
    def app(self) -> Path:
        return self.work / "freshrss"

    def php(self, script: str, *args: str, check: bool = True) -> str:
        """Run one of FreshRSS's command-line scripts; what it printed."""
        done = subprocess.run(
            ["php", str(self.app / "cli" / script), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{script} failed: {done.stdout} {done.stderr}")
        return done.stdout + done.stderr

    def new_user(self) -> ServerUser:
        """A user of its own for one test."""
        name = f"user{os.getpid()}x{next(_users)}"
        password = f"{name}-api-pass"
        self.php(
            "create-user.php",
            f"--user={name}",
            f"--password={name}-web-pass",
            f"--api-password={password}",
            "--feed-ttl-default=1",
        )
        return ServerUser(self, name, password)


@dataclass
class ServerUser:
    """A user of the server: the account newsreader syncs, and the test's own hand on it."""

    server: FreshRSS
    name: str
    password: str

    def account(self, name: str = "home", env: str = "NEWSREADER_TEST_PASSWORD") -> AccountConfig:
        """The ``[[accounts]]`` entry of this user (the password in ``env``)."""
        return AccountConfig(name, "greader", self.server.api, self.name, password_env=env)

    def toml(self, name: str = "home", env: str = "NEWSREADER_TEST_PASSWORD") -> str:
        return (
            f'[[accounts]]\nname = "{name}"\ntype = "greader"\nurl = "{self.server.api}"\n'
            f'user = "{self.name}"\npassword_env = "{env}"\n'
        )

    def client(self) -> GReaderClient:
        """An API client of the test's own (another device, as far as newsreader knows)."""
        return GReaderClient(self.server.api, self.name, lambda: self.password)

    def subscribe(self, url: str, label: str | None = None) -> str:
        client = self.client()
        stream = client.quickadd(url)
        if label:
            client.edit_subscription(stream, "edit", add_label=label)
        return stream

    def actualize(self, deadline_seconds: float = 30.0) -> str:
        """Make the server fetch this user's feeds now, until it finds new articles.

        FreshRSS passes over a feed fetched within its time to live (a second here),
        so a feed subscribed a moment ago is fetched again on a later try.
        """
        deadline = time.monotonic() + deadline_seconds
        while True:
            for cached in (self.server.app / "data" / "cache").glob("*.spc"):
                cached.unlink(missing_ok=True)
            said = self.server.php("actualize-user.php", f"--user={self.name}", check=False)
            found = re.search(r"\((\d+) new articles\)", said)
            if found and int(found.group(1)) > 0:
                return said
            if time.monotonic() > deadline:
                raise AssertionError(f"FreshRSS found no new articles: {said}")
            time.sleep(0.2)


def start_freshrss(work: Path) -> FreshRSS:
    """Start FreshRSS in ``work`` on a free port; skip the test when it cannot run."""
    if shutil.which("php") is None:
        pytest.skip("PHP is not installed (the sync tests need it for FreshRSS)")
    serve = FRESHRSS / "serve.sh"
    if not serve.is_file():
        pytest.skip("the shared FreshRSS server is not available")
    port = _free_port()
    process = subprocess.Popen(
        ["bash", str(serve), str(work), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_SECONDS
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("READY "):
            break
        if not line and process.poll() is not None:
            raise AssertionError(f"FreshRSS did not start: {line}")
    else:
        stop_freshrss(process)
        raise AssertionError("FreshRSS did not start in time")
    api = line.split()[1]
    _wait_for_port(port, deadline)
    return FreshRSS(work, api, process)


def _wait_for_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError("FreshRSS's port never opened")


def stop_freshrss(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def freshrss_session(work: Path) -> Iterator[FreshRSS]:
    """The session fixture's body: the server, stopped at the end."""
    server = start_freshrss(work)
    try:
        yield server
    finally:
        stop_freshrss(server.process)
