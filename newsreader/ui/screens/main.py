"""The main screen: category tree, article list and article pane, wired to the core.

All data comes through the core (``cache``, ``reading``, ``links``, ``pages``,
``refresh``); this screen only decides what to show and reacts to keys. The
widgets are handed what they show (the list a page loader, the pane an article
and its link targets) and post messages; blocking work (refresh, fetching a
linked page, counting the tree after a mark) runs in thread workers with their
own cache connection, and reports back through :mod:`newsreader.ui.messages`
(:mod:`newsreader.ui.workers`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Sequence
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

from newsreader.browser import open_url
from newsreader.cache import AccountState, Cache, CacheError, Cursor, Marks, parse_search
from newsreader.cache.matching import CompiledFilter
from newsreader.config import Config
from newsreader.failures import failure_summary, feed_failures
from newsreader.filters import Filter, FilterError, looks_like_filter, parse_filter
from newsreader.history import History
from newsreader.images import ImageFolder
from newsreader.keys import ANYWHERE, keys_label
from newsreader.links import article_links, resolve
from newsreader.model import CATEGORY_SEPARATOR, ArticleSummary, FeedState, LinkKind
from newsreader.node_notes import empty_note, failure_note, sync_failure_note
from newsreader.pool import ForkServerPool
from newsreader.queries import FilterContext, apply_hide_rules, hide_rules
from newsreader.reading import open_article
from newsreader.render import link_targets
from newsreader.sanitize import clean_line, display_url, is_safe_url
from newsreader.tree import NodeKind, Selection, TreeCounts, count_tree, filter_context
from newsreader.ui.commands import Keys, install_bindings, set_footer_shown
from newsreader.ui.messages import (
    ImageLoaded,
    PageFetched,
    RefreshFinished,
    RefreshProgressed,
    TreeCounted,
)
from newsreader.ui.screens.confirm import ConfirmScreen
from newsreader.ui.screens.failures import FailuresScreen
from newsreader.ui.widgets.article_list import ArticleList, ListQuery
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.category_tree import CategoryTree
from newsreader.ui.widgets.figure_image import FigureImage
from newsreader.ui.workers import fetch_page, load_images, recount_tree, refresh_feeds
from newsreader.wording import plural

PARSE_PRELOAD = ("newsreader.refresh", "newsreader.extract.feed")
"""What the fork server imports once, so that its workers start with it."""
NARROW_WIDTH = 100
TREE_RELOAD_DELAY = 0.25
PROGRESS_DRAW_SECONDS = 0.1
"""A refresh's progress is drawn at most this often: 2,000 feeds report 2,000 times,
and drawing each took the reader's thread about a second in all."""


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
        image_dir: Path | None = None,
        data_dir: Path | None = None,
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
        self._data_dir = data_dir
        """Where the sync accounts' login tokens are kept (None: the accounts are not synced)."""
        self._account_names = tuple(account.name for account in config.accounts)
        self._hiding = bool(hide_rules(config.ignore))
        self._account_states: dict[str, AccountState] = {}
        self._syncing: str | None = None
        self.history: History[Visit] = History()
        self._feeds = {feed.url: feed for feed in config.feeds}
        self._feed_states: dict[str, FeedState] = {}
        self._previous_query: ListQuery | None = None
        self._refreshing = False
        self._failed_so_far = 0
        self._progress: tuple[int, int] | None = None
        """The latest (done, total) of the refresh, drawn by :meth:`_draw_progress`."""
        self._progress_timer: Timer | None = None
        self._tree_timer: Timer | None = None
        self._tree_counts_started = 0
        """The number of the latest count of the tree begun (on this thread or a worker)."""
        self._tree_counts_shown = 0
        """The number of the count the tree shows: an older result is stale."""
        self._tree_closed = False
        """Set when the app closes the cache: counts arriving later are dropped."""
        self._narrow: bool | None = None
        """Whether the layout is the narrow one (None until the first layout)."""
        self._stop_refresh = threading.Event()
        # Feeds are parsed in processes forked from a fork server, started at the
        # first feed to parse and kept for the next refresh.
        self._parse_pool = ForkServerPool(os.cpu_count() or 1)
        self.mounted = asyncio.Event()
        """Set once the panes are mounted and the first list is loaded (or that failed)."""
        self.images_shown = config.settings.images
        """Whether figures' images are loaded and shown (``images`` setting, ``I``)."""
        self._image_folder = ImageFolder(image_dir or cache_file.parent / "images")
        self._stop_images = threading.Event()

    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield CategoryTree(self.keys, id="tree")
            with Vertical(id="reader"):
                yield Input(
                    placeholder="Search articles (Enter to search, Escape to close)", id="search"
                )
                yield Static("", id="list-note")
                yield ArticleList(
                    self._page,
                    self.list_source,
                    self.keys,
                    copies=lambda row: self.cache.story_copies(row.id),
                    id="articles",
                )
                with Horizontal(id="article-area"):
                    yield OptionList(id="outline", markup=False)
                    yield ArticleView(
                        self.keys, reading_width=self.config.settings.reading_width, id="article"
                    )
        with Horizontal(id="status"):
            yield Static("", id="status-text")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        try:
            self._start()
        finally:
            self.mounted.set()

    def _start(self) -> None:
        self.query_one("#search", Input).display = False
        self.query_one("#list-note", Static).display = False
        self.query_one("#outline", OptionList).display = False
        self.query_one("#progress", ProgressBar).display = False
        self._apply_killfile()
        self._name_sources_and_recount()
        self.article_list.load(ListQuery(Selection(NodeKind.ALL)))
        self.article_list.focus()
        self._apply_width(self.app.size.width)
        if self.refresh_on_start:
            # Offline, this imports the local sources only (the bundled samples on
            # a first run), touching no network.
            self.action_refresh()
        if self.offline:
            self.set_status("Offline: reading the cache")

    def _apply_killfile(self) -> None:
        """Hide what the killfile's ``hide`` rules take, if they changed since last applied."""
        try:
            if not self._hiding and self.cache.hidden_counts()[0] == 0:
                return
            context = filter_context(self.cache, self.config.feeds, self._account_names)
            apply_hide_rules(self.cache, self.config.ignore, context, always=False)
        except CacheError as error:
            self.notify(f"The killfile could not be applied: {error}", severity="error")

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        """Stack the panes and hide the tree below the breakpoint, lay them side by side above.

        Narrow terminals stack the list over the article, with the tree behind
        ``c``, rather than squeeze three columns. Crossing the breakpoint applies
        the rule afresh, whatever ``c`` did before; between crossings the
        reader's choice stays.
        """
        narrow = width < NARROW_WIDTH
        if narrow == self._narrow:
            return
        self._narrow = narrow
        self.set_class(narrow, "-narrow")
        self.remove_class("-tree-open", "-tree-hidden")
        if narrow and self.focused is self.query_one(CategoryTree):
            self.article_list.focus()
        footer = self.query_one(Footer)
        # Textual's own palette key is left out where the footer has no room for it.
        footer.show_command_palette = not narrow
        self._show_tree_key()

    def _show_tree_key(self) -> None:
        """The footer shows ``c`` where the tree is hidden or takes the list's place."""
        tree_hidden = self.has_class("-tree-hidden")
        set_footer_shown(self, "toggle_tree", shown=tree_hidden or self.has_class("-narrow"))

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
        typed = (query.filter,) if query.filter is not None else ()
        return self.cache.list_articles(
            wanted.category,
            unread_only=wanted.unread_only,
            starred_only=wanted.starred_only,
            source=wanted.source,
            limit=size,
            after=Cursor(last.sort_key, last.id) if last else None,
            matching=self._compile([*wanted.filters, *typed]),
            hidden=wanted.hidden,
        )

    def _compile(self, filters: Sequence[Filter]) -> CompiledFilter | None:
        """Filters as the cache reads them, against the feeds known now."""
        if not filters:
            return None
        return FilterContext.of(self._feeds.values(), self._feed_states).compile(
            self.cache, filters
        )

    def source_name(self, source: str) -> str:
        """What to call an article's source in the list: the feed's name or the file's."""
        feed = self._feeds.get(source)
        if feed is not None:
            return feed.display_name(self._feed_states.get(source))
        return Path(source).name if "://" not in source else display_url(source)

    def list_source(self, summary: ArticleSummary) -> str:
        """What the list's source column says: the feed's name; for a file, its category
        (a file's name cut to the column says little)."""
        if summary.source not in self._feeds and summary.categories:
            return summary.categories[-1]
        return self.source_name(summary.source)

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
        """Redraw the tree's counts and marks from the cache now, on this thread.

        For acts after which the reader expects the counts at once (marking a
        node read, undoing it); a count in flight in a worker, begun before, is
        then stale and dropped when it arrives. The start and a refresh's end
        count in a worker.
        """
        self._tree_counts_started += 1
        self._show_tree_counts(
            self._tree_counts_started,
            count_tree(
                self.cache,
                self.config.feeds,
                self._account_names,
                self.config.queries,
                self._hiding,
            ),
        )

    @property
    def tree_counted(self) -> bool:
        """Whether the tree shows the latest count begun (none is in flight)."""
        return self._tree_counts_shown >= self._tree_counts_started

    def _show_tree_counts(self, sequence: int, counts: TreeCounts) -> None:
        """Draw counts numbered sequence, unless the tree shows a later count already."""
        if sequence <= self._tree_counts_shown or self._tree_closed or not self.is_attached:
            return
        self._tree_counts_shown = sequence
        self._feed_states = counts.feed_states
        self._account_states = counts.account_states
        named = [feed for feed in counts.account_feeds if feed.url not in self._feeds]
        self._feeds.update((feed.url, feed) for feed in counts.account_feeds)
        self.query_one(CategoryTree).show(counts.items)
        if named and self.article_list.summaries:
            # Rows drawn before an account's subscriptions were known name their category.
            keep = self.article_list.current_article
            self.article_list.load(self.article_list.list_query, keep_article=keep)

    @on(TreeCounted)
    def _tree_counted(self, event: TreeCounted) -> None:
        if event.counts is not None:
            self._show_tree_counts(event.sequence, event.counts)
        elif event.error and not self._tree_closed:
            self.notify(event.error, severity="error")

    # Choosing and opening

    def action_toggle_tree(self) -> None:
        """Show or hide the category tree (on a narrow terminal it is hidden)."""
        self.toggle_class("-tree-open" if self.has_class("-narrow") else "-tree-hidden")
        self._show_tree_key()
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

    @on(ArticleList.Loaded)
    def _note_list(self) -> None:
        """Say above the list why its feed failed, or that it has nothing to show."""
        query = self.article_list.list_query
        selection = query.selection
        note: str | None = None
        state = self._feed_states.get(selection.feed_url or "")
        if query.search is None and selection.kind is NodeKind.FEED and state is not None:
            note = failure_note(state, time.time(), self.keys["refresh"])
        account_node = selection.kind is NodeKind.CATEGORY and len(selection.path) == 1
        account = self._account_states.get(selection.path[0]) if account_node else None
        if query.search is None and account is not None:
            note = sync_failure_note(account, time.time(), self.keys["refresh"])
        failed = note is not None
        if note is None and not self.article_list.summaries:
            note = empty_note(
                selection,
                self._node_name(selection),
                search=query.search,
                typed=query.filter.text if query.filter else None,
            )
        shown = self.query_one("#list-note", Static)
        shown.update(Text(note or ""))
        shown.set_class(failed, "-failed")
        shown.display = note is not None

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
        row = self.article_list.listed(article_id)
        if read and (not stored.read or (row is not None and row.unread_copies)):
            self._mark_story(article_id, read=True)
        view = self.article_view
        view.show(
            stored,
            link_targets(article_links(stored.article), self.cache),
            self.source_name(stored.article.source),
            scroll_y,
            self._related(article_id),
        )
        self._fill_outline(view.headings)
        self._stop_images.set()
        if self.images_shown:
            self.call_after_refresh(self._start_images, article_id)
        self.article_list.redraw_article(
            article_id, read=read, starred=stored.starred, story=self._story_of(article_id)
        )
        self.article_list.select_article(article_id)
        self.schedule_tree_reload()
        return True

    def _related(self, article_id: int) -> list[ArticleSummary]:
        """The cached articles like this one; none (said why) when the cache cannot tell."""
        try:
            return self.cache.related(article_id)
        except CacheError as error:
            self.notify(f"Related articles: {error}", severity="warning")
            return []

    # Images

    def _figures_waiting(self) -> list[FigureImage]:
        return [figure for figure in self.article_view.query(FigureImage) if figure.picture is None]

    def _start_images(self, article_id: int) -> None:
        """Load the open article's images in a worker, once it is drawn (if it still is)."""
        shown = self.article_view.article
        if shown is None or shown.id != article_id or not self.images_shown:
            return
        urls = list(dict.fromkeys(figure.image_url for figure in self._figures_waiting()))
        if not urls:
            return
        self._stop_images.set()
        self._stop_images = threading.Event()
        self._load_images(article_id, urls, self._stop_images)

    @work(thread=True, group="images", exit_on_error=False)
    def _load_images(self, article_id: int, urls: list[str], stop: threading.Event) -> None:
        load_images(
            article_id,
            urls,
            self._image_folder,
            offline=self.offline,
            timeout=self.config.settings.timeout,
            stop=stop,
            post=self.post_message,
        )

    @on(ImageLoaded)
    def _image_loaded(self, event: ImageLoaded) -> None:
        shown = self.article_view.article
        if event.image is None or shown is None or shown.id != event.article_id:
            return  # another article is open now; or the caption stays
        for figure in self.article_view.query(FigureImage):
            if figure.image_url == event.url:
                figure.show_picture(event.image, shown=self.images_shown)

    def action_toggle_images(self) -> None:
        """Show or hide figures' images (loading the open article's when shown)."""
        self.images_shown = not self.images_shown
        for figure in self.article_view.query(FigureImage):
            figure.set_picture_shown(self.images_shown)
        if self.images_shown:
            article = self.article_view.article
            if article is not None:
                self._start_images(article.id)
        else:
            self._stop_images.set()
        self.notify("Images shown" if self.images_shown else "Images hidden", timeout=1.5)

    def schedule_tree_reload(self) -> None:
        """Redraw the tree's counts shortly, once, however many articles change meanwhile.

        Counting a 100,000-article cache takes tens of milliseconds: it runs in a
        thread worker, and only drawing the result (in place, when just counts
        changed) takes the reader's thread, so a key pressed meanwhile does not wait.
        """
        if self._tree_timer is not None:
            self._tree_timer.stop()
        self._tree_timer = self.set_timer(TREE_RELOAD_DELAY, self._reload_tree_now)

    def stop_tree_reload(self) -> None:
        """Forget a scheduled tree reload, and any count in flight (the app is closing
        its cache)."""
        self._tree_closed = True
        if self._tree_timer is not None:
            self._tree_timer.stop()
            self._tree_timer = None

    def _reload_tree_now(self) -> None:
        if self._tree_timer is None:
            return  # stopped: the app is closing
        self._tree_timer = None
        self._recount_tree()

    def _name_sources_and_recount(self) -> None:
        """Read the feeds' states now, which name the list's sources (a few
        milliseconds), and count the tree, over the whole cache, in a worker: the
        list's rows need not wait for the tree."""
        self._feed_states = self.cache.feed_states()
        self._recount_tree()

    def _recount_tree(self) -> None:
        """Count the tree in a worker now; an earlier count still in flight is dropped."""
        self._tree_counts_started += 1
        self._count_tree(self._tree_counts_started)

    @work(thread=True, exclusive=True, group="tree", exit_on_error=False)
    def _count_tree(self, sequence: int) -> None:
        recount_tree(
            self.config.feeds,
            self._cache_file,
            sequence=sequence,
            post=self.post_message,
            accounts=self._account_names,
            queries=self.config.queries,
            hiding=self._hiding,
        )

    def _fill_outline(self, headings: list[str]) -> None:
        outline = self.query_one("#outline", OptionList)
        outline.clear_options()
        # Text, never a string: OptionList reads a string as markup, and a heading
        # such as "[@click=app.quit]Summary[/]" would become a button (or, broken,
        # a MarkupError). A separator (None) between entries keeps wrapped ones apart.
        entries: list[Text | None] = []
        for heading in headings or ["(no sections)"]:
            entries.extend([None, Text(heading)] if entries else [Text(heading)])
        outline.add_options(entries)
        outline.highlighted = 0

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
        if event.link.kind is LinkKind.RELATED:
            self.show_article(event.targets[0])
            return
        found = resolve(event.link, self.cache)
        if found:
            self.show_article(found[0])
            return
        self.article_view.show_link(event.link)  # a link followed by its number, too
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

        Returns the marks as they are now, or None when nothing changed.
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
            row = self.article_list.current_story_row
            if row is not None and row.id == article_id and self.config.settings.read_whole_story:
                read = row.story_unread  # toggles the row as it shows: the whole story
            else:
                read = not read
            written = self._write(lambda: self.cache.set_read(article_id, read))
        if not written:
            return None
        self.article_list.redraw_article(
            article_id, read=read, starred=starred, story=self._story_of(article_id)
        )
        if not star and self.article_list.current_story_row is not None:
            self._mark_story(article_id, read=read)  # the row is the whole story
        self.schedule_tree_reload()
        return Marks(read, starred)

    def _story_of(self, article_id: int) -> int | None:
        """An article's story, from its row, else from the cache (a folded copy)."""
        row = self.article_list.listed(article_id)
        if row is not None and row.story:
            return row.story
        try:
            return self.cache.story_of(article_id)
        except CacheError:
            return None

    def _mark_story(self, article_id: int, *, read: bool) -> None:
        """Mark an article's other copies as it (``read_whole_story``): one story, one mark."""
        if not self.config.settings.read_whole_story:
            return
        try:
            others = [i for i in self.cache.story_article_ids(article_id) if i != article_id]
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if not others or not self._write(lambda: self.cache.set_read_many(others, read)):
            return
        story = self._story_of(article_id)
        for other in others:
            marks = self.cache.marks(other)
            if marks is not None:
                self.article_list.redraw_article(
                    other, read=marks.read, starred=marks.starred, story=story
                )

    def action_toggle_star(self) -> None:
        """Star or unstar the current article."""
        now = self._toggle_mark(star=True)
        if now is not None:
            self.notify("Starred" if now.starred else "Unstarred", timeout=1.5)

    def action_toggle_read(self) -> None:
        """Mark the current article read or unread."""
        now = self._toggle_mark(star=False)
        if now is not None:
            self.notify("Marked read" if now.read else "Marked unread", timeout=1.5)

    def _marking_target(self) -> Selection:
        """The node ``A`` acts on: the one highlighted in the tree while the tree is
        shown (or has focus), else the one the list shows."""
        tree = self.query_one(CategoryTree)
        node = tree.cursor_node
        if node is not None and node.data is not None and (tree.has_focus or tree.region.width):
            return node.data
        return self.article_list.list_query.selection

    def _node_name(self, selection: Selection) -> str:
        """What the tree calls a node (a category by its whole path), for a question."""
        if selection.feed_url is not None:
            name = self.source_name(selection.feed_url)
        elif selection.kind is NodeKind.CATEGORY:
            name = CATEGORY_SEPARATOR.join(selection.path)
        elif selection.query is not None:
            name = selection.query.name
        else:
            name = selection.kind.value.title()
        return clean_line(name)

    def _typed_filters(self, selection: Selection) -> tuple[Filter, ...]:
        """The filter typed over the list, when ``A`` acts on the node the list shows."""
        query = self.article_list.list_query
        if query.filter is None or query.selection != selection:
            return ()
        return (query.filter,)

    def action_mark_all_read(self) -> None:
        """Mark every unread article of the highlighted node read (those a typed filter
        passes, when it narrows the list of that node), asking first if many."""
        selection = self._marking_target()
        typed = self._typed_filters(selection)
        name = self._node_name(selection)
        where = f'in "{name}"' + (f" passing {clean_line(typed[0].text)}" if typed else "")
        wanted = selection.article_filter
        try:
            count = self.cache.count_unread(
                wanted.category,
                source=wanted.source,
                starred_only=wanted.starred_only,
                matching=self._compile([*wanted.filters, *typed]),
                hidden=wanted.hidden,
                whole_stories=self.config.settings.read_whole_story,
            )
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if count == 0:
            self.notify(f"No unread articles {where}.", timeout=2)
            return
        if count == 1:
            self._mark_all_read(selection, where, typed)
            return
        question = Text(f"Mark {plural(count, 'article')} {where} read?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_all_read(selection, where, typed)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _mark_all_read(
        self, selection: Selection, where: str, typed: tuple[Filter, ...] = ()
    ) -> None:
        """Mark a node's unread articles read, undoably, and redraw what shows them
        (``where``: the node as the notice names it, ``in "All"``)."""
        wanted = selection.article_filter
        try:
            count = self.cache.mark_all_read(
                wanted.category,
                source=wanted.source,
                starred_only=wanted.starred_only,
                matching=self._compile([*wanted.filters, *typed]),
                hidden=wanted.hidden,
                description=where,
                whole_stories=self.config.settings.read_whole_story,
            )
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        self._redraw_marks()
        undo = self.keys["undo"]
        hint = f" ({keys_label(undo[:1])} undoes it)" if undo else ""
        self.notify(f"Marked {plural(count, 'article')} {where} read{hint}", timeout=4)

    def action_undo(self) -> None:
        """Mark the articles of the latest mark-all-read unread again."""
        try:
            undone = self.cache.undo_marks()
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if undone is None:
            self.notify("Nothing to undo.", timeout=2)
            return
        self._redraw_marks()
        self.notify(
            f"Marked {plural(undone.restored, 'article')} unread again "
            f"(marked read {undone.description})",
            timeout=4,
        )

    def _redraw_marks(self) -> None:
        """Redraw the list (on its row) and the tree after many marks changed."""
        self.article_list.load(
            self.article_list.list_query, keep_article=self.article_list.current_article
        )
        self.reload_tree()

    def _step_unread(self, step: int) -> None:
        articles = self.article_list
        start = articles.cursor_row
        index = start + step
        while True:
            if index >= len(articles.summaries) and not articles.load_more():
                break
            if not 0 <= index < len(articles.summaries):
                break
            if articles.row_unread(index):
                summary = articles.summaries[index]
                articles.move_cursor(row=index)
                if summary.read and not self.config.settings.read_whole_story:
                    # Copies are read one by one: the story unfolds, its unread copy opens.
                    articles.unfold(index)
                    index = articles.row_of(max(summary.unread_copies), after=index)
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

    def _current_address(self) -> str | None:
        """The selected link's address, else the open article's, if it is a web address."""
        view = self.article_view
        url: str | None = None
        if view.selected_link is not None:
            url = view.selected_link.url
        elif view.article is not None:
            url = view.article.article.url
        return url if url and is_safe_url(url) else None

    def action_open_in_browser(self) -> None:
        """Open the selected link, or the current article, in the system browser."""
        url = self._current_address()
        if url is None:
            self.notify("No web address to open.", severity="warning")
            return
        self._open_in_browser(url)

    def _open_in_browser(self, url: str) -> None:
        # A console browser would draw over the reader: only a graphical one is used.
        if open_url(url):
            return
        copy_keys = self.keys["copy_address"]
        how = (
            f"press {keys_label(copy_keys)} to copy the address"
            if copy_keys
            else "Copy address in the palette copies it"
        )
        self.notify(f"No browser here; {how}: {display_url(url)}", timeout=10)

    def action_copy_address(self) -> None:
        """Copy the selected link's address, else the article's, to the clipboard (OSC 52)."""
        url = self._current_address()
        if url is None:
            self.notify("No web address to copy.", severity="warning")
            return
        # Sent to the terminal as an escape sequence: one clean line only.
        address = clean_line(url)
        self.app.copy_to_clipboard(address)
        self.notify(f"Copied {display_url(address)}", timeout=4)

    def action_show_failures(self) -> None:
        """List the feeds whose latest refresh failed (from the cache: after a restart too)."""
        try:
            failures = feed_failures(self.config.enabled_feeds, self.cache.feed_states())
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if not failures:
            self.notify("No feed failed its last refresh.", timeout=3)
            return
        self.app.push_screen(FailuresScreen(failures, self.keys))

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
        if looks_like_filter(text):
            self._filter_list(text)
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

    def _filter_list(self, text: str) -> None:
        """List the node's articles that pass a typed filter; a wrong one is said, where."""
        try:
            typed = parse_filter(text)
            self._compile([typed])
        except FilterError as error:
            self.notify(f"Not a filter: {error}", severity="error", timeout=8)
            return
        except CacheError as error:
            self.notify(str(error), severity="error")
            return
        if self._previous_query is None:
            self._previous_query = self.article_list.list_query
        selection = self._previous_query.selection
        self.article_list.load(ListQuery(selection, filter=typed))
        self.set_status(f"Filter: {text} ({len(self.article_list.summaries)} shown)")
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
        self._failed_so_far = 0
        self._syncing = None
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
            pool=self._parse_pool,
            data_dir=self._data_dir,
        )

    @on(RefreshProgressed)
    def _refresh_progressed(self, event: RefreshProgressed) -> None:
        # One notice when the refresh ends, not one per failed feed.
        self._failed_so_far += bool(event.failed)
        self._syncing = event.syncing
        self._progress = (event.done, event.total)
        if self._progress_timer is None:
            self._draw_progress()
            self._progress_timer = self.set_timer(PROGRESS_DRAW_SECONDS, self._progress_drawn)

    def _progress_drawn(self) -> None:
        """The pause after a drawing is over: draw what came meanwhile, if anything."""
        self._progress_timer = None
        self._draw_progress()

    def _draw_progress(self) -> None:
        if self._progress is None:
            return
        done, total = self._progress
        self._progress = None
        self.query_one("#progress", ProgressBar).update(total=total, progress=done)
        failed = f", {self._failed_so_far} failed" if self._failed_so_far else ""
        if self._syncing is not None:
            self.set_status(clean_line(self._syncing) + failed)
        else:
            self.set_status(f"Refreshing… {done}/{total}{failed}")

    @on(RefreshFinished)
    def _refresh_finished(self, event: RefreshFinished) -> None:
        self._refreshing = False
        self._progress = None
        if self._progress_timer is not None:
            self._progress_timer.stop()
            self._progress_timer = None
        self.query_one("#progress", ProgressBar).display = False
        if event.error:
            self.set_status("")
            self.notify(event.error, severity="error")
            return
        if event.total and event.failed == event.total:
            self.set_status("Offline? Every feed failed; showing the cache")
        else:
            deferred = f", {event.deferred} deferred (Retry-After)" if event.deferred else ""
            self.set_status(
                f"{plural(event.new, 'new article')}, "
                f"{plural(event.failed, 'feed')} failed{deferred}"
            )
        if event.failures:
            list_keys = self.keys["show_failures"]
            summary = failure_summary(event.failures, keys_label(list_keys) if list_keys else None)
            self.notify(summary, title="Refresh", severity="warning", timeout=8)
        if event.did_nothing:
            return
        self._name_sources_and_recount()
        keep = self.article_list.current_article
        self.article_list.load(self.article_list.list_query, keep_article=keep)

    def on_unmount(self) -> None:
        # The app waits for its worker threads before the process ends: a refresh
        # waiting on a silent server would keep a quitting reader alive that long.
        self._stop_refresh.set()
        self._stop_images.set()
        self._parse_pool.shutdown(wait=False, cancel_futures=True)
        self.stop_tree_reload()
