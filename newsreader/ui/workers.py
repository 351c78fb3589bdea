"""What the reader's thread workers do: one blocking call into the core each, its
outcome posted as a message (:mod:`newsreader.ui.messages`).

Each opens its own cache connection (one per thread), and each ends in a
message whatever goes wrong, so the screen never waits for ever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

from textual.message import Message

from newsreader.cache import Cache, CacheError
from newsreader.config import Config, FeedConfig, QueryConfig
from newsreader.images import ImageError, ImageFolder, load_image
from newsreader.importer import describe_error
from newsreader.pages import PageError, keep_page
from newsreader.tree import count_tree
from newsreader.ui.messages import (
    ImageLoaded,
    PageFetched,
    RefreshFinished,
    RefreshProgressed,
    TreeCounted,
)
from newsreader.wording import plural

PROGRESS_POST_SECONDS = 0.05
"""A refresh's progress is posted at most this often, besides each failure and the
end: offline, 2,000 feeds are skipped in milliseconds, and a message for each would
take the reader's thread longer than the refresh took."""

Post = Callable[[Message], object]
"""How a worker reports: the screen's ``post_message`` (thread-safe)."""


def fetch_page(url: str, cache_file: Path, *, timeout: float, post: Post) -> None:
    """Fetch a linked page and cache its article; a :class:`PageFetched` says how it went."""
    article_id: int | None = None
    error: str | None = None
    try:
        with Cache(cache_file) as cache:
            article_id = keep_page(url, cache, timeout=timeout)
    except PageError as failure:
        error = f"Cannot open {url}: {failure}"
    except CacheError as failure:
        error = f"Cannot keep {url}: {failure}"
    except Exception as unexpected:
        error = f"Cannot open {url}: {describe_error(unexpected)}"
    post(PageFetched(article_id, error))


def load_images(
    article_id: int,
    urls: list[str],
    folder: ImageFolder,
    *,
    offline: bool,
    timeout: float,
    stop: threading.Event,
    post: Post,
) -> None:
    """Load an article's images one by one, each ending in an :class:`ImageLoaded`.

    ``stop`` is set when another article is opened (or the reader closes): the
    images left are not loaded, and a fetch under way gives up.
    """
    for url in urls:
        if stop.is_set():
            return
        try:
            image = load_image(url, folder, offline=offline, timeout=timeout, stop=stop)
        except ImageError as failure:
            post(ImageLoaded(article_id, url, None, str(failure)))
        except Exception as unexpected:
            post(ImageLoaded(article_id, url, None, describe_error(unexpected)))
        else:
            post(ImageLoaded(article_id, url, image, None))


def recount_tree(
    feeds: Sequence[FeedConfig],
    cache_file: Path,
    *,
    sequence: int,
    post: Post,
    accounts: Sequence[str] = (),
    queries: Sequence[QueryConfig] = (),
    hiding: bool = False,
) -> None:
    """Count the tree from the cache; a :class:`TreeCounted` tagged ``sequence`` says how.

    Raises:
        Exception: an unexpected one, after its :class:`TreeCounted`.
    """
    try:
        with Cache(cache_file) as cache:
            counts = count_tree(cache, feeds, accounts, queries, hiding)
    except CacheError as error:
        post(TreeCounted(sequence, None, f"Cannot count the tree: {error}"))
        return
    except Exception as error:
        post(TreeCounted(sequence, None, f"Cannot count the tree: {describe_error(error)}"))
        raise
    post(TreeCounted(sequence, counts, None))


def refresh_feeds(
    config: Config,
    cache_file: Path,
    *,
    offline: bool,
    post: Post,
    stop: threading.Event | None = None,
    pool: Executor | None = None,
    data_dir: Path | None = None,
) -> None:
    """Refresh feeds, sync accounts and import local sources, posting progress and then
    how it ended (``data_dir``: where the accounts' login tokens are kept).

    ``pool`` parses the feeds (the screen's, kept between refreshes); without it
    they are parsed on a thread of this worker's.

    Raises:
        Exception: an unexpected one, after its :class:`RefreshFinished`.
    """
    from newsreader.refresh import FeedResult, refresh

    last_posted = 0.0

    def progressed(result: FeedResult, done: int, total: int) -> None:
        nonlocal last_posted
        failure = f"{result.name}: {result.error}" if result.failed else None
        now = time.monotonic()
        if failure is None and done < total and now - last_posted < PROGRESS_POST_SECONDS:
            return
        last_posted = now
        post(RefreshProgressed(done, total, failure))

    def syncing(account: str, doing: str, items: int) -> None:
        nonlocal last_posted
        now = time.monotonic()
        if now - last_posted < PROGRESS_POST_SECONDS:
            return
        last_posted = now
        pulled = f" ({plural(items, 'item')})" if items else ""
        feeds = len(config.enabled_feeds)
        post(RefreshProgressed(feeds, feeds, None, f"Syncing {account}: {doing}{pulled}…"))

    try:
        with Cache(cache_file) as cache:
            report = refresh(
                config,
                cache,
                offline=offline,
                progress=progressed,
                parse_workers=0,
                stop=stop,
                pool=pool,
                data_dir=data_dir,
                sync_progress=syncing,
            )
    except CacheError as error:
        post(RefreshFinished(0, 0, 0, str(error)))
        return
    except Exception as error:
        post(RefreshFinished(0, 0, 0, f"Refresh failed: {error!r}"))
        raise
    failed_accounts = [account for account in report.accounts if not account.ok]
    post(
        RefreshFinished(
            len(report.failed_feeds) + len(failed_accounts),
            len(report.feeds) + len(report.accounts),
            report.new_articles,
            None,
            deferred=len(report.deferred_feeds),
            failures=tuple(
                (result.name, result.error or "failed") for result in report.failed_feeds
            )
            + tuple((account.account, account.error or "failed") for account in failed_accounts),
            did_nothing=report.did_nothing,
        )
    )
