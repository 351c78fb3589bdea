"""Judge the plain-text extractor against a labelled document, line by line.

Every labelled line is looked for in what the extractor made of the file: the
title, a heading, a figure's caption or credit, a related link, a paragraph
(fragments joined into one count as found). Comparison is on folded text
(:func:`newsreader.textnorm.fold`), so quotes, case and spacing do not matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from documents import Document

from newsreader.extract import extract_bytes
from newsreader.model import Article, LinkKind
from newsreader.sanitize import clean_text
from newsreader.textnorm import fold

MIN_CONTAINED = 15
"""A line counts as inside a longer text only from this length on (short words match anywhere)."""
MIN_PREFIX = 40
MAX_PASSED_OVER_CHARS = 80
KEPT_LABELS = frozenset({"paragraph", "heading", "caption", "related", "credit", "byline"})


@dataclass(slots=True)
class Counts:
    """What one document (or a whole set) scored."""

    headings_true: int = 0
    headings_found: int = 0
    headings_predicted: int = 0
    headings_false: list[str] = field(default_factory=list)
    headings_missed: list[str] = field(default_factory=list)
    titles: int = 0
    titles_right: int = 0
    titles_wrong: list[str] = field(default_factory=list)
    captions_true: int = 0
    captions_found: int = 0
    paragraphs_as_captions: list[str] = field(default_factory=list)
    related_true: int = 0
    related_found: int = 0
    related_predicted: int = 0
    related_false: list[str] = field(default_factory=list)
    related_missed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    furniture_true: int = 0
    furniture_left: list[str] = field(default_factory=list)
    documents: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            setattr(self, name, value + getattr(other, name))

    @property
    def errors(self) -> int:
        return (
            len(self.headings_false)
            + len(self.headings_missed)
            + len(self.titles_wrong)
            + (self.captions_true - self.captions_found)
            + len(self.paragraphs_as_captions)
            + (self.related_true - self.related_found)
            + len(self.related_false)
            + len(self.lost)
            + len(self.furniture_left)
        )


@dataclass(frozen=True, slots=True)
class _Output:
    title: str
    headings: frozenset[str]
    captions: tuple[str, ...]
    credits: tuple[str, ...]
    links: tuple[str, ...]
    paragraphs: tuple[str, ...]
    paragraph_set: frozenset[str]

    @classmethod
    def of(cls, article: Article) -> _Output:
        paragraphs = tuple(fold(p) for s in article.sections for p in s.paragraphs)
        return cls(
            title=fold(article.title),
            headings=frozenset(fold(s.heading) for s in article.sections if s.heading),
            captions=tuple(fold(f.caption) for f in article.figures),
            credits=tuple(_loose(f.credit) for f in article.figures if f.credit),
            links=tuple(
                fold(link.text) for link in article.links if link.kind is LinkKind.READ_ALSO
            ),
            paragraphs=paragraphs,
            paragraph_set=frozenset(paragraphs),
        )


def _loose(text: str) -> str:
    """Folded text without punctuation: "Image copyright: AP" is "Image copyright AP"."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).split())


def _overlaps(line: str, texts: tuple[str, ...]) -> bool:
    """``line`` is one of ``texts``, or one holds the other (a merged or split copy)."""
    for text in texts:
        if line == text:
            return True
        if min(len(line), len(text)) >= MIN_CONTAINED and (line in text or text in line):
            return True
        if len(line) >= MIN_PREFIX and line[:MIN_PREFIX] in text:
            return True  # the line's text with a credit run into it ("...Image copyright X")
    return False


def _in_paragraphs(line: str, output: _Output, *, exact_only: bool = False) -> bool:
    if line in output.paragraph_set:
        return True
    if exact_only and len(line) < 2 * MIN_CONTAINED:
        return False
    return any(line in paragraph for paragraph in output.paragraphs)


def _title_right(document: Document, output: _Output) -> bool:
    if document.title is not None:
        return output.title == fold(document.title)
    # A body-only file: the title is the start of its first line of text. Short lines
    # above it (a dateline, a kicker, "Posted by ...") may be passed over, as a reader
    # passes over them, but the title must come from the first long one at the latest.
    title = output.title.rstrip("…").strip()
    if not title:
        return False
    for line in document.lines:
        if line.label not in ("paragraph", "heading"):
            continue
        text = fold(clean_text(line.text))
        if text.startswith(title):
            return True
        if len(text) >= MAX_PASSED_OVER_CHARS:
            return False
    return False


def score(document: Document) -> Counts:
    article = extract_bytes(document.data, Path(f"{document.name.replace('/', '-')}.txt"))[0]
    output = _Output.of(article)
    counts = Counts(documents=1, titles=1)
    if _title_right(document, output):
        counts.titles_right = 1
    else:
        counts.titles_wrong.append(f"{article.title!r} (true: {document.title!r})")
    true_headings: set[str] = set()
    related_lines: list[str] = []
    kept_copies: dict[str, int] = {}
    for line in document.lines:
        if line.label is not None and line.label != "furniture":
            key = fold(clean_text(line.text))
            kept_copies[key] = kept_copies.get(key, 0) + 1
    for line in document.lines:
        label = line.label
        # The extractor cleans text (soft hyphens, zero-width spaces go); so does the judge.
        text = fold(clean_text(line.text))
        if label is None or not text:
            continue
        heading = text in output.headings
        caption = _overlaps(text, output.captions)
        credit = _overlaps(_loose(text), output.credits)
        link = any(link == text or (len(link) >= 10 and link in text) for link in output.links)
        paragraph = _in_paragraphs(text, output)
        if label == "heading":
            true_headings.add(text)
            counts.headings_true += 1
            if heading:
                counts.headings_found += 1
            else:
                counts.headings_missed.append(line.text)
        elif label == "caption":
            counts.captions_true += 1
            counts.captions_found += caption
        elif label == "related":
            related_lines.append(text)
            counts.related_true += 1
            counts.related_found += link
            if not link:
                counts.related_missed.append(line.text)
        elif label == "paragraph" and caption and not paragraph:
            counts.paragraphs_as_captions.append(line.text)
        elif label == "furniture":
            counts.furniture_true += 1
            # A repeated line (a pull quote) is left only if it is kept more often
            # than the text it repeats.
            repeated = kept_copies.get(text, 0)
            left = _in_paragraphs(text, output, exact_only=True)
            if left and repeated:
                left = output.paragraphs.count(text) > repeated
            if heading or left:
                counts.furniture_left.append(line.text)
        # A fragment joined to the line before it, and that line, are kept wherever
        # the joined line went: the one starts it, the other ends it.
        in_heading = heading or any(
            found.startswith(text) or found.endswith(text) for found in output.headings
        )
        if label in KEPT_LABELS and not (
            in_heading or caption or credit or link or paragraph or text == output.title
        ):
            counts.lost.append(f"{label}: {line.text}")
    counts.headings_predicted = len(output.headings)
    counts.headings_false = sorted(output.headings - true_headings)
    counts.related_predicted = len(output.links)
    counts.related_false = [
        link for link in output.links if not any(link == r or link in r for r in related_lines)
    ]
    return counts
