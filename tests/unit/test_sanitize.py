"""Outside text loses every escape sequence and control character."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from newsreader.extract import ExtractError, extract_bytes
from newsreader.model import Article
from newsreader.sanitize import (
    clean_href,
    clean_line,
    clean_text,
    has_unsafe_scheme,
    is_safe_url,
)
from newsreader.textnorm import fold

FORBIDDEN = {chr(c) for c in range(0x20) if chr(c) not in "\n"} | {chr(0x7F)}
FORBIDDEN |= {chr(c) for c in range(0x80, 0xA0)}
FORBIDDEN |= set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff")
FORBIDDEN |= set("\u061c\u00ad\u180e\u2060\U000e0001\U000e0041")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("x\x1b[2J\x1b[Hy", "xy"),
        ("\x1b]8;;https://evil.example\x07link\x1b]8;;\x07", "link"),
        ("\x1b]52;c;ZXZpbA==\x07copied", "copied"),
        ("\x1bP1$qm\x1b\\dcs", "dcs"),
        ("c1\x9b31mcsi", "c1csi"),
        ("nul\x00here", "nulhere"),
        ("over\rprint", "over\nprint"),
        ("back\bspace", "backspace"),
        ("bidi\u202eevil\u202c", "bidievil"),
        ("zero\u200bwidth\u2060", "zerowidth"),
        ("tab\there", "tab here"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@given(st.text())
def test_clean_text_never_emits_a_control_character(raw: str) -> None:
    assert not set(clean_text(raw)) & FORBIDDEN
    assert not set(clean_line(raw)) & (FORBIDDEN | {"\n"})


@given(st.text())
def test_cleaning_a_line_twice_changes_nothing(raw: str) -> None:
    # The reader's notices clean what they show, whoever cleaned it before.
    assert clean_line(clean_line(raw)) == clean_line(raw)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_clean_text_keeps_visible_text(raw: str) -> None:
    assert clean_text(raw) == raw


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("file:///etc/passwd", False),
        ("/relative/path", False),
        ("https://", False),
        (None, False),
    ],
)
def test_safe_urls(url: str | None, safe: bool) -> None:
    assert is_safe_url(url) is safe


# Property-based: the sanitizer and the plain-text extractor under any input

HOSTILE_CHARS = st.sampled_from(
    ["\x1b[31m", "\x1b]8;;https://x.example\x07", "\x1b]52;c;eA==\x07", "\x1bP1$r\x1b\\",
     "\x9b2J", "\x08", "\r", "\u202e", "\u200b", "\ufeff", "\x85", "\t"]
)  # fmt: skip
WORDS = st.sampled_from(
    ["harbour", "council", "budget", "winter", "signal", "market", "river", "the", "of",
     "Minister", "said", "on", "Tuesday", "42", "per", "cent", "new", "line", "old", "quay"]
)  # fmt: skip


@st.composite
def hostile_sentence(draw: st.DrawFn, line_breaks: bool = True) -> str:
    words = draw(st.lists(WORDS, min_size=4, max_size=30))
    chars = HOSTILE_CHARS if line_breaks else HOSTILE_CHARS.filter(lambda c: c not in "\r\x85")
    pieces = [draw(st.one_of(st.just(""), chars)) + word for word in words]
    return " ".join(pieces).capitalize() + "."


@given(st.text(), st.sampled_from(["\x1b", "\x9b", "\u202e", ""]))
def test_clean_line_never_emits_a_control_character_even_around_escapes(
    raw: str, joiner: str
) -> None:
    assert not set(clean_line(joiner.join([raw, raw]))) & (FORBIDDEN | {"\n"})


@given(st.sampled_from(["javascript", "data", "file", "vbscript"]), st.data())
def test_an_unsafe_scheme_is_seen_through_case_tabs_and_newlines(
    scheme: str, data: st.DataObject
) -> None:
    mangled = ""
    for letter in scheme:
        mangled += data.draw(st.sampled_from([letter, letter.upper()]))
        mangled += data.draw(st.sampled_from(["", "\t", "\n", "\r"]))
    padding = data.draw(st.sampled_from(["", " ", "\x00", "\x01 "]))
    href = f"{padding}{mangled}:alert(1)"
    assert has_unsafe_scheme(href)
    assert not is_safe_url(clean_href(href))


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4096) | st.text(max_size=2048).map(str.encode))
def test_plain_text_extraction_never_raises_unexpectedly_nor_prints_a_control(
    data: bytes,
) -> None:
    try:
        articles = extract_bytes(data, Path("any.txt"))
    except ExtractError as error:
        assert not set(str(error)) & FORBIDDEN
        return
    for article in articles:
        _assert_article_clean(article)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(hostile_sentence(), min_size=1, max_size=4), min_size=1, max_size=12),
    hostile_sentence(line_breaks=False),  # the title is one line
)
# Found by exploration: a sentence, then after a NEL its lower-case copy (once taken
# for a caption printed twice, which left the article no paragraph).
@example([["Harbour said on tuesday.", "\x85harbour said on tuesday."]], "River line.")
def test_plain_text_extraction_keeps_every_paragraph(
    paragraphs: list[list[str]], title: str
) -> None:
    bodies = [" ".join(sentences) for sentences in paragraphs]
    # A line right after the title that repeats it (or runs a kicker into it) is the
    # scraped title again, dropped on purpose; every other line must survive.
    assume(not any(fold(clean_line(b)).startswith(fold(clean_line(title))) for b in bodies))
    text = title + "\n\n" + "\n\n".join(bodies) + "\n"
    # Text that is over 5% control characters is refused as binary, by design.
    assume(len(re.findall("[\x00-\x08\x0e-\x1f]", text)) <= 0.04 * len(text))
    [article] = extract_bytes(text.encode("utf-8"), Path("story.txt"))
    _assert_article_clean(article)
    in_order = [article.title]
    for section in article.sections:
        in_order += [section.heading or "", *section.paragraphs]
    kept = " ".join(
        [
            *in_order,
            *(figure.caption for figure in article.figures),
            *(link.text for link in article.links),
        ]
    )
    kept = " ".join(kept.split())
    # CR and NEL break lines (no overprinting): each line's text must be kept, in a
    # paragraph, heading, caption or link; a line that only repeats the one above
    # it is a duplicated caption and is kept once.
    for body in bodies:
        for line in clean_text(body).split("\n"):
            assert clean_line(line) in kept


def _assert_article_clean(article: Article) -> None:
    fields = [article.title, article.author or "", *article.categories, *article.paragraphs]
    fields += [section.heading or "" for section in article.sections]
    fields += [figure.caption + (figure.credit or "") for figure in article.figures]
    fields += [link.text + (link.url or "") for link in article.links]
    for text in fields:
        assert not set(text) & FORBIDDEN, repr(text)
