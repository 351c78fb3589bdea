"""What an article's numbered links and figures show, and in what order: one
description for every renderer (the command line's and the reader's pane), and
the marker a link's text carries in the body.

Each line is a list of :class:`Piece` objects, cleaned text each with a :class:`Tone`
that a renderer maps to its own style; nothing here knows rich or Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from newsreader.model import Figure, Link, LinkKind
from newsreader.sanitize import clean_line

LINK_MARKERS: Mapping[LinkKind, str] = {
    LinkKind.READ_ALSO: "read also",
    LinkKind.ENCLOSURE: "attached",
}
"""What a numbered link says of its kind, where a kind says something."""
FIGURE_MARK = "▣"
"""What starts a figure's caption."""
NOT_IN_CACHE = "(not in cache)"
"""What a link with no address says when nothing in the cache answers it."""


class Tone(StrEnum):
    """How a piece is drawn; each renderer gives every tone its style."""

    NUMBER = "number"
    TEXT = "text"
    NOTE = "note"
    FOUND = "found"
    CAPTION = "caption"


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of one line: cleaned text and how it is drawn."""

    text: str
    tone: Tone


def link_pieces(number: int, link: Link, found: str | None) -> list[Piece]:
    """A numbered link's line: its number; its text (else its address); what its kind
    says; then where it leads: ``found`` (the cached article it resolved to, named as
    the renderer names it), else its address, else that the cache has no such article.
    """
    pieces = [
        Piece(f"[{number}] ", Tone.NUMBER),
        Piece(clean_line(link.text) or clean_line(link.url or ""), Tone.TEXT),
    ]
    marker = LINK_MARKERS.get(link.kind)
    if marker:
        pieces.append(Piece(f"  {marker}", Tone.NOTE))
    if link.kind is LinkKind.RELATED:
        return pieces  # listed under its own heading, a cached article by definition
    if found is not None:
        pieces.append(Piece(f"  → {found}", Tone.FOUND))
    elif link.url:
        pieces.append(Piece(f"  {clean_line(link.url)}", Tone.NOTE))
    else:
        pieces.append(Piece(f"  {NOT_IN_CACHE}", Tone.NOTE))
    return pieces


def anchor_marker(number: int) -> str:
    """What follows a numbered link's text in the body: ``Mac[5]``, as newsboat marks it."""
    return f"[{number}]"


def figure_pieces(figure: Figure) -> list[Piece]:
    """A figure's line: the mark and its caption, then its credit if it has one."""
    pieces = [Piece(f"{FIGURE_MARK} {clean_line(figure.caption)}", Tone.CAPTION)]
    if figure.credit:
        pieces.append(Piece(f"  {clean_line(figure.credit)}", Tone.NOTE))
    return pieces
