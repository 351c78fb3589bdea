"""A figure in the article pane: its caption at once, its picture when it arrives.

The picture is drawn by textual-image: Kitty (terminal graphics protocol) or
Sixel graphics where the terminal answers that it can, Unicode half-blocks in
other terminals, and plain Unicode blocks when there is no terminal (the
pilot). The terminal is asked what it can do when :mod:`newsreader.ui.graphics`
is first imported, which must be before Textual owns the terminal: this module
imports it at the top, and the command line imports the reader (and so this
module) before it starts the app.
"""

from __future__ import annotations

from PIL import Image as PILImage
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Static

from newsreader.marks import figure_pieces
from newsreader.model import Figure
from newsreader.render import pieces_text
from newsreader.ui.graphics import ImageWidget

MAX_PICTURE_ROWS = 20
"""The most lines a picture takes: it is seen whole, with text near it."""
PIXELS_PER_COLUMN = 10
"""How many of a picture's pixels make one column at its own size (a common cell is 10 x 20)."""


def picture_cells(width: int, height: int, available: int) -> tuple[int, int]:
    """The columns and lines a ``width`` x ``height`` picture is drawn in: its own size,
    narrowed to the ``available`` columns and to :data:`MAX_PICTURE_ROWS`, its shape kept
    (a cell is about twice as tall as it is wide)."""
    columns = max(1, min(available, round(width / PIXELS_PER_COLUMN)))
    rows = max(1, round(columns * height / width / 2))
    if rows > MAX_PICTURE_ROWS:
        rows = MAX_PICTURE_ROWS
        columns = max(1, min(available, round(rows * 2 * width / height)))
    return columns, rows


class FigureImage(Vertical):
    """A figure with an image address: the caption, and above it the picture once loaded."""

    DEFAULT_CSS = """
    FigureImage {
        height: auto;
    }
    FigureImage > .figure-picture {
        margin: 1 0 0 2;
    }
    """

    def __init__(self, figure: Figure, image: str) -> None:
        super().__init__()
        self.figure = figure
        self.image_url = image
        """The address the picture is loaded from."""
        self._picture_size = (1, 1)
        """The loaded picture's width and height in pixels."""

    def compose(self) -> ComposeResult:
        yield Static(pieces_text(figure_pieces(self.figure)), classes="figure")

    @property
    def picture(self) -> Widget | None:
        """The picture's widget, once it arrived."""
        found = self.query(".figure-picture")
        return found.first() if found else None

    def show_picture(self, picture: PILImage.Image, *, shown: bool) -> None:
        """Put the loaded picture above the caption (hidden unless ``shown``)."""
        if self.picture is not None:
            return
        widget = ImageWidget(picture, classes="figure-picture")
        self._picture_size = picture.size
        self._fit(widget, self.size.width)
        widget.display = shown
        self.mount(widget, before=0)

    def on_resize(self, event: Resize) -> None:
        picture = self.picture
        if picture is not None:
            self._fit(picture, event.size.width)

    def _fit(self, picture: Widget, width: int) -> None:
        """Size the picture for a pane ``width`` columns wide (less its margin)."""
        columns, rows = picture_cells(*self._picture_size, max(1, width - 2))
        picture.styles.width = columns
        picture.styles.height = rows

    def set_picture_shown(self, shown: bool) -> None:
        """Show or hide the picture (the caption always stays)."""
        picture = self.picture
        if picture is not None:
            picture.display = shown


def figure_widget(figure: Figure) -> Static | FigureImage:
    """The pane's widget for a figure: a caption line, or a :class:`FigureImage` when it
    has an image address."""
    if figure.image:
        return FigureImage(figure, figure.image)
    return Static(pieces_text(figure_pieces(figure)), classes="figure")
