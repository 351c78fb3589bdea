"""What a page's own markup says: its figures, and trafilatura's fragment with them again."""

from __future__ import annotations

from newsreader.extract.htmlbody import html_to_body
from newsreader.extract.pagesource import PageFigure, read_page, with_figures
from newsreader.textnorm import fold

CAPTION = "<figcaption>The old quay at dawn. <span>Photo: Ann Lee</span></figcaption>"
QUAY = PageFigure(
    CAPTION, fold("The old quay at dawn. Photo: Ann Lee"), frozenset({"//e.org/q.jpg"})
)


def test_the_page_s_figures_are_read_with_every_address_of_their_picture() -> None:
    page = read_page(
        "<html><body><figure><picture><source srcset='https://e.org/q-2x.jpg 2x'>"
        "<img src='data:image/gif;base64,R0lGOD=' data-src='https://e.org/q.jpg'></picture>"
        "<figcaption>The quay <img class='avatar' src='https://e.org/ann.jpg'> Ann Lee"
        "</figcaption></figure><figure><img src='https://e.org/x.jpg'></figure></body></html>"
    )
    [figure] = page.figures
    assert figure.text == "the quay ann lee"
    assert figure.addresses == {"//e.org/q-2x.jpg", "//e.org/q.jpg"}


def test_a_picture_goes_back_into_its_figure_and_the_caption_s_copies_go() -> None:
    fragment = (
        '<html><body><p>Before.</p><p><img src="https://e.org/q.jpg"></p>'
        "<p>The old quay at dawn.</p>Photo: Ann Lee<p>After.</p></body></html>"
    )
    body = html_to_body(with_figures(fragment, (QUAY,)))
    assert [(f.caption, f.image) for f in body.figures] == [
        ("The old quay at dawn. Photo: Ann Lee", "https://e.org/q.jpg")
    ]
    assert [p for s in body.sections for p in s.paragraphs] == ["Before.", "After."]


def test_a_picture_shown_twice_takes_its_captions_in_order() -> None:
    other = PageFigure(
        "<figcaption>The quay at night.</figcaption>", "the quay at night", QUAY.addresses
    )
    fragment = '<html><body><img src="https://e.org/q.jpg"><p>Text.</p><img src="https://e.org/q.jpg"></body></html>'
    body = html_to_body(with_figures(fragment, (QUAY, other)))
    assert [f.caption for f in body.figures] == [
        "The old quay at dawn. Photo: Ann Lee",
        "The quay at night.",
    ]


def test_a_caption_left_as_a_paragraph_is_a_figure_without_its_picture() -> None:
    fragment = (
        "<html><body><p>Text.</p><p>The old quay at dawn.</p><p>Photo: Ann Lee</p></body></html>"
    )
    body = html_to_body(with_figures(fragment, (QUAY,)))
    assert [(f.caption, f.image) for f in body.figures] == [
        ("The old quay at dawn. Photo: Ann Lee", None)
    ]
    assert [p for s in body.sections for p in s.paragraphs] == ["Text."]


def test_a_paragraph_that_only_begins_like_a_caption_stays() -> None:
    fragment = (
        "<html><body><p>The old quay at dawn was empty, and the island's boats stayed in "
        "the harbour until the council's vote.</p></body></html>"
    )
    assert with_figures(fragment, (QUAY,)) == fragment


def test_a_page_lxml_cannot_read_has_nothing_to_say() -> None:
    assert read_page("").figures == ()
    assert with_figures("", (QUAY,)) == ""
