"""Keeping large entry bodies out of feedparser's per-character work.

feedparser handles element text in Python, character by character in places
(a Windows-1252 repair, entity decoding, copies of the content parameters), so
an entry's HTML body costs more than the rest of the entry together. A body
written as CDATA, or as escaped HTML with no markup of its own, needs no XML
parsing. Before feedparser runs, each large such body of a ``description``,
``content`` or ``summary`` element is swapped for a short token; afterwards the entries' summary
and content values get their text back, decoded in the document's encoding and
given the same treatment the parser would have given it (entities decoded,
line ends made LF, trimmed, C1 controls read as Windows-1252). Documents in
encodings that are not ASCII-compatible are left alone. feedparser still parses
every document.
"""

from __future__ import annotations

import contextlib
import html
import re
import secrets
from typing import Any

MIN_LIFT_BYTES = 256
_BODY_ELEMENTS = rb"(?:description|content:encoded|content|summary|atom:content|atom:summary)"
_BODY_CDATA = re.compile(
    rb"(<" + _BODY_ELEMENTS + rb"\b[^>]*>\s*)<!\[CDATA\[(.*?)\]\]>",
    re.DOTALL,
)
# Escaped HTML ("&lt;p&gt;...") written as the element's whole text.
_BODY_ESCAPED = re.compile(
    rb"(<(" + _BODY_ELEMENTS + rb")\b(?:[^>/]|/(?!>))*>)([^<]{%d,})(?=</\2>)" % 256,
)
_C1 = re.compile("[\x80-\x9f]")
# What feedparser maps C1 controls to: the Windows-1252 characters at those bytes.
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


_OTHER_REFERENCE = re.compile(r"&(?!(?:lt|gt|amp|quot|apos);)")
_REFERENCE = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));")
_XML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _xml_unescape(text: str) -> str:
    """Decode the references of escaped text as an XML parser does: the five XML
    ones by plain replacing (most bodies have only those, thousands of them), a
    character reference as its character whatever it is, a name XML does not
    define as HTML reads it."""
    if _OTHER_REFERENCE.search(text):
        return _REFERENCE.sub(_reference, text)
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _reference(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _XML_NAMED.get(name) or html.unescape(match.group(0))
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def repaired(text: str) -> str:
    """What feedparser does to every value after trimming it: repair UTF-8 read as
    Latin-1, then read C1 controls as the Windows-1252 characters at those bytes."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return _C1.sub(lambda c: _CP1252.get(ord(c.group(0)), c.group(0)), text)


class LiftedBodies:
    """CDATA bodies taken out of a document, and how to put them back."""

    def __init__(self, bodies: list[tuple[bytes, bool]], nonce: str) -> None:
        self._bodies = bodies
        self._token = re.compile(rf"nrlift{nonce}x(\d+)x")

    def __bool__(self) -> bool:
        return bool(self._bodies)

    def restore(self, text: str, encoding: str) -> str:
        """Put the bodies back into a string that feedparser returned."""
        if "nrlift" not in text:
            return text

        def body(match: re.Match[str]) -> str:
            raw, escaped = self._bodies[int(match.group(1))]
            decoded = raw.decode(encoding or "utf-8", errors="replace")
            # An XML parser turns CRLF and CR into LF, in CDATA too; a reference
            # to a CR (&#xD;) stays a CR.
            decoded = decoded.replace("\r\n", "\n").replace("\r", "\n")
            return _xml_unescape(decoded) if escaped else decoded

        # As feedparser treats a value: trimmed, then repaired, as a whole.
        return repaired(self._token.sub(body, text).strip())

    def restore_entry(self, entry: dict[str, Any], encoding: str) -> None:
        """Restore an entry's summary and content values in place."""
        if isinstance(entry.get("summary"), str):
            entry["summary"] = self.restore(entry["summary"], encoding)
        for content in entry.get("content") or []:
            if isinstance(content.get("value"), str):
                content["value"] = self.restore(content["value"], encoding)


def lift_bodies(data: bytes) -> tuple[bytes, LiftedBodies]:
    """Swap large CDATA bodies for tokens; returns the new document and the bodies."""
    head = data[:4]
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data, LiftedBodies([], "")
    nonce = secrets.token_hex(4)
    bodies: list[tuple[bytes, bool]] = []

    def token() -> bytes:
        return b"nrlift" + nonce.encode() + b"x%dx" % (len(bodies) - 1)

    def swap_cdata(match: re.Match[bytes]) -> bytes:
        content = match.group(2)
        if len(content) < MIN_LIFT_BYTES:
            return match.group(0)
        bodies.append((content, False))
        return match.group(1) + b"<![CDATA[" + token() + b"]]>"

    def swap_escaped(match: re.Match[bytes]) -> bytes:
        bodies.append((match.group(3), True))
        return match.group(1) + token()

    data = _BODY_CDATA.sub(swap_cdata, data) if b"<![CDATA[" in data else data
    data = _BODY_ESCAPED.sub(swap_escaped, data)
    return data, LiftedBodies(bodies, nonce)
