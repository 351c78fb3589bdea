"""Web pages: what trafilatura's article becomes, checked against the page's own markup."""

from __future__ import annotations

import pytest

from newsreader.extract.furniture import is_furniture
from newsreader.extract.pagesource import is_headline
from tests.helpers.webpages import BODY, extract, headings, page


def test_the_headline_under_a_date_is_the_title_not_a_heading() -> None:
    article = extract(page("<p>12.03.2024 09:15</p><h1>Harbour ferries return</h1>"))
    assert article.title == "Harbour ferries return"
    assert headings(article) == []
    assert article.paragraphs[0] == "12.03.2024 09:15"
    assert article.paragraphs[1].startswith("The council voted")


def test_a_kicker_above_the_headline_goes_with_it() -> None:
    article = extract(
        page('<h6><a href="/tag/ferries">Ferries</a></h6><h1>Harbour ferries return</h1>')
    )
    assert headings(article) == []
    assert article.paragraphs[0].startswith("The council voted")


def test_the_headline_without_the_site_name_is_the_title() -> None:
    html = page(
        "<p>12.03.2024 09:15</p><h1>Harbour ferries return</h1>",
        title="Harbour ferries return - Coast Daily News Service",
        head='<meta property="og:title" content="Harbour ferries return - Coast Daily News Service">',
    )
    article = extract(html)
    assert article.title == "Harbour ferries return"
    assert headings(article) == []


def test_a_heading_further_down_that_repeats_the_title_stays() -> None:
    body = BODY + "<h2>Harbour ferries return</h2>" + BODY
    article = extract(page("<h1>Harbour ferries return</h1>", body=body))
    assert headings(article) == ["Harbour ferries return"]


@pytest.mark.parametrize(
    ("heading", "title", "expected"),
    [
        ("Harbour ferries return", "Harbour ferries return", True),
        ("Harbour ferries return", "harbour ferries return.", True),
        ("Harbour ferries return", "Harbour ferries return - Coast Daily", True),
        ("Harbour ferries return", "Harbour ferries return | Coast Daily", True),
        ("Harbour ferries return", "Coast Daily: Harbour ferries return", True),
        ("Harbour ferries return", "Chapter 6 - Harbour ferries return", True),
        ("Harbour ferries return", "Harbour ferries returning", False),
        ("Harbour ferries", "Harbour ferries return", False),
        ("Ferries", "Harbour ferries return - Coast Daily", False),
        (
            "Harbour ferries return",
            "Harbour ferries return - " + "a very long subtitle " * 4,
            False,
        ),
        ("", "Harbour ferries return", False),
    ],
)
def test_is_headline(heading: str, title: str, expected: bool) -> None:
    assert is_headline(heading, title) is expected


def test_a_page_s_decorative_pictures_are_no_figures() -> None:
    # trafilatura keeps a picture's address and alt, not the class or size that tell.
    pictures = (
        '<p><img src="/static/brand/site-mark.png" class="site-logo" alt="Coast Daily"></p>'
        '<p><img src="https://cdn.example/u/42.jpg" width="40" height="40" alt="Ann Reporter"></p>'
        '<p><img src="/photos/quay.jpg" width="800" height="533" alt="The old quay at dawn"></p>'
    )
    article = extract(page("<h1>Harbour ferries return</h1>", body=pictures + BODY))
    assert [figure.caption for figure in article.figures] == ["The old quay at dawn"]


@pytest.mark.parametrize(
    "line",
    [
        "941 comments",
        "• 1,204 Comments",
        "Comments (12)",
        "1.2k shares",
        "From the section US & Canada",
        "Jump to navigation",
    ],
)
def test_counts_and_section_labels_are_furniture(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "text",
    [
        "3 comments on the budget were read out.",
        "From the section of the quay.",
        "From the section of the river where the ferries ran, the view was of the whole bay.",
    ],
)
def test_sentences_about_comments_and_sections_are_text(text: str) -> None:
    assert not is_furniture(text)


def test_a_page_s_chrome_stays_out_of_the_paragraphs() -> None:
    chrome = (
        "<ul><li>12 March 2024</li><li>From the section Coast</li><li>941 comments</li></ul>"
        "<h1>Harbour ferries return</h1>"
    )
    body = BODY.replace(
        "</p>",
        "</p><p>Continue reading the main story</p><p>Share on Facebook Twitter Email</p>",
        1,
    )
    article = extract(page(chrome, body=body))
    assert "941 comments" not in " ".join(article.paragraphs)
    assert not any(p.startswith("• From the section") for p in article.paragraphs)
    assert "Continue reading the main story" not in article.paragraphs
    assert "Share on Facebook Twitter Email" not in article.paragraphs
    assert article.paragraphs[0] == "• 12 March 2024"


DEK = (
    "Two boats and a reserve will sail from the old quay from May, three winters after the "
    "last one stopped."
)


@pytest.mark.parametrize(
    ("header", "head"),
    [
        (f'<header><h1>Harbour ferries return</h1><p class="article-dek">{DEK}</p></header>', ""),
        (
            f'<header><h1>Harbour ferries return</h1><div class="standfirst">{DEK}</div></header>',
            "",
        ),
        (
            f'<header><h1>Harbour ferries return</h1><p class="x7">{DEK}</p></header>',
            f'<meta name="description" content="{DEK}">',
        ),
    ],
)
def test_the_standfirst_under_the_headline_is_the_lead(header: str, head: str) -> None:
    article = extract(page("", header=header, head=head))
    assert article.paragraphs[0] == DEK
    assert article.paragraphs[1].startswith("The council voted")
    assert article.paragraphs.count(DEK) == 1


def test_a_dek_marked_up_as_a_heading_is_the_lead_not_a_heading() -> None:
    header = "<header><h1>Harbour ferries return</h1></header>"
    article = extract(page(f'<h2 class="dek">{DEK}</h2>', header=header))
    assert headings(article) == []
    assert article.paragraphs[0] == DEK


@pytest.mark.parametrize(
    ("head", "after"),
    [
        # a description the page does not show is the site's, not a standfirst
        (f'<meta name="description" content="{DEK}">', ""),
        # another story's summary, after the article's text
        ("", f'<div class="related"><h2>More</h2><p class="summary">{DEK}</p></div>'),
    ],
)
def test_summaries_that_are_no_standfirst_stay_out(head: str, after: str) -> None:
    header = "<header><h1>Harbour ferries return</h1></header>"
    article = extract(page("", header=header, head=head, after=after))
    assert DEK not in article.paragraphs


def test_a_standfirst_the_article_has_is_not_repeated() -> None:
    header = f'<header><h1>Harbour ferries return</h1><p class="dek">{DEK}</p></header>'
    article = extract(page(f"<p>{DEK}</p>", header=header))
    assert article.paragraphs.count(DEK) == 1


QUAY = (
    '<figure><img src="https://news.example/photos/quay.jpg" width="800" height="533" alt="">'
    "<figcaption>The old quay at dawn, before the first ferry of the day.</figcaption></figure>"
)


def test_a_captioned_figure_keeps_its_caption() -> None:
    # trafilatura keeps the picture and drops the figure around it, caption and all.
    article = extract(
        page("<h1>Harbour ferries return</h1>", body=BODY.replace("</p>", "</p>" + QUAY, 1))
    )
    assert [(f.caption, f.image) for f in article.figures] == [
        (
            "The old quay at dawn, before the first ferry of the day.",
            "https://news.example/photos/quay.jpg",
        )
    ]
    assert not any("old quay at dawn" in p for p in article.paragraphs)


def test_a_figure_s_credit_stays_with_it() -> None:
    figure = QUAY.replace(
        "before the first ferry of the day.</figcaption>",
        'before the first ferry of the day. <span class="credit">Photo: Ann Lee</span></figcaption>',
    )
    article = extract(
        page("<h1>Harbour ferries return</h1>", body=BODY.replace("</p>", "</p>" + figure, 1))
    )
    assert [(f.caption, f.credit) for f in article.figures] == [
        ("The old quay at dawn, before the first ferry of the day.", "Photo: Ann Lee")
    ]
    assert not any("Ann Lee" in p for p in article.paragraphs)
