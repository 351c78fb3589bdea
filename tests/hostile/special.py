"""Hostile things in an article folder that are not file contents, written at test time.

FIFOs, sockets and device nodes named like articles; links to devices, to endless
files and out of the folder; link loops; names that are not UTF-8; folders nested
deeper than the walk goes. None of them can be kept in git, so each test builds
the folder it needs with these.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
from pathlib import Path

PAGEMAP = Path("/proc/self/pagemap")
"""A regular file whose stated size is 0 and whose content runs for gigabytes."""
DEVICE_LINKS = {"zero.txt": Path("/dev/zero"), "random.xml": Path("/dev/urandom")}
"""Links named as articles that point at endless character devices."""
UNDECODABLE_FILE = b"\xff\xfe.txt"
UNDECODABLE_EMPTY = b"caf\xe9-empty.txt"
UNDECODABLE_FOLDER = b"caf\xe9"
"""Names in Latin-1 bytes, not UTF-8: the first two are files, the last a folder."""


_PLACES = ("river", "harbour", "station", "market", "bridge", "library", "square", "pier")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def article(path: Path, title: str) -> Path:
    """Write a small article (Markdown for ``.md``, else plain text) whose text is its own:
    its words drawn by its title, so two of them are never copies of one story."""
    path.parent.mkdir(parents=True, exist_ok=True)
    heading = f"# {title}" if path.suffix == ".md" else title
    rng = random.Random(title)
    first, second = rng.sample(_PLACES, 2)
    day = rng.choice(_DAYS)
    path.write_text(
        f"{heading}\n\nBy the {first} on {day}, {title.lower()} began quietly.\n\n"
        f"Near the {second}, {title.lower()} ended {rng.randint(2, 99)} days later.\n",
        encoding="utf-8",
    )
    return path


def make_fifo(path: Path) -> Path:
    """A named pipe: opening it to read waits for a writer that never comes."""
    os.mkfifo(path)
    return path


def make_socket(path: Path) -> Path:
    """A UNIX socket file (bound through its folder, so a long path still fits)."""
    here = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(path.name)
    finally:
        os.chdir(here)
    return path


def make_device(path: Path) -> bool:
    """A character device node like /dev/zero; False where this process may not make one."""
    try:
        os.mknod(path, 0o600 | 0o020000, os.makedev(1, 5))
    except OSError:
        return False
    return True


def unblock_fifo(path: Path) -> None:
    """Open the FIFO for writing and close it: a reader stuck on it gets end-of-file.

    Cleanup for a test that failed, so that the stuck reader does not hang the run.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


def write_links(folder: Path, outside: Path) -> dict[str, str]:
    """Links in ``folder`` of every hostile kind; returns the names that must be refused.

    ``outside`` is a folder beside it holding ``secret.txt``, a real article that
    must not be imported through a link. Also written: ``inside.txt``, a link to
    a file within the folder (imported), and ``sub/up``, a link to the folder
    itself (a loop for a walk that follows links).
    """
    outside_link = "a link to outside the folder, not followed"
    loop = "Too many levels of symbolic links"
    refused = {name: outside_link for name in DEVICE_LINKS}
    for name, target in DEVICE_LINKS.items():
        (folder / name).symlink_to(target)
    if PAGEMAP.exists():
        (folder / "pagemap.txt").symlink_to(PAGEMAP)
        refused["pagemap.txt"] = outside_link
    if Path("/etc/hostname").exists():
        (folder / "hostname.txt").symlink_to("/etc/hostname")
        refused["hostname.txt"] = outside_link
    article(outside / "secret.txt", "Secret Outside")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    refused["secret.txt"] = outside_link
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    refused["elsewhere"] = outside_link
    (folder / "loop.txt").symlink_to("loop.txt")
    refused["loop.txt"] = loop
    (folder / "ping.md").symlink_to("pong.md")
    (folder / "pong.md").symlink_to("ping.md")
    refused["ping.md"] = refused["pong.md"] = loop
    (folder / "notes").mkdir(exist_ok=True)
    article(folder / "notes" / "draft.data", "Inside Link")
    (folder / "inside.txt").symlink_to(Path("notes", "draft.data"))
    (folder / "sub").mkdir(exist_ok=True)
    (folder / "sub" / "up").symlink_to("..", target_is_directory=True)
    return refused


def write_undecodable(folder: Path) -> dict[bytes, str]:
    """Files and a folder whose names are not UTF-8; returns each file's name as shown.

    ``\\xff\\xfe.txt`` and ``café/story.txt`` (café in Latin-1) are articles;
    ``café-empty.txt`` (Latin-1) is empty, so its failure names it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    base = os.fsencode(folder)
    Path(os.fsdecode(base + b"/" + UNDECODABLE_FOLDER)).mkdir()
    article(Path(os.fsdecode(base + b"/" + UNDECODABLE_FILE)), "Undecodable Name")
    article(
        Path(os.fsdecode(base + b"/" + UNDECODABLE_FOLDER + b"/story.txt")), "Undecodable Folder"
    )
    Path(os.fsdecode(base + b"/" + UNDECODABLE_EMPTY)).write_bytes(b"")
    return {
        UNDECODABLE_FILE: "\\xff\\xfe.txt",
        UNDECODABLE_EMPTY: "caf\\xe9-empty.txt",
        UNDECODABLE_FOLDER: "caf\\xe9",
    }


def write_deep(folder: Path, depth: int) -> Path:
    """Folders ``d/d/d/...`` ``depth`` deep with an article at the bottom; returns it.

    Built one level at a time from inside, so no path is ever longer than one name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    here = Path.cwd()
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fchdir(descriptor)
        for _ in range(depth):
            Path("d").mkdir()
            os.chdir("d")
        Path("bottom.txt").write_text(
            "Bottom Of The Deep Folder\n\nA paragraph at the very bottom of the folders.\n",
            encoding="utf-8",
        )
    finally:
        os.chdir(here)
        os.close(descriptor)
    return folder.joinpath(*(["d"] * depth), "bottom.txt")


def remove_deep(top: Path) -> None:
    """Remove what :func:`write_deep` made under ``top``, a level at a time.

    ``shutil.rmtree`` recurses, and so would fail on it (pytest's clean-up too).
    """
    while (child := top / "d").is_dir():
        for entry in child.iterdir():
            if entry.name != "d":
                entry.unlink()
        if (child / "d").is_dir():
            (child / "d").rename(top / "d-next")
            child.rmdir()
            (top / "d-next").rename(child)
        else:
            child.rmdir()
