"""A feed's encoding is decided by the XML rules, the same from a file and over HTTP."""

from __future__ import annotations

import codecs

import pytest

from newsreader.extract.xmlencoding import (
    Choice,
    as_utf8,
    choose_encoding,
    declared_encoding,
    http_charset,
)


def declared(encoding: str) -> bytes:
    return f'<?xml version="1.0" encoding="{encoding}"?><rss/>'.encode()


# The decision: BOM, then the HTTP charset, then the declaration, then UTF-8.


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        # A byte order mark beats everything else.
        (codecs.BOM_UTF8 + declared("iso-8859-1"), "text/xml; charset=koi8-r", Choice("utf-8", 3)),
        (codecs.BOM_UTF16_LE + "<rss/>".encode("utf-16-le"), None, Choice("utf-16-le", 2)),
        (codecs.BOM_UTF16_BE + "<rss/>".encode("utf-16-be"), None, Choice("utf-16-be", 2)),
        (codecs.BOM_UTF32_LE + "<rss/>".encode("utf-32-le"), None, Choice("utf-32-le", 4)),
        (codecs.BOM_UTF32_BE + "<rss/>".encode("utf-32-be"), None, Choice("utf-32-be", 4)),
        # Without one, the zeros of UTF-16/32 show which it is.
        ("<?xml version='1.0'?><rss/>".encode("utf-16-le"), None, Choice("utf-16-le")),
        ("<rss/>".encode("utf-16-be"), "text/xml; charset=utf-8", Choice("utf-16-be")),
        ("<rss/>".encode("utf-32-le"), None, Choice("utf-32-le")),
        ("<rss/>".encode("utf-32-be"), None, Choice("utf-32-be")),
        # The server's charset beats the declaration, whatever the media type.
        (declared("utf-8"), "application/rss+xml; charset=ISO-8859-1", Choice("iso8859-1")),
        (declared("iso-8859-1"), 'text/xml; Charset="windows-1252"', Choice("cp1252")),
        (declared("iso-8859-1"), "text/html;charset=utf-8", Choice("utf-8")),
        # No charset: the declaration, for every media type (text/* is not US-ASCII).
        (declared("windows-1252"), "text/xml", Choice("cp1252")),
        (declared("ISO-8859-1"), "application/x-rss+xml", Choice("iso8859-1")),
        (declared("ISO-8859-1"), None, Choice("iso8859-1")),
        (b"\n\n" + declared("koi8-r"), "application/xml; charset=", Choice("koi8-r")),
        # Neither: UTF-8.
        (b"<rss/>", "text/xml", Choice("utf-8")),
        (b'<?xml version="1.0"?><rss/>', "application/octet-stream", Choice("utf-8")),
        # A label nobody knows, or that names no text encoding, is passed over.
        (declared("iso-8859-1"), "text/xml; charset=x-unheard-of", Choice("iso8859-1")),
        (declared("base64"), None, Choice("utf-8")),
        (declared("utf-7"), None, Choice("utf-8")),
        # ASCII bytes are not UTF-16 or UTF-32, whatever they are labelled.
        (declared("UTF-16"), None, Choice("utf-8")),
        (declared("utf-32"), "text/xml", Choice("utf-8")),
        (declared("iso-8859-1"), "text/xml; charset=utf-16", Choice("iso8859-1")),
        # Labels read as the superset documents so labelled are written in.
        (declared("gb2312"), None, Choice("gb18030")),
        (declared("euc-kr"), None, Choice("cp949")),
        (b"<rss/>", "text/xml; charset=Shift_JIS", Choice("cp932")),
    ],
)
def test_choose_encoding(data: bytes, content_type: str | None, expected: Choice) -> None:
    assert choose_encoding(data, content_type) == expected


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        (None, None),
        ("text/xml", None),
        ("text/xml; charset=UTF-8", "UTF-8"),
        ("application/rss+xml;charset='iso-8859-1' ", "iso-8859-1"),
        ('text/xml; format=flowed; CHARSET = "koi8-r"', "koi8-r"),
        ("text/xml; charset=", None),
    ],
)
def test_http_charset(content_type: str | None, charset: str | None) -> None:
    assert http_charset(content_type) == charset


def test_declared_encoding() -> None:
    assert declared_encoding(b"<?xml version='1.0' encoding='Windows-1252' ?><rss/>") == (
        "Windows-1252"
    )
    assert declared_encoding(b'<?xml version="1.0"?><rss encoding="koi8-r"/>') is None
    assert declared_encoding(b'<rss><?xml encoding="koi8-r"?></rss>') is None


# The document as UTF-8.

TEXT = "Zoë’s “naïve” café costs 5 €"


def test_utf8_documents_are_kept_as_they_are() -> None:
    data = f'<?xml version="1.0" encoding="UTF-8"?><rss><title>{TEXT}</title></rss>'.encode()
    settled = as_utf8(data, "text/xml")
    assert settled.encoding == "utf-8" and settled.document is data


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-16-be", "utf-32"])
def test_other_encodings_become_utf8_with_the_declaration_rewritten(encoding: str) -> None:
    data = f"<?xml version='1.0' encoding='{encoding}' standalone='yes'?><t>{TEXT}</t>"
    settled = as_utf8(data.encode(encoding))
    assert settled.document.decode("utf-8") == data.replace(encoding, "utf-8")


def test_the_server_charset_overrides_a_wrong_declaration() -> None:
    data = f'<?xml version="1.0" encoding="iso-8859-1"?><t>{TEXT}</t>'.encode()
    settled = as_utf8(data, "application/xml; charset=utf-8")
    assert settled.encoding == "utf-8"
    assert settled.document == data.replace(b"iso-8859-1", b"utf-8")
    # Without the charset, the declaration is believed: the bytes are read as Latin-1.
    assert as_utf8(data).encoding == "iso8859-1"


@pytest.mark.parametrize(
    ("data", "content_type", "encoding", "text"),
    [
        # Not UTF-8 as declared: Windows-1252.
        (
            '<?xml version="1.0" encoding="utf-8"?><t>“x”</t>'.encode("cp1252"),
            None,
            "cp1252",
            "“x”",
        ),
        # Not ASCII as the server says: UTF-8, then Windows-1252.
        ("<t>“x”</t>".encode(), "text/xml; charset=us-ascii", "utf-8", "“x”"),
        ("<t>“x”</t>".encode("cp1252"), "text/xml; charset=us-ascii", "cp1252", "“x”"),
        # Bytes Windows-1252 leaves undefined are replaced, not fatal.
        (b"<t>\x81\x93x\x94</t>", None, "cp1252", "\ufffd“x”"),
        # After a byte order mark there is nothing else to try.
        (codecs.BOM_UTF8 + "<t>é".encode() + b"\xff</t>", None, "utf-8", "é\ufffd"),
    ],
)
def test_a_document_that_does_not_decode_falls_back(
    data: bytes, content_type: str | None, encoding: str, text: str
) -> None:
    settled = as_utf8(data, content_type)
    assert settled.encoding == encoding
    assert text in settled.document.decode("utf-8")
