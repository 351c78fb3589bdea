"""What the list says about a failed feed or an empty node."""

from __future__ import annotations

import pytest

from newsreader.model import FeedState
from newsreader.node_notes import ago, empty_note, failure_note
from newsreader.tree import NodeKind, Selection
from newsreader.wording import plural

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (300, "5 minutes ago"),
        (3_600, "1 hour ago"),
        (7_300, "2 hours ago"),
        (86_400, "1 day ago"),
        (2 * 86_400 + 5, "2 days ago"),
    ],
)
def test_ago_names_the_largest_whole_unit_in_the_right_number(seconds: float, said: str) -> None:
    assert ago(seconds) == said


def test_plural() -> None:
    assert (plural(0, "article"), plural(1, "article"), plural(2, "article")) == (
        "0 articles",
        "1 article",
        "2 articles",
    )


def test_a_failed_feed_says_why_when_it_last_worked_and_what_to_do() -> None:
    state = FeedState(
        "https://user:secret@example.org/feed.xml",
        last_attempt=NOW - 300,
        last_success=NOW - 2 * 86_400,
        last_error="connection refused\x1b[31m",
    )
    assert failure_note(state, NOW, ("r",)) == (
        "Last refresh failed 5 minutes ago: connection refused "
        "(https://user:***@example.org/feed.xml). Last succeeded 2 days ago. "
        "Check the address in feeds.toml or press r to try again."
    )
    never = FeedState("https://example.org/feed.xml", last_attempt=NOW - 60, last_error="HTTP 404")
    said = failure_note(never, NOW, ())
    assert said is not None and "1 minute ago: HTTP 404" in said
    assert "It has never succeeded." in said and "or refresh to try again" in said


def test_a_feed_that_did_not_fail_has_no_note() -> None:
    assert (
        failure_note(FeedState("https://example.org/feed.xml", last_success=NOW), NOW, ("r",))
        is None
    )


@pytest.mark.parametrize(
    ("selection", "search", "said"),
    [
        (Selection(NodeKind.ALL), None, "No articles yet."),
        (Selection(NodeKind.UNREAD), None, "No unread articles."),
        (Selection(NodeKind.STARRED), None, "No starred articles."),
        (Selection(NodeKind.CATEGORY, ("World", "Asia")), None, "No articles in “Asia”."),
        (Selection(NodeKind.FEED, (), "https://a.example/"), None, "No articles in “Asia”."),
        (Selection(NodeKind.ALL), "ferry\x07", "No articles match “ferry”."),
    ],
)
def test_an_empty_node_says_which(selection: Selection, search: str | None, said: str) -> None:
    assert empty_note(selection, "Asia", search=search) == said
