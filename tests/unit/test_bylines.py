"""Bylines as the names in them, whatever the page wrote around the names."""

from __future__ import annotations

import pytest

from newsreader.extract.bylines import byline_names, clean_byline
from tests.helpers.webpages import extract, page


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Jane Doe", ["Jane Doe"]),
        ("By Jane Doe", ["Jane Doe"]),
        ("Par Jeanne Dupont", ["Jeanne Dupont"]),
        ("Posted by Jane Doe", ["Jane Doe"]),
        # a date run into the name, its digits gone (trafilatura cuts at the first digit)
        ("Jane Doe May", ["Jane Doe"]),
        ("Ann June Lee July", ["Ann June Lee"]),
        ("Jane Doe Monday; February", ["Jane Doe"]),
        ("By Jane Doe May 3, 2024 10:15 am", ["Jane Doe"]),
        ("Jana Nováková před", ["Jana Nováková"]),
        # dates and 'Updated' lines
        ("Jane Doe Updated 3 May, 2024", ["Jane Doe"]),
        ("Last Updated January 7", []),
        ("Updated 3:45 PM ET, Tue May 3, 2024", []),
        # posts and degrees after a comma, a pipe or a semicolon
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jane Doe | Staff Writer | Tuesday, 25 November 2014", ["Jane Doe"]),
        ("Jane Doe; MA", ["Jane Doe"]),
        ("Jane Doe, Software Engineer on the Maps team", ["Jane Doe"]),
        # several names
        ("Jane Doe, Ann Lee", ["Jane Doe", "Ann Lee"]),
        ("Jane Doe and Ann Lee", ["Jane Doe", "Ann Lee"]),
        ("Written by Jane Doe Edited by Ann Lee", ["Jane Doe", "Ann Lee"]),
        ("Jane Doe; JANE DOE", ["Jane Doe"]),
        # an address run into the byline ends it
        ("Jane Doe http; Example Org; Jdoe", ["Jane Doe"]),
        ("Jane Doe (jane@example.com)", ["Jane Doe"]),
        # labels where a name should be
        ("Follow Author", []),
        ("Username", []),
        ("作者", []),
        # names that look like none of that
        ("Erik ten Hag", ["Erik ten Hag"]),
        ("bell hooks", ["bell hooks"]),
        ("Jean-Luc O'Neil", ["Jean-Luc O'Neil"]),
        ("J.R.R. Tolkien", ["J.R.R. Tolkien"]),
        ("Duke of Edinburgh", ["Duke of Edinburgh"]),
        ("史蒂文", ["史蒂文"]),
    ],
)
def test_byline_names(byline: str, names: list[str]) -> None:
    assert byline_names(byline) == names


def test_a_byline_is_its_names_or_nothing() -> None:
    assert clean_byline("By Jane Doe and Ann Lee | May 3") == "Jane Doe, Ann Lee"
    assert clean_byline("Follow Author") is None
    assert clean_byline(None) is None


@pytest.mark.parametrize(
    ("head", "top", "author"),
    [
        ('<meta name="author" content="Jane Doe, Staff Writer">', "", "Jane Doe"),
        ('<meta name="author" content="Jane Doe; JANE DOE">', "", "Jane Doe"),
        (
            '<meta name="author" content="Written by Jane Doe Edited by Ann Lee">',
            "",
            "Jane Doe, Ann Lee",
        ),
        ('<meta name="author" content="Follow Author">', "", None),
        ("", '<div class="byline">By <a href="/a/jd">Jane Doe</a> May 3, 2024</div>', "Jane Doe"),
    ],
)
def test_a_page_s_byline_is_its_names(head: str, top: str, author: str | None) -> None:
    article = extract(page("<h1>Harbour ferries return</h1>" + top, head=head))
    assert article.author == author
