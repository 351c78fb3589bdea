"""Figures' images in the reader: fetched in a worker from a loopback server, kept in
the image folder, toggled, turned off, read offline, and never in the way of reading.

Each image is made by Pillow at test time; the hostile ones (a decompression bomb, a
truncated JPEG, a page served as a PNG, a server that stalls) must leave the caption
and a working reader.
"""

from __future__ import annotations

import threading
from pathlib import Path

from newsreader.images import ImageFolder
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.article_view import ArticleView
from newsreader.ui.widgets.figure_image import FigureImage
from tests.helpers.images import bomb_png, png, truncated_jpeg
from tests.helpers.reader import HARBOUR, make_app, open_titled, shown_title, until
from tests.loopback import LoopbackServer, Reply, Request, static

FERRY = "Ferry Pictures From the Quay"
SECOND = "A Second Picture Story"


def picture_article(title: str, image_url: str, caption: str = "The new ferry at the quay") -> str:
    """A Markdown article with one picture (its alt text is the caption)."""
    return (
        f"# {title}\n\nThe harbour had a busy morning.\n\n![{caption}]({image_url})\n\nMore text.\n"
    )


def picture_app(
    tmp_path: Path, server: LoopbackServer, path: str = "/ferry.png", **options: object
) -> NewsReaderApp:
    extra = {
        "ferry.md": picture_article(FERRY, server.url(path)),
        "second.md": picture_article(SECOND, server.url("/second.png"), "A tram at dusk"),
    }
    return make_app(tmp_path, extra=extra, **options)  # type: ignore[arg-type]


def figures(app: NewsReaderApp) -> list[FigureImage]:
    return list(app.query_one(ArticleView).query(FigureImage))


def has_picture(app: NewsReaderApp) -> bool:
    shown = figures(app)
    return bool(shown) and shown[0].picture is not None


def picture_shown(app: NewsReaderApp) -> bool:
    picture = figures(app)[0].picture if figures(app) else None
    return picture is not None and picture.display and picture.region.height > 0


def caption_shown(app: NewsReaderApp) -> bool:
    shown = figures(app)
    return bool(shown) and "The new ferry at the quay" in str(
        shown[0].query_one(".figure").render()
    )


async def test_a_picture_arrives_after_the_article_and_is_kept(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/ferry.png"] = static(png(), "image/png")
    app = picture_app(tmp_path, server)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        assert caption_shown(app)
        assert await until(pilot, lambda: picture_shown(app), 15)
        assert caption_shown(app)  # the picture joins the caption
        assert server.requests_to("/ferry.png")[0].headers["accept"].startswith("image/")
    folder = ImageFolder(tmp_path / "data" / "cache" / "images")
    assert folder.read(server.url("/ferry.png")) == png()


async def test_the_key_hides_and_shows_pictures(tmp_path: Path, server: LoopbackServer) -> None:
    server.routes["/ferry.png"] = static(png(), "image/png")
    app = picture_app(tmp_path, server)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        assert await until(pilot, lambda: picture_shown(app), 15)
        await pilot.press("I")
        assert await until(pilot, lambda: not picture_shown(app), 5)
        assert caption_shown(app)
        await pilot.press("I")
        assert await until(pilot, lambda: picture_shown(app), 5)


async def test_images_off_in_the_config_fetch_nothing_until_the_key(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/ferry.png"] = static(png(), "image/png")
    app = picture_app(tmp_path, server, settings="timeout = 3\nimages = false")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert caption_shown(app) and not has_picture(app)
        assert server.requests_to("/ferry.png") == []
        await pilot.press("I")
        assert await until(pilot, lambda: picture_shown(app), 15)


async def test_offline_a_kept_picture_shows_and_another_keeps_its_caption(
    tmp_path: Path, server: LoopbackServer
) -> None:
    app = picture_app(tmp_path, server, offline=True)
    folder = ImageFolder(tmp_path / "data" / "cache" / "images")
    folder.keep(server.url("/ferry.png"), png())
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        assert await until(pilot, lambda: picture_shown(app), 15)
        await open_titled(app, pilot, SECOND)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown_title(app) == SECOND
        assert figures(app) and not has_picture(app)
        assert "A tram at dusk" in str(figures(app)[0].query_one(".figure").render())
    assert server.requests == []  # offline: nothing fetched


async def test_the_next_article_opens_while_the_image_server_stalls(
    tmp_path: Path, server: LoopbackServer
) -> None:
    release = threading.Event()
    answered = threading.Event()

    def stalled(_request: Request) -> Reply:
        release.wait(30)  # bounded: a failing test still ends
        answered.set()
        return Reply(200, png(), {"Content-Type": "image/png"})

    server.routes["/ferry.png"] = stalled
    app = picture_app(tmp_path, server)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        assert await until(pilot, lambda: bool(server.requests_to("/ferry.png")), 10)
        await open_titled(app, pilot, HARBOUR)
        # Opened while the picture's server still holds its answer back: not waited on.
        assert shown_title(app) == HARBOUR and not answered.is_set()
        release.set()
        # The ferry's picture arrives after the reader left it: it goes nowhere.
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown_title(app) == HARBOUR
        assert figures(app) == []


async def test_hostile_images_leave_the_caption(tmp_path: Path, server: LoopbackServer) -> None:
    hostile = {
        "/bomb.png": Reply(200, bomb_png(), {"Content-Type": "image/png"}),
        "/cut.jpg": Reply(200, truncated_jpeg(), {"Content-Type": "image/jpeg"}),
        "/page.png": Reply(
            200, b"<html><body>not a picture</body></html>", {"Content-Type": "image/png"}
        ),
        "/huge.png": Reply(
            200, b"\x89PNG" + b"\x00" * (11 * 1024 * 1024), {"Content-Type": "image/png"}
        ),
        "/slow.png": Reply(200, png(), {"Content-Type": "image/png"}, drip=0.5, drip_limit=100),
    }
    for path, reply in hostile.items():
        server.routes[path] = lambda _request, reply=reply: reply  # type: ignore[misc]
    for path in hostile:
        app = picture_app(tmp_path / path.strip("/"), server, path, settings="timeout = 2")
        async with app.run_test(size=(120, 40)) as pilot:
            await open_titled(app, pilot, FERRY)
            assert await until(pilot, lambda path=path: bool(server.requests_to(path)), 10)  # type: ignore[misc]
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert caption_shown(app), path
            assert not has_picture(app), path
            assert shown_title(app) == FERRY
        assert app.return_code in (None, 0), path
        folder = tmp_path / path.strip("/") / "data" / "cache" / "images"
        assert not folder.exists() or list(folder.iterdir()) == [], path


async def test_a_large_picture_fits_the_pane_and_twenty_lines(
    tmp_path: Path, server: LoopbackServer
) -> None:
    server.routes["/ferry.png"] = static(png(3000, 2000), "image/png")
    app = picture_app(tmp_path, server)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_titled(app, pilot, FERRY)
        assert await until(pilot, lambda: picture_shown(app), 15)
        await pilot.pause()
        picture = figures(app)[0].picture
        assert picture is not None
        assert picture.region.height <= 20
        assert picture.region.width <= app.query_one(ArticleView).region.width
