"""The reader under hostile input: what its widgets draw."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from newsreader.config import load_config
from newsreader.paths import Locations
from newsreader.ui.app import NewsReaderApp

WAIT = 60.0
"""The longest any poll waits."""


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = WAIT) -> None:
    """Let the app run until ``condition`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        await pilot.pause(0.05)


async def test_the_layout_follows_the_terminal_as_it_is_resized(tmp_path: Path) -> None:
    # The tests below narrow the terminal to see the tree full width: the app's
    # own size is updated only after the resize event, so the event's is used.
    config = tmp_path / "feeds.toml"
    config.write_text("", encoding="utf-8")
    locations = Locations(config, tmp_path / "data", config_given=True, offline=True)
    app = NewsReaderApp(locations, load_config(config), offline=True, refresh_on_start=False)
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.screen.has_class("-narrow")
        await pilot.resize_terminal(80, 40)
        await until(pilot, lambda: app.screen.has_class("-narrow"), 10)
        await pilot.resize_terminal(120, 40)
        await until(pilot, lambda: not app.screen.has_class("-narrow"), 10)
