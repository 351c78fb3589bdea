"""Section jumps in the article pane: } walks every heading down to the last, { walks back."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_view import ArticleView
from tests.helpers.reader import make_app, open_titled

TITLE = "Six Sections About the River Port"
LONG = (
    "Barges loaded with grain and timber queued at the river port through the week, "
    "while dock workers, pilots and lock keepers kept the traffic moving day and night."
)
HEADINGS = [f"Part {number} of the River Port Story" for number in range(1, 7)]
# Long sections first, then two short ones: the pane cannot scroll the last headings to its top.
BODIES = [[LONG] * 3] * 4 + [["The port closed early on Sunday."], ["Boats were counted at dusk."]]
ARTICLE = f"# {TITLE}\n\nThe river port had its busiest week in years.\n\n" + "".join(
    f"## {heading}\n\n" + "".join(f"{paragraph}\n\n" for paragraph in body)
    for heading, body in zip(HEADINGS, BODIES, strict=True)
)


def heading_top(view: ArticleView, index: int) -> float:
    """Where the pane is scrolled when heading ``index`` is just below the docked title."""
    heading: Widget = view.query(".heading")[index]
    return heading.virtual_region.y - view.query_one(".title").outer_size.height


def reachable(view: ArticleView, index: int) -> bool:
    return heading_top(view, index) <= view.max_scroll_y


async def open_six_sections(app: NewsReaderApp, pilot: Pilot[None]) -> ArticleView:
    await open_titled(app, pilot, TITLE)
    view = app.query_one(ArticleView)
    view.focus()
    await pilot.pause()
    assert len(view.query(".heading")) == len(HEADINGS)
    assert view.max_scroll_y > 0
    return view


async def test_next_section_walks_every_heading_and_previous_walks_back(tmp_path: Path) -> None:
    app = make_app(tmp_path, extra={"river-port.md": ARTICLE})
    async with app.run_test(size=(120, 30)) as pilot:
        view = await open_six_sections(app, pilot)
        assert reachable(view, 3)
        for index in range(4):
            await pilot.press("}")
            await pilot.pause()
            assert view.scroll_y == pytest.approx(heading_top(view, index), abs=1), index
            assert view.current_section == index
        for index in (2, 1, 0):
            await pilot.press("{")
            await pilot.pause()
            assert view.scroll_y == pytest.approx(heading_top(view, index), abs=1), index
            assert view.current_section == index
        await pilot.press("{")
        await pilot.pause()
        assert view.scroll_y == 0
        assert view.current_section is None


async def test_next_section_moves_on_where_the_pane_cannot_scroll_a_heading_up(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, extra={"river-port.md": ARTICLE})
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        view = await open_six_sections(app, pilot)
        last = len(HEADINGS) - 1
        assert not reachable(view, last - 1) and not reachable(view, last)
        for index in range(len(HEADINGS)):
            await pilot.press("}")
            await pilot.pause()
            assert view.current_section == index
            expected = min(heading_top(view, index), view.max_scroll_y)
            assert view.scroll_y == pytest.approx(expected, abs=1), index
        assert not app._notifications
        await pilot.press("}")  # past the last heading: said, and the pane stays
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["No more sections."]
        assert view.current_section == last
        for index in range(last - 1, -1, -1):
            await pilot.press("{")
            await pilot.pause()
            assert view.current_section == index
            expected = min(heading_top(view, index), view.max_scroll_y)
            assert view.scroll_y == pytest.approx(expected, abs=1), index
