"""One sync of an account: push what changed here, then pull the server's news and state.

1. **Push** the outbox, oldest first, a batch at a time: each batch's last change
   per item and mark, sent with ``edit-tag``; the batch leaves the outbox only
   once every call of it answered ``OK`` (a batch sent twice does no harm).
2. **Subscriptions**: the server's list and labels; a subscription whose labels
   changed is filed again.
3. **Items** newer than the last sync's newest (``ot``): their ids a page at a
   time, and the content of those not cached in batches, each batch stored (and
   the server's item ids remembered) before the next is asked for; how far the
   pull got is saved only when it is whole, so a sync cut short asks for the same
   items again and loses none.
4. **State**: the ids of the unread and the starred items, which every cached
   item of the account then takes, but where a change made here is still in
   the outbox (made during the sync: it goes out next time).

A failure at any step ends the sync with a one-line reason; everything done
before it stays done and the outbox keeps what was not sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsreader.cache import (
    MARK_ALL,
    AccountFeed,
    Cache,
    CacheError,
    Outcome,
    account_source,
    boilerplate_by_source,
    label_category,
    label_of_stream,
    prepare_article,
)
from newsreader.config import AccountConfig, Config
from newsreader.sanitize import clean_line, display_url
from newsreader.sync.credentials import TokenStore, password_of
from newsreader.sync.greader import (
    READ_STATE,
    READING_LIST,
    STARRED_STATE,
    GReaderClient,
    LoginRefused,
    ServerRefused,
    Subscription,
    SyncError,
    SyncStopped,
    decimal_item_id,
)
from newsreader.sync.items import item_stream, synced_item

OUTBOX_BATCH = 1000
"""Changes sent in one round of the outbox."""
MAX_OUTBOX_ROUNDS = 10_000
MAX_CHECKED = 1000
"""Items whose marks changed elsewhere that are checked to still be on the server."""
ITEMS_BATCH = 200
"""Items asked for at once by id."""
_MARKS = {"read": READ_STATE, "starred": STARRED_STATE}


@dataclass(slots=True)
class SyncReport:
    """What one account's sync did."""

    account: str
    new: int = 0
    updated: int = 0
    sent: int = 0
    """Changes made here that the server took."""
    marks_read: int = 0
    """Articles whose read mark the server's state changed here."""
    marks_starred: int = 0
    outbox_left: int = 0
    subscriptions: int = 0
    refiled: int = 0
    requests: int = 0
    error: str | None = None
    stopped: bool = False
    """Ended early when asked to (the reader quitting): neither a success nor a failure."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the sync went through."""
        return self.error is None


SyncProgress = Callable[[str, str, int], None]
"""Called with the account's name, what it is doing and the items pulled so far."""


def sync_accounts(
    config: Config,
    cache: Cache,
    data_dir: Path,
    *,
    only: str | None = None,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
    timeout: float | None = None,
) -> list[SyncReport]:
    """Sync every account of the config (or the one named), one after another."""
    reports = []
    for account in config.accounts:
        if only is not None and account.name != only:
            continue
        if stop is not None and stop.is_set():
            break
        reports.append(
            sync_account(
                account,
                cache,
                data_dir,
                progress=progress,
                stop=stop,
                timeout=timeout or config.settings.timeout,
            )
        )
    return reports


def sync_account(
    account: AccountConfig,
    cache: Cache,
    data_dir: Path,
    *,
    progress: SyncProgress | None = None,
    stop: threading.Event | None = None,
    timeout: float = 30.0,
) -> SyncReport:
    """Sync one account into the cache; a failure is the report's ``error``."""
    started = time.monotonic()
    report = SyncReport(account.name)
    tokens = TokenStore(data_dir)
    with tokens.sync_lock(account) as locked:
        if not locked:
            report.error = "another sync of this account is running; it was left to that one"
            report.seconds = time.monotonic() - started
            return report
        client = client_for(account, data_dir, timeout=timeout, stop=stop)
        newest = _sync_steps(client, tokens, cache, account, report, progress, stop)
        try:
            if not report.stopped:
                cache.save_account_result(account.name, error=report.error, newest_usec=newest)
            state = cache.account_states().get(account.name)
            report.outbox_left = state.pending if state is not None else 0
        except CacheError as error:
            report.error = report.error or f"the cache: {error}"
    report.requests = client.requests
    report.seconds = time.monotonic() - started
    return report


def _sync_steps(
    client: GReaderClient,
    tokens: TokenStore,
    cache: Cache,
    account: AccountConfig,
    report: SyncReport,
    progress: SyncProgress | None,
    stop: threading.Event | None,
) -> int | None:
    """Push, subscriptions, pull and marks; how far the pull got (None: not whole)."""
    name = account.name
    try:
        _push(client, cache, name, report, progress)
        feeds = _subscriptions(client, cache, name, report)
        if progress:
            progress(name, "pulling", 0)
        newest = _pull(client, cache, name, feeds, report, progress, stop)
        if progress:
            progress(name, "reading marks", report.new + report.updated)
        unread = client.item_ids(READING_LIST, exclude=READ_STATE)
        starred = client.item_ids(STARRED_STATE)
        # What the server no longer has keeps its marks here (see _gone).
        unread |= _gone(client, cache.marked_account_items(name, "unread") - unread)
        starred |= _gone(client, cache.marked_account_items(name, "starred") - starred)
        read, starred_changed = cache.apply_server_marks(name, unread=unread, starred=starred)
        report.marks_read += read
        report.marks_starred += starred_changed
        return newest
    except SyncStopped:
        report.stopped = True  # cut short: the next sync pulls the same items again
    except LoginRefused as error:
        tokens.forget(account)
        report.error = str(error)
    except SyncError as error:
        report.error = str(error)
    except CacheError as error:
        report.error = f"the cache: {error}"
    except Exception as error:  # a server's answer of a shape nothing here expected
        report.error = (
            f"{display_url(account.url)}: an answer could not be read ({type(error).__name__})"
        )
    return None


def client_for(
    account: AccountConfig,
    data_dir: Path,
    *,
    timeout: float = 30.0,
    stop: threading.Event | None = None,
) -> GReaderClient:
    """A client of the account's server, with the login token kept in ``data_dir``."""
    tokens = TokenStore(data_dir)
    return GReaderClient(
        account.url,
        account.user,
        lambda: password_of(account),
        token=tokens.load(account),
        timeout=timeout,
        on_token=lambda token: tokens.save(account, token),
        stop=stop,
    )


def subscribe(
    account: AccountConfig, data_dir: Path, url: str, *, label: str | None = None
) -> Subscription:
    """Subscribe the account to a feed (``quickadd``), under a label if given.

    Raises:
        SyncError: the server refused, or could not be reached.
    """
    client = client_for(account, data_dir)
    stream = client.quickadd(url)
    if label:
        client.edit_subscription(stream, "edit", add_label=label)
    for listed in client.subscriptions():
        if listed.stream_id == stream:
            return listed
    return Subscription(stream, stream, url, None, (label,) if label else ())


def unsubscribe(account: AccountConfig, data_dir: Path, feed: str) -> Subscription:
    """Unsubscribe the account from a feed named by its address, its title or its id.

    Raises:
        SyncError: no such subscription, or the server refused or could not be reached.
    """
    client = client_for(account, data_dir)
    wanted = feed.strip()
    listed = client.subscriptions()
    matches = [s for s in listed if wanted in (s.stream_id, s.url)] or [
        s for s in listed if s.title.casefold() == wanted.casefold()
    ]
    if not matches:
        raise SyncError(f"account {account.name!r} has no subscription {clean_line(wanted)!r}")
    if len(matches) > 1:
        raise SyncError(
            f"{len(matches)} subscriptions of account {account.name!r} are called "
            f"{clean_line(wanted)!r}; name one by its address"
        )
    client.edit_subscription(matches[0].stream_id, "unsubscribe")
    return matches[0]


def _push(
    client: GReaderClient,
    cache: Cache,
    account: str,
    report: SyncReport,
    progress: SyncProgress | None,
) -> None:
    """Send the outbox, a batch at a time, each batch removed once the server took it."""
    for _ in range(MAX_OUTBOX_ROUNDS):
        entries = cache.outbox(account, OUTBOX_BATCH)
        if not entries:
            return
        if progress:
            progress(account, "sending changes", 0)
        # Each stretch between two mark-alls goes out as the last change per item and
        # mark; the mark-all then, in its place (a later change of an item follows it).
        latest: dict[tuple[str, str], int] = {}
        sent = 0
        for entry in entries:
            if entry.tag == MARK_ALL:
                sent += _send_marks(client, latest) + 1
                latest = {}
                _mark_all(client, cache, account, entry.item_id, entry.value)
            else:
                latest[(entry.item_id, entry.tag)] = entry.value
        sent += _send_marks(client, latest)
        cache.outbox_sent([entry.seq for entry in entries])
        report.sent += sent
    raise SyncError("the outbox did not empty")


def _mark_all(client: GReaderClient, cache: Cache, account: str, stream: str, usec: int) -> None:
    """Send a mark-all-read; when the server refuses it (a label renamed or gone since,
    a stream it does not know), send the items it covers one by one instead, so that
    one refused entry never holds up the outbox."""
    try:
        client.mark_all_read(stream, usec)
    except ServerRefused as refused:
        if refused.status not in (400, 404):
            raise
        items = cache.read_items_up_to(account, label_of_stream(stream), usec)
        client.edit_tag(items, READ_STATE, add=True)


def _send_marks(client: GReaderClient, latest: dict[tuple[str, str], int]) -> int:
    """Send changes of marks (item, mark) -> set or cleared, one call per kind; how many."""
    groups: dict[tuple[str, int], list[str]] = {}
    for (item_id, tag), value in latest.items():
        groups.setdefault((tag, value), []).append(item_id)
    for (tag, value), items in sorted(groups.items()):
        if tag in _MARKS:
            client.edit_tag(items, _MARKS[tag], add=bool(value))
    return len(latest)


def _gone(client: GReaderClient, items: set[str]) -> set[str]:
    """Those of these items the server no longer has.

    An item unread (or starred) here that the server lists as read (or not
    starred) takes the server's mark, unless the server deleted it (its
    retention, a feed's purge): then nobody changed its mark, and it keeps the
    one it has here. Asking costs a request per 200 items whose marks changed
    elsewhere since the last sync; past :data:`MAX_CHECKED` of them (a whole
    feed read on another device), the server's marks are taken unchecked.
    """
    if not items or len(items) > MAX_CHECKED:
        return set()
    wanted = sorted(items)
    kept: set[str] = set()
    for start in range(0, len(wanted), ITEMS_BATCH):
        for item in client.items_by_id(wanted[start : start + ITEMS_BATCH]):
            found = decimal_item_id(item.get("id"))
            if found is not None:
                kept.add(found)
    return items - kept


def _subscriptions(
    client: GReaderClient, cache: Cache, account: str, report: SyncReport
) -> dict[str, AccountFeed]:
    listed = client.subscriptions()
    feeds = [
        AccountFeed(entry.stream_id, entry.title, entry.url, entry.html_url, entry.labels)
        for entry in listed
    ]
    report.subscriptions = len(feeds)
    report.refiled = cache.save_account_feeds(account, feeds)
    return {feed.stream_id: feed for feed in feeds}


def _pull(
    client: GReaderClient,
    cache: Cache,
    account: str,
    feeds: dict[str, AccountFeed],
    report: SyncReport,
    progress: SyncProgress | None,
    stop: threading.Event | None,
) -> int | None:
    """Store the items the cache does not hold among those newer than the last sync's
    newest: their ids a page at a time, then their content in batches. Returns the
    newest item's server time (None when cut short)."""
    state = cache.account_states().get(account)
    since = state.newest_usec if state is not None else None
    # A second early (``ot`` is in seconds): the ids of that second come again, and
    # only the ones not cached are asked for.
    newer_than = since // 1_000_000 - 1 if since else None
    newest = since
    for ids in client.item_id_pages(READING_LIST, newer_than=newer_than):
        missing = cache.unknown_account_items(account, ids)
        for start in range(0, len(missing), ITEMS_BATCH):
            if stop is not None and stop.is_set():
                raise SyncStopped("stopped")
            items = client.items_by_id(missing[start : start + ITEMS_BATCH])
            for usec in _store_page(cache, account, feeds, items, report):
                newest = max(newest or 0, usec)
            if progress:
                progress(account, "pulling", report.new + report.updated)
    cache.file_account_feeds(account, feeds.values())
    return newest


def _store_page(
    cache: Cache,
    account: str,
    feeds: dict[str, AccountFeed],
    items: Sequence[dict[str, Any]],
    report: SyncReport,
) -> list[int]:
    """Store one page of items; their server times."""
    synced = []
    for item in items:
        stream = item_stream(item)
        feed = feeds.get(stream) if stream else None
        first_label = feed.labels[0] if feed and feed.labels else None
        converted = synced_item(
            item,
            source=account_source(account, stream or "unknown"),
            categories=label_category(account, first_label),
            base=(feed.html_url if feed else None),
        )
        if converted is not None:
            synced.append(converted)
    if not synced:
        return []
    now = time.time()
    articles = [entry.article for entry in synced]
    texts = [article.body_text() for article in articles]
    boilerplate = boilerplate_by_source(articles, texts)
    rows = [
        prepare_article(
            entry.article,
            entry.usec / 1_000_000 if entry.usec else now,
            boilerplate[entry.article.source],
            text,
        )
        for entry, text in zip(synced, texts, strict=True)
    ]
    outcomes = cache.store_prepared(rows)
    for outcome, _ in outcomes:
        if outcome is Outcome.NEW:
            report.new += 1
        elif outcome is Outcome.UPDATED:
            report.updated += 1
    already = cache.mapped_articles(account, [article_id for _, article_id in outcomes])
    # An item that is an article the cache held before (the same story from a feed of
    # the config) keeps what the reader did with it, and the server is told.
    joined = {
        entry.item_id: cache.marks(article_id)
        for entry, (outcome, article_id) in zip(synced, outcomes, strict=True)
        if outcome is not Outcome.NEW and article_id not in already
    }
    cache.record_account_items(
        account,
        [
            (entry.item_id, article_id, entry.stream_id, entry.usec)
            for entry, (_, article_id) in zip(synced, outcomes, strict=True)
        ],
    )
    wanted: dict[str, tuple[bool, bool]] = {}
    told: list[tuple[str, str, int]] = []
    for entry in synced:
        local = joined.get(entry.item_id)
        read, starred = entry.read, entry.starred
        if local is not None:
            read, starred = read or local.read, starred or local.starred
            told += [(entry.item_id, "read", 1)] * (read and not entry.read)
            told += [(entry.item_id, "starred", 1)] * (starred and not entry.starred)
        wanted[entry.item_id] = (read, starred)
    read_changed, starred_changed = cache.apply_server_marks(account, only=wanted)
    if told:
        cache.queue_marks(account, told)
    report.marks_read += read_changed
    report.marks_starred += starred_changed
    return [entry.usec for entry in synced]
