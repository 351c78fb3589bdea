"""The list of articles for the chosen node, newest first, loaded a page at a time.

The list is handed a :data:`PageLoader` and never reads the cache itself.
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
        id: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, id=id)
        install_bindings(self, LIST, keys)
        self._pages = pages
        self._source_name = source_name
        self.list_query: ListQuery = ListQuery(Selection(NodeKind.ALL))
        self.summaries: list[ArticleSummary] = []
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
        self.list_query = query
        self.summaries = []
        self._exhausted = False
        self.clear()
        self.load_more()
        if keep_article is not None:
            while not any(s.id == keep_article for s in self.summaries) and not self._exhausted:
                self.load_more()
            self.select_article(keep_article)
        self.post_message(self.Loaded())

    def select_article(self, article_id: int) -> None:
        """Move the cursor to an article's row, if it is loaded."""
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                self.move_cursor(row=index)
                return

    def load_more(self) -> bool:
        """Load the next page; returns False when there is none."""
        if self._exhausted:
            return False
        try:
            page = self._pages(self.list_query, self.summaries, PAGE_SIZE)
        except CacheError as error:
            # A search the index cannot answer past its first page, a busy cache:
            # the rows shown stay, and the reader is told why no more come.
            self._exhausted = True
            self.app.notify(str(error), severity="warning")
            return False
        if len(page) < PAGE_SIZE:
            self._exhausted = True
        self.summaries.extend(page)
        self.add_rows(self._cells(summary) for summary in page)
        return bool(page)

    def _cells(self, summary: ArticleSummary) -> list[Text]:
        mark = Text.assemble(
            ("●" if not summary.read else " ", "bold cyan"),
            ("★" if summary.starred else " ", "yellow"),
        )
        title = Text(
            clean_line(summary.title),
            style="" if summary.read else "bold",
            no_wrap=True,
            overflow="ellipsis",
        )
        source = Text(
            clean_line(self._source_name(summary)), style="dim", no_wrap=True, overflow="ellipsis"
        )
        return [mark, self._date(summary), source, title]

    @staticmethod
    def _date(summary: ArticleSummary) -> Text:
        """The publication date; else, in italics, the date the cache first stored it."""
        if summary.published is not None:
            return Text(summary.published.strftime("%Y-%m-%d"), style="dim")
        if summary.added is not None:
            return Text(summary.added.strftime("%Y-%m-%d"), style="dim italic")
        return Text("")

    def redraw_article(self, article_id: int, *, read: bool, starred: bool) -> None:
        """Redraw one article's marks after its read or starred state changed.

        The row's summary changes at once (the next unread is found from it); its
        cells after the next frame: changing a cell redraws every row in view (the
        DataTable's caches go by one update count), which would hold up the frame
        that shows the article just opened by a third.
        """
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                self.summaries[index] = replace(summary, read=read, starred=starred)
                self.call_after_refresh(self._redraw_row, article_id)
                return

    def _redraw_row(self, article_id: int) -> None:
        for index, summary in enumerate(self.summaries):
            if summary.id == article_id:
                for column, cell in enumerate(self._cells(summary)):
                    self.update_cell_at(Coordinate(index, column), cell)
                return

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
