"""The article pane: title, meta line, sections with real headings, figures, links.

Every piece of article text is given to widgets as rich ``Text`` built from
sanitized strings, never as markup. Links are numbered (as in newsboat) and
marked where their text is (``Mac[5]``); a link cursor walks them in reading
order (the article's address and enclosures, the body's links, the list at the
end); Enter or a click follows one, digits follow link N. The text column keeps
to the reading width, centred.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from rich.text import Text
from textual.containers import VerticalScroll
from textual.events import Click, Resize
from textual.geometry import Region, Spacing
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from newsreader.keys import ARTICLE
from newsreader.links import RELATED_HEADING, Anchor, article_links, link_anchors, related_links
from newsreader.marks import link_pieces
from newsreader.model import ArticleSummary, Link, LinkKind, StoredArticle
from newsreader.render import LINK_META, address_line, marked_paragraph, meta_line, pieces_text
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


class _Followable(Static):
    """A line of the pane the link cursor stops at; clicking it follows its link."""

    def on_click(self, event: Click) -> None:
        event.stop()
        view = self.ancestors[0] if self.ancestors else None
        if isinstance(view, ArticleView):
            view.follow_stop_of(self)


class LinkLine(_Followable):
    """One numbered link at the foot of the article; clicking it follows it."""

    def __init__(self, number: int, link: Link, target: list[int]) -> None:
        label = pieces_text(link_pieces(number, link, "in cache" if target else None))
        super().__init__(label, classes="link")
        self.number = number


class MetaLink(_Followable):
    """The article's own address, or one of its enclosures, in the meta block."""

    def __init__(self, label: Text, number: int | None) -> None:
        super().__init__(label, classes="meta meta-link link")
        self.number = number
        """The enclosure's link number; None for the article's own address."""


class ParagraphBlock(Static):
    """A run of paragraphs, their links marked where their text is (``Mac[5]``).

    One widget for many paragraphs and all their links (a widget each would make
    long articles slow): the anchors are spans of its ``Text``, carrying their
    link's number as meta (:data:`~newsreader.render.LINK_META`) for a click.
    """

    def __init__(self, paragraphs: Sequence[str], anchors: Sequence[Sequence[Anchor]]) -> None:
        self.paragraphs = list(paragraphs)
        """The paragraphs, cleaned as drawn."""
        self.anchors = [list(found) for found in anchors]
        """Each paragraph's anchors, in order."""
        super().__init__(self._text(None), classes="paragraph")

    def _text(self, selected: Anchor | None, upto: Anchor | None = None) -> Text:
        """The block's text, ``selected`` highlighted; cut before ``upto`` if given."""
        parts: list[Text] = []
        for paragraph, anchors in zip(self.paragraphs, self.anchors, strict=True):
            if upto is not None and upto in anchors:
                # Up to the anchor's first word: where that word wraps to is its line.
                first_word = paragraph[upto.start : upto.end].split(maxsplit=1)[0]
                cut = anchors[: anchors.index(upto)]
                parts.append(marked_paragraph(paragraph[: upto.start] + first_word, cut))
                break
            chosen = anchors.index(selected) if selected in anchors else None
            parts.append(marked_paragraph(paragraph, anchors, clickable=True, selected=chosen))
        return Text("\n\n").join(parts)

    def select(self, anchor: Anchor | None) -> None:
        """Highlight ``anchor`` (None: none)."""
        self.update(self._text(anchor))

    def line_of(self, anchor: Anchor) -> int:
        """The line of the block (from 0) the anchor's text starts on, as wrapped now."""
        width = max(1, self.content_size.width)
        before = self._text(None, upto=anchor)
        return max(0, len(before.wrap(self.app.console, width)) - 1)

    def on_click(self, event: Click) -> None:
        number = event.style.meta.get(LINK_META) if event.style.meta else None
        view = self.ancestors[0] if self.ancestors else None
        if isinstance(number, int) and isinstance(view, ArticleView):
            event.stop()
            view.follow_anchor(self, number)


@dataclass(frozen=True, slots=True)
class LinkStop:
    """A place the link cursor stops at, in reading order.

    Attributes:
        widget: The widget that shows it.
        number: The link's number; None for the article's own address.
        anchor: Where it is in a paragraph block, for a link marked in the text.
    """

    widget: Static
    number: int | None
    anchor: Anchor | None = None


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article; owns the link cursor and section jumps."""

    class LinkFollowed(Message):
        """The reader followed a link in the article."""

        def __init__(self, link: Link, targets: list[int]) -> None:
            super().__init__()
            self.link = link
            self.targets = targets

    class AddressFollowed(Message):
        """The reader followed the article's own address (it is for the browser)."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(
        self,
        keys: Mapping[str, tuple[str, ...]],
        *,
        reading_width: int = 80,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        install_bindings(self, ARTICLE, keys)
        self.reading_width = reading_width
        """The widest the text column runs (0: the pane's full width)."""
        self.article: StoredArticle | None = None
        self.links: list[Link] = []
        """The links of the article, numbered from 1: the body's, then its enclosures."""
        self.targets: list[list[int]] = []
        self.stops: list[LinkStop] = []
        """Where the link cursor stops, in reading order."""
        self.stop_index: int | None = None
        """The stop under the link cursor (None: none)."""
        self.headings: list[str] = []
        self._section: int | None = None
        """The heading last jumped to (see :meth:`_current_section`)."""
        self._title: Static | None = None
        """The docked title of the article shown."""

    def show(
        self,
        stored: StoredArticle,
        targets: list[list[int]],
        source_label: str,
        scroll_y: float = 0.0,
        related: Sequence[ArticleSummary] = (),
    ) -> None:
        """Render an article (replacing what was shown), scrolled to ``scroll_y``; the
        ``related`` articles of the cache are numbered on after its links."""
        self.article = stored
        own_links = article_links(stored.article)
        self.links = [*own_links, *related_links(related)]
        self.targets = [*targets, *([each.id] for each in related)]
        self.stop_index = None
        self._section = None
        self.remove_children()
        article = stored.article
        self._title = Static(Text(clean_line(article.title)), classes="title")
        widgets: list[Widget] = [self._title]
        widgets.append(Static(Text(meta_line(article, source_label)), classes="meta"))
        meta_links: list[Static] = []
        if article.url:
            meta_links.append(MetaLink(Text(address_line(article.url)), None))
        for number, link in enumerate(self.links[:MAX_DRAWN_LINKS], start=1):
            if link.kind is LinkKind.ENCLOSURE:
                meta_links.append(MetaLink(pieces_text(link_pieces(number, link, None)), number))
        widgets.extend(meta_links)
        self.headings = []
        body = self._body(stored)
        widgets.extend(body)
        links = list(zip(own_links, targets, strict=True))
        lines: list[LinkLine] = []
        if links:
            widgets.append(Static(Text("Links"), classes="links-heading"))
            lines = [
                LinkLine(number, link, target)
                for number, (link, target) in enumerate(links[:MAX_DRAWN_LINKS], start=1)
            ]
            widgets.extend(lines)
            if len(links) > MAX_DRAWN_LINKS:
                widgets.append(_left_out(len(links) - MAX_DRAWN_LINKS, "links", stored.id))
        if related:
            widgets.append(Static(Text(RELATED_HEADING), classes="links-heading"))
            related_lines = [
                LinkLine(number, link, target)
                for number, (link, target) in enumerate(
                    zip(self.links[len(own_links) :], self.targets[len(own_links) :], strict=True),
                    start=len(own_links) + 1,
                )
            ]
            widgets.extend(related_lines)
            lines += related_lines
        self.stops = [
            *(LinkStop(widget, getattr(widget, "number", None)) for widget in meta_links),
            *(
                LinkStop(block, anchor.number, anchor)
                for block in body
                if isinstance(block, ParagraphBlock)
                for found in block.anchors
                for anchor in found
            ),
            *(LinkStop(line, line.number) for line in lines),
        ]
        if self.reading_width:
            for widget in widgets[1:]:
                # The pane centres its children (app.tcss): a column this wide at most.
                widget.styles.max_width = self.reading_width
        mounted = self.mount_all(widgets)
        self._fit_title()
        self.scroll_home(animate=False)
        if scroll_y:
            self.call_later(self._scroll_when_laid_out, mounted, scroll_y)

    def _body(self, stored: StoredArticle) -> list[Widget]:
        """Headings, paragraphs (a block widget per run of them) and figures."""
        article = stored.article
        shown = [clean_text(p) for p in article.paragraphs[:MAX_DRAWN_PARAGRAPHS]]
        by_paragraph: list[list[Anchor]] = [[] for _ in shown]
        own = [link for link in self.links if link.kind is not LinkKind.RELATED]
        for anchor in link_anchors(shown, own[:MAX_DRAWN_LINKS]):
            by_paragraph[anchor.paragraph].append(anchor)
        widgets: list[Widget] = []
        drawn = 0
        for number, section in enumerate(article.sections):
            if drawn >= MAX_DRAWN_PARAGRAPHS:
                break
            if section.heading:
                self.headings.append(clean_line(section.heading))
                widgets.append(Static(Text(clean_line(section.heading)), classes="heading"))
            count = min(len(section.paragraphs), MAX_DRAWN_PARAGRAPHS - drawn)
            for start in range(drawn, drawn + count, PARAGRAPHS_PER_BLOCK):
                end = min(start + PARAGRAPHS_PER_BLOCK, drawn + count)
                widgets.append(ParagraphBlock(shown[start:end], by_paragraph[start:end]))
            drawn += count
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

    def on_resize(self, event: Resize) -> None:
        """Keep the title over the text column as the pane's width changes."""
        self._fit_title()

    def _fit_title(self) -> None:
        """Indent the docked title to the centred text column (a docked widget is not
        aligned with the others; it keeps the pane's full width for its band)."""
        title = self._title
        if title is None:
            return
        width = self.scrollable_content_region.width
        side = max(0, (width - self.reading_width) // 2) if self.reading_width else 0
        if title.styles.padding.left != side:
            title.styles.padding = (1, side, 0, side)

    @property
    def link_lines(self) -> list[LinkLine]:
        """The numbered link widgets at the foot of the article, in order."""
        return list(self.query(LinkLine))

    @property
    def link_index(self) -> int | None:
        """The index in :attr:`links` of the link under the cursor (None: none, or the
        article's own address)."""
        stop = self.selected_stop
        return None if stop is None or stop.number is None else stop.number - 1

    @property
    def selected_stop(self) -> LinkStop | None:
        """The stop under the link cursor, if any."""
        return self.stops[self.stop_index] if self.stop_index is not None else None

    def select_link(self, index: int | None) -> None:
        """Put the link cursor on link ``index`` (from 0) in the list at the end, or on none."""
        lines = self.link_lines
        if index is None or not lines:
            self.select_stop(None)
            return
        line = lines[max(0, min(index, len(lines) - 1))]
        self.select_stop(next(i for i, stop in enumerate(self.stops) if stop.widget is line))

    def select_stop(self, index: int | None) -> None:
        """Move the link cursor to stop ``index`` (None: no link selected), in view."""
        if not self.stops:
            index = None
        if index is not None:
            index = max(0, min(index, len(self.stops) - 1))
        old = self.selected_stop
        self.stop_index = index
        new = self.selected_stop
        if old is not None and (new is None or old.widget is not new.widget):
            self._mark(old, selected=False)
        if new is not None:
            self._mark(new, selected=True)
            # At once, so that a key pressed before the next refresh (back, follow)
            # sees where the pane is going; again after the refresh, in case the
            # article was not laid out yet.
            self._scroll_to_stop(new, immediate=True)
            self.call_after_refresh(self._scroll_to_stop, new, immediate=False)

    def _mark(self, stop: LinkStop, *, selected: bool) -> None:
        if isinstance(stop.widget, ParagraphBlock):
            stop.widget.select(stop.anchor if selected else None)
        else:
            stop.widget.set_class(selected, "-selected")

    def _scroll_to_stop(self, stop: LinkStop, *, immediate: bool) -> None:
        if stop is not self.selected_stop:
            return
        widget = stop.widget
        region = widget.virtual_region
        if isinstance(widget, ParagraphBlock) and stop.anchor is not None:
            top = region.y + widget.styles.padding.top + widget.line_of(stop.anchor)
            region = Region(region.x, top, region.width, 1)
        # Below the docked title, which covers the top of the pane.
        docked = Spacing(top=self._docked_height())
        self.scroll_to_region(region, spacing=docked, animate=False, immediate=immediate)

    def action_next_link(self) -> None:
        """Select the next link, in reading order."""
        self.select_stop(0 if self.stop_index is None else self.stop_index + 1)

    def action_previous_link(self) -> None:
        """Select the previous link, in reading order."""
        self.select_stop(0 if self.stop_index is None else self.stop_index - 1)

    def action_follow_link(self) -> None:
        """Follow the selected link."""
        stop = self.selected_stop
        if self.article is None or stop is None:
            return
        if stop.number is None:
            if self.article.article.url:
                self.post_message(self.AddressFollowed(self.article.article.url))
            return
        self._follow(stop.number - 1)

    def follow_stop_of(self, widget: Static) -> None:
        """Select and follow the stop ``widget`` shows (a clicked line)."""
        for index, stop in enumerate(self.stops):
            if stop.widget is widget:
                self.select_stop(index)
                self.action_follow_link()
                return

    def follow_anchor(self, block: ParagraphBlock, number: int) -> None:
        """Select and follow link ``number`` where ``block`` marks it (a clicked marker)."""
        for index, stop in enumerate(self.stops):
            if stop.widget is block and stop.number == number:
                self.select_stop(index)
                self.action_follow_link()
                return

    @property
    def selected_link(self) -> Link | None:
        """The link under the link cursor, if any (the article's own address too)."""
        stop = self.selected_stop
        if stop is None:
            return None
        if stop.number is None:
            url = self.article.article.url if self.article else None
            return Link(LinkKind.INLINE, url, url) if url else None
        return self.links[stop.number - 1]

    def action_follow_number(self, number: int) -> None:
        """Follow link N directly (the numbered hints).

        The link is not selected, nor the pane scrolled to it, first: that would
        draw a frame of this article before the one it leads to, which replaces
        it (and back returns to where the reader was, not to the list of links).
        Where it cannot be followed at once, the screen selects it (and so brings
        it into view) with :meth:`show_link`.
        """
        if self.article is not None and 1 <= number <= len(self.links):
            self._follow(number - 1)

    def _follow(self, index: int) -> None:
        self.post_message(self.LinkFollowed(self.links[index], self.targets[index]))

    def show_link(self, link: Link) -> None:
        """Put the link cursor on ``link``, unless it is there already."""
        if link in self.links and self.link_index != self.links.index(link):
            self.select_link(self.links.index(link))

    def _section_offsets(self) -> list[float]:
        """Where the pane would scroll to put each heading at its top, below the docked title.

        The last headings of an article may lie below where the pane can scroll.
        """
        docked = self._docked_height()
        return [widget.virtual_region.y - docked for widget in self.query(".heading")]

    def _docked_height(self) -> int:
        """The rows the docked title covers at the top of the pane."""
        return sum(child.outer_size.height for child in self.children if child.styles.dock == "top")

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
