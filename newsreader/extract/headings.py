"""Is this line of scraped text a section heading? A small logistic model decides.

Rules over a line's shape found headings in the material they were written
against and few elsewhere: real headings are sentence case or Title Case,
questions, numbered; false ones are credits, bylines, list items, captions.
The decision weighs the line's shape and its neighbours' (see :func:`features`)
with weights fitted on real web pages written out as scraped text
(``benchmarks/extraction/train_headings.py``), shipped as data in
``heading_model.json`` beside this module. Rules keep what is certain: what
can never be a heading (:func:`never_heading`), the seed's Title Case heading
(:func:`certain_heading`), and the shapes a heading may have at all
(:func:`shape`, :class:`Shape`); the model judges the lines that have one,
against a threshold per shape. :func:`decide_headings` decides a document's
lines, taking a line over a short line only where the document writes other
headings the same way.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

from newsreader.extract.patterns import AGENCY_AT_END, BYLINE, CALL_TO_ACTION, RELATED_LABEL

MAX_HEADING_CHARS = 120
MAX_HEADING_WORDS = 18
MAX_OVER_HEADING_WORDS = 8
LONG_PARAGRAPH_CHARS = 80
SHORT_LINE_WIDTH = 80
SENTENCE_END = '.!?"”。！？'
MIN_SAME_FORM = 2
TERMINAL = ".,;:!?\"”’'…"
_PUNCTUATION = "\"'“”‘’,.:;!?()[]¿¡«»"

_BULLET = re.compile(r"^(?:[-*•·▪◦‣–—]\s|\(\w\)\s)")
_NUMBERED = re.compile(r"^\d{1,2}[.):]\s+\S")
_URL = re.compile(r"https?://|www\.\S", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:19|20)\d\d\b",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\w\.(?:com|org|net|co\.uk|gov|edu)\b", re.IGNORECASE)
_COUNTER = re.compile(r"^\d{1,3}\s*(?:/|of)\s*\d{1,3}\.?$", re.IGNORECASE)
_TWO_SENTENCES = re.compile(r"[a-z]{2}[.!?]\s+[A-Z]")
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
# The common words count only alone: "Picture-in-Picture" and "File-by-File" are
# not credits, though an agency's "AFP-JIJI" is.
_CREDIT_WORDS = re.compile(
    r"\b(?:getty|reuters|afp|epa|associated press|shutterstock|alamy|rex features)\b"
    r"|(?<![\w-])(?:images?|photo|photograph|picture|credit|courtesy|file)(?![\w-])"
    r"|/\s*(?:ap|pa|afp)\b|\bap\b",
    re.IGNORECASE,
)
_FIXTURE = re.compile(r"\s(?:v|vs\.?)\s", re.IGNORECASE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "you",
        "i",
        "his",
        "her",
        "their",
        "our",
        "your",
        "not",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "do",
        "does",
        "did",
        "than",
        "then",
        "so",
        "if",
    ]
)


@dataclass(frozen=True, slots=True)
class LineContext:
    """A body line and the lines around it, as the heading decision sees them.

    Attributes:
        text: The line.
        blank_before: A blank line (or the start of the body) comes before it.
        blank_after: A blank line comes after it.
        previous: The line before (None at the start of the body).
        following: The line after (None at the end).
        after_following: The line after that.
        spaced: Whether the text separates its paragraphs with blank lines.
        run: How many short open lines (:func:`short_open`) stand together here,
            this one included: one or two is a heading's shape, more is a list.
        run_after: How many lines of that run come after this one.
        previous_spaced: Whether a blank line comes before the line before.
    """

    text: str
    blank_before: bool
    blank_after: bool
    previous: str | None
    following: str | None
    after_following: str | None
    spaced: bool
    run: int = 1
    run_after: int = 0
    previous_spaced: bool = True


def short_open(text: str) -> bool:
    """A short line that does not end a sentence: a heading, a list item, a label."""
    return text[-1] not in SENTENCE_END and _narrow(text)


def _narrow(text: str) -> bool:
    """Shorter than :data:`SHORT_LINE_WIDTH` columns (the length first: most lines are
    long, and cheap to tell)."""
    return len(text) < SHORT_LINE_WIDTH and _width(text) < SHORT_LINE_WIDTH


def _width(text: str) -> int:
    """The columns a line takes: a Chinese or Japanese character is two, as wide as the
    two letters of a word it stands for."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


def never_heading(text: str) -> bool:
    """What is certainly not a heading: too long, a bullet, an address, a label, a handle."""
    if len(text) > MAX_HEADING_CHARS or text[-1] in ".,;:":
        return True  # the cheap test first: most lines are paragraphs
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS:
        return True
    if text[0].islower() or _BULLET.match(text) or _URL.search(text):
        return True
    if _FIXTURE.search(text) or _DOMAIN.search(text):
        return True  # a fixture ("Blackburn v Burnley"), an address
    if _COUNTER.match(text) or (len(words) == 1 and text.casefold() in STOPWORDS):
        return True  # a gallery counter ("1 / 5", "2 of 4."), a lone word like "The"
    if text[0] in "([" and text[-1] in ")]":
        return True  # a line in brackets is an aside or a credit
    return "@" in text or bool(RELATED_LABEL.match(text) or CALL_TO_ACTION.match(text))


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    for index, edge in enumerate(edges):
        if value < edge:
            return index
    return len(edges)


def _end_class(text: str) -> str:
    last = text[-1]
    if last.isalnum():
        return "alnum"
    return {
        ".": "period",
        "?": "question",
        "!": "exclaim",
        ":": "colon",
        ")": "paren",
        "…": "ellipsis",
    }.get(last, "quote" if last in "\"'”’»" else "other")


def _start_class(text: str) -> str:
    first = text[0]
    if first.isupper():
        return "upper"
    if first.isdigit():
        return "digit"
    if first.islower():
        return "lower"
    return "quote" if first in "\"'“‘«" else "other"


def _shape(prefix: str, text: str | None) -> list[str]:
    """The coarse shape of a neighbouring line."""
    if text is None:
        return [f"{prefix}:none"]
    words = len(text.split())
    return [
        f"{prefix}:words{_bucket(words, (4, 9, 15, 25, 40))}",
        f"{prefix}:end:{_end_class(text)}",
        f"{prefix}:start:{_start_class(text)}",
    ]


def features(context: LineContext) -> list[str]:
    """The names of the features a line has (all are present-or-absent)."""
    text = context.text
    words = text.split()
    letters = [ch for ch in text if ch.isalpha()]
    capitalised = [w for w in words if w[:1].isupper()]
    content = [w for w in words if w.casefold().strip("\"'“”‘’,.:;!?()") not in STOPWORDS]
    cap_content = sum(1 for w in content if w[:1].isupper())
    stop_share = 1 - len(content) / len(words)
    end = _end_class(text)
    names = [
        "bias",
        f"words{_bucket(len(words), (2, 3, 5, 8, 11, 15))}",
        f"chars{_bucket(len(text), (15, 30, 50, 70, 90))}",
        f"end:{end}",
        f"start:{_start_class(text)}",
        f"caps{_bucket(cap_content / len(content) if content else 0.0, (0.34, 0.67, 0.99))}",
        f"stops{_bucket(stop_share, (0.01, 0.2, 0.4))}",
    ]
    if letters and all(ch.isupper() for ch in letters) and len(letters) > 2:
        names.append("all_caps")
    if len(capitalised) == len(words) and len(words) > 1:
        names.append("every_word_capitalised")
    if _NUMBERED.match(text):
        names.append("numbered")
    if any(ch.isdigit() for ch in text):
        names.append("has_digit")
    if _DATE.search(text):
        names.append("date")
    if _TIME.search(text):
        names.append("time")
    if _CREDIT_WORDS.search(text):
        names.append("credit_word")
    if _FIXTURE.search(text):
        names.append("fixture")
    if text.startswith(("By ", "by ", "BY ")):
        names.append("byline")
    if "|" in text:
        names.append("pipe")
    if "," in text[:-1]:
        names.append("comma")
    if "(" in text:
        names.append("paren")
    if re.search(r"[.!?]\s+[A-Z]", text):
        names.append("two_sentences")
    names.append(f"blank_before:{context.blank_before}")
    names.append(f"blank_after:{context.blank_after}")
    names.append(f"run{min(context.run, 4)}")
    names.append(f"run_after{min(context.run_after, 2)}")
    names.append(f"spaced:{context.spaced}:run{min(context.run, 4)}")
    names.append(f"spaced:{context.spaced}")
    names.append(f"spaced:{context.spaced}:blank_before:{context.blank_before}")
    names.append(f"spaced:{context.spaced}:blank_after:{context.blank_after}")
    names.extend(_shape("prev", context.previous))
    names.extend(_shape("next", context.following))
    names.extend(_shape("next2", context.after_following))
    following = context.following
    if following is not None:
        ratio = len(following) / len(text)
        names.append(f"next_ratio{_bucket(ratio, (0.8, 1.5, 3, 6))}")
        names.append(f"end:{end}:next_ratio{_bucket(ratio, (1.5, 4))}")
        if not never_heading(following) and len(following) < 2 * len(text) + 20:
            names.append("next_short_too")
    previous = context.previous
    if previous is not None and _heading_text(previous):
        names.append("prev_heading_text")
    if following is not None and _heading_text(following):
        names.append("next_heading_text")
    if previous is not None and short_open(previous):
        names.append("prev_short_open")
        if following is not None and _narrow(following):
            names.append("in_short_run")
    return names


class Shape(Enum):
    """How much a line looks like a heading before the model weighs it."""

    STRONG = "strong"
    """Short, capitalised, set apart, over a longer paragraph, not in a list."""
    ENDS_RUN = "ends_run"
    """That, but last in a run of short lines, over a long paragraph: a section's
    heading under a list, or the list's last item."""
    HEADS_RUN = "heads_run"
    """That, but after a finished paragraph (or first) and over a short line, or at
    the head of a run of short lines: a heading over a list or over a subheading, or
    a list's first item."""


@dataclass(frozen=True, slots=True)
class Model:
    weights: dict[str, float]
    thresholds: dict[Shape, float]

    def probability(self, context: LineContext) -> float:
        total = sum(self.weights.get(name, 0.0) for name in features(context))
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, total))))


@cache
def model() -> Model:
    """The shipped model (read once)."""
    data = json.loads(
        resources.files("newsreader.extract").joinpath("heading_model.json").read_text("utf-8")
    )
    return Model(
        {str(k): float(v) for k, v in data["weights"].items()},
        {Shape(k): float(v) for k, v in data["thresholds"].items()},
    )


def certain_heading(context: LineContext) -> bool:
    """The seed's heading: a Title Case line alone between blank lines, after a finished
    paragraph and before a long one."""
    text, previous, following = context.text, context.previous, context.following
    if previous is None or following is None or not context.spaced:
        return False
    if not (context.blank_before and context.blank_after) or text[-1] in TERMINAL:
        return False
    if previous[-1] not in '.!?"”’' or len(following) < max(100, 2 * len(text)):
        return False
    words = text.split()
    content = [w for w in words if w.casefold() not in STOPWORDS]
    if len(words) < 4 or sum(1 for w in content if w[:1].isupper()) < 0.75 * len(content):
        return False
    if _DATE.search(text) or _CREDIT_WORDS.search(text) or text.startswith("By "):
        return False
    return following[0].isupper()


def add_stacked_headings(
    contexts: Sequence[LineContext | None], decided: Sequence[bool]
) -> list[bool]:
    """The decided headings, with the lines straight over them that are headings too: a
    part over its section ("Software" over "Firefox"), or the middle of a stack of
    three (the contexts as :func:`decide_headings` takes them)."""
    stacked = list(decided)
    for position in range(len(contexts) - 2, -1, -1):
        context = contexts[position]
        if stacked[position + 1] and not stacked[position] and context is not None:
            under_heading = position > 0 and stacked[position - 1]
            stacked[position] = heads_a_heading(context, under_heading)
    return stacked


def heads_a_heading(context: LineContext, under_heading: bool) -> bool:
    """Whether a line standing straight over a heading (one that may be a heading: see
    :func:`decide_headings`) is a heading too: short, capitalised, set apart, after a
    finished paragraph or under another heading."""
    text, previous = context.text, context.previous
    if len(text.split()) > MAX_OVER_HEADING_WORDS:
        return False
    if not (text[-1].isalnum() or text[-1] in ")?？") or not _opens(text[0]):
        return False
    if AGENCY_AT_END.search(text) or _TWO_SENTENCES.search(text) or BYLINE.search(text):
        return False
    if context.spaced and not (context.blank_before and context.blank_after):
        return False
    return previous is None or under_heading or previous[-1] in TERMINAL + ")"


def decide_headings(contexts: Sequence[LineContext | None]) -> list[bool]:
    """Which of a document's lines are headings (None: a line that never is one, as
    :func:`never_heading` says; the contexts given are the lines that may be).

    A line over a short line (:attr:`Shape.HEADS_RUN`) is a heading over a list or a
    subheading as often as it is a list's first item; it is taken only where the
    document has at least :data:`MIN_SAME_FORM` headings of its form (Title Case,
    sentence case, numbered...), since a document writes its headings one way.
    """
    current = model()
    decided: list[bool] = []
    heads_runs: list[int] = []
    for position, context in enumerate(contexts):
        if context is None or context.following is None:
            decided.append(False)
            continue
        if certain_heading(context):
            decided.append(True)
            continue
        found = shape(context)
        if found is Shape.HEADS_RUN:
            heads_runs.append(position)  # judged once the document's forms are known
        if found is None or found is Shape.HEADS_RUN:
            decided.append(False)
        else:
            decided.append(current.probability(context) >= current.thresholds[found])
    forms = Counter(
        heading_form(context.text)
        for context, heading in zip(contexts, decided, strict=True)
        if heading and context is not None
    )
    threshold = current.thresholds[Shape.HEADS_RUN]
    for position in heads_runs:
        context = contexts[position]
        assert context is not None
        if forms[heading_form(context.text)] >= MIN_SAME_FORM:
            decided[position] = current.probability(context) >= threshold
    return decided


def heading_form(text: str) -> str:
    """How a heading is written: numbered, in a caseless script, one word, Title Case
    or sentence case."""
    if _NUMBERED.match(text):
        return "numbered"
    letter = next((ch for ch in text if ch.isalpha()), "")
    if letter and _caseless(letter):
        return "caseless"
    words = [word.strip(_PUNCTUATION) for word in text.split()]
    words = [word for word in words if word]
    if len(words) <= 1:
        return "one_word"
    content = [word for word in words if word.casefold() not in STOPWORDS]
    capitalised = all(word[0].isupper() or word[0].isdigit() for word in content)
    return "title" if capitalised else "sentence"


def shape(context: LineContext) -> Shape | None:
    """The line's heading shape, or None for a line the model does not judge."""
    if not _heading_text(context.text) or not _set_apart_before(context):
        return None
    following = context.following
    if following is None or not _opens_following(following[0]):
        return None
    text = context.text
    if len(following) > len(text) and len(following) >= 40:
        # One of a run of short lines is a list item. The last of one may be a heading
        # when a blank line sets it apart from a list printed one item per line.
        if context.run <= 2 or (
            context.run_after == 0 and context.blank_before and not context.previous_spaced
        ):
            return Shape.STRONG
        if context.run_after == 0 and len(following) >= LONG_PARAGRAPH_CHARS:
            return Shape.ENDS_RUN
    previous = context.previous
    if previous is None or not short_open(previous):
        return Shape.HEADS_RUN
    return None


def _heading_text(text: str) -> bool:
    """Short, capitalised, not two sentences, a credit or a byline."""
    if len(text) > 100:
        return False  # before the split: a neighbour may be a whole page on one line
    words = text.split()
    if not 1 <= len(words) <= 14:
        return False
    last = text[-1]
    if not (last.isalnum() or last in ")?？" or (last == "!" and _NUMBERED.match(text))):
        return False
    if not (_opens(text[0]) or text[0] in "\"“‘'¿¡"):
        return False
    if len(words) == 1 and not (text[0].isupper() or _caseless(text[0])):
        return False
    return not (BYLINE.search(text) or AGENCY_AT_END.search(text) or _TWO_SENTENCES.search(text))


def _set_apart_before(context: LineContext) -> bool:
    """After a blank line or a finished sentence; in text without blank lines, where
    every line is a paragraph, also after a list item or a long line (the model
    judges)."""
    previous = context.previous
    return (
        previous is None
        or context.blank_before
        or previous[-1] in TERMINAL + ")]"
        or (not context.spaced and (short_open(previous) or len(previous) >= LONG_PARAGRAPH_CHARS))
    )


def _opens_following(character: str) -> bool:
    """Whether a paragraph under a heading may start with this: what a line may start
    with, an opening quote or bracket, a footnote mark, a symbol (an emoji)."""
    if _opens(character) or character in "\"“‘'([¿¡^":
        return True
    # A symbol opens a line too, but a credit's © (a caption over its credit) does not.
    return unicodedata.category(character) in ("So", "Sk") and character not in "©®℗"


def _caseless(character: str) -> bool:
    """A letter of a script without capitals (Chinese, Japanese, Arabic...)."""
    return character.isalpha() and not (character.isupper() or character.islower())


def _opens(character: str) -> bool:
    """Whether a line may start with this: a capital, a digit, a caseless letter."""
    return character.isupper() or character.isdigit() or _caseless(character)
