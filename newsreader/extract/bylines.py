"""A byline as the names in it: ``By Jane Doe, Staff Writer | May 3`` is ``Jane Doe``.

Pages write bylines with words around the names (``By``, ``Written by``), a
date or a time run into them, ``Updated ...``, a post after a comma or a pipe
(``Staff Writer``, ``MA``), an address, a label where a name should be
(``Follow Author``). trafilatura drops some of that (digits onwards, leading
``By``) and splits the rest at commas, pipes and ``and``; what it leaves, or a
raw byline, is read here part by part.
"""

from __future__ import annotations

import re
from itertools import pairwise

MAX_NAME_WORDS = 6
"""A part longer than this is a sentence, not a name."""
_PARTS = re.compile(r"\s*(?:[;|,/&]|\band\b|\bund\b)\s*", re.IGNORECASE)
_ROLE_BY = re.compile(
    r"\s+(?:(?:edited|written|reported|compiled|illustrated|photographed|produced)"
    r"|(?:photos?|photographs?|illustrations?|additional reporting|words|text))\s+by\s+",
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"^(?:(?:written|edited|reported|posted|published|story|words|text)\s+)?"
    r"(?:by|von|par|por|door)\b[\s:]*",
    re.IGNORECASE,
)
_LABEL = re.compile(r"\b(?:last\s+)?(?:updated|published|posted|modified)\b", re.IGNORECASE)
"""Where a byline turns into its date line: ``Jane Doe Updated 3 May``; nothing after is a name."""
_ADDRESS = re.compile(r"(?:https?\b|www\.|://|@|\.(?:com|org|net)\b)", re.IGNORECASE)
_DATE_WORDS = frozenset(
    {
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december"),
        *("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"),
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"),
        *("today", "yesterday", "am", "pm", "gmt", "utc", "et", "est", "edt", "pst", "pdt"),
    }
)
"""Words of a date or a time run into a name (its digits gone): ``Joshua Sokol May``."""
_POSTS = frozenset(
    {
        *("staff", "writer", "writers", "editor", "editors", "reporter", "reporters"),
        *("correspondent", "contributor", "contributing", "columnist", "journalist"),
        *("photographer", "producer", "analyst", "senior", "chief", "editorial", "desk"),
        *("deputy", "associate", "managing", "political", "science", "health", "news", "the"),
        *("engineer", "developer", "manager", "director", "designer", "scientist", "professor"),
        *("president", "founder", "officer", "consultant", "specialist", "intern", "host"),
        *("md", "phd", "ma", "msc", "bsc", "mba", "rn", "do", "jr", "sr"),
    }
)
"""Words of a post or a degree after a name: ``Staff Writer``, ``MA``."""
_AT = frozenset({"at", "on", "for", "in", "with"})
"""What follows a post: ``Software Engineer on Google Play``."""
_NOT_NAMES = frozenset(
    {
        *("author", "authors", "username", "user", "admin", "administrator", "staff"),
        *("editor", "editors", "follow", "follow author", "guest", "anonymous", "unknown"),
        *("contributor", "contributors", "作者", "编辑", "記者", "责任编辑"),
    }
)
"""What a page writes where its byline's name should be."""
_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?", re.UNICODE)


def byline_names(byline: str) -> list[str]:
    """The names in a byline, in order, each once (compared without case)."""
    names: list[str] = []
    for part in _PARTS.split(byline):
        part = _PREFIX.sub("", part.strip())
        # An address or a date line run into the byline: the name before it stands, no more.
        end = _ADDRESS.search(part) or _LABEL.search(part)
        for piece in _ROLE_BY.split(part[: end.start()] if end else part):
            name = _name(piece)
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        if end:
            break
    return names


def clean_byline(byline: str | None) -> str | None:
    """A byline as its names joined by commas, or None when it names nobody."""
    names = byline_names(byline or "")
    return ", ".join(names) if names else None


def _name(part: str) -> str | None:
    part = " ".join(part.split())
    part = _PREFIX.sub("", part)
    part = re.split(r"\d", part, maxsplit=1)[0]
    words = _WORD.findall(part)
    while words and _is_tail(words):
        words.pop()
    if not words or len(words) > MAX_NAME_WORDS:
        return None
    folded = [word.casefold().rstrip(".") for word in words]
    if all(word in _POSTS for word in folded) or all(word in _DATE_WORDS for word in folded):
        return None
    if any(w in _POSTS and n in _AT for w, n in pairwise(folded)):
        return None  # a post and where it is held
    if len(words) == 1 and len(words[0].rstrip(".")) < 2:
        return None  # an initial alone is what is left of a split name
    name = " ".join(words)
    return None if name.casefold() in _NOT_NAMES else name


def _is_tail(words: list[str]) -> bool:
    """The last word is a date's or a time's, or a lower-case word after a capitalised name.

    ``Aleš Vávra před`` (Czech for "ago", its hours gone) ends in one; ``bell
    hooks`` and ``Erik ten Hag`` do not.
    """
    last = words[-1]
    if len(words) > 1 and last.casefold().rstrip(".") in _DATE_WORDS:
        return True
    return last.islower() and sum(w[:1].isupper() for w in words[:-1]) >= 2
