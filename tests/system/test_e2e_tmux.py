"""End to end: the installed ``newsreader`` in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Generator, Iterator
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.helpers.cli import newsreader_env
from tests.helpers.images import png
from tests.helpers.paths import ARTICLES, HOSTILE, SEED
from tests.loopback import LoopbackServer, Reply, rss, static

TARGET_TITLE = "Russian Offensive in Ukraine Prompts Logistics Race for NATO"
SEED_TITLE = "China & Russia’s Relationship Grows Stronger as Wang Yi Meets with Putin"
SECOND_HEADING = "Putin Highlights the Importance of China-Russia Cooperation"
TARGET = f"""Home World Europe {TARGET_TITLE}

{TARGET_TITLE}

Supply lines stretched across eastern Europe as allied planners raced to move equipment toward the front, officials said on Thursday.

Rail Yards Work Through the Night

Freight yards near the border ran around the clock, loading armoured vehicles and fuel onto trains bound for the east.
"""
WAIT_SECONDS = 60.0
"""Every wait polls for what it waits for, for up to this long (a busy machine is slow)."""
POLL_SECONDS = 0.1


def _tmux(*args: str) -> str:
    result = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30)
    return result.stdout


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[str]:
    yield from _seed_and_target_in_tmux(tmp_path, "e2e")


REMAPPED_KEYS = """
[keys]
next_unread = "x"
help = ["f1", "H"]
"""


@pytest.fixture
def remapped_terminal(tmp_path: Path) -> Iterator[str]:
    """The reader on the seed and its target, with a ``[keys]`` table in its config."""
    yield from _seed_and_target_in_tmux(tmp_path, "keys", REMAPPED_KEYS)


def _seed_and_target_in_tmux(tmp_path: Path, name: str, extra_config: str = "") -> Iterator[str]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if not SEED.exists():
        pytest.skip("shared corpus not available")
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEED, articles / SEED.name)
    (articles / "logistics-race.txt").write_text(TARGET, encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[local]]\npath = "{articles}"\n{extra_config}', encoding="utf-8")
    yield from _reader_in_tmux(tmp_path, config, [articles], name)


def _reader_in_tmux(
    tmp_path: Path,
    config: Path,
    imports: list[Path],
    name: str,
    online: bool = False,
    width: int = 120,
    **options: str,
) -> Generator[str, None, None]:
    """Import files with the installed command, then run its reader in a ``width``x40 tmux.

    The reader runs offline unless ``online``. ``options`` are global tmux options,
    set before the reader starts.
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
    tmux_conf = tmp_path / "tmux.conf"  # read as the server starts, before the reader does
    tmux_conf.write_text(
        "".join(f"set-option -g {k.replace('_', '-')} {v}\n" for k, v in options.items()),
        encoding="utf-8",
    )
    # The pane holds the reader back until it has its final size: a reader that
    # started in a pane still being sized would draw for the wrong one.
    hold = f"{shutil.which('tmux')} -S {socket} wait-for {session}"
    _tmux("-S", socket, "-f", str(tmux_conf),
          "new-session", "-d", "-s", session, "-x", str(width), "-y", "40",
          f"{hold}; exec env {launch} {command}{'' if online else ' --offline'}")  # fmt: skip
    _tmux("-S", socket, "resize-window", "-t", session, "-x", str(width), "-y", "40")
    deadline = time.monotonic() + WAIT_SECONDS
    size = ""
    while size != f"{width}x40" and time.monotonic() < deadline:
        size = _tmux("-S", socket, "display-message", "-p", "-t", session,
                     "#{pane_width}x#{pane_height}").strip()  # fmt: skip
        if size != f"{width}x40":
            time.sleep(POLL_SECONDS)
    assert size == f"{width}x40", f"the tmux pane is {size or 'not there'}"
    _tmux("-S", socket, "wait-for", "-S", session)
    try:
        yield f"{socket}|{session}"
    finally:
        _tmux("-S", socket, "kill-server")


def screen(terminal: str) -> str:
    socket, session = terminal.split("|")
    return _tmux("-S", socket, "capture-pane", "-p", "-t", session)


def keys(terminal: str, *names: str) -> None:
    """Type keys; the reader handles them in order, so callers wait for their effect."""
    socket, session = terminal.split("|")
    for name in names:
        _tmux("-S", socket, "send-keys", "-t", session, name)


def wait_until(terminal: str, condition: Callable[[str], bool], what: str) -> str:
    """Poll the screen until ``condition`` holds for it; the screen then."""
    deadline = time.monotonic() + WAIT_SECONDS
    shown = screen(terminal)
    while not condition(shown):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {WAIT_SECONDS:.0f} s; the screen was:\n{shown}")
        time.sleep(POLL_SECONDS)
        shown = screen(terminal)
    return shown


def wait_for(terminal: str, text: str) -> str:
    return wait_until(terminal, lambda shown: text in shown, f"{text!r} never appeared")


def pane(shown: str) -> str:
    """The article pane: what is below the list's bottom border."""
    lines = shown.splitlines()
    border = max((i for i, line in enumerate(lines) if "────────" in line), default=-1)
    return "\n".join(lines[border + 1 :])


def unread(shown: str) -> int | None:
    """The tree's count of unread articles ("Unread (3)"; "Unread" alone is none)."""
    counts = re.findall(r"^Unread(?: \((\d+)\))?\s", shown, re.MULTILINE)
    return int(counts[0] or 0) if counts else None


def _fewer_unread(before: int, shown: str) -> bool:
    now = unread(shown)
    return "No more unread" in shown or (now is not None and now < before)


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
    keys(terminal, "]")  # the link cursor: the pane scrolls down to the links
    wait_until(
        terminal,
        lambda shown: "[1] Russian Offensive" in pane(shown),
        "the pane never scrolled to its links",
    )
    keys(terminal, "Enter")
    shown = wait_for(terminal, "Rail Yards Work Through the Night")
    assert TARGET_TITLE in pane(shown)
    keys(terminal, "BSpace")
    # The seed comes back, scrolled to where the reader left it (its link list).
    shown = wait_until(
        terminal,
        lambda shown: "Rail Yards" not in shown and "[1] Russian Offensive" in pane(shown),
        "the seed never came back scrolled to its links",
    )
    assert SEED_TITLE in pane(shown)


def test_keys_remapped_in_the_config_work_in_the_installed_reader(
    remapped_terminal: str,
) -> None:
    wait_for(remapped_terminal, "feeds failed")
    wait_for(remapped_terminal, "x Unread")  # the footer says the new key
    shown = wait_until(remapped_terminal, lambda shown: unread(shown) == 2, "2 unread never shown")
    keys(remapped_terminal, "x")
    shown = wait_until(
        remapped_terminal,
        lambda shown: unread(shown) == 1,
        "x (next_unread here) never opened an unread article",
    )
    assert SEED_TITLE in pane(shown) or TARGET_TITLE in pane(shown)
    keys(remapped_terminal, "H")
    shown = wait_for(remapped_terminal, "next / previous unread article")
    assert any(re.search(r"\bx / p\s+next / previous unread article", line) for line in
               shown.splitlines()), shown  # fmt: skip


def _above_pane(shown: str) -> str:
    """The tree and the list: what is above the list's bottom border."""
    lines = shown.splitlines()
    border = max((i for i, line in enumerate(lines) if "────────" in line), default=len(lines))
    return "\n".join(lines[:border])


def _focus_tree(terminal: str) -> None:
    """Hide the tree and show it again (c twice): it has focus once it is drawn."""
    keys(terminal, "c")
    wait_until(terminal, lambda shown: unread(shown) is None, "the tree was never hidden")
    keys(terminal, "c")
    wait_until(terminal, lambda shown: unread(shown) is not None, "the tree never came back")


def test_enter_in_the_tree_after_reading_opens_the_same_node(tmp_path: Path) -> None:
    """Reading an article redraws the tree's counts; Enter in the tree then opens the
    node the reader chose again, not All."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    articles = tmp_path / "articles"
    shutil.copytree(ARTICLES, articles, ignore=shutil.ignore_patterns("*.json"))
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[local]]\npath = "{articles}"\n', encoding="utf-8")
    reader = _reader_in_tmux(tmp_path, config, [articles], "tree")
    terminal = next(reader)
    tram, solar = "Tram Line Extension", "Solar Kiosks Bring"
    try:
        wait_for(terminal, "feeds failed")
        # The tree is counted in a worker: its counts may show a moment after the status.
        shown = wait_until(
            terminal, lambda shown: solar in shown and bool(unread(shown)), "no unread count"
        )
        before = unread(shown)
        assert before is not None
        _focus_tree(terminal)
        keys(terminal, "End", "Enter")  # the last node, "world": its folder's articles
        wait_until(
            terminal,
            lambda shown: solar not in _above_pane(shown) and tram in _above_pane(shown),
            "world's articles were never listed alone",
        )
        keys(terminal, "Home", "Enter")  # open the first: the tree's counts are redrawn
        wait_until(terminal, partial(_fewer_unread, before), "the article was never read")
        # A search makes the list's next change show: choosing a node ends it.
        keys(terminal, "/")
        wait_for(terminal, "Search articles (Enter to search")  # typed before, keys go astray
        keys(terminal, "Tram", "Enter")
        wait_for(terminal, "Search: Tram")
        _focus_tree(terminal)
        keys(terminal, "Enter")
        shown = wait_until(
            terminal, lambda shown: "Search:" not in shown, "the tree's node was never chosen"
        )
        assert tram in _above_pane(shown) and solar not in _above_pane(shown), shown
    finally:
        reader.close()


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
    wait_until(hostile_terminal, lambda shown: bool(unread(shown)), "the tree was never counted")
    title_before = _tmux("-S", socket, "display-message", "-p", "-t", session, "#{pane_title}")
    opened = 0
    shown = screen(hostile_terminal)
    for _ in range(40):  # next unread, article after article
        # Several articles look alike once cleaned: what n visibly does each time is
        # open one more unread article, so the tree counts one fewer.
        before = unread(shown)
        assert before is not None, shown
        keys(hostile_terminal, "n")
        shown = wait_until(
            hostile_terminal,
            partial(_fewer_unread, before),
            f"n never opened another unread article (there were {before})",
        )
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


def _pane_ended(terminal: str) -> bool:
    socket, session = terminal.split("|")
    return (
        _tmux("-S", socket, "display-message", "-p", "-t", session, "#{pane_dead}").strip() == "1"
    )


def test_q_quits_at_once_while_a_refresh_waits_on_a_silent_server(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """A refresh blocked on a server that never finishes answering ended the reader
    only at its timeout: the reader had left the screen, and the process stayed."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    feed = rss("Silent News", [("s1", "Silence Falls", "<p>Nothing more.</p>")])
    server.routes["/silent.xml"] = lambda _r: Reply(200, feed, drip=0.5, drip_limit=400)
    note = tmp_path / "note.md"
    note.write_text("# A Note\n\nSomething to show while the feed is silent.\n")
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[settings]\ntimeout = 120\n\n[[feeds]]\nurl = "{server.url("silent.xml")}"\n',
        encoding="utf-8",
    )
    reader = _reader_in_tmux(tmp_path, config, [note], "quit", online=True, remain_on_exit="on")
    terminal = next(reader)
    try:
        wait_for(terminal, "Refreshing")
        deadline = time.monotonic() + WAIT_SECONDS
        while not server.requests_to("/silent.xml"):
            assert time.monotonic() < deadline, "the reader never asked for the feed"
            time.sleep(POLL_SECONDS)
        asked = time.monotonic()
        keys(terminal, "q")
        while not _pane_ended(terminal):
            assert time.monotonic() - asked < 20, "the reader was still running 20 s after q"
            time.sleep(POLL_SECONDS)
    finally:
        reader.close()


def _heading_at_top(heading: str, shown: str) -> bool:
    """Whether ``heading`` is the first line of the article pane under its docked title."""
    rows = [line.strip(" │") for line in pane(shown).splitlines()]  # the tree's edge: "│"
    lines = [row for row in rows if row]
    titles = [i for i, line in enumerate(lines) if SEED_TITLE in line]
    return bool(titles) and titles[0] + 1 < len(lines) and heading in lines[titles[0] + 1]


def test_next_section_twice_puts_the_second_heading_at_the_top(terminal: str) -> None:
    wait_for(terminal, "feeds failed")
    shown = wait_for(terminal, "China & Russia")
    rows = [line for line in shown.splitlines() if "China & Russia" in line or "Russian" in line]
    if "China & Russia" not in rows[0]:
        keys(terminal, "Down")
    keys(terminal, "Enter")
    wait_for(terminal, "Updates › Politics")
    keys(terminal, "}", "}")
    wait_until(
        terminal,
        partial(_heading_at_top, SECOND_HEADING),
        "} twice never put the second heading at the top of the pane",
    )


NOTE_LINK = "https://example.org/ferries/timetable"
NOTE = f"# Ferry Timetable\n\nThe new [timetable]({NOTE_LINK}) starts on Monday.\n"


def _squeezed(text: str) -> str:
    """Text without spaces, line breaks and a toast's edges (a notice wraps in its box)."""
    return "".join(text.replace("▌", "").replace("▐", "").split())


def _buffer(terminal: str) -> str:
    socket, _ = terminal.split("|")
    return _tmux("-S", socket, "show-buffer")


def test_failed_feeds_make_one_notice_f_lists_them_and_y_copies_a_link(
    tmp_path: Path, server: LoopbackServer
) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    note = tmp_path / "timetable.md"
    note.write_text(NOTE, encoding="utf-8")
    gone = [server.url(f"gone-{n}.xml") for n in range(3)]  # no such routes: HTTP 404
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\ntimeout = 5\n\n" + "".join(f'[[feeds]]\nurl = "{url}"\n\n' for url in gone),
        encoding="utf-8",
    )
    reader = _reader_in_tmux(tmp_path, config, [note], "notices", online=True, set_clipboard="on")
    terminal = next(reader)
    try:
        summary = "3 feeds failed: HTTP 404 Not Found; press F for the list"
        shown = wait_until(
            terminal,
            lambda shown: "Every feed failed" in shown and _squeezed(summary) in _squeezed(shown),
            "the refresh's one notice never appeared",
        )
        assert "Feed failed" not in shown  # no toast per feed
        keys(terminal, "F")
        shown = wait_for(terminal, "Feeds whose last refresh failed (3)")
        assert all(url in shown for url in gone), shown
        assert "Press escape, q, ? or F to close" in shown
        keys(terminal, "Escape")
        wait_until(terminal, lambda shown: "Feeds whose" not in shown, "F's list never closed")
        keys(terminal, "Enter")  # the only article: the note
        wait_for(terminal, "The new timetable[1] starts on Monday.")
        keys(terminal, "]", "y")
        wait_for(terminal, f"Copied {NOTE_LINK}")
        deadline = time.monotonic() + WAIT_SECONDS
        while _buffer(terminal) != NOTE_LINK:  # OSC 52, taken by tmux as a paste buffer
            assert time.monotonic() < deadline, f"the clipboard holds {_buffer(terminal)!r}"
            time.sleep(POLL_SECONDS)
    finally:
        reader.close()


def test_a_on_a_feed_highlighted_in_the_tree_asks_and_u_undoes_it(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """A marks the node the reader highlighted in the tree (not the list's), after
    asking with its name and count; u marks those articles unread again."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    items = [(f"w{n}", f"Wire Story {n}", f"<p>Story {n}.</p>") for n in range(3)]
    server.routes["/wire.xml"] = static(rss("Wire News", items))
    note = tmp_path / "note.md"
    note.write_text("# A Note\n\nSomething else to read.\n")
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[[feeds]]\nurl = "{server.url("wire.xml")}"\nname = "Wire"\n', encoding="utf-8"
    )
    reader = _reader_in_tmux(tmp_path, config, [note], "marks", online=True)
    terminal = next(reader)
    try:
        wait_for(terminal, "feeds failed")
        wait_until(terminal, lambda shown: unread(shown) == 4, "the feed's articles never came")
        _focus_tree(terminal)
        keys(terminal, "End")  # the last node: the feed (the list still shows All)
        keys(terminal, "A")
        shown = wait_for(terminal, 'Mark 3 articles in "Wire" read?')
        assert "y / Enter: yes" in shown
        keys(terminal, "y")
        shown = wait_until(terminal, lambda shown: unread(shown) == 1, "A never marked the feed")
        assert re.search(r"^Wire\s", shown, re.MULTILINE), shown  # no count left
        keys(terminal, "u")
        shown = wait_until(terminal, lambda shown: unread(shown) == 4, "u never undid it")
        assert "Wire (3)" in shown
    finally:
        reader.close()


def _tree_shown(shown: str) -> bool:
    return unread(shown) is not None


@pytest.fixture
def sized_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The reader on the seed and its target, with COLUMNS and LINES (as a shell may
    export them) in its environment: tmux passes them on, set to the pane's size."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("LINES", "40")
    yield from _seed_and_target_in_tmux(tmp_path, "sized")


def test_a_resize_across_the_breakpoint_hides_and_restores_the_tree(sized_terminal: str) -> None:
    terminal = sized_terminal
    shown = wait_for(terminal, "feeds failed")
    assert _tree_shown(shown) and "c Tree" not in shown
    socket, session = terminal.split("|")
    _tmux("-S", socket, "resize-window", "-t", session, "-x", "80", "-y", "24")
    shown = wait_until(
        terminal,
        lambda shown: not _tree_shown(shown) and "c Tree" in shown,
        "the tree never hid at 80 columns",
    )
    # The title has the tree's room, cut with an ellipsis at the edge.
    row = next(line for line in shown.splitlines() if "China & Russia" in line)
    assert "China & Russia’s Relationship Grows" in row and row.rstrip().endswith("…"), row
    assert all(len(line) <= 80 for line in shown.splitlines())
    _tmux("-S", socket, "resize-window", "-t", session, "-x", "120", "-y", "40")
    wait_until(
        terminal,
        lambda shown: _tree_shown(shown) and "c Tree" not in shown,
        "the tree never came back at 120 columns",
    )


def test_a_picture_shows_in_the_terminal_and_i_hides_it(
    tmp_path: Path, server: LoopbackServer
) -> None:
    """The installed reader draws a figure's picture (half-blocks in tmux) under its
    article once it arrives, and I takes it away and brings it back; the caption stays."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    server.routes["/quay.png"] = lambda _r: Reply(200, png(160, 90), {"Content-Type": "image/png"})
    story = tmp_path / "quay.md"
    story.write_text(
        "# Pictures From the Quay\n\nThe boats came in early.\n\n"
        f"![The quay at dawn]({server.url('quay.png')})\n",
        encoding="utf-8",
    )
    config = tmp_path / "feeds.toml"
    config.write_text("[settings]\ntimeout = 10\n", encoding="utf-8")
    reader = _reader_in_tmux(tmp_path, config, [story], "images", online=True)
    terminal = next(reader)
    try:
        wait_for(terminal, "Pictures From the Quay")
        keys(terminal, "Enter")
        # The picture and its caption, in one frame (the pane may be drawn in two).
        wait_until(
            terminal,
            lambda shown: "▀" in pane(shown) and "The quay at dawn" in pane(shown),
            "the picture never appeared under its caption",
        )
        keys(terminal, "I")
        shown = wait_until(terminal, lambda s: "▀" not in pane(s), "I never hid the picture")
        assert "The quay at dawn" in pane(shown)
        keys(terminal, "I")
        wait_until(terminal, lambda shown: "▀" in pane(shown), "I never showed it again")
        assert len(server.requests_to("/quay.png")) == 1  # kept, not fetched again
    finally:
        reader.close()


LINKED_TITLE = "Links In Place"
LINKED_FILLER = " ".join(["The ferry crossed the harbour in the early light."] * 6)
LINKED_FEED = f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Site</title><link>https://site.example/</link>
<item><title>{LINKED_TITLE}</title><link>https://site.example/posts/mac</link>
<description>{
    escape(
        '<p>Apple sells the <a href="https://apple.example/mac">Mac</a> here.</p>'
        + f"<p>{LINKED_FILLER}</p>" * 30
        + '<p>Later a <a href="https://other.example/bee">Bee</a> flew by.'
        + '<a href="#fn1">1</a></p>'
    )
}</description></item></channel></rss>"""


def _text_column(shown: str, needle: str) -> list[str]:
    """The article pane's lines holding ``needle``, without the tree's part."""
    return [line.partition("│")[2] for line in pane(shown).splitlines() if needle in line]


def test_a_wide_terminal_keeps_the_text_narrow_and_brackets_reach_links_in_it(
    tmp_path: Path,
) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    feed = tmp_path / "site.xml"
    feed.write_text(LINKED_FEED, encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[local]]\npath = "{feed}"\n', encoding="utf-8")
    for terminal in _reader_in_tmux(tmp_path, config, [feed], "links", width=200):
        wait_for(terminal, "feeds failed")
        keys(terminal, "Enter")
        shown = wait_for(terminal, "Mac[1]")
        lines = _text_column(shown, "ferry")
        assert lines, shown
        for line in lines:
            text = line.strip()
            assert len(text) <= 80, line
            left = len(line) - len(line.lstrip())
            assert left > 30, line  # centred in a 168-column pane, not at its left edge
        assert "Bee[2]" not in pane(shown)
        keys(terminal, "]", "]", "]")  # the address, Mac, then Bee, thirty paragraphs down
        wait_until(terminal, lambda shown: "Bee[2]" in pane(shown), "] never reached Bee[2]")
