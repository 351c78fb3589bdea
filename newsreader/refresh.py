"""A refresh: config -> fetch -> parse -> cache, one feed's failure touching only that feed.

Downloads run concurrently on one asyncio loop (bounded overall and per host by
:class:`~newsreader.sources.http.Fetcher`); feedparser runs in a process pool,
because parsing is nearly all of a cold refresh's CPU and threads would not
spread it over cores; storing happens on the loop's thread, which owns the one
SQLite connection. A semaphore covers a feed from download to cache, so bodies
never pile up in memory faster than they are parsed.

Nothing is parsed for a 304, nor for a 200 whose body hash equals the last one.
Progress is reported through a plain callback, so the command line and the UI
can each show it their own way.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.cache import (
    Cache,
    Outcome,
    PreparedArticle,
    join_category,
    prepare_articles,
    retry_time,
)
from newsreader.cache.matching import FilterTooSlow
from newsreader.config import Config, FeedConfig, Settings, carry_credentials, feed_name
from newsreader.importer import ImportReport
from newsreader.model import Article, FeedState
from newsreader.pool import process_pool
from newsreader.queries import Killfile, apply_hide_rules
from newsreader.sanitize import is_safe_url
from newsreader.sources.http import (
    DEFAULT_MAX_RETRY_AFTER,
    Fetcher,
    FetchError,
    Validators,
    local_time,
)
from newsreader.tree import filter_context

if TYPE_CHECKING:
    from newsreader.sync.engine import SyncProgress, SyncReport

DAY = 86_400.0


class FeedStatus(StrEnum):
    """What happened to one feed in a refresh."""

    UPDATED = "updated"
    """Downloaded and parsed; new or changed articles may have been stored."""
    NOT_MODIFIED = "not-modified"
    """The server answered 304: nothing downloaded, nothing parsed."""
    UNCHANGED = "unchanged"
    """Downloaded, but the body was the same as last time: nothing parsed."""
    DEFERRED = "deferred"
    """Not fetched: the server asked us (Retry-After) to wait."""
    FAILED = "failed"
    """The fetch or the parse failed; the feed's cached articles are untouched."""
    OFFLINE = "offline"
    """Not fetched: offline mode."""


@dataclass(frozen=True, slots=True)
class FeedResult:
    """One feed's outcome."""

    url: str
    name: str
    status: FeedStatus
    new: int = 0
    updated: int = 0
    merged: int = 0
    """Entries that are articles another feed brought first (listed under this one too)."""
    error: str | None = None
    retry_after: float | None = None
    """When the server let it be fetched again (epoch seconds), if it asked us to wait."""

    @property
    def failed(self) -> bool:
        """Whether the feed failed."""
        return self.status is FeedStatus.FAILED

    @property
    def deferred(self) -> bool:
        """Whether the feed was not fetched because its server asked us to wait."""
        return self.status is FeedStatus.DEFERRED


@dataclass(slots=True)
class RefreshReport:
    """What a refresh did."""

    feeds: list[FeedResult] = field(default_factory=list)
    local: ImportReport = field(default_factory=ImportReport)
    pruned: int = 0
    refiled: int = 0
    """Feeds whose articles moved to the category the config now gives them."""
    accounts: list[SyncReport] = field(default_factory=list)
    """Each sync account's sync (none offline)."""
    skipped: dict[int, int] = field(default_factory=dict)
    """New entries each ``skip`` rule of the killfile left out, by its position."""
    hidden: dict[int, int] = field(default_factory=dict)
    """Articles each ``hide`` rule hides now, by its position."""
    killfile_error: str | None = None
    """Why the hide rules could not be applied again (the hidden stay as they were)."""
    seconds: float = 0.0

    @property
    def new_articles(self) -> int:
        """Articles new to the cache: every feed's, the accounts', the local sources'."""
        synced = sum(account.new for account in self.accounts)
        return sum(result.new for result in self.feeds) + synced + self.local.new

    @property
    def did_nothing(self) -> bool:
        """Whether the cache is as it was: every feed skipped offline, no local file,
        nothing pruned or refiled (offline, with no local sources)."""
        local = self.local
        touched = local.new or local.updated or local.unchanged or local.duplicate
        fetched = any(result.status is not FeedStatus.OFFLINE for result in self.feeds)
        fetched = fetched or bool(self.accounts)
        return not (fetched or self.pruned or self.refiled or touched or local.failures)

    @property
    def failed_feeds(self) -> list[FeedResult]:
        """The feeds that failed."""
        return [result for result in self.feeds if result.failed]

    @property
    def deferred_feeds(self) -> list[FeedResult]:
        """The feeds not fetched because their servers asked us to wait (Retry-After)."""
        return [result for result in self.feeds if result.deferred]

    @property
    def ok(self) -> bool:
        """Whether every feed and every local file went through.

        A deferred feed did not: it was not fetched, and its articles may be
        stale (a script refreshing on a timer learns so from the exit status).
        """
        return (
            not self.failed_feeds
            and not self.deferred_feeds
            and not self.local.failures
            and all(account.ok for account in self.accounts)
        )


Progress = Callable[[FeedResult, int, int], None]
"""Called after each feed with its result, the number done and the total."""


def refresh(
    config: Config,
    cache: Cache,
    *,
    offline: bool = False,
    progress: Progress | None = None,
    parse_workers: int | None = None,
    stop: threading.Event | None = None,
    pool: Executor | None = None,
    data_dir: Path | None = None,
    sync_progress: SyncProgress | None = None,
) -> RefreshReport:
    """Refresh every enabled feed, sync account and local source of a config into the cache.

    Args:
        config: The feeds, local sources and settings.
        cache: The cache (used from this thread only).
        offline: Touch no network: feeds are skipped, local sources still imported.
        progress: Called after each feed.
        parse_workers: Processes for parsing (default one per CPU; 0: parse in-process,
            as it always is from a process running other threads: see :mod:`newsreader.pool`).
        stop: Set from another thread to end the refresh early (the reader quitting):
            downloads under way are dropped, what is stored stays, and the local
            sources and retention wait for the next refresh.
        pool: Where to parse, kept by the caller between refreshes (the reader's
            :class:`~newsreader.pool.ForkServerPool`); ``parse_workers`` is then unused.
        data_dir: Where the accounts' login tokens are kept; without it the accounts
            are not synced.
        sync_progress: Called as each account's sync goes on.
    """
    started = time.monotonic()
    report = RefreshReport()
    feeds = list(config.enabled_feeds)
    report.refiled = _file_feeds(cache, feeds)
    accounts = [account.name for account in config.accounts]
    killfile = Killfile(config.ignore, filter_context(cache, config.feeds, accounts))
    if offline:
        states = cache.feed_states()
        for done, feed in enumerate(feeds, 1):
            name = feed.display_name(states.get(feed.url))
            result = FeedResult(feed.url, name, FeedStatus.OFFLINE, error="offline")
            report.feeds.append(result)
            if progress:
                progress(result, done, len(feeds))
    elif feeds:
        if pool is not None:
            report.feeds = asyncio.run(
                _refresh_feeds(feeds, config.settings, cache, pool, progress, stop, killfile)
            )
        else:
            workers = (os.cpu_count() or 1) if parse_workers is None else parse_workers
            # Forked before the event loop and its resolver threads exist (see pool).
            with process_pool(workers, background=True) as own_pool:
                report.feeds = asyncio.run(
                    _refresh_feeds(
                        feeds, config.settings, cache, own_pool, progress, stop, killfile
                    )
                )
    if not offline and data_dir is not None and config.accounts:
        from newsreader.sync.engine import sync_accounts

        report.accounts = sync_accounts(config, cache, data_dir, progress=sync_progress, stop=stop)
    if stop is not None and stop.is_set():
        report.seconds = time.monotonic() - started
        return report
    if config.local:
        from newsreader.importer import import_paths
    for source in config.local:
        # A missing or unreadable source is one failure, said by the import.
        report.local.merge(import_paths(cache, [source.path], categories=source.category))
    report.pruned = _apply_retention(cache, feeds, config.settings)
    report.skipped = dict(killfile.taken)
    if config.ignore or cache.hidden_counts()[0]:
        context = filter_context(cache, config.feeds, accounts)
        try:
            report.hidden = apply_hide_rules(cache, config.ignore, context) or {}
        except FilterTooSlow as error:
            report.killfile_error = str(error)
    report.seconds = time.monotonic() - started
    return report


def _file_feeds(cache: Cache, feeds: list[FeedConfig]) -> int:
    """Move the articles of feeds whose category the config changed (offline too);
    how many feeds were filed."""
    states = cache.feed_states()
    filed = 0
    for feed in feeds:
        state = states.get(feed.url)
        if state is None or state.category != join_category(feed.category):
            cache.file_feed(feed.url, feed.category)
            filed += 1
    return filed


class _BatchWriter:
    """Stores several feeds' articles in one transaction.

    Each commit makes SQLite's full-text index write a new segment and merge
    older ones; a transaction per feed spent more time committing than
    inserting. Rows wait at most ``MAX_DELAY`` seconds, or until ``MAX_ROWS``
    have gathered.
    """

    MAX_ROWS = 500
    MAX_DELAY = 0.1

    def __init__(self, cache: Cache, loop: asyncio.AbstractEventLoop) -> None:
        self._cache = cache
        self._loop = loop
        self._waiting: list[
            tuple[list[PreparedArticle], asyncio.Future[list[tuple[Outcome, int]]]]
        ] = []
        self._rows = 0
        self._timer: asyncio.TimerHandle | None = None

    async def store(self, rows: list[PreparedArticle]) -> list[tuple[Outcome, int]]:
        """Store rows with the next batch; returns their outcomes once written."""
        future: asyncio.Future[list[tuple[Outcome, int]]] = self._loop.create_future()
        self._waiting.append((rows, future))
        self._rows += len(rows)
        if self._rows >= self.MAX_ROWS:
            self.flush()
        elif self._timer is None:
            self._timer = self._loop.call_later(self.MAX_DELAY, self.flush)
        return await future

    def flush(self) -> None:
        """Write everything waiting, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting, self._rows = self._waiting, [], 0
        if not waiting:
            return
        try:
            outcomes = self._cache.store_prepared([row for rows, _ in waiting for row in rows])
        except Exception as error:
            for _, future in waiting:
                if not future.done():
                    future.set_exception(error)
            return
        start = 0
        for rows, future in waiting:
            if not future.done():
                future.set_result(outcomes[start : start + len(rows)])
            start += len(rows)


@dataclass(frozen=True, slots=True)
class _ParsedBody:
    """What a parse worker sends back: the feed's title and its articles, ready to write."""

    title: str
    rows: list[PreparedArticle]
    repeated_ids: int


def _parse_job(
    body: bytes,
    headers: Mapping[str, str],
    source: str,
    categories: tuple[str, ...],
    base: str,
    fallback_time: float,
) -> _ParsedBody:
    """Parse one feed body and prepare its articles for the cache (runs in a pool worker)."""
    from newsreader.extract.feed import parse_feed

    parsed = parse_feed(
        body,
        source=source,
        categories=categories,
        headers=headers,
        base_url=base,
        convert_html=False,
    )
    return _ParsedBody(
        parsed.title,
        prepare_articles(parsed.articles, fallback_time),
        parsed.repeated_ids,
    )


async def _refresh_feeds(
    feeds: list[FeedConfig],
    settings: Settings,
    cache: Cache,
    pool: Executor,
    progress: Progress | None,
    stop: threading.Event | None = None,
    killfile: Killfile | None = None,
) -> list[FeedResult]:
    states = cache.feed_states()
    in_flight = asyncio.Semaphore(settings.concurrency)
    loop = asyncio.get_running_loop()
    writer = _BatchWriter(cache, loop)
    results: list[FeedResult] = []

    async def one(feed: FeedConfig, fetcher: Fetcher) -> FeedResult:
        state = states.get(feed.url) or FeedState(feed.url)
        async with in_flight:
            return await _refresh_one(
                feed, state, fetcher, cache, writer, pool, loop, settings.max_retry_after, killfile
            )

    async with Fetcher(
        concurrency=settings.concurrency,
        per_host=settings.per_host,
        timeout=settings.timeout,
        connect_timeout=settings.connect_timeout,
        max_bytes=settings.max_bytes,
        max_retry_after=settings.max_retry_after,
    ) as fetcher:
        tasks = [asyncio.ensure_future(one(feed, fetcher)) for feed in feeds]
        watcher = asyncio.ensure_future(_stop_when_set(stop, tasks)) if stop else None
        try:
            for done, finished in enumerate(asyncio.as_completed(tasks), 1):
                try:
                    result = await finished
                except asyncio.CancelledError:
                    if stop is None or not stop.is_set():
                        raise
                    break  # stopped from outside: the feeds not done are dropped
                results.append(result)
                if progress:
                    progress(result, done, len(feeds))
            await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:
            # The cache failed (disk full, say) or the user interrupted: stop every
            # feed cleanly rather than leave them running against a closed session.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            if watcher is not None:
                watcher.cancel()
    order = {feed.url: index for index, feed in enumerate(feeds)}
    return sorted(results, key=lambda result: order[result.url])


STOP_POLL_SECONDS = 0.1


async def _stop_when_set(
    stop: threading.Event, tasks: Sequence[asyncio.Future[FeedResult]]
) -> None:
    """Cancel every feed's task once ``stop`` is set (by a thread outside this loop)."""
    while not stop.is_set():
        await asyncio.sleep(STOP_POLL_SECONDS)
    for task in tasks:
        task.cancel()


async def _refresh_one(
    feed: FeedConfig,
    state: FeedState,
    fetcher: Fetcher,
    cache: Cache,
    writer: _BatchWriter,
    pool: Executor,
    loop: asyncio.AbstractEventLoop,
    max_wait: float = DEFAULT_MAX_RETRY_AFTER,
    killfile: Killfile | None = None,
) -> FeedResult:
    now = time.time()
    name = feed.display_name(state)
    until = retry_time(state, max_wait)
    if until is not None and until > now:
        return FeedResult(
            feed.url,
            name,
            FeedStatus.DEFERRED,
            error=f"server asked to wait until {local_time(until)}",
            retry_after=until,
        )
    attempt = replace(state, last_attempt=now, retry_after=None)
    try:
        response = await fetcher.fetch(
            # A remembered new address is known without the feed's credentials.
            carry_credentials(state.permanent_url, feed.url) if state.permanent_url else feed.url,
            Validators(state.etag, state.last_modified),
            accept=FEED_ACCEPT,
        )
    except FetchError as error:
        return _failed(cache, attempt, name, str(error), error.retry_after)
    succeeded = replace(attempt, last_success=now, last_error=None)
    if response.not_modified:
        cache.save_feed_state(succeeded)
        return FeedResult(feed.url, name, FeedStatus.NOT_MODIFIED)
    succeeded = replace(
        succeeded,
        etag=response.validators.etag,
        last_modified=response.validators.last_modified,
        permanent_url=response.permanent_url or state.permanent_url,
    )
    body_hash = hashlib.blake2b(response.body, digest_size=16).hexdigest()
    if body_hash == state.body_hash:
        cache.save_feed_state(succeeded)
        return FeedResult(feed.url, name, FeedStatus.UNCHANGED)
    try:
        job = (response.body, response.headers, feed.url, feed.category, response.final_url, now)
        parsed = await loop.run_in_executor(pool, _parse_job, *job)
    except BrokenProcessPool:
        return _failed(cache, attempt, name, "the parser crashed on this feed", None)
    except Exception as error:
        from newsreader.extract.feed import NotAFeed

        if isinstance(error, NotAFeed):
            return _failed(cache, attempt, name, str(error), None)
        # fails that feed, with the reason; the refresh goes on with the others.
        return _failed(cache, attempt, name, f"cannot parse: {type(error).__name__}", None)
    rows = parsed.rows
    if killfile is not None and killfile.skips:
        # Off the event loop: a rule's patterns may take their time on crafted titles.
        rows, taken = await loop.run_in_executor(None, killfile.sift, rows, now, [parsed.title])
        killfile.count(taken)
    outcomes = await writer.store(rows)
    if feed.full_text:
        await _add_full_text(rows, outcomes, fetcher, cache, pool, loop)
    cache.save_feed_state(
        replace(
            succeeded,
            title=parsed.title,
            body_hash=body_hash,
            item_count=len(parsed.rows),
            repeated_ids=parsed.repeated_ids,
        )
    )
    count = Counter(outcome for outcome, _ in outcomes)
    return FeedResult(
        feed.url,
        feed_name(feed.url, feed.name, parsed.title),
        FeedStatus.UPDATED,
        count[Outcome.NEW],
        count[Outcome.UPDATED],
        count[Outcome.DUPLICATE],
    )


FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, application/json;q=0.9, */*;q=0.8"
)
FULL_TEXT_MIN_CHARS = 600
"""An entry with less text than this is taken for a summary when ``full_text`` is on."""
FULL_TEXT_PARALLEL = 4


async def _add_full_text(
    rows: list[PreparedArticle],
    outcomes: list[tuple[Outcome, int]],
    fetcher: Fetcher,
    cache: Cache,
    pool: Executor,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Fetch the linked page of new summary-only entries and keep its article text.

    A page that cannot be fetched or holds no article, or whose extraction fails in
    any way (even the pool breaking), leaves the summary as it was; only the cache
    failing stops the refresh.
    """
    from newsreader.pages import fetch_page

    limit = asyncio.Semaphore(FULL_TEXT_PARALLEL)

    async def one(url: str, article_id: int) -> None:
        async with limit:
            try:
                response = await fetch_page(fetcher, url)
            except FetchError:
                return
        try:
            article = await loop.run_in_executor(pool, _page_job, response.body, response.final_url)
        except Exception:
            return
        if article is not None:
            cache.replace_sections(article_id, article)

    wanted = [
        (str(row.values["url"]), article_id)
        for row, (outcome, article_id) in zip(rows, outcomes, strict=True)
        if outcome is Outcome.NEW
        and len(row.search_text) < FULL_TEXT_MIN_CHARS
        and is_safe_url(str(row.values["url"]))
    ]
    await asyncio.gather(*(one(url, article_id) for url, article_id in wanted))


def _page_job(body: bytes, url: str) -> Article | None:
    """Extract the article of a fetched page (runs in a pool worker); None if there is none.

    Any failure (not only :class:`UnreadableFile` and :class:`NoArticleFound`, but a
    bug or a library that cannot load) counts as no article: the summary is kept.
    """
    try:
        from newsreader.pages import extract_page

        return extract_page(body, url)
    except Exception:
        return None


def _failed(
    cache: Cache, state: FeedState, name: str, message: str, retry_after: float | None
) -> FeedResult:
    cache.save_feed_state(replace(state, last_error=message, retry_after=retry_after))
    return FeedResult(state.url, name, FeedStatus.FAILED, error=message, retry_after=retry_after)


def _apply_retention(cache: Cache, feeds: list[FeedConfig], settings: Settings) -> int:
    if not settings.keep_days and not settings.keep_per_feed:
        return 0
    older_than = time.time() - settings.keep_days * DAY if settings.keep_days else None
    keep_newest = settings.keep_per_feed or None
    return sum(
        cache.prune(feed.url, older_than=older_than, keep_newest=keep_newest) for feed in feeds
    )
