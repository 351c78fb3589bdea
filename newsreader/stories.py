"""One row per story: the rows a list shows of the articles it was given.

A list newest first shows each story once, as its newest article there, with
the number of its copies; the reader's list and the text ``list`` both keep
the stories they have shown in a set, page after page.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsreader.model import ArticleSummary


def one_row_per_story(rows: Iterable[ArticleSummary], shown: set[int]) -> list[ArticleSummary]:
    """The rows whose story is not in ``shown`` yet, each story's first; ``shown``
    gains their stories."""
    kept = []
    for row in rows:
        story = row.story or row.id  # a row not read with its story is its own
        if story in shown:
            continue
        shown.add(story)
        kept.append(row)
    return kept


def other_sources(row: ArticleSummary) -> int:
    """How many more sources than its own carry a row's story."""
    return max(0, row.sources - 1)


def sources_label(row: ArticleSummary) -> str:
    """``+3 sources`` (or ``+1 source``) when others carry the story, else nothing."""
    others = other_sources(row)
    if not others:
        return ""
    return f"+{others} source" + ("s" if others > 1 else "")
