"""A feed document's character encoding, by the XML rules, and the document as UTF-8.

The rules are RFC 7303's, the same for a file and a download: a byte order mark
first; then the charset of the HTTP ``Content-Type``, where the server gives one;
then the encoding named in the XML declaration; then UTF-8. The media type itself
decides nothing (RFC 3023 read ``text/*`` without a charset as US-ASCII, and an
unknown type as ISO-8859-1; feedparser still does, which turned UTF-8 feeds into
mojibake). A claim the bytes cannot bear is passed over: ASCII bytes are not
UTF-16 or UTF-32 whatever the label says, and bytes with the zeros of UTF-16 or
UTF-32 are read as what their shape shows.

A document that does not decode in the chosen encoding is read as UTF-8; failing
that, one labelled UTF-8, ASCII or Latin-1 is read as Windows-1252, and one in any
other encoding (Shift_JIS, Hebrew, Cyrillic) in its own, a byte it cannot read
made U+FFFD: Windows-1252 would misread every letter of it. The result is UTF-8
with its declaration saying so, for a parser that can then make no guess of its own.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16's: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WIDE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})
# What Windows-1252 documents are mislabelled as: when one does not decode, it is read
# as Windows-1252. A document in any other encoding keeps it.
_WESTERN = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252"})
# Labels read as the superset that documents so labelled are written in (as browsers do).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "shift_jis": "cp932"}
# Labels browsers know (the WHATWG Encoding Standard's) that Python's codecs do not.
# ISO-8859-8's kinds (-I or "logical", -E, "visual") differ in the order the text is
# written in, not in what the bytes mean: text written backwards is read as written.
_LABELS = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "x-cp1255": "cp1255",
    "iso-8859-8-i": "iso8859-8",
    "csiso88598i": "iso8859-8",
    "logical": "iso8859-8",
    "iso-8859-8-e": "iso8859-8",
    "csiso88598e": "iso8859-8",
    "iso88598": "iso8859-8",
    "visual": "iso8859-8",
}
# UTF-7 spells markup in letters ("+ADw-" is "<"); browsers refuse it as a label.
_REFUSED = frozenset({"utf-7"})
_DECLARED = re.compile(rb"""\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")
_DECLARED_TEXT = re.compile(r"""\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")


@dataclass(frozen=True, slots=True)
class Choice:
    """The encoding the rules give a document, and the length of its byte order mark."""

    encoding: str
    bom: int = 0


@dataclass(frozen=True, slots=True)
class Settled:
    """A document as UTF-8, and the encoding it was read in."""

    document: bytes
    encoding: str


def http_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value, or None."""
    if not content_type:
        return None
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'").strip() or None
    return None


def declared_encoding(data: bytes) -> str | None:
    """The encoding named in an ASCII-compatible document's XML declaration, or None."""
    match = _DECLARED.match(data)
    if match is None:
        return None
    return match.group(2).decode("ascii", "replace").strip() or None


def choose_encoding(data: bytes, content_type: str | None = None) -> Choice:
    """The encoding a document is in: BOM, else HTTP charset, else declaration, else UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Choice(encoding, len(bom))
    shape = _wide_shape(data[:4])
    if shape:
        return Choice(shape)
    for label in (http_charset(content_type), declared_encoding(data)):
        codec = _codec(label)
        if codec and codec not in _WIDE:
            return Choice(codec)
    return Choice("utf-8")


def as_utf8(data: bytes, content_type: str | None = None) -> Settled:
    """The document in UTF-8, its XML declaration (if any) naming UTF-8.

    It is decoded in :func:`choose_encoding`'s encoding; when that fails, as UTF-8,
    then as Windows-1252 if it was labelled as what Windows-1252 text is mislabelled
    as (UTF-8, ASCII, Latin-1), else in its own encoding with U+FFFD for the bytes
    that do not decode. A document with a byte order mark or the shape of UTF-16/32
    has nothing else to be: bytes that do not decode become U+FFFD.
    """
    choice = choose_encoding(data, content_type)
    body = data[choice.bom :]
    candidates: tuple[str, ...]
    if choice.bom or choice.encoding in _WIDE:
        # A byte order mark or the zeros of UTF-16/32 leave nothing else to try.
        candidates, last_resort = (choice.encoding,), choice.encoding
    elif choice.encoding in _WESTERN:
        candidates, last_resort = (choice.encoding, "utf-8"), "cp1252"
    else:
        candidates, last_resort = (choice.encoding, "utf-8"), choice.encoding
    for encoding in dict.fromkeys(candidates):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8":
            # The usual case: the bytes are UTF-8 already and are kept, not copied.
            return Settled(_declare_utf8_bytes(body), encoding)
        return Settled(_declare_utf8_text(text).encode(), encoding)
    text = body.decode(last_resort, "replace")
    return Settled(_declare_utf8_text(text).encode(), last_resort)


def _codec(label: str | None) -> str | None:
    """The Python codec for an encoding label, or None for an unknown or refused one."""
    if not label:
        return None
    try:
        name = codecs.lookup(_LABELS.get(label.strip().lower(), label)).name
        "<".encode(name)  # LookupError for codecs that are not text encodings (base64, zlib)
    except (LookupError, UnicodeError, ValueError):  # ValueError: a NUL in the label
        return None
    if name in _REFUSED:
        return None
    return _SUPERSETS.get(name, name)


def _wide_shape(head: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, told by where the zero bytes of ``<`` fall."""
    if len(head) < 4 or b"\x00" not in head:
        return None
    if head[:3] == b"\x00\x00\x00":
        return "utf-32-be"
    if head[1:] == b"\x00\x00\x00":
        return "utf-32-le"
    if head[0] == 0 and head[2] == 0:
        return "utf-16-be"
    if head[1] == 0 and head[3] == 0:
        return "utf-16-le"
    return None


def _declare_utf8_bytes(data: bytes) -> bytes:
    match = _DECLARED.match(data)
    if match is None or match.group(2).lower() in (b"utf-8", b"utf8"):
        return data
    start, end = match.span(2)
    return data[:start] + b"utf-8" + data[end:]


def _declare_utf8_text(text: str) -> str:
    match = _DECLARED_TEXT.match(text)
    if match is None:
        return text
    start, end = match.span(2)
    return text[:start] + "utf-8" + text[end:]
