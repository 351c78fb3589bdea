"""Headings that stand next to short lines: over a list, under one, over a subheading.

Such a line is a list item as often as a heading; the shapes (``headings.shape``) set
them apart for the model, and a heading over a short line is taken only where its
document writes other headings the same way.
"""

from __future__ import annotations

from newsreader.extract.headings import (
    LineContext,
    Shape,
    add_stacked_headings,
    decide_headings,
    features,
    heading_form,
    model,
    shape,
    short_open,
)
from tests.helpers.plaintext import OTHER, PARAGRAPH, extract, headings

THIRD = (
    "Yet another paragraph, long enough for body text, tells of something else "
    "entirely and ends with a full stop like the others do."
)
LIST = "Tomatoes from the market\nTwo onions, chopped\nA handful of basil leaves\n"
PLANS = (
    "We are running three experiments this week\nNew stories on the front page in Australia\n"
    "A new way to sign up from the toolbar\n"
)


def _context(text: str, previous: str | None, following: str, **changes: object) -> LineContext:
    values: dict[str, object] = {
        "text": text,
        "blank_before": True,
        "blank_after": True,
        "previous": previous,
        "following": following,
        "after_following": None,
        "spaced": True,
    }
    values.update(changes)
    return LineContext(**values)  # type: ignore[arg-type]


def test_the_model_has_a_threshold_for_every_shape() -> None:
    thresholds = model().thresholds
    assert set(thresholds) == set(Shape)
    assert all(0 < value < 1 for value in thresholds.values())


def test_a_line_over_a_long_paragraph_has_the_strong_shape() -> None:
    assert shape(_context("What the Court Decided", PARAGRAPH, OTHER)) is Shape.STRONG


def test_the_last_of_a_run_of_short_lines_over_a_long_paragraph_ends_a_run() -> None:
    context = _context("Password Manager", "A handful of basil leaves", OTHER, run=4)
    assert shape(context) is Shape.ENDS_RUN
    short_paragraph = "It was a short paragraph, of fifty-odd chars."
    assert shape(_context("Password Manager", "Basil", short_paragraph, run=4)) is None


def test_a_line_over_a_short_line_after_a_paragraph_heads_a_run() -> None:
    context = _context("Project Updates", PARAGRAPH, "Add-ons and Extensions", run=3, run_after=2)
    assert shape(context) is Shape.HEADS_RUN
    # In the middle of a run of short lines it is a list item: no shape at all.
    assert shape(_context("Project Updates", "Basil leaves", "Onions", run=3)) is None


def test_a_paragraph_may_open_with_a_footnote_mark_a_bracket_or_an_emoji() -> None:
    for following in (f"^ {OTHER}", f"[Jane] {OTHER}", f"🌟 {OTHER}"):
        assert shape(_context("References", PARAGRAPH, following)) is Shape.STRONG
    assert shape(_context("References", PARAGRAPH, f", {OTHER}")) is None
    # A caption over its credit line is no heading over a paragraph.
    assert shape(_context("A Harbour at Dawn", PARAGRAPH, f"© {OTHER}")) is None


def test_a_full_width_question_mark_ends_a_heading() -> None:
    body = "这是一段足够长的正文，" * 8 + "。"
    assert shape(_context("出国前：政治科目会出啥考题？", body, body)) is Shape.STRONG


def test_a_chinese_sentence_is_not_a_short_line() -> None:
    assert not short_open(
        "在采访中，我们了解到不少学子在出国前就每年守在电脑前观看两会直播但是随着年龄和阅历"
    )
    assert not short_open("图为马素湘在澳大利亚悉尼游玩时的近影。")
    assert short_open("出国前后关注点大不同")


def test_heading_forms() -> None:
    assert heading_form("3. Check the lease") == "numbered"
    assert heading_form("Highlights") == "one_word"
    assert heading_form("The Lorenz Equations") == "title"
    assert heading_form("Friends of the team") == "sentence"
    assert heading_form("关注点多与所学专业相关") == "caseless"
    assert heading_form("“关注点”多与所学专业相关") == "caseless"
    assert heading_form("“Why Now” Explained") == "title"
    assert heading_form("2024 Annual Review") == "title"


def test_a_heading_under_a_list_of_lines_set_apart_ends_the_run() -> None:
    items = LIST.replace("\n", "\n\n")
    text = f"A Title\n\n{PARAGRAPH}\n\nWhat You Need\n\n{items}How to Cook It\n\n{OTHER}\n"
    article = extract(text)
    assert headings(article) == [None, "How to Cook It"]
    assert "A handful of basil leaves" in article.paragraphs


def test_a_section_heading_under_a_list_is_a_heading() -> None:
    text = f"A Title\n\n{PARAGRAPH}\n\nWhat You Need\n\n{LIST}\nHow to Cook It\n\n{OTHER}\n"
    article = extract(text)
    assert "How to Cook It" in headings(article)
    assert "A handful of basil leaves" not in headings(article)


def test_a_heading_over_a_list_needs_headings_of_its_form_in_the_document() -> None:
    sections = "".join(
        f"{name}\n\n{body}\n\n"
        for name, body in (("Where It Began", OTHER), ("What Came After", THIRD))
    )
    over_list = f"Things to Buy\n\n{PLANS}\n{PARAGRAPH} Again.\n"
    assert "Things to Buy" in headings(extract(f"A Title\n\n{PARAGRAPH}\n\n{sections}{over_list}"))
    # Alone in its document, the same line may be a list's first item: it stays text.
    lone = extract(f"A Title\n\n{PARAGRAPH}\n\n{over_list}")
    assert headings(lone) == [None]
    assert "Things to Buy" in lone.paragraphs
    # Headings of another form (sentence case) do not vouch for a Title Case line.
    sentence_case = sections.replace("Where It Began", "Where it began").replace(
        "What Came After", "What came after"
    )
    other_form = extract(f"A Title\n\n{PARAGRAPH}\n\n{sentence_case}{over_list}")
    assert headings(other_form) == [None, "Where it began", "What came after"]


def test_decide_headings_leaves_lines_that_never_are_headings() -> None:
    context = _context("What the Court Decided", PARAGRAPH, OTHER)
    assert decide_headings([None, context, None]) == [False, True, False]


def test_a_hyphenated_common_word_is_no_credit() -> None:
    def credit(text: str) -> bool:
        return "credit_word" in features(_context(text, PARAGRAPH, OTHER))

    assert not credit("Picture-in-Picture")
    assert not credit("How effective is File-by-File Patching?")
    assert credit("Picture: Jane Doe")
    assert credit("A harbour at dawn (AFP-JIJI)")
    assert credit("Getty Images/iStockphoto")
    picture = f"A Title\n\n{PARAGRAPH}\n\nPicture-in-Picture\n\n{OTHER}\n"
    assert "Picture-in-Picture" in headings(extract(picture))


def test_in_text_without_blank_lines_a_long_line_sets_a_heading_apart() -> None:
    # One paragraph per line: a paragraph's line need not end in a full stop.
    unfinished = THIRD.rstrip(".") + " in Bug 1674106"
    text = f"A Title\n{PARAGRAPH}\n{unfinished}\nInstaller and Updater\n{OTHER}\n"
    article = extract(text)
    assert headings(article) == [None, "Installer and Updater"]
    assert article.sections[0].paragraphs == (PARAGRAPH, unfinished)


def test_a_line_between_two_headings_is_a_heading() -> None:
    top = _context("Project Updates", THIRD, "Add-ons and Extensions")
    middle = _context("Add-ons and Extensions", "Project Updates", "Addon Manager Changes")
    bottom = _context("Addon Manager Changes", "Add-ons and Extensions", OTHER)
    contexts: list[LineContext | None] = [None, top, middle, bottom, None]
    assert add_stacked_headings(contexts, [False, True, False, True, False]) == [
        False,
        True,
        True,
        True,
        False,
    ]
    # Under a paragraph's unfinished last line, it is the end of that paragraph's list.
    under_item = _context("Add-ons and Extensions", "Basil leaves", "Addon Manager Changes")
    assert add_stacked_headings([None, under_item, bottom], [False, False, True]) == [
        False,
        False,
        True,
    ]
