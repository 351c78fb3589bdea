"""The image folder's bound, the decode's bounds, and where figures' addresses come from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsreader.extract.htmlbody import html_to_body
from newsreader.extract.markdown import extract_markdown
from newsreader.images import (
    MAX_IMAGE_BYTES,
    ImageError,
    ImageFolder,
    ImageNotCached,
    decode_image,
    image_address_problem,
    load_image,
)
from newsreader.model import Article, Figure
from tests.helpers.images import bomb_png, jpeg, png, truncated_jpeg


def test_the_folder_keeps_images_under_hashed_names(tmp_path: Path) -> None:
    folder = ImageFolder(tmp_path / "images")
    url = "https://example.org/../../etc/passwd?x=/y"
    folder.keep(url, b"picture")
    assert folder.read(url) == b"picture"
    [kept] = list((tmp_path / "images").iterdir())
    assert kept.name.isalnum() and kept.parent == tmp_path / "images"
    assert folder.read("https://example.org/other.png") is None


def test_the_folder_drops_the_least_recently_used_beyond_its_bound(tmp_path: Path) -> None:
    folder = ImageFolder(tmp_path, max_bytes=2500)
    for number in range(3):
        folder.keep(f"https://e.org/{number}", b"x" * 1000)
        os.utime(folder.file_for(f"https://e.org/{number}"), (1000 + number, 1000 + number))
    # Three do not fit: the oldest went when the third came.
    assert folder.read("https://e.org/0") is None
    assert folder.read("https://e.org/1") == b"x" * 1000  # read: now the most recent
    os.utime(folder.file_for("https://e.org/2"), (1500, 1500))
    folder.keep("https://e.org/3", b"x" * 1000)
    assert folder.read("https://e.org/2") is None
    assert folder.read("https://e.org/1") is not None and folder.read("https://e.org/3") is not None
    assert sum(path.stat().st_size for path in tmp_path.iterdir()) <= 2500


def test_an_unwritable_folder_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where the folder should be")
    folder = ImageFolder(tmp_path / "file" / "images")
    folder.keep("https://e.org/a.png", png())
    assert folder.read("https://e.org/a.png") is None


def test_real_images_decode_within_bounds() -> None:
    assert decode_image(png(40, 24)).size == (40, 24)
    assert decode_image(jpeg()).size == (64, 48)
    assert max(decode_image(png(4000, 10)).size) == 1600


@pytest.mark.parametrize(
    "data",
    [
        bomb_png(),
        truncated_jpeg(),
        b"<html><body>a page</body></html>",
        b"",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"x" * (MAX_IMAGE_BYTES + 1),
    ],
    ids=["bomb", "truncated", "page", "empty", "broken-png", "too-many-bytes"],
)
def test_a_bad_image_is_an_image_error(data: bytes) -> None:
    with pytest.raises(ImageError):
        decode_image(data)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "data:image/png;base64,AAAA", "javascript:x", "/relative.png",
            "https://e.org/a\x1b[31m.png"],
)  # fmt: skip
def test_only_http_addresses_are_fetched(url: str, tmp_path: Path) -> None:
    assert image_address_problem(url) is not None
    with pytest.raises(ImageError):
        load_image(url, ImageFolder(tmp_path), offline=False, timeout=1)


def test_offline_reads_only_the_folder(tmp_path: Path) -> None:
    folder = ImageFolder(tmp_path)
    with pytest.raises(ImageNotCached):
        load_image("https://e.org/a.png", folder, offline=True, timeout=1)
    folder.keep("https://e.org/a.png", png())
    assert load_image("https://e.org/a.png", folder, offline=True, timeout=1).size == (40, 24)


def test_figures_keep_their_image_address_resolved_and_safe() -> None:
    body = html_to_body(
        '<p>Text</p><figure><img src="/a.png" alt="Alt"><figcaption>Quay</figcaption></figure>'
        '<img src="b.jpg" alt="Boat"><img src="javascript:alert(1)" alt="Evil">'
        '<img src="file:///etc/passwd" alt="File">',
        base_url="https://news.example/world/1",
    )
    assert [(f.caption, f.image) for f in body.figures] == [
        ("Quay", "https://news.example/a.png"),
        ("Boat", "https://news.example/world/b.jpg"),
        ("Evil", None),
        ("File", None),
    ]


def test_markdown_pictures_are_figures_with_images() -> None:
    article = extract_markdown(
        "# T\n\n![A ferry](https://e.org/ferry.png)\n",
        source="a.md",
        guid="a.md",
        fallback_title="",
    )
    assert article.figures == (Figure("A ferry", None, 0, "https://e.org/ferry.png"),)


def test_a_figure_without_an_image_hashes_as_before() -> None:
    article = Article("T", "s", "g", figures=(Figure("Cap", "Credit", 0),))
    assert '"image"' not in article.body_json()
    with_image = Article("T", "s", "g", figures=(Figure("Cap", "Credit", 0, "https://e.org/p"),))
    assert '"image":"https://e.org/p"' in with_image.body_json()
