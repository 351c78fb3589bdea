"""What a web page's own markup says about its article, beside trafilatura's reading of it.

trafilatura hands back the article as a plain fragment: the page's titles, its
pictures' attributes and its figures' structure are not in it. They are read
here from the page itself (lxml, which trafilatura parses with too), once, so
that :mod:`newsreader.extract.webpage` can check the fragment against them.
Every text read here is cleaned to one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from newsreader.extract.htmlbody import image_addresses, image_key, is_decorative_image
from newsreader.sanitize import clean_line
from newsreader.textnorm import fold

_TITLE_METAS = ("og:title", "twitter:title")
_DESCRIPTION_METAS = ("description", "og:description", "twitter:description")
MIN_STANDFIRST = 40
MAX_STANDFIRST = 600
"""A standfirst is a sentence or two: shorter is a label, longer is the article's text."""
DEK_WORDS = frozenset(
    {
        *("standfirst", "dek", "deck", "summary", "subtitle", "subhead", "subheadline"),
        *("strapline", "excerpt", "lede", "intro", "alternativeheadline", "description"),
    }
)
"""Words of a class, an id or an itemprop that name the summary under a headline."""
_NEAR_HEADLINE = 3
"""How many levels above the headline a standfirst may share an ancestor with it."""
RAW_FACTOR = 4
"""How much longer than its line an element's raw text may be (indentation, line breaks)."""
LONG_PARAGRAPH = 200
"""A paragraph this long after the headline is the article's text: no standfirst after it."""
_OUTSIDE = frozenset({"a", "nav", "aside", "footer", "figure", "figcaption", "li"})
_WORD_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")
MAX_SITE_WORDS = 8
"""How long the site's name (or a chapter's number) beside a title may be."""
_SITE_SEPARATORS = "|-:·»/"


@dataclass(frozen=True, slots=True)
class PageFigure:
    """A captioned figure of the page.

    Attributes:
        caption: Its ``<figcaption>``, as markup (``htmlbody`` reads it as any
            figure's caption: the credit apart, hidden labels left out).
        text: The caption's text, folded.
        addresses: Its pictures' addresses (``image_key``), every size of them.
    """

    caption: str
    text: str
    addresses: frozenset[str]


@dataclass(frozen=True, slots=True)
class PageSource:
    """The page's own statements about its article.

    Attributes:
        titles: The document's ``<title>`` and its ``og:title`` and
            ``twitter:title``, in that order, each once.
        decorations: The addresses (``image_key``) of the page's decorative
            pictures (``is_decorative_image``, both of ``htmlbody``) outside a
            captioned figure: trafilatura keeps a picture's address and none
            of the attributes that tell.
        standfirst: The page's summary of its article as the page shows it:
            the element under the headline, before the article's text, whose
            class, id or itemprop names it (``.standfirst``, ``.dek``,
            ``.summary``, ``.subtitle`` ...), else the page's description
            (``<meta name="description">``, ``og:description``) when an
            element shows that text.
        figures: The page's captioned figures (:class:`PageFigure`):
            trafilatura keeps a figure's picture without its caption, or its
            caption as paragraphs, or both apart.
    """

    titles: tuple[str, ...] = ()
    decorations: frozenset[str] = frozenset()
    standfirst: str | None = None
    figures: tuple[PageFigure, ...] = ()


def is_headline(heading: str, title: str) -> bool:
    """Whether ``heading`` is the page's ``title``, alone or with the site's name beside it.

    ``Harbour ferries return`` is the headline of ``Harbour ferries return - Coast
    Daily`` and of ``Coast Daily | Harbour ferries return``, not of ``Harbour
    ferries returning``.
    """
    heading, title = fold(heading), fold(title)
    if not heading or not title:
        return False
    if heading == title:
        return True
    if title.startswith(heading):
        rest = title[len(heading) :].strip()
        beside = rest[:1] in _SITE_SEPARATORS and rest[1:].strip()
    elif title.endswith(heading):
        rest = title[: -len(heading)].strip()
        beside = rest[-1:] in _SITE_SEPARATORS and rest[:-1].strip()
    else:
        return False
    return bool(beside) and len(rest.split()) <= MAX_SITE_WORDS


def read_page(html: str) -> PageSource:
    """Read what the page says of itself; a page lxml cannot read says nothing."""
    root = _parse(html)
    if root is None:
        return PageSource()
    titles = _titles(root)
    return PageSource(
        titles=titles,
        decorations=_decorations(root),
        standfirst=_standfirst(root, titles),
        figures=_figures(root),
    )


MAX_CAPTION_COPIES = 3
"""How many blocks after a picture may be its caption's text, copied out of the figure."""
MIN_CAPTION_CHARS = 20
"""A paragraph this long that begins a figure's caption is that caption, out of its figure."""
_BLOCKS = ("p", "div", "blockquote")


def with_figures(fragment: str, figures: tuple[PageFigure, ...]) -> str:
    """trafilatura's fragment with the page's captioned figures in it again.

    A picture of a captioned figure becomes ``<figure>`` with the page's
    ``<figcaption>``, and the blocks right after it that only repeat the
    caption's words (trafilatura copies a caption and its credit out as
    paragraphs or loose text) go. A paragraph that is a figure's caption, its
    picture dropped, becomes that figure without a picture.
    """
    if not figures:
        return fragment
    root = _parse(fragment)
    if root is None:
        return fragment
    import lxml.html

    # A picture the page shows twice, with two captions, takes them in order.
    unused: dict[str, list[PageFigure]] = {}
    for page_figure in figures:
        for address in page_figure.addresses:
            unused.setdefault(address, []).append(page_figure)
    changed = False
    for image in list(root.iter("img")):
        if any(a.tag == "figure" for a in image.iterancestors()):
            continue
        attributes = {str(name): str(value) for name, value in image.attrib.items()}
        keys = [image_key(address) for address in image_addresses(attributes)]
        shown = next((unused[key][0] for key in keys if unused.get(key)), None)
        if shown is None:
            continue
        for address in shown.addresses:
            unused[address].remove(shown)
        if (caption := _caption(shown)) is not None:
            _figure_around(image, caption)
            changed = True
    for block in list(root.iter(*_BLOCKS)):
        if block.getparent() is None or any(a.tag == "figure" for a in block.iterancestors()):
            continue
        text = fold(block.text_content())
        if len(text) < MIN_CAPTION_CHARS or any(len(child) for child in block):
            continue
        copied = next((f for f in figures if f.text.startswith(text)), None)
        if copied is None or 2 * len(text) < len(copied.text):
            continue
        if (caption := _caption(copied)) is not None:
            _figure_for(block, caption, whole_copies=False)
            changed = True
    return lxml.html.tostring(root, encoding="unicode") if changed else fragment


def _caption(figure: PageFigure) -> Any:
    import lxml.html

    try:
        return lxml.html.fragment_fromstring(figure.caption)
    except (ValueError, lxml.etree.ParserError):
        return None


def _figure_around(image: Any, caption: Any) -> None:
    """Put ``image`` in a figure with ``caption``, and drop the copies of the caption after it."""
    words = fold(caption.text_content())
    if _repeats(image.tail, words):
        image.tail = None
    parent = image.getparent()
    # A picture alone in a paragraph (or a link) is replaced with that paragraph.
    alone = (
        parent.tag in ("p", "div", "span", "a")
        and parent.getparent() is not None
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (image.tail or "").strip()
    )
    figure = _figure_for(parent if alone else image, caption)
    figure.insert(0, image)
    image.tail = None


def _figure_for(anchor: Any, caption: Any, *, whole_copies: bool = True) -> Any:
    """A figure with ``caption`` in ``anchor``'s place, the copies of the caption after it gone.

    Without ``whole_copies`` a block that is the whole caption again stays: it
    is the next figure's (a gallery's pictures may share their caption).
    """
    import lxml.html

    words = fold(caption.text_content())
    figure = lxml.html.Element("figure")
    anchor.addprevious(figure)
    figure.tail, anchor.tail = anchor.tail, None
    anchor.getparent().remove(anchor)
    figure.append(caption)
    for _ in range(MAX_CAPTION_COPIES):
        if _repeats(figure.tail, words):
            figure.tail = None
            continue
        following = figure.getnext()
        if following is None or (figure.tail or "").strip():
            break
        copied = fold(following.text_content())
        if not _repeats(copied, words) or (copied == words and not whole_copies):
            break
        figure.tail = following.tail
        following.getparent().remove(following)
    return figure


def _repeats(text: str | None, caption_words: str) -> bool:
    folded = fold(text or "")
    return bool(folded) and folded in caption_words


def _parse(html: str) -> Any:
    import lxml.html  # imported here: only pages need it, and trafilatura loads it anyway

    try:
        # Bytes, so that a declared encoding in the text is no error; the text is UTF-8 now.
        # Scripts and styles say nothing of the article, and their text is no element's.
        parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
        root = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
        for element in list(root.iter("script", "style", "template")):
            element.drop_tree()
        return root
    except (ValueError, lxml.etree.ParserError):
        return None


def _titles(root: Any) -> tuple[str, ...]:
    titles: list[str] = []
    for element in root.iter("title"):
        titles.append(clean_line(element.text_content()))
        break
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in _TITLE_METAS:
            titles.append(clean_line(meta.get("content") or ""))
    return tuple(dict.fromkeys(title for title in titles if title))


def _decorations(root: Any) -> frozenset[str]:
    addresses: set[str] = set()
    for image in root.iter("img"):
        attributes = {str(name): str(value) for name, value in image.attrib.items()}
        if not is_decorative_image(attributes) or _in_captioned_figure(image):
            continue
        addresses.update(image_key(address) for address in image_addresses(attributes))
    return frozenset(addresses)


def _in_captioned_figure(element: Any) -> bool:
    figure = next((a for a in element.iterancestors() if a.tag == "figure"), None)
    return figure is not None and figure.find(".//figcaption") is not None


def _standfirst(root: Any, titles: tuple[str, ...]) -> str | None:
    descriptions = []
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in _DESCRIPTION_METAS:
            description = clean_line(meta.get("content") or "")
            if MIN_STANDFIRST <= len(description) <= MAX_STANDFIRST:
                descriptions.append(fold(description).rstrip("…. "))
    body = root.find("body")
    if body is None:
        return None
    headline = _headline(body, titles)
    near = _near(headline)
    after_headline = False
    dek: str | None = None
    shown: str | None = None
    elements = [e for e in body.iter() if isinstance(e.tag, str) and e.tag != "noscript"]
    lengths = _text_lengths(elements)
    for element in elements:
        if element is headline:
            after_headline = True
            continue
        # Markup's spaces make the raw text longer than the line: only then is it read.
        raw = lengths[element]
        if raw < MIN_STANDFIRST or (raw > RAW_FACTOR * MAX_STANDFIRST and element.tag != "p"):
            continue
        text = clean_line(element.text_content())
        if MIN_STANDFIRST <= len(text) <= MAX_STANDFIRST:
            folded = fold(text)
            if shown is None and any(
                folded.startswith(d) and len(folded) <= len(d) + 20 for d in descriptions
            ):
                shown = text
            if dek is None and after_headline and _names_a_dek(element) and _is_near(element, near):
                dek = text
        if after_headline and element.tag == "p" and len(text) >= LONG_PARAGRAPH:
            near = []  # the article's text has begun: a summary after it is another's
    return dek or shown


def _text_lengths(elements: list[Any]) -> dict[Any, int]:
    """Each element's raw text length, counted once from the leaves up (not once per element)."""
    lengths: dict[Any, int] = {}
    for element in reversed(elements):
        length = len(element.text or "")
        for child in element:
            length += lengths.get(child, 0) + len(child.tail or "")
        lengths[element] = length
    return lengths


def _headline(body: Any, titles: tuple[str, ...]) -> Any:
    """The page's headline: the first ``<h1>`` (else ``<h2>``) that one of its titles names."""
    for tag in ("h1", "h2"):
        for heading in body.iter(tag):
            text = clean_line(heading.text_content())
            if any(is_headline(text, title) for title in titles):
                return heading
    return None


def _near(headline: Any) -> list[Any]:
    """The headline and the ancestors a standfirst may be found under, nearest first."""
    if headline is None:
        return []
    return [headline, *list(headline.iterancestors())[:_NEAR_HEADLINE]]


def _names_a_dek(element: Any) -> bool:
    marks = " ".join(element.get(name) or "" for name in ("class", "id", "itemprop"))
    return any(part.lower() in DEK_WORDS for part in _WORD_PARTS.findall(marks))


def _is_near(element: Any, near: list[Any]) -> bool:
    """Under the headline's header, and not in a link, a list or an aside."""
    ancestors = list(element.iterancestors())
    if element.tag in _OUTSIDE or any(a.tag in _OUTSIDE for a in ancestors):
        return False
    return element not in near and any(a in ancestors for a in near[1:])


def _figures(root: Any) -> tuple[PageFigure, ...]:
    import lxml.html

    figures: list[PageFigure] = []
    for figure in root.iter("figure"):
        caption = figure.find(".//figcaption")
        if caption is None or not (text := fold(clean_line(caption.text_content()))):
            continue
        addresses: set[str] = set()
        # A figure's pictures are content, whatever their attributes say (a lazy picture's
        # placeholder, every size of a <picture>); an avatar in the caption's byline is not.
        for element in figure.iter("img", "source"):
            if caption in element.iterancestors():
                continue
            attributes = {str(name): str(value) for name, value in element.attrib.items()}
            addresses.update(
                image_key(address)
                for address in image_addresses(attributes)
                if not address.lower().startswith("data:")
            )
        markup = lxml.html.tostring(caption, encoding="unicode", with_tail=False)
        figures.append(PageFigure(markup, text, frozenset(addresses)))
    return tuple(figures)
