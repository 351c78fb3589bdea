"""Loose text comparison: the folding used to match titles and duplicate captions."""

from __future__ import annotations

import html
import re
import unicodedata

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACE = re.compile(r"\s+")
_SPACED_DASH = re.compile(r"\s*-\s*")
_TRAILING = re.compile(r"[\s.,;:!?'\"…]+$")


def fold(text: str) -> str:
    """Fold text for loose comparison.

    Case, runs of whitespace, the style of quotes, apostrophes and dashes, spaces
    around dashes and trailing punctuation are all ignored:
    ``fold("Wang Yi’s Meeting — Ties.") == fold("wang yi's meeting-ties")``.
    """
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY).casefold()
    text = _SPACED_DASH.sub("-", _SPACE.sub(" ", text))
    return _TRAILING.sub("", text).strip()


def typographic_score(text: str) -> int:
    """How many typographic quotes and dashes a text has: the nicer of two copies wins."""
    return sum(1 for ch in text if ch in "\u2018\u2019\u201c\u201d\u2013\u2014")


_SKIPPED_ELEMENTS = re.compile(
    r"<(script|style|template|noscript|svg|math)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|h[1-6]|tr|blockquote|section|article|figure)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]*>")


def strip_tags(markup: str) -> str:
    """The text of an HTML fragment, cheaply: for search and summaries, not display.

    Scripts and styles go with their content, other tags become spaces, entities
    are decoded. The result is not cleaned: pass it through ``sanitize`` before
    showing it.
    """
    if "<" not in markup:
        return html.unescape(markup) if "&" in markup else markup
    lowered = markup.lower()
    if "<script" in lowered or "<style" in lowered or "<template" in lowered:
        markup = _SKIPPED_ELEMENTS.sub(" ", markup)
    text = _TAG.sub(" ", markup)
    return html.unescape(text) if "&" in text else text


# Elements a browser draws inside a line of text: their tags part no words.
_INLINE_ELEMENTS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "time", "tt", "u", "var", "wbr",
})  # fmt: skip
# What HTML reads as markup: a tag starts with a letter ("1 < 2" is text), comments,
# declarations and processing instructions.
_MARKUP = re.compile(r"<!--.*?(?:-->|$)|</?([A-Za-z][^\s/>]*)[^>]*>|<[!?][^>]*>", re.DOTALL)


def _markup_gap(match: re.Match[str]) -> str:
    name = match.group(1)
    return "" if name is None or name.lower() in _INLINE_ELEMENTS else " "


def inline_text(markup: str) -> str:
    """The text of a short HTML value (a title, a name) as a browser shows it.

    Scripts and styles go with their content, inline tags (``<b>``, ``<span>``,
    ``<sup>``) go without a trace, other tags become spaces, and entities are
    decoded once. The result is not cleaned: pass it through ``sanitize``.
    """
    if "<" in markup:
        lowered = markup.lower()
        if "<script" in lowered or "<style" in lowered or "<template" in lowered:
            markup = _SKIPPED_ELEMENTS.sub(" ", markup)
        markup = _MARKUP.sub(_markup_gap, markup)
    return html.unescape(markup) if "&" in markup else markup
