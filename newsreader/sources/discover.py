"""Finding a site's feed from one of its web pages (``<link rel="alternate">``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from newsreader.config import carry_credentials
from newsreader.sanitize import display_url, feed_url_problem

if TYPE_CHECKING:
    from newsreader.sources.http import FetchError

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        attributes = {name.lower(): (value or "") for name, value in attrs}
        rel = attributes.get("rel", "").lower().split()
        kind = attributes.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and attributes.get("href"):
            self.found.append((attributes["href"], kind))


def feed_links(html: str, base_url: str) -> list[str]:
    """The feed addresses a page advertises, RSS and Atom first, resolved.

    Only those a config would take are kept (see
    :func:`~newsreader.sanitize.feed_url_problem`): a link with an escape sequence,
    a space, another scheme or no host, or too long, is passed over.
    """
    parser = _AlternateLinks()
    parser.feed(html[:2_000_000])
    ranked = sorted(parser.found, key=lambda item: FEED_TYPES.index(item[1]))
    links: list[str] = []
    for href, _kind in ranked:
        try:
            url = urljoin(base_url, href.strip())
        except ValueError:
            continue
        if feed_url_problem(url) is None and url not in links:
            links.append(url)
    return links


class Failure(Enum):
    """Why no feed was found at an address."""

    WRONG = "wrong"
    """The server answered, and not with a feed: an HTTP error status, a document
    that is neither a feed nor a page naming one, or a named feed that failed so."""
    UNCHECKED = "unchecked"
    """No answer came (no network, an unknown host, refused, timed out): the
    address may well be right."""


@dataclass(frozen=True, slots=True)
class Discovery:
    """The result of looking for a feed at an address.

    Attributes:
        feed_url: The feed found, or else the best address to add (the one given,
            or the feed a page names when that feed failed).
        title: The feed's own title, when it was read.
        error: What went wrong, fit for the user; None when a feed was found.
        failure: Which kind of failure ``error`` is; None when a feed was found.
    """

    feed_url: str
    title: str | None = None
    error: str | None = None
    failure: Failure | None = None


def _failure_of(error: FetchError) -> Failure:
    """An HTTP error status is an answer; anything else left the address unchecked."""
    return Failure.WRONG if error.status is not None else Failure.UNCHECKED


async def discover_feed(url: str, *, timeout: float = 20.0) -> Discovery:
    """The feed at ``url``: the address itself if it is a feed, else the page's feed.

    Whatever fails comes back with ``error`` and ``failure`` set, never raised.
    The address found is one a config takes; the user name and password of
    ``url`` go with it to the same origin (a redirect or a page's relative link
    loses them). Messages show addresses with their passwords hidden.
    """
    from newsreader.extract.feed import NotAFeed, parse_feed
    from newsreader.sources.http import Fetcher, FetchError

    async with Fetcher(timeout=timeout) as fetcher:
        try:
            response = await fetcher.fetch(url)
        except FetchError as error:
            message = f"cannot fetch {display_url(url)}: {error}"
            return Discovery(url, error=message, failure=_failure_of(error))
        try:
            parsed = parse_feed(response.body, source=url, headers=response.headers)
            if parsed.articles or parsed.title != url:
                moved = response.permanent_url and carry_credentials(response.permanent_url, url)
                return Discovery(
                    moved if moved and not feed_url_problem(moved) else url, parsed.title
                )
        except NotAFeed:
            pass
        except Exception as error:  # a feed the parser breaks on is no feed to add
            message = f"cannot read {display_url(url)}: {_reason(error)}"
            return Discovery(url, error=message, failure=Failure.WRONG)
        text = response.body.decode("utf-8", errors="replace")
        links = feed_links(text, response.final_url)
        if not links:
            return Discovery(
                url,
                error=f"{display_url(url)} is neither a feed nor a page that names one",
                failure=Failure.WRONG,
            )
        feed_url = carry_credentials(links[0], url)
        try:
            feed_response = await fetcher.fetch(feed_url)
        except FetchError as error:
            message = f"the page names {display_url(feed_url)}, which failed: {error}"
            return Discovery(feed_url, error=message, failure=_failure_of(error))
        try:
            title = parse_feed(
                feed_response.body, source=feed_url, headers=feed_response.headers
            ).title
        except Exception as error:  # NotAFeed, or a feed the parser breaks on
            message = f"the page names {display_url(feed_url)}, which failed: {_reason(error)}"
            return Discovery(feed_url, error=message, failure=Failure.WRONG)
        return Discovery(feed_url, title)


def _reason(error: Exception) -> str:
    """What went wrong, in one line: an expected failure's message, else its type too."""
    from newsreader.extract.feed import NotAFeed

    if isinstance(error, NotAFeed):
        return str(error)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
