"""The sync commands as a user runs them: config errors, sync, accounts, refresh, add and
remove through an account, secrets kept, and a SIGKILL in the middle of a sync."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.config import AccountConfig, ConfigError, parse_config
from newsreader.sync.credentials import plain_http_warning
from tests.helpers.cli import CliRunner, newsreader_env
from tests.helpers.freshrss import ServerUser
from tests.helpers.proxy import Fault, FaultProxy
from tests.loopback import LoopbackServer, Reply, rss

PASSWORD_ENV = "NEWSREADER_TEST_PASSWORD"


def _feed(server: LoopbackServer, path: str, title: str, count: int) -> str:
    items = [
        (f"{path}-{n}", f"{title} story {n}", f"<p>{title} body {n}.</p>") for n in range(count)
    ]
    body = rss(title, items)
    server.routes[path] = lambda _request: Reply(200, body, {"Content-Type": "application/rss+xml"})
    return server.url(path)


@pytest.fixture
def user(freshrss_user: ServerUser, monkeypatch: pytest.MonkeyPatch) -> ServerUser:
    monkeypatch.setenv(PASSWORD_ENV, freshrss_user.password)
    return freshrss_user


# -- config ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "line", "key", "says"),
    [
        ('name = "home"\ntype = "greader"\nurl = "https://rss.example.net/api/greader.php"\n'
         'password_env = "P"', 1, "user", "needs a user"),
        ('name = "home"\ntype = "fever"\nurl = "https://rss.example.net/"\nuser = "u"\n'
         'password_env = "P"', 3, "type", "must be one of 'greader'"),
        ('name = "home"\ntype = "greader"\nurl = "ftp://rss.example.net/"\nuser = "u"\n'
         'password_env = "P"', 4, "url", "url"),
        ('name = "home"\ntype = "greader"\nurl = "https://u:hunter2@rss.example.net/"\n'
         'user = "u"\npassword_env = "P"', 4, "url", "must not hold a password"),
        ('name = "home"\ntype = "greader"\nurl = "https://rss.example.net/"\nuser = "u"\n'
         'password_env = "P"\npassword_command = "pass show rss"', 6, "password_env", "one of"),
        ('name = "home"\ntype = "greader"\nurl = "https://rss.example.net/"\nuser = "u"',
         1, None, "needs one of password_env"),
        ('name = "home"\ntype = "greader"\nurl = "https://rss.example.net/"\nuser = "u"\n'
         'password_env = "not a name"', 6, "password_env", "environment variable"),
        ('name = "a/b"\ntype = "greader"\nurl = "https://rss.example.net/"\nuser = "u"\n'
         'password_env = "P"', 2, "name", "without '/'"),
    ],
    ids=["no-user", "type", "scheme", "password-in-url", "two-passwords", "no-password",
         "env-name", "slash"],
)  # fmt: skip
def test_a_bad_account_names_file_line_and_key(
    entry: str, line: int, key: str | None, says: str
) -> None:
    text = "[[accounts]]\n" + entry + "\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("feeds.toml"))
    message = str(raised.value)
    assert says in message, message
    assert f"feeds.toml:{line}" in message, message
    if key:
        assert key in message
    assert "hunter2" not in message


def test_two_accounts_of_one_name_are_refused() -> None:
    one = '[[accounts]]\nname = "Home"\ntype = "greader"\nurl = "https://a.example/"\nuser = "u"\npassword_env = "P"\n'
    with pytest.raises(ConfigError, match=r"feeds.toml:8: duplicate account name .home."):
        parse_config(one + one.replace("Home", "home"), Path("feeds.toml"))


def test_accounts_and_feeds_live_side_by_side() -> None:
    config = parse_config(
        '[[feeds]]\nurl = "https://example.org/feed"\n\n[[accounts]]\nname = "home"\n'
        'type = "greader"\nurl = "https://rss.example.net/api/greader.php"\nuser = "reader"\n'
        'password_command = "pass show rss/home"\n',
        Path("feeds.toml"),
    )
    assert len(config.feeds) == 1
    (account,) = config.accounts
    assert account.password_command == "pass show rss/home" and account.password_env is None
    assert account.place("user") == "feeds.toml:8: user"


def test_plain_http_to_another_host_is_warned_of() -> None:
    def account(url: str) -> AccountConfig:
        return AccountConfig("home", "greader", url, "u", password_env="P", where={"url": "f:3"})

    assert plain_http_warning(account("https://rss.example.net/")) is None
    assert plain_http_warning(account("http://127.0.0.1:8080/api")) is None
    assert plain_http_warning(account("http://localhost/api")) is None
    warning = plain_http_warning(account("http://rss.example.net/api"))
    assert warning is not None and warning.startswith("f:3: url") and "unencrypted" in warning


# -- the commands ---------------------------------------------------------------------


def _config(cli: CliRunner, text: str) -> Path:
    path = Path(os.environ["NEWSREADER_CONFIG"])
    path.write_text(text)
    return path


def test_sync_without_accounts_says_how(cli: CliRunner) -> None:
    _config(cli, '[[feeds]]\nurl = "https://example.org/feed"\n')
    result = cli("sync")
    assert result.code == 2 and "has no [[accounts]]" in result.err


def test_sync_of_an_unknown_account_names_the_known_ones(cli: CliRunner, user: ServerUser) -> None:
    _config(cli, user.toml())
    result = cli("sync", "--account", "work")
    assert result.code == 2 and "no account named 'work'" in result.err and "'home'" in result.err


def test_plain_http_is_warned_of_and_an_unset_password_is_a_clear_error(cli: CliRunner) -> None:
    _config(
        cli,
        '[[accounts]]\nname = "home"\ntype = "greader"\nurl = "http://rss.example.net/api"\n'
        'user = "u"\npassword_env = "NEWSREADER_UNSET_PASSWORD_VAR"\n',
    )
    result = cli("sync")
    assert result.code == 1
    assert "warning:" in result.err and "plain http to rss.example.net" in result.err
    assert "feeds.toml:6: password_env" in result.err and "is not set" in result.err
    assert "Traceback" not in result.err


def test_sync_accounts_refresh_and_json(
    cli: CliRunner, user: ServerUser, server: LoopbackServer
) -> None:
    user.subscribe(_feed(server, "/a.xml", "Alpha", 5), "Letters")
    _config(cli, user.toml())

    text = cli("sync")
    assert text.code == 0, text.err
    assert text.out.startswith("home: 5 new articles, 0 updated, 0 changes sent")

    listed = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert len(listed) == 5 and {row["account"] for row in listed} == {"home"}
    assert {tuple(row["categories"]) for row in listed} == {("home", "Letters")}
    shown = json.loads(cli("show", str(listed[0]["id"]), "--json").out)
    assert shown["account"] == "home"
    assert cli("read", str(listed[0]["id"])).code == 0

    (row,) = [json.loads(line) for line in cli("accounts", "--json").out.splitlines()]
    assert row["name"] == "home" and row["items"] == 5 and row["pending"] == 1
    assert row["last_sync"] and row["error"] is None
    assert "1 change waiting to be sent" in cli("accounts").out

    refreshed = cli("refresh", "--json")
    assert refreshed.code == 0, refreshed.err
    report = json.loads(refreshed.out)
    (account,) = report["accounts"]
    assert account["account"] == "home" and account["sent"] == 1 and account["ok"]

    synced = json.loads(cli("sync", "--json").out)
    assert synced[0]["new"] == 0 and synced[0]["requests"] <= 5


def test_the_password_is_never_printed_nor_stored(
    cli: CliRunner, user: ServerUser, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    user.subscribe(_feed(server, "/b.xml", "Beta", 2))
    _config(cli, user.toml())
    assert cli("sync").code == 0
    monkeypatch.setenv(PASSWORD_ENV, "Wrong-Secret-42")
    for token in (cli.data_dir / "accounts").glob("*.token"):
        token.unlink()
    failed = cli("sync")
    assert failed.code == 1 and "refused the login" in failed.err
    for output in (failed.out, failed.err, cli("accounts").out, cli("accounts", "--json").out):
        assert "Wrong-Secret-42" not in output and user.password not in output
    for path in cli.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Wrong-Secret-42" not in data and user.password.encode() not in data, path
    assert "refused the login" in cli("accounts").out


def test_a_password_command_is_run_for_the_login(
    cli: CliRunner, user: ServerUser, server: LoopbackServer, tmp_path: Path
) -> None:
    user.subscribe(_feed(server, "/c.xml", "Gamma", 1))
    script = tmp_path / "print-password"
    script.write_text(f"#!/bin/sh\necho '{user.password}'\n")
    script.chmod(0o700)
    toml = user.toml().replace(f'password_env = "{PASSWORD_ENV}"', f'password_command = "{script}"')
    _config(cli, toml)
    assert cli("sync").code == 0
    _config(cli, toml.replace(str(script), "false"))
    for token in (cli.data_dir / "accounts").glob("*.token"):
        token.unlink()
    failed = cli("sync")
    assert "feeds.toml:6: password_command: the command failed (status 1)" in failed.err


def test_add_and_remove_through_the_account(
    cli: CliRunner, user: ServerUser, server: LoopbackServer
) -> None:
    _config(cli, user.toml())
    url = _feed(server, "/d.xml", "Delta", 3)
    added = cli("add", url, "--account", "home", "--category", "Greek")
    assert added.code == 0, added.err
    assert "subscribed home to Delta" in added.out
    assert cli("sync").code == 0
    listed = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert {tuple(row["categories"]) for row in listed} == {("home", "Greek")}
    subscriptions = user.client().subscriptions()
    assert [(s.url, s.labels) for s in subscriptions] == [(url, ("Greek",))]

    missing = cli("remove", "Epsilon", "--account", "home")
    assert missing.code == 1 and "no subscription 'Epsilon'" in missing.err
    removed = cli("remove", "Delta", "--account", "home")
    assert removed.code == 0 and "unsubscribed home from Delta" in removed.out
    assert user.client().subscriptions() == []
    assert cli("sync").code == 0
    assert len(cli("list", "--json").out.splitlines()) == 3  # the articles stay


def test_a_sync_killed_midway_loses_nothing(
    user: ServerUser, server: LoopbackServer, tmp_path: Path
) -> None:
    for index in range(3):
        user.subscribe(_feed(server, f"/k{index}.xml", f"Kappa{index}", 150), "K")
    target = user.server.api.split("/api/")[0]
    proxy = FaultProxy(target)
    try:
        config = tmp_path / "feeds.toml"
        config.write_text(user.toml().replace(user.server.api, proxy.base + "/api/greader.php"))
        data = tmp_path / "data"
        # Each batch of items waits: the kill lands between two batches' writes.
        proxy.faults["stream/items/contents"] = Fault(delay=0.5)
        env = newsreader_env(data, config) | {PASSWORD_ENV: user.password}
        child = subprocess.Popen(
            [sys.executable, "-m", "newsreader", "sync"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cache_file = data / "cache.sqlite3"
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and child.poll() is None:
            if cache_file.exists():
                try:
                    with sqlite3.connect(f"file:{cache_file}?mode=ro", uri=True, timeout=1) as db:
                        stored = db.execute("SELECT COUNT(*) FROM account_items").fetchone()[0]
                except sqlite3.Error:
                    stored = 0
            if stored >= 200:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert 200 <= stored < 450, stored

        with Cache(cache_file) as cache:
            assert cache.integrity_problems() == []
            state = cache.account_states().get("home")
            assert state is None or state.last_success is None  # it never finished
            first_ids = [row[0] for row in cache._db.execute("SELECT id FROM articles LIMIT 3")]
            cache.mark_read(first_ids, description="before the next sync")

        del proxy.faults["stream/items/contents"]
        finished = subprocess.run(
            [sys.executable, "-m", "newsreader", "sync", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
        (report,) = json.loads(finished.stdout)
        assert report["sent"] == 3 and report["outbox_left"] == 0
        with Cache(cache_file) as cache:
            assert cache._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 450
            assert cache._db.execute("SELECT COUNT(*) FROM account_items").fetchone()[0] == 450
            assert cache._db.execute("SELECT COUNT(*) FROM articles WHERE read").fetchone()[0] == 3
        client = user.client()
        unread = client.item_ids(
            "user/-/state/com.google/reading-list", exclude="user/-/state/com.google/read"
        )
        assert len(unread) == 447
    finally:
        proxy.stop()
