"""The reader: category tree, article list and article pane, wired to the core.

All data comes through the core (``store``, ``reading``, ``links``, ``refresh``);
this module only decides what to show and reacts to keys. Blocking work
(refresh, fetching a linked page) runs in thread workers with their own cache
connection, and reports back through messages.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, ProgressBar, Static

from newsreader.config import Config
from newsreader.history import History
from newsreader.importer import describe_error
from newsreader.links import article_links, resolve
from newsreader.model import FeedState, LinkKind, StoredArticle
from newsreader.paths import Locations
from newsreader.prefs import load_prefs, save_pref
from newsreader.reading import open_article
from newsreader.render import link_targets
from newsreader.sanitize import clean_line, display_url, is_safe_url
from newsreader.store import Store, StoreError, open_cache, parse_search
from newsreader.tree import NodeKind, Selection, build_tree
from newsreader.ui.screens.help import HelpScreen
from newsreader.ui.widgets.article_list import ArticleList, ListQuery
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree

NARROW_WIDTH = 100
TREE_RELOAD_DELAY = 0.25
WEB_CATEGORY = ("Web",)


@dataclass(frozen=True, slots=True)
class Visit:
    """A history entry: an article and where the reader had scrolled to."""

    article_id: int
    scroll_y: float = 0.0


class NewsReaderApp(App[None]):
    """The newsreader terminal app."""

    CSS_PATH = "app.tcss"
    TITLE = "newsreader"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("slash", "search", "Search"),
        Binding("r", "refresh", "Refresh"),
        Binding("n", "next_unread", "Next unread"),
        Binding("p", "previous_unread", "Prev unread", show=False),
        Binding("s", "toggle_star", "Star"),
        Binding("m", "toggle_read", "Read/unread", show=False),
        Binding("A", "mark_all_read", "Mark all read", show=False),
        Binding("t", "toggle_outline", "Outline"),
        Binding("c", "toggle_tree", "Categories", show=False),
        Binding("o", "open_in_browser", "Browser", show=False),
        Binding("backspace", "history_back", "Back"),
        Binding("shift+backspace,alt+right", "history_forward", "Forward", show=False),
        Binding("alt+left", "history_back", "Back", show=False),
        Binding("escape", "cancel_search", "Close search", show=False),
    ]

    class RefreshProgressed(Message):
        """A feed finished during a refresh."""

        def __init__(self, done: int, total: int, failed: str | None) -> None:
            super().__init__()
            self.done, self.total, self.failed = done, total, failed

    class RefreshFinished(Message):
        """A refresh ended."""

        def __init__(
            self, failed: int, total: int, new: int, error: str | None, deferred: int = 0
        ) -> None:
            super().__init__()
            self.failed, self.total, self.new, self.error = failed, total, new, error
            self.deferred = deferred

    class PageFetched(Message):
        """A linked page was fetched and cached (or could not be)."""

        def __init__(self, article_id: int | None, error: str | None) -> None:
            super().__init__()
            self.article_id, self.error = article_id, error

    def __init__(
        self,
        locations: Locations,
        config: Config,
        *,
        offline: bool = False,
        refresh_on_start: bool = True,
    ) -> None:
        super().__init__()
        self.locations = locations
        self.config = config
        self.offline = offline
        self.refresh_on_start = refresh_on_start
        self.store, self._cache_moved_to = open_cache(locations.cache_file)
        self.history: History[Visit] = History()
        self._feeds = {feed.url: feed for feed in config.feeds}
        self._feed_states: dict[str, FeedState] = {}
        self._previous_query: ListQuery | None = None
        self._refreshing = False
        self._tree_timer: Timer | None = None

    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield CategoryTree(id="tree")
            with Vertical(id="reader"):
                yield Input(
                    placeholder="Search articles (Enter to search, Escape to close)", id="search"
                )
                yield ArticleList(self.store, self.source_name, id="articles")
                with Horizontal(id="article-area"):
                    yield OptionList(id="outline", markup=False)
                    yield ArticleView(id="article")
        with Horizontal(id="status"):
            yield Static("", id="status-text")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        theme = load_prefs(self.locations.data_dir).get("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.query_one("#search", Input).display = False
        self.query_one("#outline", OptionList).display = False
        self.query_one("#progress", ProgressBar).display = False
        self.reload_tree()
        self.article_list.load(ListQuery(Selection(NodeKind.ALL)))
        self.article_list.focus()
        self._apply_width(self.size.width)
        if self.refresh_on_start:
            # Offline, this imports the local sources only (the bundled samples on
            # a first run), touching no network.
            self.action_refresh()
        if self.offline:
            self.set_status("Offline: reading the cache")
        if self._cache_moved_to is not None:
            self.notify(
                f"The cache was damaged: it was moved to {self._cache_moved_to} "
                "and a new cache was started.",
                severity="warning",
                timeout=30,
            )

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: the app's own is updated only a moment later.
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        # Narrow terminals stack the list over the article and hide the tree
        # (it comes back with focus), rather than squeezing three columns.
        self.screen.set_class(width < NARROW_WIDTH, "-narrow")

    def _remember_theme(self, theme: object) -> None:
        save_pref(self.locations.data_dir, "theme", self.theme)

    @property
    def article_list(self) -> ArticleList:
        """The article list widget."""
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        """The article pane."""
        return self.query_one(ArticleView)

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
        """Show a notification, cleaned; plain text unless asked (only for our own words).

        Most notices carry outside text (a feed's name and error, a link's text, an
        address); the title is always plain.
        """
        super().notify(
            clean_line(message),
            title=clean_line(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def action_help_quit(self) -> None:
        """Ctrl+C: say which key quits (Textual's own notice is markup, and ours are plain)."""
        keys = [
            key
            for key, active in self.active_bindings.items()
            if active.binding.action in ("quit", "app.quit")
        ]
        if keys:
            self.notify(f"Press {' or '.join(keys)} to quit the app", title="Do you want to quit?")

    def set_status(self, text: str) -> None:
        """Show a line in the status bar."""
        self.query_one("#status-text", Static).update(Text(clean_line(text)))

    def reload_tree(self) -> None:
        """Redraw the tree's counts and marks from the cache."""
        self._feed_states = self.store.feed_states()
        items = build_tree(
            self.store.category_tree(),
            self.config.feeds,
            self.store.source_counts(),
            self._feed_states,
            self.store.special_counts(),
        )
        self.query_one(CategoryTree).show(items)

    # Choosing and opening

    def action_toggle_tree(self) -> None:
        """Show or hide the category tree (on a narrow terminal it is hidden)."""
        tree = self.query_one(CategoryTree)
        if self.screen.has_class("-narrow"):
            self.screen.toggle_class("-tree-open")
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
        self.screen.remove_class("-tree-open")
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
        except StoreError as error:
            self.notify(str(error), severity="error")
            return False
        return True

    def show_article(
        self, article_id: int, *, remember: bool = True, scroll_y: float = 0.0
    ) -> bool:
        """Open an article in the pane; marks it read. Returns False if it is gone."""
        stored = open_article(self.store, article_id)
        if stored is None:
            self.notify("That article is no longer in the cache.", severity="warning")
            return False
        if remember:
            current = self.history.current
            if current is not None:
                self.history.replace_current(Visit(current.article_id, self.article_view.scroll_y))
            self.history.visit(Visit(article_id))
        if not stored.read:
            self._write(lambda: self.store.set_read(article_id))
        view = self.article_view
        view.show(
            stored,
            link_targets(article_links(stored.article), self.store),
            self.source_name(stored.article.source),
            scroll_y,
        )
        self._fill_outline(view.headings)
        self.article_list.redraw_article(article_id)
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
        found = resolve(event.link, self.store)
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

    @work(thread=True, exclusive=True, group="page", exit_on_error=False)
    def _fetch_page(self, url: str) -> None:
        # Whatever goes wrong, the fetch ends in a PageFetched: the status line clears
        # and a notice says why, rather than "Fetching …" for ever.
        try:
            article_id, error = self._fetch_and_keep(url)
        except Exception as unexpected:
            article_id, error = None, f"Cannot open {url}: {describe_error(unexpected)}"
        self.post_message(self.PageFetched(article_id, error))

    def _fetch_and_keep(self, url: str) -> tuple[int | None, str | None]:
        """Fetch a page, extract its article and cache it: the article's id, or why not."""
        import asyncio
        from dataclasses import replace

        from newsreader.extract.decode import UnreadableFile, decode_text
        from newsreader.extract.webpage import NoArticleFound, extract_web_page
        from newsreader.sources.http import Fetcher, FetchError

        async def fetch() -> bytes:
            async with Fetcher(timeout=self.config.settings.timeout) as fetcher:
                return (await fetcher.fetch(url, accept="text/html,application/xhtml+xml")).body

        try:
            body = asyncio.run(fetch())
            article = extract_web_page(
                decode_text(body), source=url, guid=url, fallback_title=url, url=url
            )
        except (FetchError, UnreadableFile, NoArticleFound) as error:
            return None, f"Cannot open {url}: {error}"
        try:
            with Store(self.locations.cache_file) as store:
                [(_, article_id)] = store.store_articles(
                    [replace(article, categories=WEB_CATEGORY)]
                )
        except StoreError as error:
            return None, f"Cannot keep {url}: {error}"
        return article_id, None

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

    def _mark_current(self, mark: Callable[[StoredArticle], None]) -> StoredArticle | None:
        """Apply a read/starred change to the current article and redraw it.

        Returns the article as it was before, or None when nothing changed.
        """
        article_id = self._current_article()
        stored = self.store.get_article(article_id) if article_id is not None else None
        if stored is None or not self._write(lambda: mark(stored)):
            return None
        self.article_list.redraw_article(stored.id)
        self.schedule_tree_reload()
        return stored

    def action_toggle_star(self) -> None:
        """Star or unstar the current article."""
        was = self._mark_current(lambda s: self.store.set_starred(s.id, not s.starred))
        if was is not None:
            self.notify("Starred" if not was.starred else "Unstarred", timeout=1.5)

    def action_toggle_read(self) -> None:
        """Mark the current article read or unread."""
        self._mark_current(lambda s: self.store.set_read(s.id, not s.read))

    def action_mark_all_read(self) -> None:
        """Mark every article of the chosen node read."""
        wanted = self.article_list.list_query.selection.article_filter
        try:
            count = self.store.mark_all_read(
                wanted.category, source=wanted.source, starred_only=wanted.starred_only
            )
        except StoreError as error:
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

    # Search, outline, help

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
            self.store.search(text, limit=1)  # a search the index cannot answer is said here
        except StoreError as error:
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

    def action_help(self) -> None:
        """Show the keys."""
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        commands = [
            ("Refresh feeds", "Download feeds and import local sources", self.action_refresh),
            ("Search", "Full-text search of the cache", self.action_search),
            ("Back", "Previous article in the history", self.action_history_back),
            ("Forward", "Next article in the history", self.action_history_forward),
            ("Next unread", "Open the next unread article", self.action_next_unread),
            ("Previous unread", "Open the previous unread article", self.action_previous_unread),
            ("Star / unstar", "Star the current article", self.action_toggle_star),
            ("Read / unread", "Toggle the current article's read mark", self.action_toggle_read),
            ("Mark all read", "Mark every article of the node read", self.action_mark_all_read),
            ("Outline", "Show the article's section headings", self.action_toggle_outline),
            ("Open in browser", "Open the link or article in the system browser",
             self.action_open_in_browser),
            ("Keys", "Show every key", self.action_help),
        ]  # fmt: skip
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)

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

    @work(thread=True, exclusive=True, group="refresh", exit_on_error=False)
    def _refresh_feeds(self) -> None:
        from newsreader.refresh import FeedResult, refresh

        def progressed(result: FeedResult, done: int, total: int) -> None:
            failure = f"{result.name}: {result.error}" if result.failed else None
            self.post_message(self.RefreshProgressed(done, total, failure))

        try:
            with Store(self.locations.cache_file) as store:
                report = refresh(
                    # Parsed in this worker thread: starting a process pool from an
                    # app with threads of its own is not safe everywhere.
                    self.config,
                    store,
                    offline=self.offline,
                    progress=progressed,
                    parse_workers=0,
                )
        except StoreError as error:
            self.post_message(self.RefreshFinished(0, 0, 0, str(error)))
            return
        except Exception as error:
            self.post_message(self.RefreshFinished(0, 0, 0, f"Refresh failed: {error!r}"))
            raise
        self.post_message(
            self.RefreshFinished(
                len(report.failed_feeds),
                len(report.feeds),
                report.new_articles,
                None,
                deferred=len(report.deferred_feeds),
            )
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
        if self._tree_timer is not None:
            self._tree_timer.stop()
            self._tree_timer = None
        self.store.close()
