"""The messages the reader's workers post to the main screen."""

from __future__ import annotations

from PIL import Image as PILImage
from textual.message import Message

from newsreader.tree import TreeCounts


class RefreshProgressed(Message):
    """A feed finished during a refresh, or a sync account's sync moved on (``syncing``:
    what it is doing, as plain text)."""

    def __init__(
        self, done: int, total: int, failed: str | None, syncing: str | None = None
    ) -> None:
        super().__init__()
        self.done, self.total, self.failed = done, total, failed
        self.syncing = syncing


class RefreshFinished(Message):
    """A refresh ended."""

    def __init__(
        self,
        failed: int,
        total: int,
        new: int,
        error: str | None,
        deferred: int = 0,
        failures: tuple[tuple[str, str], ...] = (),
        did_nothing: bool = False,
    ) -> None:
        super().__init__()
        self.failed, self.total, self.new, self.error = failed, total, new, error
        self.deferred = deferred
        self.failures = failures
        """Each failed feed's name and reason."""
        self.did_nothing = did_nothing
        """The cache is as it was (see ``RefreshReport.did_nothing``): redraw nothing."""


class PageFetched(Message):
    """A linked page was fetched and cached (or could not be)."""

    def __init__(self, article_id: int | None, error: str | None) -> None:
        super().__init__()
        self.article_id, self.error = article_id, error


class ImageLoaded(Message):
    """A figure's image was loaded for an article (or could not be: ``image`` is None)."""

    def __init__(
        self, article_id: int, url: str, image: PILImage.Image | None, error: str | None
    ) -> None:
        super().__init__()
        self.article_id, self.url, self.image, self.error = article_id, url, image, error


class TreeCounted(Message):
    """The tree's counts were read from the cache (or could not be).

    ``sequence`` says which count this is: the screen numbers each one it starts
    and drops a result older than the counts it shows.
    """

    def __init__(self, sequence: int, counts: TreeCounts | None, error: str | None) -> None:
        super().__init__()
        self.sequence, self.counts, self.error = sequence, counts, error
