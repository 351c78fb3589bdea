"""Judge the web page extractor against Readability's extraction of the same page.

Each corpus page has its saved HTML (``source.html``), Readability's article
(``expected.html``: headings, paragraphs, figures with captions) and metadata
(``expected-metadata.json``: title, byline, excerpt). The extractor is run on
the saved HTML as a file import runs it, and what it made is compared with
those, on folded text (:func:`newsreader.textnorm.fold`).

What Readability gives is taken as it is, with two exceptions that are its own
shape rather than the article's: a first heading that repeats the title is the
title, and its byline is the page's text (``By X``, a date, an employer), so
the names are read out of it by the rules of :func:`expected_names`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from pages import PERMALINK_MARK

from newsreader.extract import ExtractError, extract_bytes
from newsreader.extract.decode import decode_text
from newsreader.extract.furniture import is_furniture
from newsreader.model import Article
from newsreader.textnorm import fold

HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TEXT_TAGS = frozenset({"p", "li", "dd", "dt", "pre", "blockquote", "td", "th"})
HIDDEN_TAGS = ("script", "style", "noscript", "template", "head", "svg")
MIN_EXCERPT = 40
"""An excerpt shorter than this is a label ("Contents"), not a standfirst."""
EXCERPT_KEY = 60
"""How much of an excerpt must be found: sites cut their descriptions at different lengths."""
MIN_CONTAINED = 15
TINY_PIXELS = 48
"""An image at most this wide and high (by its attributes) is an icon, not a picture."""
THIN_PIXELS = 4
"""An image this thin either way is a rule or a tracking pixel."""
DECORATIVE_WORDS = ("icon", "avatar", "logo", "spacer", "pixel")

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_COMMENT_COUNT = re.compile(r"^[\d.,]+\s*[km]?\s+(?:comments?|responses?|replies|shares?)$")
_FROM_SECTION = re.compile(r"^from the (?:section|series)\b")
_NAME_SPLIT = re.compile(r"\s*(?:[;,|/]|\band\b|&)\s*", re.IGNORECASE)
_BY = re.compile(
    r"^(?:(?:written|edited|reported|posted|text|words|story)\s+)?(?:by|par|por|von|door|di)\s+",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(r"\b(?:updated|published|follow|posted|share)\b", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*(?:https?:|www\.)[^)]*\)|\([^)]*\)$")
_BY_ALONE = re.compile(r"^(\s*(?:by|par|por|von|door|di)\s*)\n\s*", re.IGNORECASE | re.MULTILINE)


def words(text: str) -> list[str]:
    """The words of a folded text; every CJK character is a word (those scripts have no spaces)."""
    return _WORD.findall(fold(text))


def loose(text: str) -> str:
    """Folded, punctuation gone: ``Bradley M. Kuhn`` is ``bradley m kuhn``."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text)).split())


def compact(text: str) -> str:
    """Folded with every space and mark gone: ``CreditKevin Frayer/Getty`` matches either way."""
    return re.sub(r"[\W_]+", "", fold(text))


def is_chrome(paragraph: str) -> bool:
    """A paragraph that is the page's chrome: widget text, a comment count, a section label."""
    folded = fold(paragraph).lstrip("•·*-–— ")
    return (
        is_furniture(paragraph)
        or _COMMENT_COUNT.match(folded) is not None
        or (_FROM_SECTION.match(folded) is not None and len(folded.split()) <= 8)
    )


def expected_names(byline: str | None) -> frozenset[str]:
    """The names in Readability's byline, which is the page's text around them.

    Each line is read apart; ``By``, ``Written by`` and the like go, and so does
    everything from a digit on (a date run into the name). Once a
    line has said ``By``, lines that do not (an employer under the name) go. A
    part after a comma of one short word is a degree or a post (``MA``), not a
    name. A byline that is a label (``Last Updated: ...``, ``Follow Author``)
    names nobody.
    """
    if not byline:
        return frozenset()
    lines = [" ".join(line.split()) for line in _BY_ALONE.sub(r"\1 ", byline).splitlines()]
    lines = [_PARENTHESES.sub(" ", line).strip() for line in lines if line.strip()]
    said_by = any(_BY.match(line) for line in lines)
    names: list[str] = []
    for line in lines:
        if said_by and not _BY.match(line):
            continue
        if _NOT_A_NAME.search(line):
            continue
        line = _BY.sub("", line)
        line = re.split(r"\d", line, maxsplit=1)[0]
        for part in _NAME_SPLIT.split(line):
            part = loose(part)
            if not part or (len(part.split()) == 1 and len(part) <= 3 and names):
                continue
            names.append(part)
    return frozenset(names)


def author_names(author: str | None) -> frozenset[str]:
    """The names of the extractor's byline, split only where names are listed."""
    if not author:
        return frozenset()
    return frozenset(part for part in (loose(p) for p in _NAME_SPLIT.split(author)) if part)


@dataclass(frozen=True, slots=True)
class SourceImage:
    """An ``<img>`` of the saved page: what marks it as decoration, and its figure's caption."""

    addresses: tuple[str, ...]
    alt: str
    classes: str
    width: int | None
    height: int | None
    captioned: bool

    @property
    def decorative(self) -> bool:
        if self.captioned:
            return False
        if self.addresses and all(a.startswith("data:") for a in self.addresses):
            return True  # a lazy picture's placeholder is data: too, with its address beside it
        sizes = [size for size in (self.width, self.height) if size is not None]
        if sizes and min(sizes) <= THIN_PIXELS:
            return True
        if len(sizes) == 2 and max(sizes) <= TINY_PIXELS:
            return True
        marks = " ".join((*self.addresses, self.classes)).casefold()
        return any(word in marks for word in DECORATIVE_WORDS)


def _pixels(value: str | None) -> int | None:
    match = re.match(r"\s*(\d+)(?:px)?\s*$", value or "")
    return int(match.group(1)) if match else None


def _address_key(address: str) -> str:
    """An image address without its scheme and host: pages mix the two forms."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return address
    return parts.path + (f"?{parts.query}" if parts.query else "")


CREDIT_MARKS = frozenset(
    {"credit", "credits", "attribution", "source", "copyright", "copyrightholder", "creator"}
    | {"photographer", "byline", "courtesy"}
)
HIDDEN_MARKS = frozenset(
    {"visually-hidden", "sr-only", "off-screen", "offscreen", "screen-reader-text"}
)
_MARK_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")


def _without_credit_label(text: str) -> str:
    """A credit without the word ``Credit`` before it, hidden or glued (``CreditChang W. Lee``)."""
    while text[:6].lower() == "credit":
        rest = text[7:] if text[6:7].lower() == "s" else text[6:]
        if rest and not (rest[0] in " :" or rest[0].isupper()):
            break
        text = rest.lstrip(" :")
    return text


def _marks(element: lxml.html.HtmlElement) -> tuple[set[str], set[str]]:
    """The words of an element's class and itemprop, and its class names whole."""
    text = " ".join(element.get(name) or "" for name in ("class", "itemprop"))
    return {w.lower() for w in _MARK_PARTS.findall(text)}, set(text.lower().split())


def _credit_text(element: lxml.html.HtmlElement) -> str:
    """An element's text without the hidden labels in it (``Credit``, ``Media caption``)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not (_marks(child)[1] & HIDDEN_MARKS):
            parts.append(_credit_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def source_credits(root: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """Each captioned figure's caption and credit, where the page marks the credit apart.

    A credit is an element of the figcaption whose class or itemprop names it
    (credit, attribution, source, copyright, copyrightHolder, creator ...), or
    a ``<small>``; hidden labels in it (``Credit``) are left out.
    """
    found = []
    for caption in root.iter("figcaption"):
        credits = []
        for element in caption.iterdescendants():
            if not isinstance(element.tag, str):
                continue
            if not (element.tag == "small" or _marks(element)[0] & CREDIT_MARKS):
                continue
            between = []
            for ancestor in element.iterancestors():
                if ancestor is caption:
                    break
                between.append(ancestor)
            if not any(ancestor in credits for ancestor in between):
                credits.append(element)
        text = _without_credit_label(" ".join(_credit_text(e) for e in credits)).strip()
        if len(text) >= 2:
            found.append((_credit_text(caption), text))
    return found


def source_images(root: lxml.html.HtmlElement) -> list[SourceImage]:
    images: list[SourceImage] = []
    for image in root.iter("img"):
        addresses = [
            value.strip()
            for name, value in image.attrib.items()
            if value and (name in ("src", "data-src", "data-original") or name.endswith("src"))
        ]
        for name in ("srcset", "data-srcset"):
            addresses += [
                part.split()[0] for part in image.get(name, "").split(",") if part.strip()
            ]
        figure = next((a for a in image.iterancestors() if a.tag == "figure"), None)
        captioned = figure is not None and figure.find(".//figcaption") is not None
        images.append(
            SourceImage(
                tuple(addresses),
                fold(image.get("alt") or ""),
                " ".join(image.get(name, "") for name in ("class", "id")),
                _pixels(image.get("width")),
                _pixels(image.get("height")),
                captioned,
            )
        )
    return images


def _find_image(images: list[SourceImage], address: str | None, caption: str) -> SourceImage | None:
    if address:
        key = _address_key(address)
        for image in images:
            if any(_address_key(a) == key for a in image.addresses):
                return image
        name = key.rsplit("/", 1)[-1].split("?")[0]
        if len(name) >= 8:
            for image in images:
                if any(_address_key(a).split("?")[0].endswith("/" + name) for a in image.addresses):
                    return image
    folded = fold(caption)
    return next((image for image in images if folded and image.alt == folded), None)


def _overlaps(one: str, other: str) -> bool:
    """One text holds the other, compacted, the word "credit" aside.

    Readability keeps a caption's hidden ``Credit`` label, glued to the credit
    (``weather.CreditKirsten Luce``); a reader sees no such word.
    """
    a, b = compact(one).replace("credit", ""), compact(other).replace("credit", "")
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= MIN_CONTAINED and (a in b or b in a))


@dataclass(slots=True)
class Expected:
    """What Readability made of a page."""

    title: str
    names: frozenset[str]
    excerpt: str
    headings: list[str]
    captions: list[str]
    alts: list[str]
    paragraphs: list[str]
    text: str

    @classmethod
    def read(cls, folder: Path) -> Expected:
        metadata = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
        root = lxml.html.document_fromstring((folder / "expected.html").read_text(encoding="utf-8"))
        title = " ".join((metadata.get("title") or "").split())
        # An edit link or a permalink mark kept after a heading is not its text.
        headings = [
            PERMALINK_MARK.sub("", " ".join(h.text_content().split()))
            for h in root.iter(*HEADING_TAGS)
        ]
        headings = [h for h in headings if h]
        if headings and fold(headings[0]) == fold(title):
            headings = headings[1:]  # Readability repeats the title as a heading at times
        captions = [" ".join(c.text_content().split()) for c in root.iter("figcaption")]
        alts = [fold(i.get("alt") or "") for i in root.iter("img") if (i.get("alt") or "").strip()]
        paragraphs = []
        for element in root.iter(*TEXT_TAGS):
            if any(a.tag == "figcaption" for a in element.iterancestors()):
                continue
            if any(
                isinstance(d.tag, str) and d.tag in TEXT_TAGS for d in element.iterdescendants()
            ):
                continue
            text = " ".join(element.text_content().split())
            if text:
                paragraphs.append(text)
        return cls(
            title=title,
            names=expected_names(metadata.get("byline")),
            excerpt=" ".join((metadata.get("excerpt") or "").split()),
            headings=headings,
            captions=[c for c in captions if c],
            alts=alts,
            paragraphs=paragraphs,
            text=fold(" ".join(root.text_content().split())),
        )


def _visible_text(root: lxml.html.HtmlElement) -> str:
    for element in list(root.iter(*HIDDEN_TAGS)):
        element.drop_tree()
    return fold(" ".join(root.text_content().split()))


@dataclass(slots=True)
class PageCounts:
    """What one page (or a whole set) scored."""

    pages: int = 0
    failed: list[str] = field(default_factory=list)
    titles_right: int = 0
    titles_wrong: list[str] = field(default_factory=list)
    bylines: int = 0
    bylines_right: int = 0
    bylines_wrong: list[str] = field(default_factory=list)
    headings_true: int = 0
    headings_found: int = 0
    headings_predicted: int = 0
    headings_false: list[str] = field(default_factory=list)
    headings_missed: list[str] = field(default_factory=list)
    title_repeated: list[str] = field(default_factory=list)
    captions_true: int = 0
    captions_found: int = 0
    captions_missed: list[str] = field(default_factory=list)
    figures: int = 0
    figures_right: int = 0
    figures_decorative: list[str] = field(default_factory=list)
    credits_true: int = 0
    credits_kept: int = 0
    credits_glued: list[str] = field(default_factory=list)
    credits_lost: list[str] = field(default_factory=list)
    chrome: list[str] = field(default_factory=list)
    standfirsts: int = 0
    standfirsts_kept: int = 0
    standfirsts_lost: list[str] = field(default_factory=list)
    words_true: int = 0
    words_found: int = 0
    words_made: int = 0
    words_made_true: int = 0

    def add(self, other: PageCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def errors(self) -> int:
        return (
            len(self.failed) * 10
            + len(self.titles_wrong)
            + len(self.bylines_wrong)
            + len(self.headings_false)
            + len(self.headings_missed)
            + len(self.title_repeated)
            + len(self.captions_missed)
            + len(self.figures_decorative)
            + len(self.credits_glued)
            + len(self.credits_lost)
            + len(self.chrome)
            + len(self.standfirsts_lost)
            + round(10 * (self.words_true - self.words_found) / max(1, self.words_true))
        )


def extract_page(folder: Path) -> Article:
    """The extractor on a saved page, as an import runs it."""
    return extract_bytes((folder / "source.html").read_bytes(), Path("page.html"))[0]


def score_page(folder: Path) -> PageCounts:
    expected = Expected.read(folder)
    counts = PageCounts(pages=1)
    try:
        article = extract_page(folder)
    except ExtractError as error:
        counts.failed.append(str(error))
        counts.headings_true = len(expected.headings)
        counts.captions_true = len(expected.captions)
        counts.words_true = sum(len(words(p)) for p in expected.paragraphs)
        return counts
    source = lxml.html.document_fromstring(decode_text((folder / "source.html").read_bytes()))
    images = source_images(source)
    visible = _visible_text(source)

    if fold(article.title) == fold(expected.title):
        counts.titles_right = 1
    else:
        counts.titles_wrong.append(f"{article.title!r} (true: {expected.title!r})")

    if expected.names:
        counts.bylines = 1
        if author_names(article.author) == expected.names:
            counts.bylines_right = 1
        else:
            counts.bylines_wrong.append(f"{article.author!r} (true: {sorted(expected.names)})")

    true_headings = {fold(h) for h in expected.headings}
    made_headings = [s.heading for s in article.sections if s.heading]
    made = {fold(h) for h in made_headings}
    counts.headings_true = len(true_headings)
    counts.headings_found = len(true_headings & made)
    counts.headings_predicted = len(made)
    counts.headings_false = sorted(made - true_headings)
    counts.headings_missed = sorted(true_headings - made)
    titles = {fold(article.title), fold(expected.title)}
    for heading in made_headings[:3]:
        if fold(heading) in titles or any(_is_title_with_site(fold(heading), t) for t in titles):
            counts.title_repeated.append(heading)
            break

    counts.captions_true = len(expected.captions)
    figure_texts = [" ".join(filter(None, (f.caption, f.credit))) for f in article.figures]
    for caption in expected.captions:
        if any(_overlaps(caption, text) for text in figure_texts) or any(
            _overlaps(caption, f.caption) for f in article.figures
        ):
            counts.captions_found += 1
        else:
            counts.captions_missed.append(caption)
    counts.figures = len(article.figures)
    for figure, text in zip(article.figures, figure_texts, strict=True):
        image = _find_image(images, figure.image, figure.caption)
        if image is not None and image.decorative:
            counts.figures_decorative.append(f"{figure.caption[:60]} <{figure.image}>")
        elif any(_overlaps(c, text) for c in expected.captions) or fold(figure.caption) in (
            expected.alts
        ):
            counts.figures_right += 1

    for caption, credit in source_credits(source):
        if not any(_overlaps(caption, expected_caption) for expected_caption in expected.captions):
            continue  # a figure outside the article (a promotion, a gallery's teaser)
        counts.credits_true += 1
        shown = caption.replace(credit, "")  # the caption's own words, where it says them apart
        found = next(
            (
                f
                for f in article.figures
                if _overlaps(shown, f.caption)
                or _overlaps(caption, " ".join(filter(None, (f.caption, f.credit))))
            ),
            None,
        )
        if found is not None and found.credit and _overlaps(credit, found.credit):
            counts.credits_kept += 1
        elif found is not None and compact(credit) in compact(found.caption):
            counts.credits_glued.append(credit)
        else:
            counts.credits_lost.append(credit)

    paragraphs = [p for s in article.sections for p in s.paragraphs]
    counts.chrome = [p for p in paragraphs if is_chrome(p)]

    excerpt = fold(expected.excerpt)
    if len(excerpt) >= MIN_EXCERPT and excerpt[:EXCERPT_KEY] in visible:
        counts.standfirsts = 1
        made_text = fold(
            " ".join(
                t.lstrip("• ") for s in article.sections for t in (s.heading or "", *s.paragraphs)
            )
        )
        if excerpt[:EXCERPT_KEY] in made_text:
            counts.standfirsts_kept = 1
        else:
            counts.standfirsts_lost.append(expected.excerpt)

    made_words = set(words(" ".join([article.title, *made_headings, *paragraphs])))
    for paragraph in expected.paragraphs:
        for word in words(paragraph):
            counts.words_true += 1
            counts.words_found += word in made_words
    true_words = set(words(expected.text))
    for paragraph in paragraphs:
        for word in words(paragraph):
            counts.words_made += 1
            counts.words_made_true += word in true_words
    return counts


_SITE_SEPARATOR = "|-:·»/"


def _is_title_with_site(heading: str, title: str) -> bool:
    """The folded ``title`` is the folded ``heading`` with the site's name before or after it."""
    if not heading or len(title) <= len(heading):
        return False
    if title.startswith(heading):
        rest = title[len(heading) :].strip()
        return rest[:1] in _SITE_SEPARATOR and len(rest) > 1
    if title.endswith(heading):
        rest = title[: -len(heading)].strip()
        return rest[-1:] in _SITE_SEPARATOR and len(rest) > 1
    return False
