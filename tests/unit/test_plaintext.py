"""The plain-text extractor's rules, one case each (table-driven)."""

from __future__ import annotations

import pytest

from newsreader.extract.decode import UnreadableFile, decode_text
from newsreader.extract.plaintext import extract_plain_text
from newsreader.model import LinkKind
from tests.helpers.plaintext import OTHER, PARAGRAPH, extract, headings


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Read Also: The Next Story", "The Next Story"),
        ("ALSO READ: The Next Story", "The Next Story"),
        ("Also read: The Next Story", "The Next Story"),
        ("READ MORE: The Next Story", "The Next Story"),
        ("Read more: The Next Story", "The Next Story"),
        ("RELATED: The Next Story", "The Next Story"),
        ("Related Articles: The Next Story", "The Next Story"),
        ("See also: The Next Story", "The Next Story"),
        ("Related | The Next Story", "The Next Story"),
    ],
)
def test_related_label_on_the_same_line(line: str, expected: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{line}\n\n{PARAGRAPH}\n")
    assert [(link.kind, link.text) for link in article.links] == [(LinkKind.READ_ALSO, expected)]
    assert line not in article.paragraphs
    assert len(article.paragraphs) == 2


@pytest.mark.parametrize("label", ["Read more about:", "Read more:", "RELATED:", "READ NEXT"])
def test_related_label_alone_then_titles(label: str) -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n{label}\nFirst Story Title\nSecond Story\n\n{PARAGRAPH}\n"
    )
    assert [link.text for link in article.links] == ["First Story Title", "Second Story"]
    assert article.paragraphs == [PARAGRAPH, PARAGRAPH]


def test_title_then_bare_read_more_is_a_link() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\nObama urges Trump on China ties\n Read more\n{PARAGRAPH}\n"
    )
    assert [link.text for link in article.links] == ["Obama urges Trump on China ties"]
    assert article.paragraphs == [PARAGRAPH, PARAGRAPH]


def test_fragment_is_joined_to_its_continuation_not_a_heading() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nFurry recyclers\n\nhave already had one big-screen outing, "
        "and a second is planned for next year by the same studio.\n"
    )
    assert headings(article) == [None]
    assert article.paragraphs[-1].startswith("Furry recyclers have already had")


@pytest.mark.parametrize(
    "lines",
    [
        ["Chelsea v Arsenal", "Spurs v Fulham", "Leeds v Everton"],
        ["Ewood Park", "Tuesday, 1 March", "2000 GMT"],
        ["- first point", "- second point", "- third point"],
    ],
)
def test_runs_of_short_lines_are_not_headings(lines: list[str]) -> None:
    body = "\n\n".join(lines)
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{body}\n\n{PARAGRAPH}\n")
    assert headings(article) == [None]
    assert all(line in article.paragraphs for line in lines)


def test_single_fixture_line_is_not_a_heading() -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\nChelsea v Arsenal\n\n{PARAGRAPH}\n")
    assert headings(article) == [None]


@pytest.mark.parametrize(
    "heading", ["Here come the generals", "Geology", "Sign of Deepening Ties - Talks Begin"]
)
def test_real_headings_stay_headings(heading: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{heading}\n\n{OTHER}\n")
    assert headings(article) == [None, heading]


def test_heading_in_single_newline_text() -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\nHere come the generals\n{OTHER}\n")
    assert headings(article) == [None, "Here come the generals"]


@pytest.mark.parametrize(
    ("caption_lines", "caption", "credit"),
    [
        (["Boats at the Quay on Monday", "Boats at the Quay on Monday", "Photo: AP"],
         "Boats at the Quay on Monday", "Photo: AP"),
        (["Wang Yi's Meeting Highlights Ties", "Wang Yi’s Meeting Highlights Ties", "Source: Web"],
         "Wang Yi’s Meeting Highlights Ties", "Source: Web"),
        (["Crowds outside the hall", "Credit: Jane Doe"],
         "Crowds outside the hall", "Credit: Jane Doe"),
        (["Hillary Clinton walks off the stage",
          "Hillary Clinton walks off the stage after speaking. (Photo: Matt Rourke, AP)"],
         "Hillary Clinton walks off the stage after speaking.", "Photo: Matt Rourke, AP"),
    ],
)  # fmt: skip
def test_captions_and_credits(caption_lines: list[str], caption: str, credit: str) -> None:
    block = "\n".join(caption_lines)
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{block}\n\n{PARAGRAPH}\n")
    assert [(f.caption, f.credit) for f in article.figures] == [(caption, credit)]
    assert article.paragraphs == [PARAGRAPH, PARAGRAPH]


def test_breadcrumb_run_together_without_spaces() -> None:
    article = extract(
        "Look Who Is Running Again\nhttp://example.org/look-who\n"
        " HomePoliticsLook Who Is Running Again\n"
        f"Look Who Is Running AgainPOLITICS BY A WRITER\n{PARAGRAPH}\n"
    )
    assert article.title == "Look Who Is Running Again"
    assert article.categories == ("Politics",)
    assert article.url == "http://example.org/look-who"
    assert article.paragraphs == [PARAGRAPH]


def test_title_starting_with_home_is_not_a_breadcrumb() -> None:
    article = extract(f"Home phones face unclear future\n\n{PARAGRAPH}\n")
    assert article.title == "Home phones face unclear future"
    assert article.categories == ()


def test_no_title_line_takes_the_first_sentence() -> None:
    article = extract(f"{PARAGRAPH}\n\n{PARAGRAPH}\n")
    assert article.title.startswith("This paragraph is long enough")
    assert article.paragraphs == [PARAGRAPH, PARAGRAPH]


def test_windows_1252_and_crlf() -> None:
    data = "Council\u2019s Vote\r\n\r\nThe \u201cvote\u201d was delayed \u2013 again.\r\n".encode(
        "cp1252"
    )
    article = extract_plain_text(decode_text(data), source="x", guid="x", fallback_title="x")
    assert article.title == "Council’s Vote"
    assert article.paragraphs == ["The “vote” was delayed – again."]


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty"), (b"  \n \r\n", "empty"), (bytes(range(256)) * 4, "binary"),
     (b"\x1f\x8b\x08\x00junk", "binary"), (b"PK\x03\x04zip", "binary")],
)  # fmt: skip
def test_unreadable_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=reason):
        decode_text(data)


SENTENCE = "Harbour council said on Tuesday the old quay would close."
LOWER = SENTENCE.lower()


@pytest.mark.parametrize(
    ("body", "lines"),
    [
        (f"{SENTENCE}\x85{LOWER}", [SENTENCE, LOWER]),  # NEL (0x85 in Windows-1252) breaks lines
        (f"{SENTENCE}\r\n{LOWER}", [SENTENCE, LOWER]),
        (f"{SENTENCE}\n\n{LOWER}", [SENTENCE, LOWER]),
        (
            f"{SENTENCE} {SENTENCE}\x85{LOWER} {LOWER}",
            [f"{SENTENCE} {SENTENCE}", f"{LOWER} {LOWER}"],
        ),
    ],
)
def test_a_sentence_and_its_lowercase_copy_are_paragraphs_not_a_caption(
    body: str, lines: list[str]
) -> None:
    article = extract(f"A Title\n\n{body}\n")
    assert article.figures == ()
    assert article.paragraphs == lines


def test_a_lowercase_copy_amid_paragraphs_is_a_paragraph() -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{SENTENCE}\n{LOWER}\n\n{OTHER}\n")
    assert article.figures == ()
    assert article.paragraphs == [PARAGRAPH, SENTENCE, LOWER, OTHER]


@pytest.mark.parametrize("separator", ["\n", "\r\n"])
def test_a_line_printed_twice_that_is_the_whole_body_is_not_a_caption(separator: str) -> None:
    article = extract(f"A Title{separator}{separator}{SENTENCE}{separator}{SENTENCE}{separator}")
    assert article.figures == ()
    assert article.paragraphs == [SENTENCE, SENTENCE]
