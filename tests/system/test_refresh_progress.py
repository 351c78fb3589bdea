"""A refresh of thousands of feeds reports each one, and the screen draws a few."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import ProgressBar, Static

from newsreader.ui.messages import RefreshFinished, RefreshProgressed
from tests.helpers.reader import make_app, until

FEEDS = 2_000


async def test_two_thousand_feeds_draw_the_progress_a_few_times_and_end_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[float | None] = []
    update = ProgressBar.update

    def counted(bar: ProgressBar, **values: float | None) -> None:
        drawn.append(values.get("progress"))
        update(bar, **values)  # type: ignore[arg-type]

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.main_screen
        assert await until(pilot, lambda: not screen.refreshing)
        monkeypatch.setattr(ProgressBar, "update", counted)
        for done in range(1, FEEDS + 1):
            failed = "a feed: connection refused" if done % 500 == 0 else None
            screen.post_message(RefreshProgressed(done, FEEDS, failed))
        status = app.query_one("#status-text", Static)
        assert await until(pilot, lambda: f"{FEEDS}/{FEEDS}, 4 failed" in str(status.render()))
        assert 1 <= len(drawn) < FEEDS / 20, len(drawn)  # drawn a few times, not 2,000
        assert drawn[-1] == FEEDS
        screen.post_message(RefreshFinished(4, FEEDS, 0, None))
        assert await until(pilot, lambda: "4 feeds failed" in str(status.render()))


def _offline_refresh(tmp_path: Path, feeds: int) -> list[object]:
    """What the reader's refresh worker posts for an offline refresh of ``feeds`` feeds."""
    from newsreader.config import load_config
    from newsreader.ui.workers import refresh_feeds
    from tests.helpers.config import write_config

    urls = [f"http://127.0.0.1:9/feed-{n}.xml" for n in range(feeds)]
    config = load_config(write_config(tmp_path / "feeds.toml", urls))
    cache_file = tmp_path / "cache.sqlite3"
    posted: list[object] = []
    refresh_feeds(config, cache_file, offline=True, post=posted.append)
    return posted


def test_an_offline_refresh_posts_a_few_progress_messages_and_says_it_did_nothing(
    tmp_path: Path,
) -> None:
    first = _offline_refresh(tmp_path, FEEDS)  # files the new feeds under their category
    assert isinstance(first[-1], RefreshFinished) and not first[-1].did_nothing
    posted = _offline_refresh(tmp_path, FEEDS)
    progress = [m for m in posted if isinstance(m, RefreshProgressed)]
    assert 1 <= len(progress) < FEEDS / 20, len(progress)
    assert (progress[-1].done, progress[-1].total) == (FEEDS, FEEDS)
    finished = posted[-1]
    assert isinstance(finished, RefreshFinished)
    assert finished.did_nothing and finished.total == FEEDS
