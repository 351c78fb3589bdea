"""Sync with a self-hosted aggregator over the Google Reader API (FreshRSS, Miniflux,
Inoreader, The Old Reader): the cache stays the truth for reading, and the server
gets the marks changed here and gives its subscriptions, items and marks."""

from newsreader.sync.engine import SyncProgress, SyncReport, sync_account, sync_accounts
from newsreader.sync.greader import LoginRefused, SyncError

__all__ = [
    "LoginRefused",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "sync_account",
    "sync_accounts",
]
