"""Whether this machine can show a web page, and opening one there.

Python's :mod:`webbrowser` picks whatever it finds, and over SSH (no display)
that is often a console browser (lynx, w3m) that would take over the terminal
the reader is drawing in. So a browser counts only where a graphical one can
run: on systems with X11 or Wayland, a display must be set, and a console
browser is never used.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping
from pathlib import PurePath

CONSOLE_BROWSERS = frozenset(
    {"www-browser", "lynx", "w3m", "links", "links2", "elinks", "browsh", "carbonyl", "netrik"}
)
"""Browsers that draw in the terminal (the ones :mod:`webbrowser` knows, and a few more)."""

_DISPLAY_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd", "dragonfly", "sunos")
"""Where graphical programs need an X11 or Wayland display (not macOS, not Windows)."""


def find_browser(
    environ: Mapping[str, str] = os.environ, platform: str | None = None
) -> webbrowser.BaseBrowser | None:
    """The graphical browser :mod:`webbrowser` would use, or None when there is none.

    None when the system needs a display and has none (``DISPLAY`` and
    ``WAYLAND_DISPLAY`` both unset, as over SSH), when :mod:`webbrowser` finds
    no browser (``BROWSER`` naming a missing command), or when the one it would
    use is a console browser. ``platform`` is ``sys.platform`` unless given.
    """
    if (platform or sys.platform).startswith(_DISPLAY_PLATFORMS) and not (
        environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")
    ):
        return None
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return None
    return None if is_console_browser(browser) else browser


def is_console_browser(browser: webbrowser.BaseBrowser) -> bool:
    """Whether a browser draws in the terminal (by its command's name)."""
    name = getattr(browser, "name", "") or ""
    command = name.split()[0] if name.split() else ""
    return PurePath(command).name.lower() in CONSOLE_BROWSERS


def open_url(url: str) -> bool:
    """Open ``url`` in the graphical browser; False when there is none or it refused."""
    browser = find_browser()
    return browser is not None and browser.open(url)
