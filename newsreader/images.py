"""Figures' images: fetched with the page rules, kept in a bounded folder, decoded safely.

An image is outside data twice over: its bytes come from any server, and Pillow
decodes them. So a fetch is capped in time and size like a page's (only http(s),
through :class:`~newsreader.sources.http.Fetcher`), what is kept is bounded in
total (the least recently shown go first), and a decode is bounded in pixels
before Pillow allocates them; every way an image can be bad is an
:class:`ImageError`, never another exception. Offline, only the folder is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from newsreader.sanitize import feed_url_problem, is_safe_url

IMAGE_ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
"""What an image fetch asks for."""
MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""The most bytes one image may have, fetched or read from the folder."""
MAX_IMAGE_PIXELS = 25_000_000
"""The most pixels an image may declare: checked on its header, before it is decoded."""
MAX_SHOWN_SIDE = 1600
"""A decoded image is scaled down to at most this many pixels a side (no terminal shows more)."""
MAX_FOLDER_BYTES = 200 * 1024 * 1024
"""The most the image folder holds; beyond it the least recently used images go."""
STOP_POLL_SECONDS = 0.05
"""How often a fetch looks whether it should stop (another article was opened)."""

# Pillow's own bound stays set (a decompression bomb raises), below ours in case it
# is reached some other way.
Image.MAX_IMAGE_PIXELS = 2 * MAX_IMAGE_PIXELS


class ImageError(Exception):
    """An image that cannot be shown: the message says why."""


class ImageNotCached(ImageError):
    """Offline, and the image was never fetched."""


@dataclass(frozen=True, slots=True)
class ImageFolder:
    """The folder fetched images are kept in, under hashed names, bounded in total size.

    Attributes:
        path: The folder (made when the first image is kept).
        max_bytes: The most it holds.
    """

    path: Path
    max_bytes: int = MAX_FOLDER_BYTES

    def file_for(self, url: str) -> Path:
        """Where the image of ``url`` is kept (a hash of the address: any URL is a safe name)."""
        return self.path / hashlib.blake2b(url.encode("utf-8"), digest_size=20).hexdigest()

    def read(self, url: str) -> bytes | None:
        """The kept bytes of ``url``, marked as just used; None when none are kept."""
        file = self.file_for(url)
        try:
            with file.open("rb") as stream:
                data = stream.read(MAX_IMAGE_BYTES + 1)
            os.utime(file)
        except OSError:
            return None
        return data if len(data) <= MAX_IMAGE_BYTES else None

    def keep(self, url: str, data: bytes) -> None:
        """Keep the bytes of ``url`` (written whole, then renamed), then keep the folder in bound.

        A folder that cannot be written is no error: the image is shown all the same.
        """
        file = self.file_for(url)
        partial = file.with_name(f"{file.name}.{os.getpid()}.{threading.get_ident()}.part")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
            partial.replace(file)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()
            return
        self.evict()

    def evict(self) -> None:
        """Remove the least recently used images until the folder holds at most ``max_bytes``."""
        entries: list[tuple[float, int, Path]] = []
        try:
            with os.scandir(self.path) as scan:
                for entry in scan:
                    with contextlib.suppress(OSError):
                        if entry.is_file(follow_symlinks=False):
                            stat = entry.stat(follow_symlinks=False)
                            entries.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size


def image_address_problem(url: str) -> str | None:
    """Why an image may not be fetched from ``url`` (only absolute http(s)), or None."""
    if not is_safe_url(url):
        return "its address is not http(s)"
    return feed_url_problem(url)


def decode_image(data: bytes) -> Image.Image:
    """The picture in ``data``, decoded within bounds and scaled to :data:`MAX_SHOWN_SIDE`.

    Raises:
        ImageError: not an image Pillow reads, broken, truncated, too large in
            bytes or in declared pixels.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"the image is over {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            width, height = opened.size
            if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
                raise ImageError(f"the image is too large ({width} x {height} pixels)")
            opened.draft("RGB", (MAX_SHOWN_SIDE, MAX_SHOWN_SIDE))
            opened.load()
            picture = opened.convert("RGBA" if "A" in opened.getbands() else "RGB")
        picture.thumbnail((MAX_SHOWN_SIDE, MAX_SHOWN_SIDE))
    except ImageError:
        raise
    except Image.DecompressionBombError as error:
        raise ImageError("the image is too large") from error
    # Pillow's decoders fail in many ways on hostile input (OSError, SyntaxError,
    # ValueError, struct.error, EOFError, MemoryError ...): each is a bad image.
    except Exception as error:
        raise ImageError(f"the image cannot be read ({type(error).__name__})") from error
    return picture


async def _fetch(url: str, timeout: float, stop: threading.Event | None) -> bytes:
    from newsreader.sources.http import Fetcher

    async with Fetcher(timeout=timeout, max_bytes=MAX_IMAGE_BYTES, per_host=2) as fetcher:
        task = asyncio.ensure_future(fetcher.fetch(url, accept=IMAGE_ACCEPT))
        while not task.done():
            await asyncio.wait({task}, timeout=STOP_POLL_SECONDS)
            if stop is not None and stop.is_set() and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                raise ImageError("stopped")
        return task.result().body


def fetch_image_bytes(url: str, *, timeout: float, stop: threading.Event | None = None) -> bytes:
    """GET an image (the page rules: http(s) only, time and size caps, redirects bounded).

    Raises:
        ImageError: the address is not one to fetch, the fetch failed, or ``stop``
            was set meanwhile.
    """
    # Here rather than at the top: the reader imports this module at launch, and
    # the HTTP client (aiohttp) is needed only once a picture is fetched.
    from newsreader.sources.http import FetchError

    problem = image_address_problem(url)
    if problem is not None:
        raise ImageError(problem)
    try:
        return asyncio.run(_fetch(url, timeout, stop))
    except FetchError as error:
        raise ImageError(str(error)) from error


def load_image(
    url: str,
    folder: ImageFolder,
    *,
    offline: bool,
    timeout: float,
    stop: threading.Event | None = None,
) -> Image.Image:
    """The picture of ``url``: from the folder if kept there, else fetched (and kept).

    Raises:
        ImageNotCached: offline, and it was never fetched.
        ImageError: it cannot be fetched or decoded.
    """
    problem = image_address_problem(url)
    if problem is not None:
        raise ImageError(problem)
    data = folder.read(url)
    if data is None:
        if offline:
            raise ImageNotCached("offline, and the image is not cached")
        data = fetch_image_bytes(url, timeout=timeout, stop=stop)
        picture = decode_image(data)
        # Kept only once it decodes: a broken image is not worth a place in the folder.
        folder.keep(url, data)
        return picture
    return decode_image(data)
