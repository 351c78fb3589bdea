"""A labelled document: the lines of a plain-text article and what each line is.

Both sets of the benchmark come down to this: the page-derived set writes the
lines itself, and the hand-labelled set reads them from the corpus files with
their labels from ``labels/``.
"""

from __future__ import annotations

from dataclasses import dataclass

LABELS = frozenset(
    {
        "title",
        "breadcrumb",
        "title-repeat",
        "url",
        "byline",
        "heading",
        "paragraph",
        "caption",
        "credit",
        "related-label",
        "related",
        "furniture",
    }
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a document and its label (``None`` for a blank line)."""

    text: str
    label: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A labelled article: its name, its lines, and the bytes the extractor is given.

    ``title`` is the true title when the text has a title line, else None (a
    body-only file: the title then has to come from the first sentence).
    """

    name: str
    style: str
    lines: tuple[Line, ...]
    data: bytes
    title: str | None
