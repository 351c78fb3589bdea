"""Import local article files and folders into the store.

A folder is walked recursively; its sub-folders become the category path of the
articles in them unless an article carries its own breadcrumb, and either nests
under the category the user gave. Each file that cannot be read is reported with
its reason and skipped; the rest go on.

The walk opens only folders. What it does not read it names, with the reason:
a FIFO, socket or device; a link that leads out of the folder; a link loop; a
folder it may not read, or has walked already (mounted twice); and whatever lies
past :data:`MAX_WALK_ENTRIES`. Folders of any depth are walked (the walk is a
loop); the category their depth gives is bounded where categories are set.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from newsreader.extract import ExtractError, extract_file, is_supported
from newsreader.files import display_path, not_regular
from newsreader.store import Outcome, PreparedArticle, Store, prepare_article

BATCH_SIZE = 500
POOL_THRESHOLD = 200
"""Fewer files than this are extracted in-process: a pool costs more than it saves."""
POOL_CHUNK = 32
MAX_WALK_ENTRIES = 100_000
"""Names a walk looks at under one path (files of any kind, folders, hidden ones).

The files to import are all listed before the first is read, at about 0.5 KB
each, and a folder's names are sorted in memory: a folder of millions of files
took gigabytes before anything was imported. 100,000 names keep the walk to
tens of megabytes and about a second, ten times the largest import benchmarked."""
OUTSIDE_LINK = "a link to outside the folder, not followed"


@dataclass(slots=True)
class ImportReport:
    """What an import did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicate: int = 0
    failures: list[tuple[Path, str]] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        """Record one stored article."""
        if outcome is Outcome.NEW:
            self.new += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.duplicate += 1


Found = tuple[Path, tuple[str, ...], str | None]
"""A path the walk found, the folders below the root that hold it, and why it is
not read (None: it is a file to import)."""


def iter_files(root: Path) -> Iterator[Found]:
    """Files to import under ``root``, and the paths passed over with their reasons.

    Hidden files and folders are skipped; so are files of unsupported types
    inside folders (a file named explicitly is always tried, and refused by
    :func:`~newsreader.extract.extract_file` if it is not a regular file). In a
    folder, a FIFO, socket or device named like an article is refused unopened;
    a link is followed only to a regular file inside the folder (a link to a
    folder inside is passed over, since the walk gets there anyway); a link
    loop or a dangling link is refused with the system's reason.
    """
    try:
        info = root.stat()
    except FileNotFoundError:
        yield root, (), "no such file or folder"
        return
    except OSError as error:
        yield root, (), _reason(error)
        return
    real = Path(os.path.realpath(root))
    if not stat.S_ISDIR(info.st_mode):
        yield real, (), None
        return
    seen = {(info.st_dev, info.st_ino)}
    looked = 0
    stack: list[tuple[Path, tuple[str, ...]]] = [(real, ())]
    while stack:
        folder, folders = stack.pop()
        entries: list[os.DirEntry[str]] = []
        exhausted = False
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    if looked == MAX_WALK_ENTRIES:
                        exhausted = True
                        break
                    looked += 1
                    entries.append(entry)
        except OSError as error:
            yield folder, folders, f"cannot read folder: {_reason(error)}"
            continue
        below: list[tuple[Path, tuple[str, ...]]] = []
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            verdict = _look_at(entry, real)
            if verdict is _Verdict.WALK:
                verdict = _folder_refusal(entry, seen) or _Verdict.WALK
            if verdict is _Verdict.WALK:
                below.append((path, (*folders, display_path(entry.name))))
            elif verdict is _Verdict.IMPORT:
                yield path, folders, None
            elif isinstance(verdict, str):
                yield path, folders, verdict
        if exhausted:
            limit = f"more than {MAX_WALK_ENTRIES:,} files and folders; the rest were not read"
            yield real, (), limit
            return
        stack.extend(reversed(below))


class _Verdict(Enum):
    """What the walk does with a name in a folder, when it does not refuse it."""

    IMPORT = "import"
    WALK = "walk"
    PASS_OVER = "pass over"
    """Hidden, of a type not read, or a link to a folder walked anyway: said nowhere."""


def _look_at(entry: os.DirEntry[str], root: Path) -> _Verdict | str:
    """What to do with a folder's entry, or why it is refused; nothing is opened."""
    supported = is_supported(Path(entry.name))
    try:
        if entry.is_symlink():
            return _look_at_link(entry, root, supported)
        if entry.is_dir(follow_symlinks=False):
            return _Verdict.WALK
        if not supported:
            return _Verdict.PASS_OVER
        if entry.is_file(follow_symlinks=False):
            return _Verdict.IMPORT
        return not_regular(entry.stat(follow_symlinks=False).st_mode) or _Verdict.IMPORT
    except OSError as error:
        return _reason(error) if supported else _Verdict.PASS_OVER


def _look_at_link(entry: os.DirEntry[str], root: Path, supported: bool) -> _Verdict | str:
    """A link is followed only to a regular file inside ``root``."""
    try:
        mode = entry.stat().st_mode
    except OSError as error:  # dangling, or a loop
        return _reason(error) if supported else _Verdict.PASS_OVER
    inside = Path(os.path.realpath(entry.path)).is_relative_to(root)
    if stat.S_ISDIR(mode):
        return _Verdict.PASS_OVER if inside else OUTSIDE_LINK
    if not supported:
        return _Verdict.PASS_OVER
    if not inside:
        return OUTSIDE_LINK
    return not_regular(mode) or _Verdict.IMPORT


def _folder_refusal(entry: os.DirEntry[str], seen: set[tuple[int, int]]) -> str | None:
    """Why a sub-folder is not walked: unreadable, or a folder already walked (a mount loop)."""
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError as error:
        return f"cannot read folder: {_reason(error)}"
    if (info.st_dev, info.st_ino) in seen:
        return "a folder already walked (mounted twice), not read again"
    seen.add((info.st_dev, info.st_ino))
    return None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def import_paths(
    store: Store,
    paths: list[Path],
    *,
    categories: tuple[str, ...] = (),
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import files and folders into the store, in batched transactions.

    Extraction is CPU work, so a large import spreads it over a process pool
    while this process writes to the store; a small one stays in-process.

    Args:
        store: Where articles go.
        paths: Files and folders.
        categories: The root category of every article: its own breadcrumb, or
            else its sub-folders, nest under it.
        progress: Called with each file after it is handled.
        workers: Extraction processes (default: one per CPU; 0 or 1: none).
    """
    report = ImportReport()
    jobs: list[_Job] = []
    for root in paths:
        for path, folders, refusal in iter_files(root):
            if refusal is None:
                jobs.append((path, categories, folders))
            else:
                report.failures.append((path, refusal))
    worker_count = (os.cpu_count() or 1) if workers is None else workers
    pending: list[PreparedArticle] = []
    for path, rows, error in _extracted(jobs, worker_count):
        if error is not None:
            report.failures.append((path, error))
            continue
        pending.extend(rows)
        if progress:
            progress(path)
        if len(pending) >= BATCH_SIZE:
            _flush(store, pending, report)
    _flush(store, pending, report)
    return report


_Job = tuple[Path, tuple[str, ...], tuple[str, ...]]
"""A file, its root category and the folders that hold it."""
_Extracted = tuple[Path, list[PreparedArticle], str | None]


def _extract_one(job: _Job) -> _Extracted:
    """Extract one file and prepare its rows (in a pool worker, for a large import).

    Every failure becomes that file's reason, never an exception: an expected one
    (:class:`ExtractError`) as it is, anything else (a bug, or a library that cannot
    be imported) with its type, so one bad file or extractor never ends the import.
    Files without a date sort by their modification time.
    """
    path, root, folders = job
    try:
        mtime = path.stat().st_mtime
        articles = extract_file(path, root=root, folders=folders)
        rows = [prepare_article(article, mtime) for article in articles]
    except ExtractError as error:
        return path, [], str(error)
    except OSError as error:
        return path, [], _reason(error)
    except Exception as error:
        return path, [], f"cannot extract: {describe_error(error)}"
    return path, rows, None


def describe_error(error: Exception) -> str:
    """An unexpected exception as one reason: its type, then its message if it has one."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _extracted(jobs: list[_Job], workers: int) -> Iterator[_Extracted]:
    """Extraction results in job order, from a process pool when it pays off."""
    if workers < 2 or len(jobs) < POOL_THRESHOLD:
        yield from map(_extract_one, jobs)
        return
    methods = multiprocessing.get_all_start_methods()
    # fork starts workers without re-importing anything; the parent holds no threads here.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_extract_one, jobs, chunksize=POOL_CHUNK)


def _flush(store: Store, pending: list[PreparedArticle], report: ImportReport) -> None:
    for outcome, _article_id in store.store_prepared(pending):
        report.count(outcome)
    pending.clear()
