"""The article pane: title, meta line, sections with real headings, figures, links.

Every piece of article text is given to widgets as rich ``Text`` built from
sanitized strings, never as markup. Links are numbered (as in newsboat) and a
link cursor marks the selected one; Enter follows it, digits follow link N.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from rich.text import Text
from textual.containers import VerticalScroll
from textual.events import Click
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from newsreader.keys import ARTICLE
from newsreader.links import article_links
from newsreader.marks import link_pieces
from newsreader.model import Link, StoredArticle
from newsreader.render import address_line, meta_line, pieces_text
from newsreader.sanitize import clean_line, clean_text
from newsreader.ui.commands import install_bindings
from newsreader.ui.widgets.figure_image import figure_widget

PARAGRAPHS_PER_BLOCK = 25
"""Paragraphs drawn by one widget: a widget per paragraph makes long articles slow."""
MAX_DRAWN_PARAGRAPHS = 5_000
MAX_DRAWN_LINKS = 500
"""Beyond these the pane says what it left out (``newsreader show`` prints everything)."""
RESTORE_TRIES = 100
RESTORE_RETRY_SECONDS = 0.05
"""A restored scroll position waits at most 5 s for the article to be laid out tall enough."""


class LinkLine(Static):
    """One numbered link at the foot of the article; clicking it follows it."""

    def __init__(self, number: int, link: Link, target: list[int]) -> None:
        label = pieces_text(link_pieces(number, link, "in cache" if target else None))
        super().__init__(label, classes="link")
        self.number = number

    def on_click(self, event: Click) -> None:
        event.stop()
        view = self.ancestors[0] if self.ancestors else None
        if isinstance(view, ArticleView):
            view.select_link(self.number - 1)
            view.action_follow_link()


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article; owns the link cursor and section jumps."""

    class LinkFollowed(Message):
        """The reader followed a link in the article."""

        def __init__(self, link: Link, targets: list[int]) -> None:
            super().__init__()
            self.link = link
            self.targets = targets

    def __init__(self, keys: Mapping[str, tuple[str, ...]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        install_bindings(self, ARTICLE, keys)
        self.article: StoredArticle | None = None
        self.links: list[Link] = []
        """The links of the article, numbered from 1: the body's, then its enclosures."""
        self.targets: list[list[int]] = []
        self.link_index: int | None = None
        self.headings: list[str] = []
        self._section: int | None = None
        """The heading last jumped to (see :meth:`_current_section`)."""

    def show(
        self,
        stored: StoredArticle,
        targets: list[list[int]],
        source_label: str,
        scroll_y: float = 0.0,
    ) -> None:
        """Render an article (replacing what was shown), scrolled to ``scroll_y``."""
        self.article = stored
        self.links = article_links(stored.article)
        self.targets = targets
        self.link_index = None
        self._section = None
        self.remove_children()
        article = stored.article
        widgets: list[Widget] = [Static(Text(clean_line(article.title)), classes="title")]
        widgets.append(Static(Text(meta_line(article, source_label)), classes="meta"))
        if article.url:
            widgets.append(Static(Text(address_line(article.url)), classes="meta"))
        self.headings = []
        widgets.extend(self._body(stored))
        links = list(zip(self.links, targets, strict=True))
        if links:
            widgets.append(Static(Text("Links"), classes="links-heading"))
            widgets.extend(
                LinkLine(number, link, target)
                for number, (link, target) in enumerate(links[:MAX_DRAWN_LINKS], start=1)
            )
            if len(links) > MAX_DRAWN_LINKS:
                widgets.append(_left_out(len(links) - MAX_DRAWN_LINKS, "links", stored.id))
        mounted = self.mount_all(widgets)
        self.scroll_home(animate=False)
        if scroll_y:
            self.call_later(self._scroll_when_laid_out, mounted, scroll_y)

    def _body(self, stored: StoredArticle) -> list[Widget]:
        """Headings, paragraphs (a block widget per run of them) and figures."""
        article = stored.article
        widgets: list[Widget] = []
        drawn = 0
        for number, section in enumerate(article.sections):
            if drawn >= MAX_DRAWN_PARAGRAPHS:
                break
            if section.heading:
                self.headings.append(clean_line(section.heading))
                widgets.append(Static(Text(clean_line(section.heading)), classes="heading"))
            paragraphs = section.paragraphs[: MAX_DRAWN_PARAGRAPHS - drawn]
            drawn += len(paragraphs)
            for start in range(0, len(paragraphs), PARAGRAPHS_PER_BLOCK):
                block = paragraphs[start : start + PARAGRAPHS_PER_BLOCK]
                text = Text("\n\n".join(clean_text(paragraph) for paragraph in block))
                widgets.append(Static(text, classes="paragraph"))
            for figure in article.figures:
                if figure.section == number:
                    widgets.append(figure_widget(figure))
        left = len(article.paragraphs) - drawn
        if left > 0:
            widgets.append(_left_out(left, "paragraphs", stored.id))
        return widgets

    async def _scroll_when_laid_out(self, mounted: AwaitMount, scroll_y: float) -> None:
        """Restore a scroll position once the article's widgets exist and have a size."""
        await mounted
        self.call_after_refresh(self._restore_scroll, self.article, scroll_y, RESTORE_TRIES, None)

    def _restore_scroll(
        self, article: StoredArticle | None, scroll_y: float, tries: int, left_at: float | None
    ) -> None:
        """Scroll to ``scroll_y``, trying again a moment later while the pane is too short.

        The layout may reach its final height only after another refresh or two (a
        scrollbar that appears narrows the text, which then wraps onto more lines), so
        a scroll made too early stops short. Trying stops once another article is
        shown or the reader has scrolled away from where the last try left the pane.
        """
        if self.article is not article or (left_at is not None and self.scroll_y != left_at):
            return
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        reached = self.scroll_y
        if reached < scroll_y and tries > 1:
            self.set_timer(
                RESTORE_RETRY_SECONDS,
                partial(self._restore_scroll, article, scroll_y, tries - 1, reached),
            )

    @property
    def link_lines(self) -> list[LinkLine]:
        """The numbered link widgets, in order."""
        return list(self.query(LinkLine))

    def select_link(self, index: int | None) -> None:
        """Move the link cursor (None: no link selected) and keep it in view."""
        lines = self.link_lines
        if not lines:
            self.link_index = None
            return
        if index is not None:
            index = max(0, min(index, len(lines) - 1))
        for number, line in enumerate(lines):
            line.set_class(number == index, "-selected")
        self.link_index = index
        if index is not None:
            # At once, so that a key pressed before the next refresh (back, follow)
            # sees where the pane is going; again after the refresh, in case the
            # article was not laid out yet.
            self.scroll_to_widget(lines[index], animate=False, immediate=True)
            self.scroll_to_widget(lines[index], animate=False)

    def action_next_link(self) -> None:
        """Select the next link."""
        self.select_link(0 if self.link_index is None else self.link_index + 1)

    def action_previous_link(self) -> None:
        """Select the previous link."""
        self.select_link(0 if self.link_index is None else self.link_index - 1)

    def action_follow_link(self) -> None:
        """Follow the selected link."""
        if self.article is None or self.link_index is None:
            return
        link = self.links[self.link_index]
        self.post_message(self.LinkFollowed(link, self.targets[self.link_index]))

    @property
    def selected_link(self) -> Link | None:
        """The link under the link cursor, if any."""
        return self.links[self.link_index] if self.link_index is not None else None

    def action_follow_number(self, number: int) -> None:
        """Follow link N directly (the numbered hints)."""
        if self.article is not None and 1 <= number <= len(self.links):
            self.select_link(number - 1)
            self.action_follow_link()

    def _section_offsets(self) -> list[float]:
        """Where the pane would scroll to put each heading at its top, below the docked title.

        The last headings of an article may lie below where the pane can scroll.
        """
        docked = sum(
            child.outer_size.height for child in self.children if child.styles.dock == "top"
        )
        return [widget.virtual_region.y - docked for widget in self.query(".heading")]

    def _current_section(self, offsets: list[float]) -> int | None:
        """The heading the reader is at (None: above the first).

        The one last jumped to while the pane is still where that jump left it (near
        the end several headings share the pane's lowest position), else the last
        heading at or above the top of the pane.
        """
        index = self._section
        if index is not None and index < len(offsets) and self._at(offsets[index]):
            return index
        above = [i for i, offset in enumerate(offsets) if offset <= self.scroll_y + 0.5]
        return above[-1] if above else None

    @property
    def current_section(self) -> int | None:
        """The index of the heading the reader is at (None: above the first)."""
        return self._current_section(self._section_offsets())

    def _reachable(self, offset: float) -> float:
        """Where the pane ends up when asked to scroll to ``offset``."""
        return max(0.0, min(offset, self.max_scroll_y))

    def _at(self, offset: float) -> bool:
        """Whether the pane is where a jump to ``offset`` leaves it."""
        return abs(self.scroll_y - self._reachable(offset)) < 1

    def scroll_to_section(self, index: int) -> None:
        """Scroll so that heading ``index`` is at the top, or as near as the pane goes."""
        offsets = self._section_offsets()
        if 0 <= index < len(offsets):
            self._section = index
            self.scroll_to(y=self._reachable(offsets[index]), animate=False, immediate=True)

    def action_next_section(self) -> None:
        """Jump to the next section heading, or say there is none."""
        offsets = self._section_offsets()
        current = self._current_section(offsets)
        following = 0 if current is None else current + 1
        if following < len(offsets):
            self.scroll_to_section(following)
        else:
            self.app.notify("No more sections." if offsets else "This article has no sections.")

    def action_previous_section(self) -> None:
        """Jump to the start of this section, or to the previous heading when at it (or the top)."""
        offsets = self._section_offsets()
        current = self._current_section(offsets)
        if current is not None and self._at(offsets[current]):
            current -= 1
        if current is not None and current >= 0:
            self.scroll_to_section(current)
        else:
            self._section = None
            self.scroll_home(animate=False)


def _left_out(count: int, what: str, article_id: int) -> Static:
    note = f"… {count:,} more {what} not drawn here; `newsreader show {article_id}` prints them all"
    return Static(Text(note, style="dim italic"), classes="paragraph")
