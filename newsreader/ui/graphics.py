"""Asking the terminal what graphics it can draw, while the reader starts.

textual-image asks the terminal (Sixel? Kitty's graphics protocol?) when its
renderables are imported, and waits for the answers; a terminal that leaves one
unanswered (tmux does) costs a timeout, about 100 ms. The question has to be
asked before Textual takes the terminal, but nothing else needs the terminal
until then: asked in a thread, it overlaps the reader's own imports and config.
"""

from __future__ import annotations

import importlib
import threading

SHARED_MODULES = ("rich.console", "rich.measure", "rich.segment", "rich.style", "PIL.Image")
"""What the renderables import that the reader imports too: imported first, on the
calling thread, so the two threads never wait on each other's half-done imports."""


def _ask_terminal() -> None:
    try:
        importlib.import_module("textual_image.renderable")
    except Exception:
        # The reader's own import reports it, on its own thread, where it is handled.
        return


def ask_terminal_early() -> threading.Thread:
    """Start asking the terminal; join the thread before Textual starts."""
    for name in SHARED_MODULES:
        importlib.import_module(name)
    asking = threading.Thread(target=_ask_terminal, name="graphics-query", daemon=True)
    asking.start()
    return asking
