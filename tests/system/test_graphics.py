"""The terminal is asked once what pictures it draws, in a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

import pytest

from newsreader.ui.graphics import DEVICE_ATTRIBUTES_QUERY, KITTY_QUERY, kitty_graphics

NOT_SIXEL = "\x1b[?62;22c"
"""Device attributes without 4 (Sixel), as xterm and tmux answer by default."""
KITTY_OK = "\x1b_Gi=31;OK\x1b\\"
QUESTION = re.compile(r"\x1b_G[^\x1b]*\x1b\\|\x1b\[c")
CHILD = (
    "from newsreader.ui.graphics import ImageWidget; "
    "print('DRAWN-BY', ImageWidget._Renderable.__module__, flush=True)"
)
DRAWN = re.compile(r"DRAWN-BY (\S+)\r?\n")
SECONDS = 30.0


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (NOT_SIXEL, False),
        (KITTY_OK + NOT_SIXEL, True),
        ("\x1b_Gi=31;EINVAL:bad\x1b\\" + NOT_SIXEL, False),
        (NOT_SIXEL + KITTY_OK, False),  # an answer after the attributes is not to us
        ("", None),
        (KITTY_OK + "\x1b[?62;2", None),
    ],
)
def test_the_answers_are_read_in_order(answers: str, expected: bool | None) -> None:
    assert kitty_graphics(answers) is expected


def _in_a_terminal(kitty: bool) -> tuple[str, str]:
    """Import the module in a child on a pseudo-terminal that answers as xterm does
    (or as kitty does); what the child wrote to it, and the renderer it chose."""
    master, slave = pty.openpty()
    # Rows, columns and the pixel size: textual-image reads the cell size from it.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 800))
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm-256color"},
    )
    os.close(slave)
    written, answered = "", 0
    deadline = time.monotonic() + SECONDS
    try:
        while not DRAWN.search(written):
            left = deadline - time.monotonic()
            assert left > 0, f"no answer within {SECONDS:.0f} s: {written!r}"
            if not select.select([master], [], [], left)[0]:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child ended and closed the terminal
                break
            if not chunk:
                break
            written += chunk.decode("utf-8", "replace")
            for question in QUESTION.finditer(written, answered):
                answered = question.end()
                if question.group() == DEVICE_ATTRIBUTES_QUERY:
                    os.write(master, NOT_SIXEL.encode())
                elif kitty:
                    os.write(master, KITTY_OK.encode())
    finally:
        child.kill()
        child.wait(timeout=SECONDS)
        os.close(master)
    drawn = DRAWN.search(written)
    assert drawn, written
    return written, drawn.group(1)


def test_a_terminal_without_kitty_graphics_is_asked_once_and_never_waited_for() -> None:
    written, drawn = _in_a_terminal(kitty=False)
    assert drawn == "textual_image.renderable.halfcell"
    # Kitty's question went out once, with the device attributes right behind it;
    # textual-image did not ask it again (and wait 100 ms for no answer).
    assert written.count("\x1b_G") == 1, repr(written)
    assert KITTY_QUERY + DEVICE_ATTRIBUTES_QUERY in written


def test_a_terminal_with_kitty_graphics_gets_them() -> None:
    _, drawn = _in_a_terminal(kitty=True)
    assert drawn == "textual_image.renderable.tgp"
