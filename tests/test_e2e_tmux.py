"""End to end: the installed ``newsreader`` in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED, newsreader_env

TARGET_TITLE = "Russian Offensive in Ukraine Prompts Logistics Race for NATO"
SEED_TITLE = "China & Russia’s Relationship Grows Stronger as Wang Yi Meets with Putin"
TARGET = f"""Home World Europe {TARGET_TITLE}

{TARGET_TITLE}

Supply lines stretched across eastern Europe as allied planners raced to move equipment toward the front, officials said on Thursday.

Rail Yards Work Through the Night

Freight yards near the border ran around the clock, loading armoured vehicles and fuel onto trains bound for the east.
"""
WAIT_SECONDS = 20.0


def _tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30)
    return result.stdout


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[str]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if not SEED.exists():
        pytest.skip("shared corpus not available")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / SEED.name)
    (articles / "logistics-race.txt").write_text(TARGET, encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[local]]\npath = "{articles}"\n', encoding="utf-8")
    yield from _reader_in_tmux(tmp_path, config, [articles], "e2e")


def _reader_in_tmux(
    tmp_path: Path, config: Path, imports: list[Path], name: str, **options: str
) -> Iterator[str]:
    """Import files with the installed command, then run its reader in a 120x40 tmux.

    ``options`` are tmux options set before the reader starts (a second later).
    """
    command = shutil.which("newsreader", path=str(Path(sys.executable).parent))
    assert command is not None, "the newsreader command is not installed"
    env = newsreader_env(tmp_path / "data", config) | {"TERM": "xterm-256color"}
    subprocess.run(
        [command, "import", *map(str, imports)],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    session = f"newsreader-{name}-{os.getpid()}"
    socket = str(tmp_path / "tmux.sock")
    launch = " ".join(f"{k}='{v}'" for k, v in env.items() if k.startswith(("NEWSREADER_", "TERM")))
    _tmux("-S", socket, "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
          f"sleep 1; exec env {launch} {command} --offline")  # fmt: skip
    _tmux("-S", socket, "resize-window", "-t", session, "-x", "120", "-y", "40")
    for option, value in options.items():
        _tmux("-S", socket, "set-option", "-g", option.replace("_", "-"), value)
    try:
        yield f"{socket}|{session}"
    finally:
        _tmux("-S", socket, "kill-session", "-t", session)


def screen(terminal: str) -> str:
    socket, session = terminal.split("|")
    return _tmux("-S", socket, "capture-pane", "-p", "-t", session)


def keys(terminal: str, *names: str) -> None:
    socket, session = terminal.split("|")
    for name in names:
        _tmux("-S", socket, "send-keys", "-t", session, name)
        time.sleep(0.15)


def wait_for(terminal: str, text: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(terminal)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def pane(shown: str) -> str:
    """The article pane: what is below the list's bottom border."""
    lines = shown.splitlines()
    border = max(i for i, line in enumerate(lines) if "────────" in line)
    return "\n".join(lines[border + 1 :])


def test_open_the_seed_follow_read_also_and_go_back(terminal: str) -> None:
    wait_for(terminal, "feeds failed")  # the start-up refresh (local files only) is done
    shown = wait_for(terminal, "China & Russia")
    rows = [
        line
        for line in shown.splitlines()
        if "China & Russia" in line or "Russian Offensive" in line
    ]
    # The list has focus with its cursor on the first row; move to the seed's.
    if "China & Russia" not in rows[0]:
        keys(terminal, "Down")
    keys(terminal, "Enter")
    shown = wait_for(terminal, "Updates › Politics")
    assert SEED_TITLE in pane(shown)
    keys(terminal, "]", "Enter")
    shown = wait_for(terminal, "Rail Yards Work Through the Night")
    assert TARGET_TITLE in pane(shown)
    keys(terminal, "BSpace")
    # The seed comes back, scrolled to where the reader left it (its link list).
    deadline = time.monotonic() + WAIT_SECONDS
    shown = screen(terminal)
    while time.monotonic() < deadline:
        shown = screen(terminal)
        if "Rail Yards" not in shown and "[1] Russian Offensive" in pane(shown):
            break
        time.sleep(0.2)
    assert SEED_TITLE in pane(shown) and "Rail Yards Work Through the Night" not in shown
    assert "[1] Russian Offensive" in pane(shown)


HOSTILE = Path(__file__).parent / "hostile"


@pytest.fixture
def hostile_terminal(tmp_path: Path) -> Iterator[str]:
    """The installed reader in tmux, on the hostile articles and feeds, clipboard open to OSC 52."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    files = [
        HOSTILE / "articles" / name
        for name in ("escapes.txt", "escapes.html", "markup.txt", "markup.md", "bidi-title.txt")
    ] + [
        HOSTILE / "feeds" / name
        for name in ("escapes-raw.rss", "escapes-charref.rss", "markup.rss")
    ]
    config = tmp_path / "feeds.toml"
    config.write_text("", encoding="utf-8")
    # Let programs in the pane set the clipboard (OSC 52) and the title (OSC 0/2),
    # which is what a hostile article would try.
    yield from _reader_in_tmux(
        tmp_path, config, files, "hostile", set_clipboard="on", allow_rename="on"
    )


def test_hostile_articles_cannot_touch_the_terminal(hostile_terminal: str) -> None:
    socket, session = hostile_terminal.split("|")
    wait_for(hostile_terminal, "Plain Title With Markup")
    title_before = _tmux("-S", socket, "display-message", "-p", "-t", session, "#{pane_title}")
    opened = 0
    for _ in range(40):  # next unread, article after article
        keys(hostile_terminal, "n")
        time.sleep(0.3)
        shown = screen(hostile_terminal)
        if "No more unread" in shown:
            break
        opened += 1
        lines = shown.splitlines()
        assert "Quit" in lines[-1], shown  # the footer is still drawn: no clear, no cursor jump
        assert any("────" in line for line in lines), shown
    assert opened >= 20
    title_after = _tmux("-S", socket, "display-message", "-p", "-t", session, "#{pane_title}")
    assert "PWNED" not in title_after and title_after == title_before
    buffers = _tmux("-S", socket, "list-buffers", "-F", "#{buffer_sample}")
    assert "pwned" not in buffers.lower() and "ZWNob" not in buffers
    # The reader is still alive: [@click=app.quit] in the text did nothing.
    keys(hostile_terminal, "?")
    wait_for(hostile_terminal, "Keys")
