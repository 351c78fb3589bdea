"""The command line's sync commands: ``sync`` and ``accounts``, and the accounts' lines
in ``refresh``'s report. Wired into :mod:`newsreader.cli`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from newsreader.sanitize import clean_line, display_url
from newsreader.wording import plural

if TYPE_CHECKING:
    from newsreader.cache import AccountState, Cache
    from newsreader.config import AccountConfig, Config
    from newsreader.sync import SyncReport


def account_problem(config: Config, name: str | None) -> str | None:
    """Why ``sync --account NAME`` cannot run: no accounts, or none of that name."""
    if not config.accounts:
        return f"{config.path} has no [[accounts]]; see the README's Sync section"
    names = [account.name for account in config.accounts]
    if name is not None and name not in names:
        known = ", ".join(repr(known) for known in names)
        return f"no account named {clean_line(name)!r} in {config.path} (accounts: {known})"
    return None


def warn_plain_http(accounts: Sequence[AccountConfig]) -> None:
    """Say, on stderr, which accounts send their password unencrypted."""
    if not accounts:
        return  # nothing to import (the sync package loads the feed parser)
    from newsreader.sync.credentials import plain_http_warning

    for account in accounts:
        warning = plain_http_warning(account)
        if warning:
            print(f"newsreader: warning: {clean_line(warning)}", file=sys.stderr)


def run_sync(
    config: Config, cache: Cache, data_dir: Path, *, only: str | None, bar: bool
) -> list[SyncReport]:
    """Sync the accounts, with a progress line on a terminal."""
    from newsreader.sync import sync_accounts

    if not bar:
        return sync_accounts(config, cache, data_dir, only=only)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.fields[line]}", markup=False),
        transient=True,
        console=Console(stderr=True),
    ) as progress:
        task = progress.add_task("sync", line="Syncing")

        def advance(account: str, doing: str, items: int) -> None:
            counted = f" ({plural(items, 'item')})" if items else ""
            progress.update(task, line=clean_line(f"Syncing {account}: {doing}{counted}"))

        return sync_accounts(config, cache, data_dir, only=only, progress=advance)


def sync_line(report: SyncReport) -> str:
    """One account's sync as one line."""
    left = f", {plural(report.outbox_left, 'change')} left to send" if report.outbox_left else ""
    if report.error:
        return clean_line(f"{report.account}: failed: {report.error}{left}")
    pulled = report.marks_read + report.marks_starred
    return clean_line(
        f"{report.account}: {plural(report.new, 'new article')}, {report.updated} updated, "
        f"{plural(report.sent, 'change')} sent, {plural(pulled, 'mark')} from the server"
        f"{left}, in {report.seconds:.1f} s"
    )


def sync_json(report: SyncReport) -> dict[str, object]:
    """One account's sync for ``--json``."""
    return {
        "account": report.account,
        "ok": report.ok,
        "new": report.new,
        "updated": report.updated,
        "sent": report.sent,
        "marks_read": report.marks_read,
        "marks_starred": report.marks_starred,
        "outbox_left": report.outbox_left,
        "subscriptions": report.subscriptions,
        "requests": report.requests,
        "error": clean_line(report.error) if report.error else None,
        "seconds": round(report.seconds, 3),
    }


def _iso(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds).isoformat(timespec="seconds") if seconds else None


def account_rows(config: Config, states: dict[str, AccountState]) -> list[dict[str, object]]:
    """Each configured account and what the cache knows of its syncing."""
    from newsreader.cache import AccountState

    rows: list[dict[str, object]] = []
    for account in config.accounts:
        state = states.get(account.name) or AccountState(account.name)
        rows.append(
            {
                "name": account.name,
                "type": account.type,
                "url": display_url(account.url),
                "user": clean_line(account.user),
                "last_sync": _iso(state.last_success),
                "last_attempt": _iso(state.last_attempt),
                "items": state.items,
                "pending": state.pending,
                "error": clean_line(state.last_error) if state.last_error else None,
            }
        )
    return rows


def account_line(row: dict[str, object]) -> str:
    """One account for ``accounts``' text output."""
    synced = f"last sync {row['last_sync']}" if row["last_sync"] else "never synced"
    pending = int(str(row["pending"]))
    parts = [
        f"{row['name']}  {row['url']}  (user {row['user']})",
        f"  {synced}, {plural(int(str(row['items'])), 'item')}, "
        f"{plural(pending, 'change')} waiting to be sent",
    ]
    if row["error"]:
        parts.append(f"  last error: {row['error']}")
    return "\n".join(clean_line(part) if index == 0 else part for index, part in enumerate(parts))
