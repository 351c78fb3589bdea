"""HTML fragments (feed entries, a page's article) to sections, figures and links."""

from __future__ import annotations

import pytest

from newsreader.extract.htmlbody import html_to_body, is_decorative_image


@pytest.mark.parametrize(
    "picture",
    [
        '<img src="https://news.example/i/share-icon.png" alt="Share">',
        '<img src="https://news.example/u/7.jpg" class="authorAvatar" alt="Ann Reporter">',
        '<img src="https://news.example/brand/logo.svg" alt="Coast Daily">',
        '<img src="https://news.example/t.gif" width="1" height="1" alt="">',
        '<img src="https://track.example/open?id=9" width="1" height="1" alt="tracker">',
        '<img src="https://news.example/spacer.gif" alt="spacer">',
        '<img src="https://news.example/rule.png" width="600" height="2" alt="line">',
        '<img src="https://news.example/badge.png" width="20" height="20" alt="Good article">',
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="dot">',
    ],
)
def test_decorative_pictures_are_no_figures(picture: str) -> None:
    body = html_to_body(f"<p>The ferries return.</p>{picture}", base_url="https://news.example/")
    assert body.figures == []


@pytest.mark.parametrize(
    "picture",
    [
        '<img src="https://news.example/2024/silicon-valley.jpg" alt="Offices">',
        '<img src="https://news.example/2024/clear-skies.jpg" alt="Offices">',
        '<img src="https://news.example/pixel-8-review.jpg" alt="The phone">',
        '<img src="https://news.example/q.jpg" width="640" alt="Offices">',
        '<img src="data:image/gif;base64,R0lGOD=" data-src="https://news.example/q.jpg" alt="Q">',
        '<img src="https://news.example/q.jpg" width="640" height="0" alt="Offices">',
        '<img src="https://news.example/q.jpg" role="presentation" alt="Offices">',
    ],
)
def test_pictures_that_only_look_like_decoration_are_figures(picture: str) -> None:
    body = html_to_body(f"<p>The ferries return.</p>{picture}", base_url="https://news.example/")
    assert len(body.figures) == 1


def test_a_decorative_picture_in_a_figure_leaves_the_caption() -> None:
    body = html_to_body(
        '<figure><img src="https://news.example/spacer.gif"><img src="https://news.example/q.jpg">'
        "<figcaption>The quay</figcaption></figure>",
    )
    assert [(f.caption, f.image) for f in body.figures] == [
        ("The quay", "https://news.example/q.jpg")
    ]


def test_pictures_named_as_decoration_by_the_page_are_no_figures() -> None:
    body = html_to_body(
        '<p>Text</p><img src="https://news.example/mark.png" alt="Coast Daily">'
        '<img src="https://news.example/quay.jpg" alt="The quay">',
        decorations={"//news.example/mark.png"},
    )
    assert [f.caption for f in body.figures] == ["The quay"]


def test_is_decorative_image_reads_names_by_their_words() -> None:
    assert is_decorative_image({"src": "/img/navi_icon_mobile.png"})
    assert is_decorative_image({"src": "/IMG/CLEAR.GIF"})
    assert is_decorative_image({"src": "/t.gif", "class": "tracking-pixel"})
    assert not is_decorative_image({"src": "/2019/lexicon-of-ships.jpg"})
    assert not is_decorative_image({"src": "/photos/harbour.jpg", "class": "wide"})


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (
            '<span class="caption-text">The quay at dawn.</span><span class="credit">Photo: Ann Lee</span>',
            ("The quay at dawn.", "Photo: Ann Lee"),
        ),
        (
            'The quay at dawn. <span class="caption-credit">Ann Lee/Coast Agency</span>',
            ("The quay at dawn.", "Ann Lee/Coast Agency"),
        ),
        (
            'The quay at dawn.<span itemprop="copyrightHolder"><span class="visually-hidden">Credit'
            "</span><span>Ann Lee for Coast Daily</span></span>",
            ("The quay at dawn.", "Ann Lee for Coast Daily"),
        ),
        (
            'The quay at dawn - <span class="widget__credits">Ann Lee</span>',
            ("The quay at dawn", "Ann Lee"),
        ),
        (
            "The quay at dawn.<br><small>Photo by <a href='/ann'>Ann Lee</a></small>",
            ("The quay at dawn.", "Photo by Ann Lee"),
        ),
        (
            '<span class="off-screen">Media caption</span> <span class="text">The quay at dawn.</span>',
            ("The quay at dawn.", None),
        ),
        ("The quay at dawn (Photo: Ann Lee)", ("The quay at dawn", "Photo: Ann Lee")),
        ("The quay at dawn.", ("The quay at dawn.", None)),
    ],
)
def test_a_caption_s_credit_is_the_figure_s_credit(
    caption: str, expected: tuple[str, str | None]
) -> None:
    body = html_to_body(
        f'<figure><img src="https://e.org/q.jpg"><figcaption>{caption}</figcaption></figure>'
    )
    assert [(f.caption, f.credit) for f in body.figures] == [expected]


def test_a_caption_that_is_only_a_credit_leaves_the_alt_to_say_what_it_shows() -> None:
    credit = '<figcaption><span class="credit">Credit Ann Lee</span></figcaption>'
    with_alt = html_to_body(
        f'<figure><img src="https://e.org/q.jpg" alt="The quay">{credit}</figure>'
    )
    without = html_to_body(f'<figure><img src="https://e.org/q.jpg">{credit}</figure>')
    assert [(f.caption, f.credit) for f in with_alt.figures] == [("The quay", "Ann Lee")]
    assert [(f.caption, f.credit) for f in without.figures] == [("", "Ann Lee")]


def test_text_after_a_caption_s_credit_is_the_caption_s_again() -> None:
    body = html_to_body(
        '<figure><img src="https://e.org/q.jpg"><figcaption><span class="credit">Ann Lee</span>'
        " The quay at dawn.</figcaption></figure><p>After.</p>"
    )
    assert [(f.caption, f.credit) for f in body.figures] == [("The quay at dawn.", "Ann Lee")]
    assert [p for s in body.sections for p in s.paragraphs] == ["After."]


@pytest.mark.parametrize(
    ("markup", "heading"),
    [
        ('History<span class="mw-editsection">[<a href="/e">edit</a>]</span>', "History"),
        ('Setting up<a class="headerlink" href="#s">¶</a>', "Setting up"),
        ('Using standalone mode <a href="#u">#</a>', "Using standalone mode"),
        ("Learning C#", "Learning C#"),
    ],
)
def test_a_heading_loses_its_edit_link_and_permalink_mark(markup: str, heading: str) -> None:
    body = html_to_body(f"<p>The ferries return.</p><h2>{markup}</h2><p>They sail at dawn.</p>")
    assert [section.heading for section in body.sections] == [None, heading]
