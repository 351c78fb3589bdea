"""The plain-text rules that came from material they were not written against:
credits, questions and numbered subheads, furniture anywhere, bylines above titles."""

from __future__ import annotations

from dataclasses import replace

import pytest

from newsreader.extract.furniture import is_furniture
from newsreader.extract.headings import LineContext, Shape, shape
from tests.helpers.plaintext import OTHER, PARAGRAPH, extract, headings


@pytest.mark.parametrize(
    "heading", ["Why does the lease matter?", "3. Check the lease before you sign"]
)
def test_questions_and_numbered_subheads_are_headings(heading: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{heading}\n\n{OTHER}\n")
    assert headings(article) == [None, heading]


@pytest.mark.parametrize(
    "line", ["Getty Images", "Rex Features", "(Photo: Jane Doe)", "From Example.com"]
)
def test_credits_and_addresses_alone_on_a_line_are_not_headings(line: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{line}\n\n{OTHER}\n")
    assert headings(article) == [None]


@pytest.mark.parametrize(
    "line",
    ["Facebook Twitter Pinterest", "ADVERTISEMENT", "Share this article", "View full size image"],
)
def test_furniture_in_the_middle_of_the_body_is_dropped(line: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{line}\n\n{OTHER}\n\n{PARAGRAPH} Again.\n")
    assert article.paragraphs == [PARAGRAPH, OTHER, f"{PARAGRAPH} Again."]
    assert headings(article) == [None]


@pytest.mark.parametrize(
    "text", ["Share the cost of the lease with a friend.", "Twitter said on Monday it would sue."]
)
def test_a_sentence_that_mentions_sharing_is_not_furniture(text: str) -> None:
    assert not is_furniture(text)


@pytest.mark.parametrize(
    "byline", ["By Jane Doe", "Jane Doe | Staff Writer | Tuesday, 25 November 2014"]
)
def test_a_byline_above_the_title_is_not_the_title_and_stays(byline: str) -> None:
    article = extract(f"{byline}\n\nThe Real Title of the Story\n\n{PARAGRAPH}\n")
    assert article.title == "The Real Title of the Story"
    assert article.paragraphs == [byline, PARAGRAPH]


def test_a_body_only_text_takes_its_title_past_the_byline() -> None:
    article = extract(f"Published 2 May 2018\n\n{PARAGRAPH}\n\n{OTHER}\n")
    assert article.title.startswith("This paragraph is long enough")
    assert PARAGRAPH in article.paragraphs


def test_a_picture_credit_after_a_blank_takes_a_long_caption() -> None:
    caption = (
        "The planet photographed by the telescope on a clear night in August, when it was "
        "closer to the Earth than it had been for sixty thousand years, and brighter than "
        "any star in the sky, which made it a sight for everyone who looked up that week"
    )
    assert len(caption) > 200
    article = extract(
        f"A Title\n\n{caption}\n\nCredit: NASA/ESA View full size image\n\n{PARAGRAPH}\n"
    )
    assert [(f.caption, f.credit) for f in article.figures] == [(caption, "Credit: NASA/ESA")]
    assert article.paragraphs == [PARAGRAPH]


def test_a_source_line_under_a_long_paragraph_stays_an_attribution() -> None:
    long_paragraph = " ".join([PARAGRAPH] * 2)
    article = extract(f"A Title\n\n{long_paragraph}\n\nSource: Office for National Statistics\n")
    assert long_paragraph in article.paragraphs
    assert all(f.caption != long_paragraph for f in article.figures)


def test_a_bbc_picture_keeps_its_description_and_caption() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nThe minister at a meeting in Dallas.Image copyrightGETTY IMAGES\n"
        f"Image caption\nThe minister hopes to move to the cabinet\n\n{OTHER}\n"
    )
    [figure] = article.figures
    assert "The minister hopes to move to the cabinet" in figure.caption
    assert "The minister at a meeting in Dallas" in figure.caption
    assert figure.credit == "Image copyright: GETTY IMAGES"


def test_a_kicker_above_the_title_is_not_the_title_and_stays() -> None:
    title = "Heroics from the captain not enough but the visitors still take the series home"
    article = extract(f"Test Series v India\n\n{title}\n\n{PARAGRAPH}\n")
    assert article.title == title
    assert article.paragraphs == ["Test Series v India", PARAGRAPH]


def test_a_caption_over_a_credit_is_not_taken_for_the_title() -> None:
    article = extract(f"Boats at the quay on Monday morning\nPhoto: AP\n\n{PARAGRAPH}\n")
    assert [(f.caption, f.credit) for f in article.figures] == [
        ("Boats at the quay on Monday morning", "Photo: AP")
    ]
    assert article.title.startswith("This paragraph is long enough")


def test_a_related_line_is_never_the_title() -> None:
    article = extract(f"Read Also: The Next Story\n\n{PARAGRAPH}\n")
    assert article.title.startswith("This paragraph is long enough")
    assert [link.text for link in article.links] == ["The Next Story"]


def test_a_video_title_with_its_running_time_is_a_figure_not_a_heading() -> None:
    video = "Senator tells the president to rescind the appointment 1:42"
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{video}\n\n{OTHER}\n")
    assert headings(article) == [None]
    assert [f.caption for f in article.figures] == [video]


@pytest.mark.parametrize(
    "line",
    [
        "Have something to add to this story? Share it in the comments.",
        "PlaySenator Speaks On The Appointment Facebook Twitter Google Plus Embed",
        "Current Time 0:00",
    ],
)
def test_prompts_and_widgets_are_furniture(line: str) -> None:
    assert is_furniture(line)


def test_a_bracketed_headline_is_a_related_link() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\n[In wake of debate, several women accuse the candidate]\n\n"
        f"{OTHER}\n"
    )
    assert [link.text for link in article.links] == [
        "In wake of debate, several women accuse the candidate"
    ]
    assert article.paragraphs == [PARAGRAPH, OTHER]


def test_titles_set_apart_under_a_label_with_a_colon_are_all_links() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nYou might also like:\n\nFirst Story Title\n\n"
        "Second Story Title\n\nFollow the author on Twitter: @someone\n"
    )
    assert [link.text for link in article.links] == ["First Story Title", "Second Story Title"]
    assert "Follow the author on Twitter: @someone" in article.paragraphs


def test_a_line_in_a_script_without_capitals_has_a_heading_s_shape() -> None:
    body = "这是一段足够长的正文，" * 8 + "。"
    context = LineContext(
        text="出国前后关注点大不同",
        blank_before=True,
        blank_after=True,
        previous=body,
        following=body,
        after_following=None,
        spaced=True,
    )
    assert shape(context) is Shape.STRONG
    assert shape(replace(context, text="出国前后关注点大不同。")) is None


def test_a_heading_straight_over_a_heading_is_a_heading() -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\nSoftware\n\nThe Browser\n\n{OTHER}\n")
    assert headings(article) == [None, "Software", "The Browser"]


@pytest.mark.parametrize("line", ["Learn more about the debugger", "Por Ana Pérez"])
def test_calls_to_action_and_bylines_over_a_heading_are_not_headings(line: str) -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{line}\n\nThe Browser\n\n{OTHER}\n")
    assert line not in headings(article)
    assert line in article.paragraphs


def test_a_pull_quote_printed_again_nearby_is_kept_once() -> None:
    quote = "No drug yet exists, but control of the idea could be worth billions."
    article = extract(
        f"A Title\n\n{quote}\n\n{PARAGRAPH}\n\n{OTHER}\n\n{quote}\n\n{PARAGRAPH} More.\n"
    )
    assert article.paragraphs == [quote, PARAGRAPH, OTHER, f"{PARAGRAPH} More."]


def test_a_line_repeated_in_other_case_or_far_away_is_kept() -> None:
    quote = "No drug yet exists, but control of the idea could be worth billions."
    filler = [f"Paragraph number {n} says something new, and it ends here." for n in range(14)]
    body = "\n\n".join([quote, *filler, quote, quote.lower()])
    article = extract(f"A Title\n\n{body}\n")
    assert article.paragraphs.count(quote) == 2
    assert quote.lower() in article.paragraphs


def test_a_source_line_under_a_sentence_attributes_it() -> None:
    sentence = "The jobless rate fell to 4.1% in March, the lowest in a decade."
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\n{sentence}\nSource: Office for National Statistics\n"
    )
    assert article.figures == ()
    assert sentence in article.paragraphs
    assert "Source: Office for National Statistics" in article.paragraphs


def test_a_source_line_under_a_caption_printed_twice_credits_it() -> None:
    caption = "The minister meets the press outside the hall."
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{caption}\n{caption}\nSource: Web\n\n{OTHER}\n")
    assert [(f.caption, f.credit) for f in article.figures] == [(caption, "Source: Web")]


def test_a_paragraph_over_the_caption_it_quotes_stays_a_paragraph() -> None:
    sentence = "Anomaly in status code 400 at 17:59: we also found that one earlier."
    article = extract(
        f"A Title\n{PARAGRAPH}\n{sentence}\nAnomaly in status code 400\n"
        f"Anomaly in status code 400\nSource: Reuters\n{OTHER}\n"
    )
    assert sentence in article.paragraphs
    assert [(f.caption, f.credit) for f in article.figures] == [
        ("Anomaly in status code 400", "Source: Reuters")
    ]


def test_a_date_printed_twice_is_not_a_caption() -> None:
    article = extract(f"A Title\n\n{PARAGRAPH}\n22 Dec, 2016\n22 Dec, 2016\n{OTHER}\n")
    assert article.figures == ()


def test_a_title_from_the_first_sentence_says_something() -> None:
    rest = "Or sometimes they sprint, swarm and carry on surprisingly intelligent conversations."
    article = extract(f"They moan. They bite. They shuffle. {rest} {rest}\n\n{PARAGRAPH}\n")
    assert article.title == "They moan. They bite. They shuffle"
    article = extract(f"Mars is the fourth planet from the sun. {rest} {rest}\n\n{PARAGRAPH}\n")
    assert article.title == "Mars is the fourth planet from the sun"


def test_a_read_next_block_takes_each_title_once_and_keeps_bylines_out() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nREAD NEXT\nThe First Story\nThe First Story\nBy Jane Doe\n"
        "The Second Story\nBy John Roe\n"
    )
    assert [link.text for link in article.links] == ["The First Story", "The Second Story"]
    assert article.paragraphs == [PARAGRAPH]


def test_the_same_line_twice_with_no_credit_is_not_a_caption() -> None:
    line = "^ Doe, Jane (2017). A Book About Films. A Publisher. ISBN 9780786478071"
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{line}\n{line}\n\n{OTHER}\n")
    assert article.figures == ()
    assert article.paragraphs.count(line) == 2


def test_a_caption_twice_over_an_agency_name_is_a_figure() -> None:
    caption = "The minister meets the press outside the hall"
    article = extract(f"A Title\n\n{PARAGRAPH}\n\n{caption}\n{caption}\nGetty Images\n\n{OTHER}\n")
    assert [(f.caption, f.credit) for f in article.figures] == [(caption, "Getty Images")]


def test_titles_set_apart_under_a_label_alone_end_where_the_references_begin() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nSee also\n\nVector space\n\nHermitian form\n\n"
        "References\n\n^ Doe, Jane (2004). A Book. A Publisher.\n"
    )
    assert [link.text for link in article.links] == ["Vector space", "Hermitian form"]
    assert "^ Doe, Jane (2004). A Book. A Publisher." in article.paragraphs


def test_one_sentence_items_under_a_resources_label_are_links() -> None:
    items = [
        "Read about the missions that came before, with their pictures.",
        "Follow the rover as it makes its way across the plain.",
    ]
    article = extract(f"A Title\n\n{PARAGRAPH}\n\nAdditional resources\n\n" + "\n\n".join(items))
    assert [link.text for link in article.links] == items
    assert article.paragraphs == [PARAGRAPH]


def test_sentences_under_another_label_stay_paragraphs() -> None:
    sentence = "Follow the rover as it makes its way across the plain."
    article = extract(f"A Title\n\n{PARAGRAPH}\n\nSee also\n\n{sentence}\n")
    assert sentence in article.paragraphs


def test_a_listed_title_ending_in_a_site_s_double_colon_is_a_link() -> None:
    article = extract(
        f"A Title\n\n{PARAGRAPH}\n\nREAD NEXT\nA Weekend Hike @ Our Blog :: The Site ::\nBy Jane Doe\n"
        "The Second Story\nBy John Roe\n"
    )
    assert [link.text for link in article.links] == [
        "A Weekend Hike @ Our Blog :: The Site ::",
        "The Second Story",
    ]
    assert article.paragraphs == [PARAGRAPH]
