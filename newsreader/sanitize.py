"""The one place that makes outside text safe for a terminal.

Text from feeds, web pages and files is written by strangers. Before it is stored
or shown it loses every terminal escape sequence (CSI, OSC, DCS and the rest, in
their 7-bit and 8-bit forms), every control character but newline, every
bidirectional override and every zero-width character. Rich and Textual markup is
escaped where the text meets a renderer (:func:`escape_markup`).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rich.markup import escape as rich_escape

# Escape sequences first (so their parameters go with them), then lone controls.
_ESCAPE_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?              # CSI ... final byte
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])         # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?           # ... up to BEL or ST
    | \x1b[ -/]*[0-~]?                                # any other ESC sequence
    """,
    re.VERBOSE,
)
# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/
# isolates, zero-width characters and the BOM, and unpaired surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85\x0b\x0c]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")

SAFE_URL_SCHEMES = frozenset({"http", "https"})
"""Link schemes that may be followed or opened; everything else is shown as text."""


def clean_text(text: str) -> str:
    """Return multi-line text with escapes and invisible controls removed.

    Line breaks of every kind become ``\\n`` and tabs become spaces; nothing else
    visible is changed.
    """
    text = _LINE_BREAKS.sub("\n", text)
    if "\x1b" in text or any("\x90" <= ch <= "\x9f" for ch in text):
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _INVISIBLE.sub("", text.replace("\t", " "))


def clean_line(text: str) -> str:
    """Return text fit for one line: cleaned, with all whitespace runs as one space."""
    return _HORIZONTAL_SPACE.sub(" ", clean_text(text).replace("\n", " ")).strip()


def escape_markup(text: str) -> str:
    """Escape Rich console markup so ``[bold]`` or ``[@click=...]`` shows as written."""
    return rich_escape(text)


def is_safe_url(url: str | None) -> bool:
    """Return True for an absolute http(s) URL with a host, the only kind followed."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_URL_SCHEMES and bool(parts.netloc)
