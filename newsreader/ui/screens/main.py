"""The main screen: category tree, article list and article pane, wired to the core.

All data comes through the core (``cache``, ``reading``, ``links``, ``pages``,
``refresh``); this screen only decides what to show and reacts to keys. The
widgets are handed what they show (the list a page loader, the pane an article
and its link targets) and post messages; blocking work (refresh, fetching a
linked page) runs in thread workers with their own cache connection, and
reports back through :mod:`newsreader.ui.messages` (:mod:`newsreader.ui.workers`).
"""

from __future__ import annotations

import asyncio
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static

from newsreader.cache import Cache, CacheError, Cursor, Marks, parse_search
from newsreader.config import Config
from newsreader.history import History
from newsreader.keys import ANYWHERE
from newsreader.links import article_links, resolve
from newsreader.model import ArticleSummary, FeedState, LinkKind
from newsreader.reading import open_article
from newsreader.render import link_targets
from newsreader.sanitize import clean_line, display_url, is_safe_url
from newsreader.tree import NodeKind, Selection, build_tree
from newsreader.ui.commands import Keys, install_bindings
from newsreader.ui.messages import PageFetched, RefreshFinished, RefreshProgressed
from newsreader.ui.widgets.article_list import ArticleList, ListQuery
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree
from newsreader.ui.workers import fetch_page, refresh_feeds

NARROW_WIDTH = 100
TREE_RELOAD_DELAY = 0.25


@dataclass(frozen=True, slots=True)
class Visit:
    """A history entry: an article and where the reader had scrolled to."""

    article_id: int
    scroll_y: float = 0.0


class MainScreen(Screen[None]):
    """The reader's one screen of panes; owns the layout, the history and the workers."""

    def __init__(
        self,
        cache: Cache,
        config: Config,
        cache_file: Path,
        keys: Keys,
        *,
        offline: bool,
        refresh_on_start: bool,
    ) -> None:
        super().__init__()
        install_bindings(self, ANYWHERE, keys)
        self.cache = cache
        """The UI thread's cache connection (workers open their own on ``cache_file``)."""
        self.config = config
        self.keys = keys
        self.offline = offline
        self.refresh_on_start = refresh_on_start
        self._cache_file = cache_file
        self.history: History[Visit] = History()
        self._feeds = {feed.url: feed for feed in config.feeds}
        self._feed_states: dict[str, FeedState] = {}
        self._previous_query: ListQuery | None = None
        self._refreshing = False
        self._tree_timer: Timer | None = None
        self._stop_refresh = threading.Event()
        self.mounted = asyncio.Event()
        """Set once the panes are mounted and the first list is loaded (or that failed)."""

    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield CategoryTree(self.keys, id="tree")
            with Vertical(id="reader"):
                yield Input(
                    placeholder="Search articles (Enter to search, Escape to close)", id="search"
                )
                yield ArticleList(self._page, self.source_name, self.keys, id="articles")
                with Horizontal(id="article-area"):
                    yield OptionList(id="outline", markup=False)
                    yield ArticleView(
                        self.keys, reading_width=self.config.settings.reading_width, id="article"
                    )
        with Horizontal(id="status"):
            yield Static("", id="status-text")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        try:
            self._start()
        finally:
            self.mounted.set()

    def _start(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one("#outline", OptionList).display = False
        self.query_one("#progress", ProgressBar).display = False
        self.reload_tree()
        self.article_list.load(ListQuery(Selection(NodeKind.ALL)))
        self.article_list.focus()
        self._apply_width(self.app.size.width)
        if self.refresh_on_start:
            # Offline, this imports the local sources only (the bundled samples on
            # a first run), touching no network.
            self.action_refresh()
        if self.offline:
            self.set_status("Offline: reading the cache")

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        # Narrow terminals stack the list over the article and hide the tree
        # (it comes back with focus), rather than squeezing three columns.
        self.set_class(width < NARROW_WIDTH, "-narrow")

    @property
    def article_list(self) -> ArticleList:
        """The article list widget."""
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        """The article pane."""
        return self.query_one(ArticleView)

    def _page(
        self, query: ListQuery, loaded: list[ArticleSummary], size: int
    ) -> list[ArticleSummary]:
        """The list's next page of a query: by keyset after the last row, or search results."""
        if query.search:
            return self.cache.search(query.search, limit=size, offset=len(loaded))
        last = loaded[-1] if loaded else None
        wanted = query.selection.article_filter
        return self.cache.list_articles(
            wanted.category,
            unread_only=wanted.unread_only,
            starred_only=wanted.starred_only,
            source=wanted.source,
            limit=size,
            after=Cursor(last.sort_key, last.id) if last else None,
        )

    def source_name(self, source: str) -> str:
        """What to call an article's source in the list: the feed's name or the file's."""
        feed = self._feeds.get(source)
        if feed is not None:
            return feed.display_name(self._feed_states.get(source))
        return Path(source).name if "://" not in source else display_url(source)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """The app's notice (cleaned), plain text unless asked, as the app's own is.

        A widget's ``notify`` reads markup by default: most notices here carry
        outside text (a feed's name and error, a link's text, an address).
        """
        self.app.notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def set_status(self, text: str) -> None:
        """Show a line in the status bar."""
        self.query_one("#status-text", Static).update(Text(clean_line(text)))

    def reload_tree(self) -> None:
        """Redraw the tree's counts and marks from the cache."""
        self._feed_states = self.cache.feed_states()
        items = build_tree(
            self.cache.category_tree(),
            self.config.feeds,
            self.cache.source_counts(),
            self._feed_states,
            self.cache.special_counts(),
        )
        self.query_one(CategoryTree).show(items)

    # Choosing and opening

    def action_toggle_tree(self) -> None:
        """Show or hide the category tree (on a narrow terminal it is hidden)."""
        tree = self.query_one(CategoryTree)
        if self.has_class("-narrow"):
            self.toggle_class("-tree-open")
        else:
            tree.display = not tree.display
        if tree.display and tree.region.width:
            tree.focus()
        self.call_after_refresh(self._focus_tree_if_shown)

    def _focus_tree_if_shown(self) -> None:
        tree = self.query_one(CategoryTree)
        if tree.region.width:
            tree.focus()
        else:
            self.article_list.focus()

    @on(CategoryTree.SelectionChosen)
    def _show_selection(self, event: CategoryTree.SelectionChosen) -> None:
        self.remove_class("-tree-open")
        self._close_search()
        self.article_list.load(ListQuery(event.selection))
        self.article_list.focus()

    @on(ArticleList.ArticleChosen)
    def _open_chosen(self, event: ArticleList.ArticleChosen) -> None:
        self.show_article(event.article_id)
        self.article_view.focus()

    def _write(self, write: Callable[[], object]) -> bool:
        """Run a write to the cache; on failure say why and return False."""
        try:
            write()
        except CacheError as error:
            self.notify(str(error), severity="error")
            return False
        return True

    def show_article(
        self, article_id: int, *, remember: bool = True, scroll_y: float = 0.0
    ) -> bool:
        """Open an article in the pane; marks it read. Returns False if it is gone."""
        stored = open_article(self.cache, article_id)
        if stored is None:
            self.notify("That article is no longer in the cache.", severity="warning")
            return False
        if remember:
            current = self.history.current
            if current is not None:
                self.history.replace_current(Visit(current.article_id, self.article_view.scroll_y))
            self.history.visit(Visit(article_id))
        read = stored.read or self._write(lambda: self.cache.set_read(article_id))
        view = self.article_view
        view.show(
            stored,
            link_targets(article_links(stored.article), self.cache),
            self.source_name(stored.article.source),
            scroll_y,
        )
        self._fill_outline(view.headings)
        self.article_list.redraw_article(article_id, read=read, starred=stored.starred)
        self.article_list.select_article(article_id)
        self.schedule_tree_reload()
        return True

    def schedule_tree_reload(self) -> None:
        """Redraw the tree's counts shortly, once, however many articles change meanwhile.

        Counting a 100,000-article cache takes tens of milliseconds: kept off the
        path from a key press to the next article on screen.
        """
        if self._tree_timer is not None:
            self._tree_timer.stop()
        self._tree_timer = self.set_timer(TREE_RELOAD_DELAY, self._reload_tree_now)

    def stop_tree_reload(self) -> None:
        """Forget a scheduled tree reload (the app is closing its cache)."""
        if self._tree_timer is not None:
            self._tree_timer.stop()
            self._tree_timer = None

    def _reload_tree_now(self) -> None:
        if self._tree_timer is None:
            return  # stopped: the app is closing
        self._tree_timer = None
        self.reload_tree()

    def _fill_outline(self, headings: list[str]) -> None:
        outline = self.query_one("#outline", OptionList)
        outline.clear_options()
        # Text, never a string: OptionList reads a string as markup, and a heading
        # such as "[@click=app.quit]Summary[/]" would become a button (or, broken,
        # a MarkupError).
        outline.add_options([Text(heading) for heading in headings] or [Text("(no sections)")])

    @on(OptionList.OptionSelected, "#outline")
    def _jump_to_section(self, event: OptionList.OptionSelected) -> None:
        self.article_view.scroll_to_section(event.option_index)
        self.article_view.focus()

    # Links and history

    @on(ArticleView.LinkFollowed)
    def _follow(self, event: ArticleView.LinkFollowed) -> None:
        if event.link.kind is LinkKind.ENCLOSURE and event.link.url:
            # A podcast episode or a picture is for another program, not the pane.
            self._open_in_browser(event.link.url)
            return
        found = resolve(event.link, self.cache)
        if found:
            self.show_article(found[0])
            return
        url = event.link.url
        if url and is_safe_url(url):
            if self.offline:
                self.notify(f"Offline: cannot fetch {url}", severity="warning")
                return
            self.set_status(f"Fetching {clean_line(url)} …")
            self._fetch_page(url)
            return
        self.notify(
            f"“{clean_line(event.link.text)}” is not in the cache"
            + (" and its address cannot be opened" if url else ""),
            severity="warning",
        )

    @on(ArticleView.AddressFollowed)
    def _follow_address(self, event: ArticleView.AddressFollowed) -> None:
        # The article is already in the pane: its address is for the browser, as `o`.
        if is_safe_url(event.url):
            self._open_in_browser(event.url)

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _fetch_page(self, url: str) -> None:
        fetch_page(
            url, self._cache_file, timeout=self.config.settings.timeout, post=self.post_message
        )

    @on(PageFetched)
    def _page_fetched(self, event: PageFetched) -> None:
        self.set_status("")
        if event.article_id is None:
            self.notify(event.error or "Cannot open the page", severity="warning")
            return
        self.show_article(event.article_id)

    def action_history_back(self) -> None:
        """Go back to the previous article, where the reader had scrolled to."""
        self._step_history(forward=False)

    def action_history_forward(self) -> None:
        """Go forward again after going back."""
        self._step_history(forward=True)

    def _step_history(self, *, forward: bool) -> None:
        current = self.history.current
        possible = self.history.can_go_forward if forward else self.history.can_go_back
        if current is None or not possible:
            self.notify(f"Nothing to go {'forward' if forward else 'back'} to.")
            return
        # Remember where the reader is, to come back to the same place.
        self.history.replace_current(Visit(current.article_id, self.article_view.scroll_y))
        visit = self.history.forward() if forward else self.history.back()
        if visit is not None:
            self.show_article(visit.article_id, remember=False, scroll_y=visit.scroll_y)

    # Reading state

    def _current_article(self) -> int | None:
        if self.article_view.article is not None and (
            self.focused is self.article_view or self.article_list.current_article is None
        ):
            return self.article_view.article.id
        return self.article_list.current_article

    def _toggle_mark(self, *, star: bool) -> Marks | None:
        """Toggle the current article's starred (or read) mark and redraw its row.

        Returns the marks as they were before, or None when nothing changed.
        """
        article_id = self._current_article()
        if article_id is None:
            return None
        try:
            was = self.cache.marks(article_id)
        except CacheError as error:
            self.notify(str(error), severity="error")
            return None
        if was is None:
            return None
        read, starred = was.read, was.starred
        if star:
            starred = not starred
            written = self._write(lambda: self.cache.set_starred(article_id, starred))
        else:
            read = not read
            written = self._write(lambda: self.cache.set_read(article_id, read))
        if not written:
            return None
        self.article_list.redraw_article(article_id, read=read, starred=starred)
        self.schedule_tree_reload()
        return was

    def action_toggle_star(self) -> None:
        """Star or unstar the current article."""
        was = self._toggle_mark(star=True)
        if was is not None:
            self.notify("Starred" if not was.starred else "Unstarred", timeout=1.5)

    def action_toggle_read(self) -> None:
        """Mark the current article read or unread."""
        self._toggle_mark(star=False)

    def action_mark_all_read(self) -> None:
        """Mark every article of the chosen node read."""
        wanted = self.article_list.list_query.selection.article_filter
        try:
            count = self.cache.mark_all_read(
                wanted.category, source=wanted.source, starred_only=wanted.starred_only
            )
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        self.article_list.load(
            self.article_list.list_query, keep_article=self.article_list.current_article
        )
        self.reload_tree()
        self.notify(f"Marked {count} articles read", timeout=2)

    def _step_unread(self, step: int) -> None:
        articles = self.article_list
        start = articles.cursor_row
        index = start + step
        while True:
            if index >= len(articles.summaries) and not articles.load_more():
                break
            if not 0 <= index < len(articles.summaries):
                break
            if not articles.summaries[index].read:
                articles.move_cursor(row=index)
                self.show_article(articles.summaries[index].id)
                return
            index += step
        self.notify("No more unread articles here.", timeout=2)

    def action_next_unread(self) -> None:
        """Open the next unread article in the list."""
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        """Open the previous unread article in the list."""
        self._step_unread(-1)

    def action_open_in_browser(self) -> None:
        """Open the selected link, or the current article, in the system browser."""
        view = self.article_view
        url: str | None = None
        if view.selected_link is not None:
            url = view.selected_link.url
        elif view.article is not None:
            url = view.article.article.url
        if not url or not is_safe_url(url):
            self.notify("No web address to open.", severity="warning")
            return
        self._open_in_browser(url)

    def _open_in_browser(self, url: str) -> None:
        if not webbrowser.open(url):
            self.notify(f"No browser to open it with; its address is {url}", timeout=10)

    # Search, outline

    def action_search(self) -> None:
        """Show the search box."""
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        query = parse_search(text)
        if not query.terms:
            self.notify(f"Nothing to search for in “{text}”: it has no letters or digits.")
            return
        try:
            self.cache.search(text, limit=1)  # a search the index cannot answer is said here
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if self._previous_query is None:
            self._previous_query = self.article_list.list_query
        self.article_list.load(ListQuery(self.article_list.list_query.selection, search=text))
        self.set_status(f"Search: {text} ({len(self.article_list.summaries)} shown)")
        if query.cut:
            self.notify(f"The search was cut to its first {len(query.terms)} words.", timeout=6)
        self.article_list.focus()

    def action_cancel_search(self) -> None:
        """Close the search box and go back to the node's articles."""
        if self._close_search():
            self.article_list.focus()

    def _close_search(self) -> bool:
        search = self.query_one("#search", Input)
        was_open = search.display or self._previous_query is not None
        search.display = False
        search.value = ""
        if self._previous_query is not None:
            self.article_list.load(self._previous_query)
            self._previous_query = None
            self.set_status("")
        return was_open

    def action_toggle_outline(self) -> None:
        """Show or hide the outline of the article's section headings."""
        outline = self.query_one("#outline", OptionList)
        if not outline.display and outline.option_count == 0:
            self.notify("No article is open.")
            return
        outline.display = not outline.display
        if outline.display:
            outline.focus()

    # Refresh

    def action_refresh(self) -> None:
        """Refresh feeds and local sources in the background."""
        if self._refreshing:
            self.notify("A refresh is already running.", timeout=2)
            return
        self._refreshing = True
        progress = self.query_one("#progress", ProgressBar)
        progress.display = True
        progress.update(total=max(1, len(self.config.enabled_feeds)), progress=0)
        self.set_status("Refreshing…")
        self._refresh_feeds()

    @property
    def refreshing(self) -> bool:
        """Whether a refresh is running."""
        return self._refreshing

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_feeds(self) -> None:
        refresh_feeds(
            self.config,
            self._cache_file,
            offline=self.offline,
            post=self.post_message,
            stop=self._stop_refresh,
        )

    @on(RefreshProgressed)
    def _refresh_progressed(self, event: RefreshProgressed) -> None:
        self.query_one("#progress", ProgressBar).update(total=event.total, progress=event.done)
        self.set_status(f"Refreshing… {event.done}/{event.total}")
        if event.failed:
            self.notify(event.failed, title="Feed failed", severity="warning", timeout=4)

    @on(RefreshFinished)
    def _refresh_finished(self, event: RefreshFinished) -> None:
        self._refreshing = False
        self.query_one("#progress", ProgressBar).display = False
        if event.error:
            self.set_status("")
            self.notify(event.error, severity="error")
            return
        if event.total and event.failed == event.total:
            self.set_status("Offline? Every feed failed; showing the cache")
        else:
            deferred = f", {event.deferred} deferred (Retry-After)" if event.deferred else ""
            self.set_status(f"{event.new} new articles, {event.failed} feeds failed{deferred}")
        self.reload_tree()
        keep = self.article_list.current_article
        self.article_list.load(self.article_list.list_query, keep_article=keep)

    def on_unmount(self) -> None:
        # The app waits for its worker threads before the process ends: a refresh
        # waiting on a silent server would keep a quitting reader alive that long.
        self._stop_refresh.set()
        self.stop_tree_reload()
