"""Plain-text articles scraped from news sites -> :class:`Article`.

The format: an optional breadcrumb run into a title line, the title, then one
paragraph per line (blank lines between, or not), with short title-like lines as
section headings, image captions (sometimes twice) followed by a credit line, and
related-article lines ("Read Also: ...").

Extraction runs in passes over the body's non-blank lines ("units"):

1. header: breadcrumb, title, a URL line, repeated title lines;
2. related links and figures are taken out of the flow;
3. fragments (a line cut mid-sentence whose rest starts in lower case) are joined;
4. what is left is headings and paragraphs, which make the sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsreader.extract.furniture import is_furniture
from newsreader.extract.headings import (
    LineContext,
    add_stacked_headings,
    decide_headings,
    never_heading,
    short_open,
)
from newsreader.extract.patterns import AGENCY_AT_END, BYLINE, INLINE_CREDIT, RELATED_LABEL
from newsreader.model import Article, Figure, Link, LinkKind, Section
from newsreader.sanitize import collapse_spaces
from newsreader.textnorm import fold, typographic_score

MAX_CAPTION_CHARS = 300
MAX_CAPTION_AFTER_BLANK = 200
MAX_CREDIT_CHARS = 150
MAX_AGENCY_LINE_CHARS = 60
MAX_RELATED_TITLE_CHARS = 160
MAX_TITLE_CHARS = 250
HEADER_LINES = 6
MAX_LEAD_BYLINES = 2
REFERENCE_SECTIONS = frozenset(
    {"references", "notes", "footnotes", "citations", "sources", "bibliography"}
)
MIN_TRAILING_TITLE_WORDS = 3
MIN_TITLE_WORDS = 5
MAX_TITLE_SENTENCES = 4
MIN_PULL_QUOTE_CHARS = 40
PULL_QUOTE_WINDOW = 12
MIN_VIDEO_TITLE_WORDS = 4
MIN_BRACKETED_HEADLINE_WORDS = 5
MAX_KICKER_WORDS = 5
MAX_KICKER_CHARS = 40
MIN_TITLE_WORDS_UNDER_KICKER = 8

_BRACKETED_HEADLINE = re.compile(r"^\[([A-Z][^\[\]:]{14,160}[^\[\].!?:])\]$")
_VIDEO_DURATION = re.compile(r"(?<=[A-Za-z\"”’)])\s+\(?\d{1,2}:\d{2}(?::\d{2})?\)?$")
_RESOURCES_LABEL = re.compile(r"^\W*additional resources\W*$", re.IGNORECASE)
_HANDLE_OR_ADDRESS = re.compile(r"@\w")  # "@someone", "a@b.org"; a spaced " @ " is a word
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_TRAILING_READ_MORE = re.compile(r"\s+read more\s*$", re.IGNORECASE)
_CREDIT = re.compile(
    r"^(?:source|sources|photo|photos|photograph|image|images|picture|pictures|credit|credits"
    r"|photo credit|image credit|image copyright|image source)\s*:\s*\S",
    re.IGNORECASE,
)
_SOURCE_LINE = re.compile(r"^sources?\s*:", re.IGNORECASE)
_PICTURE_CREDIT = re.compile(
    r"^(?:photo|photos|photograph|image|picture|credit|photo credit|image credit)\s*:",
    re.IGNORECASE,
)
_FULL_SIZE = re.compile(r"\s*\bview full size image\b\s*", re.IGNORECASE)
_EMBEDDED_COPYRIGHT = re.compile(r"image copyright\s*:?\s*", re.IGNORECASE)
_IMAGE_CAPTION_LABEL = re.compile(r"^image caption\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_IMAGE_COPYRIGHT = re.compile(r"^image copyright\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
_BULLET = re.compile(r"^(?:[-*•·▪◦‣–—]\s|\d{1,3}[.)]\s|\(\w\)\s)")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+[^\s<>\"'()\[\].,;:!?]")
_BARE_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_CRUMB_SEPARATORS = re.compile(r"\s*[>»›/|]\s*")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SENTENCE_END = re.compile(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z0-9\"“‘'])")
TERMINAL_PUNCTUATION = ".,;:!?\"”’'…"
CRUMB_ROOTS = ("home", "news")


@dataclass(slots=True)
class _Unit:
    """A non-blank body line and what the passes decided about it."""

    text: str
    blank_before: bool
    consumed: bool = False
    boundary_before: bool = False


@dataclass(frozen=True, slots=True)
class _Header:
    title: str | None
    categories: tuple[str, ...]
    url: str | None
    body_start: int


def extract_plain_text(text: str, *, source: str, guid: str, fallback_title: str) -> Article:
    """Extract an article from cleaned plain text.

    Args:
        text: The decoded, cleaned text (see :func:`newsreader.extract.decode.decode_text`).
        source: Where it came from (the file path).
        guid: Its identity within the source.
        fallback_title: The title when neither the text nor its first sentence gives one.
    """
    header, units, links, figures_at = _passes(text)
    sections, figures = _build_sections(units, figures_at)
    links.extend(_inline_links(sections))
    title = header.title or _title_from_body(sections, fallback_title)
    return Article(
        title=title,
        source=source,
        guid=guid,
        url=header.url,
        categories=header.categories,
        sections=tuple(sections),
        figures=tuple(figures),
        links=tuple(links),
    )


def _header_and_body(lines: list[str]) -> tuple[_Header, list[str]]:
    """The header, and the body's lines.

    A byline or dateline above the title ("By Jane Doe", "Published 2 May 2018"),
    or a kicker, is never the title: the header is read without it, and it
    stays at the top of the body.
    """
    lead: list[int] = []
    for index, line in enumerate(lines):
        if not line:
            continue
        if len(lead) >= MAX_LEAD_BYLINES or not BYLINE.search(line) or len(line) > 120:
            break
        lead.append(index)
    if not lead:
        opening = [(i, line) for i, line in enumerate(lines) if line][:3]
        if len(opening) == 3 and _is_kicker(opening[0][1], opening[1][1]):
            lead.append(opening[0][0])
    if not lead:
        header = _parse_header(lines)
        return header, lines[header.body_start :]
    rest = list(lines)
    for index in lead:
        rest[index] = ""
    header = _parse_header(rest)
    return header, [lines[index] for index in lead] + [""] + rest[header.body_start :]


def _parse_header(lines: list[str]) -> _Header:
    """Find breadcrumb, title and URL in the first lines."""
    first = [(i, line) for i, line in enumerate(lines) if line][:HEADER_LINES]
    while first and is_furniture(first[0][1]):
        first.pop(0)
    if not first:
        return _Header(None, (), None, len(lines))
    categories: tuple[str, ...] = ()
    title: str | None = None
    title_index = -1
    crumb_index = -1
    for a, long_line in first:
        for b, short_line in first:
            if a == b or len(short_line) >= len(long_line) or not long_line.endswith(short_line):
                continue
            crumbs = _split_crumbs(long_line[: -len(short_line)])
            if crumbs is not None:
                categories, title, title_index, crumb_index = crumbs, short_line, b, a
                break
        if title is not None:
            break
    if title is None:
        index, line = first[0]
        if not _looks_like_title(line, first[1][1] if len(first) > 1 else None):
            return _Header(None, (), None, index)
        title, title_index, crumb_index = line, index, index
    body_start = max(title_index, crumb_index) + 1
    url: str | None = None
    folded_title = fold(title)
    # Skip what scrapers repeat after the title: the title again (or with a kicker
    # run into it), and a bare URL line.
    for index, line in first:
        if index < body_start:
            if _BARE_URL_LINE.match(line) and url is None:
                url = line if line.lower().startswith("http") else f"https://{line}"
            continue
        if index > body_start + 3:
            break
        if _BARE_URL_LINE.match(line) and url is None:
            url = line if line.lower().startswith("http") else f"https://{line}"
        elif fold(line) == folded_title or (
            fold(line).startswith(folded_title) and len(line) - len(title) <= 80
        ):
            pass
        else:
            break
        body_start = index + 1
    return _Header(title, categories, url, body_start)


def _split_crumbs(prefix: str) -> tuple[str, ...] | None:
    """Split a breadcrumb ("Home Updates Politics", "HomePolitics", "Home > World").

    Returns the categories with the site root dropped, or None if the prefix is
    not a breadcrumb.
    """
    prefix = prefix.strip(" >»›/|-")
    if not prefix:
        return None
    if _CRUMB_SEPARATORS.search(prefix):
        crumbs = [c for c in _CRUMB_SEPARATORS.split(prefix) if c]
    elif " " in prefix:
        crumbs = prefix.split()
    else:
        crumbs = _CAMEL_BOUNDARY.sub(" ", prefix).split()
    if not crumbs or crumbs[0].casefold() not in CRUMB_ROOTS or len(crumbs) > 4:
        return None
    if crumbs[0].casefold() == "home":
        crumbs = crumbs[1:]
    return tuple(crumbs)


def _looks_like_title(line: str, following: str | None) -> bool:
    """A first line is a title unless it reads like a body paragraph, a label, a
    related link, a credit, or a caption (a credit line follows it)."""
    if len(line) > MAX_TITLE_CHARS or len(line.split()) > 35 or line.endswith(":"):
        return False
    if RELATED_LABEL.match(line) or _is_credit(line):
        return False
    if following is not None and _is_credit(following):
        return False
    return not (len(line) > 120 and line.endswith("."))


def _is_kicker(line: str, following: str) -> bool:
    """A section or series name above the title ("CommBank Test Series v India")."""
    words, title_words = len(line.split()), len(following.split())
    return (
        words <= MAX_KICKER_WORDS
        and len(line) <= MAX_KICKER_CHARS
        and line[-1] not in TERMINAL_PUNCTUATION
        and not BYLINE.search(following)
        and MIN_TITLE_WORDS_UNDER_KICKER <= title_words <= 30
        and following[-1] not in ".:!?"
        and not RELATED_LABEL.match(following)
    )


def _units(lines: list[str], start: int) -> list[_Unit]:
    """The body's non-blank lines; page furniture goes, and counts as a blank line."""
    units: list[_Unit] = []
    blank = True
    for line in lines[start:]:
        if not line or is_furniture(line):
            blank = True
            continue
        units.append(_Unit(line, blank_before=blank))
        blank = False
    return units


def _consume(units: list[_Unit], index: int) -> None:
    """Take a unit out of the flow; the next one then starts a new block."""
    units[index].consumed = True
    if index + 1 < len(units):
        units[index + 1].boundary_before = True


def _take_related_links(units: list[_Unit]) -> list[Link]:
    """Take out related-article lines in all three shapes and return them as links."""
    links: list[Link] = []
    index = 0
    while index < len(units):
        unit = units[index]
        match = RELATED_LABEL.match(unit.text)
        rest = match.group("rest").strip().strip(".…").strip() if match else ""
        if match and rest and match.group("sep"):
            _consume(units, index)
            links.append(_related_link(rest))
        elif match and not rest and _bare_guardian_label(unit.text) and index > 0:
            # "<title>" then " Read more": the line before is the link.
            _consume(units, index)
            previous = units[index - 1]
            if not previous.consumed and _is_related_title(previous.text):
                _consume(units, index - 1)
                links.append(_related_link(previous.text))
        elif match and not rest:
            _consume(units, index)
            # "You might also like:" announces a list, even one set apart by blank lines.
            spaced = unit.text.rstrip().endswith((":", "...", "…")) or (
                unit.blank_before and index + 1 < len(units) and units[index + 1].blank_before
            )
            index = (
                _take_listed_titles(
                    units,
                    index + 1,
                    links,
                    spaced=spaced,
                    sentences=bool(_RESOURCES_LABEL.match(unit.text)),
                )
                - 1
            )
        elif (bracketed := _BRACKETED_HEADLINE.match(unit.text)) and len(
            bracketed.group(1).split()
        ) >= MIN_BRACKETED_HEADLINE_WORDS:
            # "[In wake of debate, women accuse ...]": a headline linked mid-article.
            _consume(units, index)
            links.append(_related_link(bracketed.group(1)))
        index += 1
    _take_trailing_titles(units, links)
    return links


def _bare_guardian_label(text: str) -> bool:
    return text.strip().casefold() == "read more"


def _take_listed_titles(
    units: list[_Unit],
    start: int,
    links: list[Link],
    *,
    spaced: bool = False,
    sentences: bool = False,
) -> int:
    """Titles listed after a label line, up to the next blank line; returns the stop index.

    After a label ending in a colon the titles may be set apart by blank lines; a
    title there ends the list when a paragraph follows it straight away (it is the
    next section's heading) or when a line that is not a title comes. Under a
    resources label (``sentences``) an item may be one short sentence ("Learn more
    about Mars at the agency's website."), the link's words with the full stop.
    """
    index = start
    while index < len(units):
        unit = units[index]
        paragraph_next = (
            index + 1 < len(units) and len(units[index + 1].text) > MAX_RELATED_TITLE_CHARS
        )
        if index > start and unit.blank_before and (not spaced or paragraph_next):
            break
        if index > start and links and BYLINE.search(unit.text):
            _consume(units, index)  # the byline under a listed title is the list's, not text
            index += 1
            continue
        if not (
            _is_related_title(unit.text) or (sentences and _is_related_sentence(unit.text))
        ) or RELATED_LABEL.match(unit.text):
            break
        if unit.text.casefold().strip() in REFERENCE_SECTIONS:
            break  # the list of links ends where the references begin
        if _EMBEDDED_COPYRIGHT.search(unit.text) or _IMAGE_CAPTION_LABEL.match(unit.text):
            break
        if index > start and links and fold(links[-1].text) == fold(unit.text):
            _consume(units, index)  # a title printed twice (its image's text, then its link)
            index += 1
            continue
        following = units[index + 1] if index + 1 < len(units) else None
        if (
            following is not None
            and not following.blank_before
            and len(following.text) > MAX_RELATED_TITLE_CHARS
            and index > start
            and len(unit.text.split()) <= 5
        ):
            break  # a few words leading straight into a paragraph are its heading
        _consume(units, index)
        links.append(_related_link(unit.text))
        index += 1
    return index


def _take_trailing_titles(units: list[_Unit], links: list[Link]) -> None:
    """Bare titles after the last related line, at the very end, are related links too."""
    if not links:
        return
    last_consumed = max((i for i, u in enumerate(units) if u.consumed), default=-1)
    tail = units[last_consumed + 1 :]
    if not tail or len(tail) > 5 or not all(_is_related_title(u.text) for u in tail):
        return
    if any(len(u.text.split()) < MIN_TRAILING_TITLE_WORDS or _URL.search(u.text) for u in tail):
        return  # a headline has a few words; a code, a name or an address is the page's
    if any(u.text.endswith(".") for u in tail):
        return
    for offset, unit in enumerate(tail):
        _consume(units, last_consumed + 1 + offset)
        links.append(_related_link(unit.text))


def _is_related_title(text: str) -> bool:
    # A label ends in one colon; a site name's "::" decoration ends a title.
    ends_like_label = text[-1] in ":." and not text.endswith("::")
    return (
        len(text) <= MAX_RELATED_TITLE_CHARS
        and not ends_like_label
        and not _HANDLE_OR_ADDRESS.search(text)
    )


def _is_related_sentence(text: str) -> bool:
    """One sentence short enough to be a link's words ("Follow the rover as it goes.")."""
    return (
        len(text) <= MAX_RELATED_TITLE_CHARS
        and text.endswith(".")
        and not _SENTENCE_BREAK.search(text[:-1])
        and not _HANDLE_OR_ADDRESS.search(text)
    )


def _related_link(text: str) -> Link:
    text = _TRAILING_READ_MORE.sub("", _BULLET.sub("", text)).strip()
    url_match = _URL.search(text)
    if url_match and url_match.group(0) == text:
        return Link(LinkKind.READ_ALSO, text, text)
    return Link(LinkKind.READ_ALSO, text, url_match.group(0) if url_match else None)


def _take_figures(units: list[_Unit]) -> dict[int, list[Figure]]:
    """Take out captions (single or repeated) with their credit lines.

    Returns the figures keyed by the index of the unit they stood before, so that
    they can be placed in the right section.
    """
    figures: dict[int, list[Figure]] = {}
    live = sum(1 for unit in units if not unit.consumed)
    index = 0
    while index < len(units):
        unit = units[index]
        if unit.consumed:
            index += 1
            continue
        embedded = len(unit.text) <= MAX_CAPTION_CHARS and _EMBEDDED_COPYRIGHT.search(unit.text)
        if embedded and embedded.start() > 0:
            # BBC: "<alt text>.Image copyrightGETTY IMAGES" / "Image caption" / caption.
            caption = unit.text[: embedded.start()].rstrip()
            copyright_holder = unit.text[embedded.end() :]
            taken = [index]
            if index + 2 < len(units) and _IMAGE_CAPTION_LABEL.fullmatch(units[index + 1].text):
                # The picture's description, then its caption: both are kept.
                described = caption.rstrip(".")
                caption = units[index + 2].text
                if described and fold(described) not in fold(caption):
                    caption = f"{caption} ({described})"
                taken += [index + 1, index + 2]
            for i in taken:
                _consume(units, i)
            live -= len(taken)
            figures.setdefault(index, []).append(
                Figure(
                    caption,
                    f"Image copyright: {copyright_holder}" if copyright_holder else None,
                )
            )
            index = taken[-1] + 1
            continue
        if (
            len(unit.text) <= MAX_CAPTION_CHARS
            and _VIDEO_DURATION.search(unit.text)
            and len(unit.text.split()) > MIN_VIDEO_TITLE_WORDS
        ):
            # A video's title with its running time ("... Appointment 1:42"), and the
            # title printed once more without it just above.
            taken = [index]
            bare = fold(_VIDEO_DURATION.sub("", unit.text))
            if index > 0 and not units[index - 1].consumed and fold(units[index - 1].text) == bare:
                taken.insert(0, index - 1)
            for i in taken:
                _consume(units, i)
            live -= len(taken)
            figures.setdefault(taken[0], []).append(Figure(unit.text))
        elif _is_credit(unit.text) and not _attribution(units, index):
            captions = _caption_lines_before(units, index)
            texts = [units[i].text for i in captions]
            # "Credit: X View full size image <the caption again>": a widget's copy.
            copy = _FULL_SIZE.split(unit.text, maxsplit=1)[1:] if _has_full_size(unit.text) else []
            caption = _merge_captions(texts + [c.strip() for c in copy if c.strip()])
            for i in [*captions, index]:
                _consume(units, i)
            live -= len(captions) + 1
            first = captions[0] if captions else index
            figures.setdefault(first, []).append(Figure(caption, _credit_text(unit.text)))
        elif (
            index + 1 < len(units)
            and not units[index + 1].consumed
            and not units[index + 1].blank_before
            and _same_caption(unit.text, units[index + 1].text)
            and live > 2  # a caption stands beside an article's text, never is all of it
        ):
            # A caption printed twice; a credit line may follow the pair.
            pair = [index, index + 1]
            credit: str | None = None
            caption = _merge_captions([unit.text, units[index + 1].text])
            inline = INLINE_CREDIT.search(caption)
            if inline:
                credit, caption = inline.group("credit").strip(), caption[: inline.start()]
            following = index + 2
            if following < len(units) and credit is None and _credits_a_picture(units[following]):
                credit = _credit_text(units[following].text)
                pair.append(following)
            if credit is None and unit.text == units[index + 1].text:
                # The very same line twice, with no credit: a line the page repeated
                # (a reference, a quote), not a picture's caption.
                index += 1
                continue
            for i in pair:
                _consume(units, i)
            live -= len(pair)
            figures.setdefault(index, []).append(Figure(caption, credit))
            index = pair[-1]
        index += 1
    return figures


def _credits_a_picture(unit: _Unit) -> bool:
    """A credit line, or an agency's name alone on its line ("Getty Images", "(EPA)")."""
    text = unit.text
    return not unit.blank_before and (
        _is_credit(text)
        or (len(text) <= MAX_AGENCY_LINE_CHARS and bool(AGENCY_AT_END.search(text)))
    )


def _is_credit(text: str) -> bool:
    if len(text) > MAX_CAPTION_CHARS + MAX_CREDIT_CHARS:
        return False
    if _has_full_size(text):
        text = _FULL_SIZE.split(text, maxsplit=1)[0]
    return len(text) <= MAX_CREDIT_CHARS and bool(
        _CREDIT.match(text) or _IMAGE_COPYRIGHT.match(text)
    )


def _attribution(units: list[_Unit], index: int) -> bool:
    """Whether a "Source:" line attributes the paragraph above rather than credit a
    picture: the line above ends a sentence and is printed once."""
    if not _SOURCE_LINE.match(units[index].text) or index == 0:
        return False
    above = units[index - 1]
    if above.consumed or units[index].blank_before:
        return False
    twice = index > 1 and _same_caption(units[index - 2].text, above.text)
    return above.text[-1] in ".!?" and not twice


def _has_full_size(text: str) -> bool:
    return "ull size image" in text or "ULL SIZE IMAGE" in text


def _credit_text(text: str) -> str:
    if _has_full_size(text):
        text = _FULL_SIZE.split(text, maxsplit=1)[0].strip() or text
    copyright_match = _IMAGE_COPYRIGHT.match(text)
    if copyright_match and copyright_match.group("rest"):
        return f"Image copyright: {copyright_match.group('rest')}"
    return text


def _caption_lines_before(units: list[_Unit], credit_index: int) -> list[int]:
    """The caption lines that a credit line belongs to: the line (or duplicated pair)
    directly above it, when short enough to be a caption."""
    indices: list[int] = []
    index = credit_index
    while index > 0 and len(indices) < 2:
        if units[index].blank_before and index != credit_index:
            break
        candidate = index - 1
        if units[candidate].consumed or len(units[candidate].text) > MAX_CAPTION_CHARS:
            break
        if indices and not _same_caption(units[candidate].text, units[indices[0]].text):
            break
        if (
            units[index].blank_before
            and index == credit_index
            and len(units[candidate].text)
            > (
                MAX_CAPTION_CHARS
                if _PICTURE_CREDIT.match(units[index].text)
                else MAX_CAPTION_AFTER_BLANK
            )
        ):
            # A credit after a blank line takes only a short caption above it; a
            # picture's credit ("Credit:", "Photo:") a caption of any caption's length.
            break
        indices.insert(0, candidate)
        index = candidate
    return indices


def _same_caption(first: str, second: str) -> bool:
    """Two lines are one caption if equal after folding, or the second extends the first
    (the caption, then the caption with its details and credit).

    The copies of a caption differ in typography (quotes, dashes, spacing), never in
    case: a line that repeats another in lower case is a sentence of its own. A
    longer line above a shorter one is a paragraph that the caption quotes, and a
    date or a name printed twice is not a caption at all.
    """
    if len(first) > MAX_CAPTION_CHARS or len(second) > MAX_CAPTION_CHARS:
        return False
    a, b = fold(first), fold(second)
    if not a or not b or not _same_case(first, second):
        return False
    if sum(1 for word in a.split() if sum(ch.isalpha() for ch in word) >= 3) < 2:
        return False
    # Both copies must be substantial: a short line that happens to begin the
    # caption ("harbour.") is text of its own, not a second copy.
    return a == b or (len(a) >= 20 and b.startswith(a))


def _same_case(first: str, second: str) -> bool:
    """Whether the letters two lines have in common are capitals in the same places."""
    a = [ch.isupper() for ch in first if ch.isalpha()]
    b = [ch.isupper() for ch in second if ch.isalpha()]
    common = min(len(a), len(b))
    return a[:common] == b[:common]


def _merge_captions(texts: list[str]) -> str:
    """One caption from duplicate lines: the longest, then the most typographic."""
    if not texts:
        return ""
    return max(texts, key=lambda text: (len(fold(text)), typographic_score(text)))


def _drop_pull_quotes(units: list[_Unit]) -> None:
    """Drop a pull quote: a long line printed again a few lines after itself.

    Only an exact copy counts (a copy in other case is a sentence of its own), with
    other text between (a line printed twice in a row is a caption), near its first
    copy; the first copy stays.
    """
    live = [i for i, u in enumerate(units) if not u.consumed]
    last_seen: dict[str, int] = {}
    for position, index in enumerate(live):
        text = units[index].text
        if len(text) < MIN_PULL_QUOTE_CHARS:
            continue
        seen = last_seen.get(text)
        if seen is not None and 1 < position - seen <= PULL_QUOTE_WINDOW:
            _consume(units, index)
        else:
            last_seen[text] = position


def _join_fragments(units: list[_Unit]) -> None:
    """Join a line cut mid-sentence to the line that continues it.

    Scrapers that drop linked words leave "Furry recyclers" / "have already had
    ...": the second part starts in lower case (or with punctuation).
    """
    live = [i for i, u in enumerate(units) if not u.consumed]
    for position in range(len(live) - 1, 0, -1):
        current, previous = units[live[position]], units[live[position - 1]]
        if current.boundary_before and not current.blank_before:
            continue
        if previous.text[-1] in TERMINAL_PUNCTUATION:
            continue
        head = current.text[0]
        if head.islower():
            previous.text = f"{previous.text} {current.text}"
        elif head in ".,;:)":
            previous.text = f"{previous.text}{current.text}"
        else:
            continue
        current.consumed = True


def _build_sections(
    units: list[_Unit], figures_at: dict[int, list[Figure]]
) -> tuple[list[Section], list[Figure]]:
    live = [i for i, u in enumerate(units) if not u.consumed]
    contexts = heading_contexts(units, live)
    decided = add_stacked_headings(contexts, decide_headings(contexts))
    headings = {i for i, heading in zip(live, decided, strict=True) if heading}
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    figures: list[Figure] = []
    for index, unit in enumerate(units):
        for figure in figures_at.get(index, []):
            figures.append(Figure(figure.caption, figure.credit, len(sections) - 1))
        if unit.consumed:
            continue
        if index in headings:
            sections.append((unit.text, []))
        else:
            sections[-1][1].append(unit.text)
    result = [Section(heading, tuple(paragraphs)) for heading, paragraphs in sections]
    if result and result[0].heading is None and not result[0].paragraphs and len(result) > 1:
        result = result[1:]
        figures = [Figure(f.caption, f.credit, max(0, f.section - 1)) for f in figures]
    return result, figures


def heading_contexts(units: list[_Unit], live: list[int]) -> list[LineContext | None]:
    """Each live unit with the lines around it, for the heading decision (None for a
    line that can never be a heading: most are paragraphs, and are not looked at)."""
    spaced = sum(1 for i in live if units[i].blank_before) * 2 > len(live)
    texts = [units[i].text for i in live]
    runs, afters = _run_lengths([short_open(text) for text in texts])
    contexts: list[LineContext | None] = []
    for position, index in enumerate(live):
        unit = units[index]
        if never_heading(unit.text):
            contexts.append(None)
            continue
        following = live[position + 1] if position + 1 < len(live) else None
        contexts.append(
            LineContext(
                text=unit.text,
                blank_before=position == 0 or unit.blank_before or unit.boundary_before,
                blank_after=following is None
                or units[following].blank_before
                or units[following].boundary_before,
                previous=texts[position - 1] if position > 0 else None,
                following=texts[position + 1] if position + 1 < len(texts) else None,
                after_following=texts[position + 2] if position + 2 < len(texts) else None,
                spaced=spaced,
                run=runs[position],
                run_after=afters[position],
                previous_spaced=position < 2
                or units[live[position - 1]].blank_before
                or units[live[position - 1]].boundary_before,
            )
        )
    return contexts


def _run_lengths(flags: list[bool]) -> tuple[list[int], list[int]]:
    """For each position, the length of the run of true flags it stands in (0 if false),
    and how many of the run come after it."""
    runs = [0] * len(flags)
    afters = [0] * len(flags)
    start = 0
    while start < len(flags):
        end = start
        while end < len(flags) and flags[end]:
            end += 1
        for position in range(start, end):
            runs[position] = end - start
            afters[position] = end - position - 1
        start = end + 1 if end == start else end
    return runs, afters


def _passes(
    text: str,
) -> tuple[_Header, list[_Unit], list[Link], dict[int, list[Figure]]]:
    """The passes before the heading decision: the header, the body's units with
    related links, figures and pull quotes taken out and fragments joined."""
    lines = [collapse_spaces(line) for line in text.split("\n")]
    header, body = _header_and_body(lines)
    units = _units(body, 0)
    links = _take_related_links(units)
    figures_at = _take_figures(units)
    _drop_pull_quotes(units)
    _join_fragments(units)
    return header, units, links, figures_at


def body_lines(text: str) -> list[LineContext]:
    """The body lines that remain for the heading decision, with their contexts.

    For the benchmark that fits the heading model: the same passes as
    :func:`extract_plain_text` up to the decision.
    """
    units = _passes(text)[1]
    live = [i for i, u in enumerate(units) if not u.consumed]
    return [context for context in heading_contexts(units, live) if context is not None]


def _inline_links(sections: list[Section]) -> list[Link]:
    """Bare URLs in the body are inline links."""
    links: list[Link] = []
    seen: set[str] = set()
    for section in sections:
        for paragraph in section.paragraphs:
            if "http" not in paragraph:
                continue
            for match in _URL.finditer(paragraph):
                url = match.group(0)
                if url not in seen:
                    seen.add(url)
                    links.append(Link(LinkKind.INLINE, url, url))
    return links


def _title_from_body(sections: list[Section], fallback: str) -> str:
    """A title for text that has none: the start of its first sentence."""
    for section in sections:
        for paragraph in section.paragraphs or ((section.heading,) if section.heading else ()):
            if paragraph.endswith(":") or len(paragraph.split()) < 3 or BYLINE.search(paragraph):
                continue
            # Sentences until the title says something ("They moan." alone does not).
            sentences = _SENTENCE_END.split(paragraph, maxsplit=MAX_TITLE_SENTENCES)
            sentence = sentences[0]
            for more in sentences[1:]:
                if len(sentence.split()) >= MIN_TITLE_WORDS or len(sentence) + len(more) > 100:
                    break
                sentence = f"{sentence} {more}"
            if len(sentence) <= 100:
                return sentence.rstrip(".")
            cut = sentence[:100].rsplit(" ", 1)[0]
            return f"{cut}…"
    return fallback
