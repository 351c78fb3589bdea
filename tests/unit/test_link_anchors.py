"""The core's rules for links in place: which links point back at their article, and
where each numbered link's text sits in the body (``Mac[5]``)."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from newsreader.links import (
    ANCHOR_SEARCH_CHARS,
    Anchor,
    article_links,
    is_self_link,
    link_anchors,
    own_addresses,
)
from newsreader.model import Article, Enclosure, Link, LinkKind, Section, StoredArticle
from newsreader.render import LINK_META, article_json, article_renderable, marked_paragraph

PAGE = "https://site.example/posts/mac"


def _article(links: list[Link], paragraphs: tuple[str, ...] = ("Body.",)) -> Article:
    return Article(
        title="Links In Place",
        source="https://site.example/feed.xml",
        guid=PAGE,
        url=PAGE,
        sections=(Section(None, paragraphs),),
        links=tuple(links),
        enclosures=(Enclosure("https://cdn.example/ep.mp3", "audio/mpeg"),),
    )


def _inline(text: str, url: str | None = "https://elsewhere.example/") -> Link:
    return Link(LinkKind.INLINE, text, url)


@pytest.mark.parametrize(
    ("url", "own"),
    [
        ("#fn1", True),  # a footnote, unresolved
        (f"{PAGE}#fnref1", True),  # its back-reference, resolved against the page
        (PAGE, True),  # the article's own address
        ("http://www.site.example/posts/mac/?utm_source=rss", True),  # spelt otherwise
        ("https://site.example/posts/other", False),
        ("https://elsewhere.example/posts/mac", False),
        (None, False),  # a title: it names another article
    ],
)
def test_a_self_link_points_back_at_its_article(url: str | None, own: bool) -> None:
    addresses = own_addresses(_article([]))
    assert is_self_link(_inline("x", url), addresses) is own


def test_a_guid_that_is_an_address_is_the_article_s_own_too() -> None:
    article = Article(title="T", source="s", guid="https://site.example/?p=12", url=None)
    assert is_self_link(_inline("x", "https://site.example/?p=12#more"), own_addresses(article))
    assert not own_addresses(Article(title="T", source="s", guid="tag:site,2024:12"))


def test_self_links_are_not_numbered_and_enclosures_follow_the_body_s() -> None:
    mac, bee = _inline("Mac", "https://apple.example/mac"), _inline("Bee")
    links = [mac, _inline("1", f"{PAGE}#fn1"), bee, _inline("↩︎", "#fnref1"), _inline("here", PAGE)]
    numbered = article_links(_article(links))
    assert numbered[:2] == [mac, bee]
    assert [link.kind for link in numbered[2:]] == [LinkKind.ENCLOSURE]


def test_show_and_its_json_leave_self_links_out_too() -> None:
    mac = _inline("Mac", "https://apple.example/mac")
    article = _article([mac, _inline("top", f"{PAGE}#top")], ("The Mac at the top.",))
    stored = StoredArticle(1, article, read=False, starred=False, content_hash="h")
    targets: list[list[int]] = [[], []]
    shown = article_json(stored, targets)
    assert [link["text"] for link in shown["links"]] == ["Mac"]
    console = Console(width=100, record=True, color_system=None)
    console.print(article_renderable(stored, targets))
    printed = console.export_text()
    assert "The Mac[1] at the top." in printed
    assert "top[" not in printed and "[2] ep.mp3" in printed


def test_anchors_are_found_in_order_as_whole_words() -> None:
    paragraphs = ["The Machine and the Mac.", "Click here, or the Mac again."]
    links = [
        _inline("Mac"),
        Link(LinkKind.READ_ALSO, "A Title"),  # not in the text: keeps its number
        _inline("here"),
        _inline("Mac"),
    ]
    assert link_anchors(paragraphs, links) == [
        Anchor(0, 20, 23, 1),
        Anchor(1, 6, 10, 3),
        Anchor(1, 19, 22, 4),
    ]


def test_a_link_whose_text_is_missing_is_skipped_and_the_next_still_found() -> None:
    paragraphs = ["First a cat.", "Then a dog."]
    links = [_inline("cat"), _inline("no such words"), _inline("dog")]
    assert [a.number for a in link_anchors(paragraphs, links)] == [1, 3]


def test_the_same_text_twice_marks_two_places() -> None:
    paragraphs = ["See the docs and then the docs."]
    found = link_anchors(paragraphs, [_inline("the docs"), _inline("the docs")])
    assert [(a.start, a.number) for a in found] == [(4, 1), (22, 2)]


def test_a_link_far_past_the_last_one_is_not_searched_for_without_end() -> None:
    paragraphs = ["start", "x" * ANCHOR_SEARCH_CHARS, "end"]
    assert [a.number for a in link_anchors(paragraphs, [_inline("start"), _inline("end")])] == [1]


def test_a_marked_paragraph_shows_the_number_after_the_text() -> None:
    anchors = [Anchor(0, 4, 7, 5)]
    text = marked_paragraph("The Mac sells.", anchors, clickable=True, selected=0)
    assert text.plain == "The Mac[5] sells."
    styles = [(text.plain[s.start : s.end], s.style) for s in text.spans]
    assert [piece for piece, _ in styles] == ["Mac", "[5]"]
    for _, style in styles:
        assert not isinstance(style, str) and style.meta == {LINK_META: 5} and style.reverse
    assert all(not s.style.meta for s in marked_paragraph("The Mac.", anchors).spans)  # type: ignore[union-attr]
    assert isinstance(text, Text)
