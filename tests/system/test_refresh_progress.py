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
