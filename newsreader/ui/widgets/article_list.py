"""The list of articles for the chosen node, newest first, loaded a page at a time.

One row per story: a story several sources carry is the row of its newest
article here, its source marked ``+N``; a key unfolds the story's other copies
under it. The list is handed a :data:`PageLoader` and a :data:`CopiesLoader`
and never reads the cache itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Size
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from newsreader.cache import CacheError
from newsreader.filters import Filter
from newsreader.keys import LIST
from newsreader.model import ArticleSummary
from newsreader.sanitize import clean_line
from newsreader.stories import one_row_per_story, other_sources
from newsreader.tree import NodeKind, Selection
from newsreader.ui.commands import install_bindings

TITLE = "title"
MARK_WIDTH = 2
"""The unread dot, then the star."""
DATE_WIDTH = 10
SOURCE_WIDTH = 16
MIN_TITLE_WIDTH = 10
"""Below this the list scrolls sideways rather than show less of a title."""

PAGE_SIZE = 100
LOAD_AHEAD = 20
"""Load the next page when the cursor is this close to the last row."""


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list shows: a tree node's articles (those a typed filter passes), or search
    results."""

    selection: Selection
    search: str | None = None
    filter: Filter | None = None
    """A filter typed in the search box: the node's articles that pass it."""


PageLoader = Callable[[ListQuery, list[ArticleSummary], int], list[ArticleSummary]]
"""``(query, rows loaded so far, page size)`` -> the next page; may raise ``CacheError``."""
CopiesLoader = Callable[[ArticleSummary], list[ArticleSummary]]
"""A story's row -> its other copies, each under its own source; may raise ``CacheError``."""
COPY_MARK = "↳ "
"""Before a copy's source, under its story's row."""


class ArticleList(DataTable[Text]):
    """Articles as rows: unread and starred marks, date, source, and the title in
    the width left."""

    class ArticleChosen(Message):
        """The reader opened an article from the list."""

        def __init__(self, article_id: int) -> None:
            super().__init__()
            self.article_id = article_id

    class Loaded(Message):
        """The list was loaded afresh for its query (its first page, at least)."""

    def __init__(
        self,
        pages: PageLoader,
        source_name: Callable[[ArticleSummary], str],
        keys: Mapping[str, tuple[str, ...]],
        *,
        copies: CopiesLoader | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, id=id)
        install_bindings(self, LIST, keys)
        self._pages = pages
        self._copies = copies
        self._source_name = source_name
        self.list_query: ListQuery = ListQuery(Selection(NodeKind.ALL))
        self.summaries: list[ArticleSummary] = []
        """The rows shown: each story's row, and the copies of an unfolded one under it."""
        self._is_copy: list[bool] = []
        """Per row: a copy shown under its story's row."""
        self._fetched: list[ArticleSummary] = []
        """Every article the pages brought, copies of stories shown included."""
        self._story_of: dict[int, int] = {}
        """Each fetched article's story."""
        self._stories_shown: set[int] = set()
        self._unfolded: set[int] = set()
        """The stories whose copies are shown: kept while the list is reloaded."""
        self._exhausted = False

    def on_mount(self) -> None:
        # The title goes last, so that a narrow terminal cuts titles, not dates.
        self.add_column(" ", key="mark", width=MARK_WIDTH)
        self.add_column("Date", key="date", width=DATE_WIDTH)
        self.add_column("Source", key="source", width=SOURCE_WIDTH)
        self.add_column("Title", key=TITLE, width=MIN_TITLE_WIDTH)
        self._fit_title()

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Here, not in on_resize: Textual calls this in the layout pass, before the
        # frame is drawn, and posts Resize after it; fitted on Resize, every launch
        # drew the rows twice, first with titles cut to ten columns.
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if changed:
            self._fit_title()
        return changed

    def _fit_title(self) -> None:
        """Give the title column what the others leave of the width, so that a long
        title ends in "…" at the edge rather than past it."""
        if TITLE not in self.columns:
            return
        others = sum(
            column.get_render_width(self) for key, column in self.columns.items() if key != TITLE
        )
        available = self.scrollable_content_region.width - others - 2 * self.cell_padding
        width = max(MIN_TITLE_WIDTH, available)
        column = self.columns[ColumnKey(TITLE)]
        if column.width == width:
            return
        column.width = width
        # DataTable has no public way to resize a column: its virtual size and
        # rendered lines are recomputed as after any change of its cells.
        self._require_update_dimensions = True
        self._clear_caches()

    def load(self, query: ListQuery, keep_article: int | None = None) -> None:
        """Show a query's first page (and, to keep the reader's place, up to an article)."""
        if query.selection != self.list_query.selection:
            self._unfolded.clear()
        self.list_query = query
        self.summaries = []
        self._is_copy = []
        self._fetched = []
        self._story_of = {}
        self._stories_shown = set()
        self._exhausted = False
        self.clear()
        self.load_more()
        if keep_article is not None:
            while keep_article not in self._story_of and self.load_more():
                pass
            self.select_article(keep_article)
        self.post_message(self.Loaded())

    def select_article(self, article_id: int) -> None:
        """Move the cursor to an article's row, else to its story's, if it is loaded
        (a row already on it stays: a listing's copy has its article's id)."""
        row = self.cursor_row
        if 0 <= row < len(self.summaries) and self.summaries[row].id == article_id:
            return
        story = self._story_of.get(article_id)
        fallback = None
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                self.move_cursor(row=index)
                return
            if fallback is None and story is not None and self._story(summary) == story:
                fallback = index
        if fallback is not None:
            self.move_cursor(row=fallback)

    def load_more(self) -> bool:
        """Load pages until one adds a row; returns False when none is left to add."""
        while not self._exhausted:
            try:
                page = self._pages(self.list_query, self._fetched, PAGE_SIZE)
            except CacheError as error:
                # A search the index cannot answer past its first page, a busy cache:
                # the rows shown stay, and the reader is told why no more come.
                self._exhausted = True
                self.app.notify(str(error), severity="warning")
                return False
            if len(page) < PAGE_SIZE:
                self._exhausted = True
            self._fetched.extend(page)
            self._story_of.update((summary.id, self._story(summary)) for summary in page)
            rows = one_row_per_story(page, self._stories_shown)
            if not rows:
                continue  # every article of the page is a copy of a story shown
            for row in rows:
                self._append(row, copy=False)
                if self._story(row) in self._unfolded:
                    for copy in self._copies_of(row):
                        self._story_of.setdefault(copy.id, self._story(row))
                        self._append(copy, copy=True)
            return True
        return False

    def _append(self, summary: ArticleSummary, *, copy: bool) -> None:
        self.summaries.append(summary)
        self._is_copy.append(copy)
        self.add_row(*self._cells(summary, copy=copy))

    @staticmethod
    def _story(summary: ArticleSummary) -> int:
        return summary.story or summary.id

    def _copies_of(self, row: ArticleSummary) -> list[ArticleSummary]:
        if self._copies is None or not other_sources(row):
            return []
        try:
            return self._copies(row)
        except CacheError as error:
            self.app.notify(str(error), severity="warning")
            return []

    @property
    def current_story_row(self) -> ArticleSummary | None:
        """The row under the cursor if it is a story's own row (not a copy under it)."""
        row = self.cursor_row
        if 0 <= row < len(self.summaries) and not self._is_copy[row]:
            return self.summaries[row]
        return None

    def row_unread(self, row: int) -> bool:
        """Whether a row is unread: a story's row while any copy is, a copy as it is."""
        summary = self.summaries[row]
        return not summary.read if self._is_copy[row] else summary.story_unread

    def row_of(self, article_id: int, *, after: int) -> int:
        """The first row of an article from ``after`` on; ``after`` when there is none."""
        for index in range(after, len(self.summaries)):
            if self.summaries[index].id == article_id:
                return index
        return after

    def listed(self, article_id: int) -> ArticleSummary | None:
        """The row of an article, if the list shows it."""
        return next((s for s in self.summaries if s.id == article_id), None)

    def action_toggle_story(self) -> None:
        """Unfold the story under the cursor into its copies, or fold them again."""
        self._fold(self.cursor_row, unfold=None)

    def unfold(self, row: int) -> None:
        """Unfold the story of a row into its copies (a story unfolded stays so)."""
        self._fold(row, unfold=True)

    def _fold(self, row: int, *, unfold: bool | None) -> None:
        """Unfold (True), fold (False) or toggle (None) the story of a row."""
        if not 0 <= row < len(self.summaries):
            return
        while row > 0 and self._is_copy[row]:
            row -= 1  # a copy's story row
        story_row = self.summaries[row]
        story = self._story(story_row)
        if not other_sources(story_row):
            self.app.notify("No other source carries this story.", timeout=2)
            return
        if unfold is None:
            unfold = story not in self._unfolded
        elif unfold == (story in self._unfolded):
            return
        end = row + 1
        while end < len(self.summaries) and self._is_copy[end]:
            end += 1
        if not unfold:
            self._unfolded.discard(story)
            copies: list[ArticleSummary] = []
        else:
            copies = self._copies_of(story_row)
            if not copies:
                self.app.notify("Its other copies are gone from the cache.", timeout=2)
                return
            self._unfolded.add(story)
            self._story_of.update((copy.id, story) for copy in copies)
        self.summaries[row + 1 : end] = copies
        self._is_copy[row + 1 : end] = [True] * len(copies)
        self._redraw_all(row)

    def _redraw_all(self, cursor_row: int) -> None:
        """Draw every row again (a DataTable cannot insert rows between others)."""
        scroll = self.scroll_y
        self.clear()
        self.add_rows(
            self._cells(summary, copy=copy)
            for summary, copy in zip(self.summaries, self._is_copy, strict=True)
        )
        self.move_cursor(row=cursor_row, animate=False)
        self.scroll_to(y=scroll, animate=False)

    def _cells(self, summary: ArticleSummary, *, copy: bool = False) -> list[Text]:
        # A story's row is unread while any copy is; a copy unfolded under it, as it is.
        unread = not summary.read if copy else summary.story_unread
        mark = Text.assemble(
            ("●" if unread else " ", "bold cyan"),
            ("★" if summary.starred else " ", "yellow"),
        )
        title = Text(
            clean_line(summary.title),
            style="bold" if unread else "",
            no_wrap=True,
            overflow="ellipsis",
        )
        return [mark, self._date(summary), self._source(summary, copy=copy), title]

    def _source(self, summary: ArticleSummary, *, copy: bool) -> Text:
        """The source's name; a story's ``+N`` others always shown, the name cut instead."""
        name = Text(clean_line(self._source_name(summary)), style="dim", no_wrap=True)
        if copy:
            name = Text.assemble((COPY_MARK, "dim"), name)
        others = 0 if copy else other_sources(summary)
        suffix = Text(f" +{others}", style="bold") if others else Text("")
        name.truncate(SOURCE_WIDTH - suffix.cell_len, overflow="ellipsis")
        name.append_text(suffix)
        name.no_wrap = True
        name.overflow = "ellipsis"
        return name

    @staticmethod
    def _date(summary: ArticleSummary) -> Text:
        """The publication date; else, in italics, the date the cache first stored it."""
        if summary.published is not None:
            return Text(summary.published.strftime("%Y-%m-%d"), style="dim")
        if summary.added is not None:
            return Text(summary.added.strftime("%Y-%m-%d"), style="dim italic")
        return Text("")

    def redraw_article(
        self, article_id: int, *, read: bool, starred: bool, story: int | None = None
    ) -> None:
        """Redraw one article's marks after its read or starred state changed, and the
        rows of its story (``story``, when the article is folded and so not listed).

        The row's summary changes at once (the next unread is found from it); its
        cells after the next frame: changing a cell redraws every row in view (the
        DataTable's caches go by one update count), which would hold up the frame
        that shows the article just opened by a third.
        """
        changed: set[int] = set()
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                self.summaries[index] = replace(summary, read=read, starred=starred)
                story = story or summary.story
                changed.add(article_id)
        for index, summary in enumerate(self.summaries):
            in_story = summary.story == story if story else article_id in summary.unread_copies
            if in_story and summary.id != article_id:
                copies = summary.unread_copies
                copies = copies - {article_id} if read else copies | {article_id}
                if copies != summary.unread_copies:
                    self.summaries[index] = replace(summary, unread_copies=copies)
                    changed.add(summary.id)
        for changed_id in changed:
            self.call_after_refresh(self._redraw_row, changed_id)

    def _redraw_row(self, article_id: int) -> None:
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                cells = self._cells(summary, copy=self._is_copy[index])
                for column, cell in enumerate(cells):
                    self.update_cell_at(Coordinate(index, column), cell)

    @property
    def current_article(self) -> int | None:
        """The article under the cursor."""
        if 0 <= self.cursor_row < len(self.summaries):
            return self.summaries[self.cursor_row].id
        return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.summaries) - LOAD_AHEAD:
            self.load_more()

    async def _on_click(self, event: events.Click) -> None:
        """One click on a row opens its article, as in other readers (DataTable's own
        click only moves the cursor there, and opens on a second)."""
        before = self.cursor_coordinate
        row = event.style.meta.get("row")
        column = event.style.meta.get("column")
        await super()._on_click(event)
        if not isinstance(row, int) or not 0 <= row < len(self.summaries):
            return  # the header, or past the last row
        if (
            not isinstance(column, int) or Coordinate(row, column) != before
        ):  # else DataTable has selected it itself
            self.post_message(self.ArticleChosen(self.summaries[row].id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.summaries):
            self.post_message(self.ArticleChosen(self.summaries[event.cursor_row].id))
