"""What a web page's own markup says about its article, beside trafilatura's reading of it.

trafilatura hands back the article as a plain fragment: the page's titles, its
pictures' attributes and its figures' structure are not in it. They are read
here from the page itself (lxml, which trafilatura parses with too), once, so
that :mod:`newsreader.extract.webpage` can check the fragment against them.
Every text read here is cleaned to one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsreader.extract.htmlbody import image_addresses, image_key, is_decorative_image
from newsreader.sanitize import clean_line

_TITLE_METAS = ("og:title", "twitter:title")


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
    """

    titles: tuple[str, ...] = ()
    decorations: frozenset[str] = frozenset()


def read_page(html: str) -> PageSource:
    """Read what the page says of itself; a page lxml cannot read says nothing."""
    root = _parse(html)
    if root is None:
        return PageSource()
    return PageSource(titles=_titles(root), decorations=_decorations(root))


def _parse(html: str) -> Any:
    import lxml.html  # imported here: only pages need it, and trafilatura loads it anyway

    try:
        # Bytes, so that a declared encoding in the text is no error; the text is UTF-8 now.
        parser = lxml.html.HTMLParser(encoding="utf-8")
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=parser)
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
