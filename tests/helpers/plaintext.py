"""Plain text through the extractor, for the tests of its rules."""

from __future__ import annotations

from newsreader.extract.decode import decode_text
from newsreader.extract.plaintext import extract_plain_text
from newsreader.model import Article

PARAGRAPH = (
    "This paragraph is long enough to be body text, and it ends the way sentences end, "
    "with a full stop after a good number of words."
)
OTHER = (
    "A second paragraph follows with other words in it, so that it does not repeat "
    "the first one (a long line printed again nearby is a pull quote)."
)


def extract(text: str) -> Article:
    """The article made of ``text`` as a ``.txt`` file's bytes."""
    return extract_plain_text(
        decode_text(text.encode("utf-8")), source="t.txt", guid="t.txt", fallback_title="t"
    )


def headings(article: Article) -> list[str | None]:
    return [section.heading for section in article.sections]
