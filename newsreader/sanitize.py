"""The one place that makes outside text safe for a terminal.

Text from feeds, web pages and files is written by strangers. Before it is stored
or shown it loses every terminal escape sequence (CSI, OSC, DCS and the rest, in
their 7-bit and 8-bit forms), every control character but newline, every
bidirectional override and every zero-width character. It never reaches a
renderer as markup: renderers wrap it in rich ``Text``. Everything bound for JSON
is cleaned at once (:func:`clean_json`); a URL is shown with its password hidden
(:func:`display_url`); a feed's address is checked by :func:`feed_url_problem`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

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
# C0 controls except tab and newline, DEL, C1 controls, the soft hyphen, bidi marks,
# embeddings, overrides and isolates, zero-width and other invisible format characters
# (Unicode category Cf, less the visible number signs of Arabic and other scripts),
# the BOM, tag characters and unpaired surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_ESCAPE_START = re.compile("[\x1b\x90-\x9f]")
_LINE_BREAKS = re.compile("[\r\u2028\u2029\x85\x0b\x0c]")

_URL_INVISIBLE = re.compile("[\t\n\r]")
SAFE_URL_SCHEMES = frozenset({"http", "https"})
"""Link schemes that may be followed or opened; everything else is shown as text."""
MAX_URL_LENGTH = 2048
"""The longest feed address accepted, in characters: what browsers and servers
commonly handle (many servers refuse longer request lines), far beyond any real
feed's address, and short enough to show on a line or two."""
HIDDEN = "***"
"""What a password in a URL is shown as."""


def clean_text(text: str) -> str:
    """Return multi-line text with escapes and invisible controls removed.

    Line breaks of every kind become ``\\n`` and tabs become spaces; nothing else
    visible is changed.
    """
    if text.isprintable() or text.replace("\n", "").isprintable():
        # Nothing to strip: controls, format characters (bidi, zero-width) and
        # escapes are all non-printable. The common case, and much the cheapest.
        return text
    text = _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n"))
    if _ESCAPE_START.search(text):
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _INVISIBLE.sub("", text.replace("\t", " "))


def clean_line(text: str) -> str:
    """Return text fit for one line: cleaned, with all whitespace runs as one space."""
    if text.isprintable():
        return " ".join(text.split())
    return collapse_spaces(clean_text(text).replace("\n", " "))


def collapse_spaces(text: str) -> str:
    """Turn every run of horizontal whitespace into one space and trim the ends.

    For text that :func:`clean_text` has already cleaned.
    """
    return " ".join(text.split())


def clean_href(href: str) -> str:
    """An href as a browser reads it (:func:`read_href`), then cleaned to one line.

    Browsers follow ``java&#9;script:`` as ``javascript:``; so must the scheme check.
    """
    return clean_line(read_href(href))


_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def read_href(href: str) -> str:
    """An href as a browser reads it, and nothing more: tabs and newlines inside
    removed, controls and spaces trimmed from the ends (the WHATWG URL rules).

    Unlike :func:`clean_href` it removes no escape sequence from the middle: an
    address that has one is a different address without it, and is refused
    (:func:`feed_url_problem`), not changed into another.
    """
    return _URL_INVISIBLE.sub("", href).strip(_C0_AND_SPACE)


def has_unsafe_scheme(href: str) -> bool:
    """True when an href names a scheme other than http(s): javascript:, data:, file: ..."""
    try:
        scheme = urlsplit(clean_href(href)).scheme
    except ValueError:
        return True
    return bool(scheme) and scheme.lower() not in SAFE_URL_SCHEMES


def is_safe_url(url: str | None) -> bool:
    """Return True for an absolute http(s) URL with a host, the only kind followed."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_URL_SCHEMES and bool(parts.netloc)


def feed_url_problem(url: str) -> str | None:
    """Why this cannot be a feed's address, or None when it can.

    A feed's address is kept in the config, fetched, shown and exported, so it must
    be an absolute http(s) URL with a host, at most :data:`MAX_URL_LENGTH`
    characters, with no control, format (bidi, zero-width) or whitespace character
    in it: those belong percent-encoded (``%1B``), which is harmless wherever it
    is shown. The reason reads after "url ", as in "url must ...".
    """
    if len(url) > MAX_URL_LENGTH:
        return f"must be at most {MAX_URL_LENGTH} characters long"
    if not url.isprintable() or " " in url:
        return "must have no control characters or spaces in it (percent-encode them)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises for a port that is not a number
    except ValueError:
        return "must be an http or https address"
    if parts.scheme.lower() not in SAFE_URL_SCHEMES or not parts.hostname:
        return "must be an http or https address"
    return None


def display_url(url: str) -> str:
    """A URL as it may be shown: one clean line, with its password as ``***``.

    ``https://user:secret@host/feed`` shows as ``https://user:***@host/feed``. A
    user name with no password (``https://TOKEN@host/``) is shown as ``***`` too:
    services that take a token in a URL put it there.
    """
    return hide_password(clean_line(url))


def hide_password(url: str) -> str:
    """The URL with the password (or a user name alone) of its authority as ``***``."""
    if "@" not in url:
        return url
    try:
        netloc = urlsplit(url).netloc
    except ValueError:
        return url
    if "@" not in netloc:
        return url
    userinfo, _, host = netloc.rpartition("@")
    user, colon, _password = userinfo.partition(":")
    masked = f"{user}:{HIDDEN}" if colon else HIDDEN
    start = url.index("//") + 2  # the authority follows the scheme's "//"
    return f"{url[:start]}{masked}@{host}{url[start + len(netloc) :]}"


def clean_json(value: Any) -> Any:
    """A JSON-bound structure with every string in it (keys too) cleaned by :func:`clean_text`.

    Every ``--json`` output goes through this, so that no field can carry an escape
    (not even written as ``\\u001b``) whoever built it; newlines stay in text that
    has them (an article's paragraphs), escaped by JSON as ``\\n``.
    """
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {
            clean_text(key) if isinstance(key, str) else key: clean_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_json(item) for item in value]
    return value
