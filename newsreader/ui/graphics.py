"""The picture widget, for the graphics the terminal draws, asked once before Textual starts.

textual-image decides how to draw when it is imported: it asks the terminal for
its device attributes (Sixel is one of them; every terminal answers at once),
then asks whether it speaks Kitty's graphics protocol, a question terminals
without it (tmux, xterm, VTE) leave unanswered, and waits 100 ms for the answer.
Here the protocol's question goes out first with the device attributes right
behind it, as the protocol's documentation advises: terminals answer in order,
so device attributes arriving alone mean "no", at once. textual-image's own
question is then answered "no" without being sent.

It must run before Textual reads the terminal, so this module does it when it
is imported; without a terminal (tests, pipes) nothing is asked.
"""

from __future__ import annotations

import os
import re
import select
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual_image.widget._base import Image as PictureWidget

KITTY_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
"""Kitty's graphics question (one pixel, sent as a query: nothing is drawn)."""
DEVICE_ATTRIBUTES_QUERY = "\x1b[c"
KITTY_REPLY_START = "\x1b_G"
"""How an answer to :data:`KITTY_QUERY` starts (textual-image waits for it)."""
_KITTY_REPLY = re.compile(r"\x1b_G([^\x1b]*)\x1b\\")
_DEVICE_ATTRIBUTES = re.compile(r"\x1b\[\?[0-9;]*c")
ANSWER_SECONDS = 0.5
"""The longest the terminal is waited for; one that never answers its device
attributes is left to textual-image's own questions."""
MAX_ANSWER_CHARS = 4096


def kitty_graphics(answers: str) -> bool | None:
    """What a terminal's answers to the two questions say: whether it speaks Kitty's
    graphics protocol; None while the device attributes have not come."""
    attributes = _DEVICE_ATTRIBUTES.search(answers)
    if attributes is None:
        return None
    kitty = _KITTY_REPLY.search(answers, 0, attributes.start())
    return kitty is not None and kitty.group(1).endswith(";OK")


def ask_terminal(stdin: int, stdout: int, seconds: float = ANSWER_SECONDS) -> bool | None:
    """Ask the terminal on these descriptors; its :func:`kitty_graphics` answer, or None
    when it did not answer in time or cannot be asked."""
    try:
        import termios
        import tty
    except ImportError:  # not a POSIX terminal
        return None
    try:
        saved = termios.tcgetattr(stdin)
    except termios.error:
        return None
    answers = ""
    try:
        tty.setcbreak(stdin, termios.TCSANOW)
        os.write(stdout, (KITTY_QUERY + DEVICE_ATTRIBUTES_QUERY).encode())
        deadline = time.monotonic() + seconds
        while (found := kitty_graphics(answers)) is None and len(answers) < MAX_ANSWER_CHARS:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdin], [], [], left)[0]:
                return None
            chunk = os.read(stdin, 1024)
            if not chunk:
                return None
            answers += chunk.decode("utf-8", "replace")
        return found
    except OSError:
        return None
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, saved)


@contextmanager
def _kitty_answered_no() -> Iterator[None]:
    """While textual-image is imported, its Kitty question fails at once, unsent."""
    from textual_image import _terminal

    ask = _terminal.capture_terminal_response

    @contextmanager
    def answered(
        start_marker: str, end_marker: str, timeout: float | None = None
    ) -> Iterator[object]:
        if start_marker == KITTY_REPLY_START:
            raise _terminal.TerminalError("asked before: no Kitty graphics")
        with ask(start_marker, end_marker, timeout) as response:
            yield response

    _terminal.capture_terminal_response = answered  # type: ignore[assignment]
    try:
        yield
    finally:
        _terminal.capture_terminal_response = ask


def _image_widget() -> type[PictureWidget]:
    stdin, stdout = sys.__stdin__, sys.__stdout__
    asked: bool | None = None
    unasked = "textual_image.renderable" not in sys.modules
    if unasked and stdin and stdout and stdin.isatty() and stdout.isatty():
        stdout.flush()
        asked = ask_terminal(stdin.fileno(), stdout.fileno())
    if asked is False:
        with _kitty_answered_no():
            from textual_image.widget import Image
    else:
        from textual_image.widget import Image
    return Image


ImageWidget = _image_widget()
"""textual-image's widget for the best way this terminal draws pictures: Kitty's
protocol or Sixel where it answers that it can, half-blocks in other terminals,
plain blocks when there is no terminal."""
