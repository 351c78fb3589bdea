"""The answers the core's types give their callers: each defined once, here tested alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from newsreader.cache import join_category, split_category
from newsreader.config import Config, FeedConfig, feed_name, parse_config
from newsreader.importer import ImportReport
from newsreader.marks import (
    FIGURE_MARK,
    LINK_MARKERS,
    NOT_IN_CACHE,
    Piece,
    Tone,
    figure_pieces,
    link_pieces,
)
from newsreader.model import (
    CATEGORY_SEPARATOR,
    MAX_CATEGORY_CHARS,
    MAX_CATEGORY_DEPTH,
    FeedState,
    Figure,
    Link,
    LinkKind,
    parse_category_path,
)
from newsreader.paths import Locations, resolve_locations
from newsreader.refresh import FeedResult, FeedStatus, RefreshReport
from newsreader.tree import ArticleFilter, NodeKind, Selection

# Enabled feeds


def test_enabled_feeds_are_the_feeds_not_disabled_in_config_order() -> None:
    feeds = (
        FeedConfig("https://a.example/"),
        FeedConfig("https://b.example/", enabled=False),
        FeedConfig("https://c.example/"),
    )
    config = Config(Path("feeds.toml"), feeds)
    assert [feed.url for feed in config.enabled_feeds] == [
        "https://a.example/",
        "https://c.example/",
    ]
    assert Config(Path("feeds.toml")).enabled_feeds == ()


def test_enabled_feeds_of_a_parsed_config() -> None:
    text = (
        '[[feeds]]\nurl = "https://a.example/"\nenabled = false\n\n'
        '[[feeds]]\nurl = "https://b.example/"\n'
    )
    config = parse_config(text, Path("feeds.toml"))
    assert [feed.url for feed in config.enabled_feeds] == ["https://b.example/"]


# New articles of a refresh


def test_new_articles_counts_every_feed_and_the_local_sources() -> None:
    report = RefreshReport(
        feeds=[
            FeedResult("https://a.example/", "A", FeedStatus.UPDATED, new=3, updated=4),
            FeedResult("https://b.example/", "B", FeedStatus.FAILED, error="gone"),
            FeedResult("https://c.example/", "C", FeedStatus.UPDATED, new=2, merged=5),
        ],
        local=ImportReport(new=7, updated=1, duplicate=2),
    )
    assert report.new_articles == 12
    assert RefreshReport().new_articles == 0


# Merging import reports


def test_merge_adds_counts_and_keeps_failures_in_order() -> None:
    total = ImportReport(new=1, updated=2, unchanged=3, duplicate=4, failures=[(Path("a"), "x")])
    total.merge(ImportReport(new=10, updated=20, unchanged=30, duplicate=40))
    total.merge(ImportReport(failures=[(Path("b"), "y"), (Path("c"), "z")]))
    assert (total.new, total.updated, total.unchanged, total.duplicate) == (11, 22, 33, 44)
    assert total.failures == [(Path("a"), "x"), (Path("b"), "y"), (Path("c"), "z")]


def test_merge_leaves_the_other_report_alone() -> None:
    other = ImportReport(new=1, failures=[(Path("a"), "x")])
    ImportReport().merge(other)
    assert other == ImportReport(new=1, failures=[(Path("a"), "x")])


# The feed-name rule

SECRET = "https://user:secret@a.example/feed"


@pytest.mark.parametrize(
    ("url", "name", "title", "expected"),
    [
        ("https://a.example/", "Mine", "Theirs", "Mine"),
        ("https://a.example/", None, "Theirs", "Theirs"),
        ("https://a.example/", "", "Theirs", "Theirs"),
        ("https://a.example/", None, None, "https://a.example/"),
        ("https://a.example/", None, "", "https://a.example/"),
        # A feed without a title has its address for one: shown as addresses are.
        (SECRET, None, SECRET, "https://user:***@a.example/feed"),
        (SECRET, SECRET, None, "https://user:***@a.example/feed"),
        (SECRET, None, None, "https://user:***@a.example/feed"),
        ("https://a.example/", None, "https://u:p@b.example/", "https://u:***@b.example/"),
    ],
)
def test_feed_name(url: str, name: str | None, title: str | None, expected: str) -> None:
    assert feed_name(url, name, title) == expected


def test_a_feeds_display_name_is_the_feed_name_rule() -> None:
    feed = FeedConfig(SECRET)
    assert feed.display_name() == feed_name(SECRET)
    assert feed.display_name(FeedState(SECRET, title="News")) == "News"
    assert FeedConfig(SECRET, name="Mine").display_name(FeedState(SECRET, title="News")) == "Mine"


# From a tree selection to a cache query


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(NodeKind.ALL), ArticleFilter()),
        (Selection(NodeKind.UNREAD), ArticleFilter(unread_only=True)),
        (Selection(NodeKind.STARRED), ArticleFilter(starred_only=True)),
        (Selection(NodeKind.CATEGORY, ("World", "Europe")), ArticleFilter(("World", "Europe"))),
        # A feed's node is placed by its category but shows its source alone.
        (
            Selection(NodeKind.FEED, ("World",), "https://a.example/"),
            ArticleFilter(source="https://a.example/"),
        ),
        (
            Selection(NodeKind.FEED, (), "https://a.example/"),
            ArticleFilter(source="https://a.example/"),
        ),
    ],
)
def test_selection_article_filter(selection: Selection, expected: ArticleFilter) -> None:
    assert selection.article_filter == expected


def test_a_selections_ancestors_nearest_first() -> None:
    feed = Selection(NodeKind.FEED, ("World", "Europe"), "https://example.org/feed")
    world = Selection(NodeKind.CATEGORY, ("World",))
    every = Selection(NodeKind.ALL)
    assert feed.ancestors == (Selection(NodeKind.CATEGORY, ("World", "Europe")), world, every)
    assert Selection(NodeKind.CATEGORY, ("World", "Europe")).ancestors == (world, every)
    assert world.ancestors == (every,)
    assert Selection(NodeKind.FEED, (), "https://example.org/feed").ancestors == (every,)
    assert Selection(NodeKind.UNREAD).ancestors == every.ancestors == ()


# One category path parser and separator


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("", ()),
        ("World", ("World",)),
        ("World/Europe", ("World", "Europe")),
        (" World / Europe ", ("World", "Europe")),
        ("/World//Europe/", ("World", "Europe")),
        ("/ / /", ()),
        ("New   York/Upper\tEast", ("New York", "Upper East")),
        ("Bad\x1b[31mRed/Ok", ("BadRed", "Ok")),
        (["World", " Europe ", "", "a/b"], ("World", "Europe", "a/b")),
    ],
)
def test_parse_category_path(written: str | list[str], expected: tuple[str, ...]) -> None:
    assert parse_category_path(written) == expected


def test_parse_category_path_is_bounded() -> None:
    deep = CATEGORY_SEPARATOR.join(f"c{n}" for n in range(MAX_CATEGORY_DEPTH + 10))
    assert parse_category_path(deep) == tuple(f"c{n}" for n in range(MAX_CATEGORY_DEPTH))
    long = "x" * (MAX_CATEGORY_CHARS + 50)
    assert parse_category_path(f"Top/{long}") == ("Top", "x" * MAX_CATEGORY_CHARS)


def test_the_cache_joins_and_splits_with_the_one_separator() -> None:
    path = parse_category_path("World/Europe")
    assert join_category(path) == f"World{CATEGORY_SEPARATOR}Europe"
    assert split_category(join_category(path)) == path
    # A level given with the separator in it (a front matter list) stays one level.
    assert split_category(join_category(("a/b", "c"))) == ("a-b", "c")


def test_the_config_reads_categories_with_the_one_parser() -> None:
    text = '[[feeds]]\nurl = "https://a.example/"\ncategory = " World //Europe "\n'
    [feed] = parse_config(text, Path("feeds.toml")).feeds
    assert feed.category == parse_category_path(" World //Europe ") == ("World", "Europe")


# Locations are paths only


def test_locations_hold_paths_only() -> None:
    names = {field.name for field in dataclasses.fields(Locations)}
    assert names == {"config_file", "data_dir", "config_given", "cache_dir"}
    locations = resolve_locations("/c/feeds.toml", "/d", environ={})
    assert (locations.config_file, locations.data_dir) == (Path("/c/feeds.toml"), Path("/d"))


def test_images_are_kept_in_the_named_data_folder_unless_a_cache_folder_is_named() -> None:
    assert resolve_locations("/c/f.toml", "/d", environ={}).image_dir == Path("/d/cache/images")
    named = resolve_locations("/c/f.toml", "/d", environ={"NEWSREADER_CACHE_DIR": "/k"})
    assert named.image_dir == Path("/k/images")


# Links and figures, one description


def test_a_link_line_in_order() -> None:
    link = Link(LinkKind.READ_ALSO, "A Story", "https://a.example/story")
    assert link_pieces(2, link, "article 7") == [
        Piece("[2] ", Tone.NUMBER),
        Piece("A Story", Tone.TEXT),
        Piece("  read also", Tone.NOTE),
        Piece("  → article 7", Tone.FOUND),
    ]
    assert link_pieces(2, link, None)[-1] == Piece("  https://a.example/story", Tone.NOTE)
    unanswered = Link(LinkKind.READ_ALSO, "Never Written")
    assert link_pieces(1, unanswered, None)[-1] == Piece(f"  {NOT_IN_CACHE}", Tone.NOTE)


@pytest.mark.parametrize("kind", list(LinkKind))
def test_a_link_says_its_kind_only_where_the_kind_says_something(kind: LinkKind) -> None:
    pieces = link_pieces(1, Link(kind, "text", "https://a.example/"), None)
    notes = [piece.text.strip() for piece in pieces if piece.tone is Tone.NOTE]
    expected = [LINK_MARKERS[kind]] if kind in LINK_MARKERS else []
    # A related article is listed under its own heading: no address, nothing found.
    where = [] if kind is LinkKind.RELATED else ["https://a.example/"]
    assert notes == [*expected, *where]
    assert set(LINK_MARKERS) == {LinkKind.READ_ALSO, LinkKind.ENCLOSURE}


def test_a_link_without_text_shows_its_address_and_text_is_cleaned() -> None:
    assert link_pieces(1, Link(LinkKind.INLINE, "", "https://a.example/"), None)[1] == Piece(
        "https://a.example/", Tone.TEXT
    )
    assert link_pieces(1, Link(LinkKind.INLINE, "a\x1b[2Jb\nc"), None)[1].text == "ab c"


def test_a_figure_line() -> None:
    assert figure_pieces(Figure("Ferry at the quay", "Photo: Office")) == [
        Piece(f"{FIGURE_MARK} Ferry at the quay", Tone.CAPTION),
        Piece("  Photo: Office", Tone.NOTE),
    ]
    assert figure_pieces(Figure("Alone")) == [Piece(f"{FIGURE_MARK} Alone", Tone.CAPTION)]
