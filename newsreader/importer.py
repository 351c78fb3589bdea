"""Import local article files and folders into the cache.

A folder is walked recursively; its sub-folders become the category path of the
articles in them unless an article carries its own breadcrumb, and either nests
under the category the user gave. Each file that cannot be read is reported with
its reason and skipped; the rest go on.

The walk opens only folders. What it does not read it names, with the reason:
a FIFO, socket or device; a link that leads out of the folder; a link loop; a
folder it may not read, or has walked already (mounted twice); and the names of
one folder past :data:`MAX_FOLDER_ENTRIES`. Folders of any depth are walked (the
walk is a loop); the category their depth gives is bounded where categories are
set. The walk feeds extraction as it goes, so an import's memory follows the
largest folder, not the number of files.
"""

from __future__ import annotations

import heapq
import itertools
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from newsreader.cache import Cache, Outcome, PreparedArticle, prepare_articles
from newsreader.extract import ExtractError, extract_file, is_supported, worth_importing
from newsreader.files import display_path, not_regular
from newsreader.pool import pool_workers, process_pool

BATCH_SIZE = 500
POOL_THRESHOLD = 200
"""Fewer files than this are extracted in-process: a pool costs more than it saves."""
POOL_CHUNK = 32
POOL_AHEAD = 4
"""Chunks per worker handed to the pool ahead of the one being stored."""
MAX_FOLDER_ENTRIES = 1_000_000
"""Names of one folder that are read (articles, folders, links; hidden files and
files of other types are not kept, so do not count).

A folder's names are sorted in memory before its files are imported: an article
file's name costs about 80 bytes, so a million keep the walk under 100 MB and a
few seconds. Past that the folder's other names are not read, and it is said."""
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

    def merge(self, other: ImportReport) -> None:
        """Add another import's counts and failures to this one's."""
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicate += other.duplicate
        self.failures.extend(other.failures)


Found = tuple[Path, tuple[str, ...], str | None]
"""A path the walk found, the folders below the root that hold it, and why it is
not read (None: it is a file to import)."""


def iter_files(root: Path) -> Iterator[Found]:
    """Files to import under ``root``, and the paths passed over with their reasons.

    Hidden files and folders are skipped; so are files of unsupported types
    inside folders, and ``.json`` files that are not JSON Feeds (a file named
    explicitly is always tried, and refused by
    :func:`~newsreader.extract.extract_file` if it is not a regular file). In a
    folder, a FIFO, socket or device named like an article is refused unopened;
    a link is followed only to a regular file inside the folder (a link to a
    folder inside is passed over, since the walk gets there anyway); a link
    loop or a dangling link is refused with the system's reason. Each folder's
    names come in order, its files before its sub-folders, depth first.
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
    # Each level of the walk is an iterator over the sub-folders still to walk.
    pending: list[Iterator[tuple[Path, tuple[str, ...]]]] = [iter([(real, ())])]
    while pending:
        next_folder = next(pending[-1], None)
        if next_folder is None:
            pending.pop()
            continue
        folder, folders = next_folder
        below: list[str] = []
        yield from _walk_one(folder, folders, real, seen, below)
        pending.append(_sub_folders(folder, folders, below))


def _sub_folders(
    folder: Path, folders: tuple[str, ...], names: list[str]
) -> Iterator[tuple[Path, tuple[str, ...]]]:
    for name in names:
        yield folder / name, (*folders, display_path(name))


def _walk_one(
    folder: Path,
    folders: tuple[str, ...],
    root: Path,
    seen: set[tuple[int, int]],
    below: list[str],
) -> Iterator[Found]:
    """One folder's files and refusals in name order; its sub-folders to walk go in ``below``."""
    articles: list[str] = []  # regular files of a supported type: only their names are kept
    others: list[os.DirEntry[str]] = []
    full = False
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith("."):
                    continue
                if len(articles) + len(others) == MAX_FOLDER_ENTRIES:
                    full = True
                    break
                if _is_plain_file(entry):
                    if worth_importing(Path(entry.path)):
                        articles.append(entry.name)
                else:
                    others.append(entry)
    except OSError as error:
        yield folder, folders, f"cannot read folder: {_reason(error)}"
        return
    articles.sort()
    others.sort(key=_entry_name)
    named: tuple[Iterable[str | os.DirEntry[str]], ...] = (articles, others)
    for item in heapq.merge(*named, key=_entry_name):
        if isinstance(item, str):
            yield folder / item, folders, None
            continue
        verdict = _look_at(item, root)
        if verdict is _Verdict.WALK:
            verdict = _folder_refusal(item, seen) or _Verdict.WALK
        if verdict is _Verdict.WALK:
            below.append(item.name)
        elif verdict is _Verdict.IMPORT:
            yield Path(item.path), folders, None
        elif isinstance(verdict, str):
            yield Path(item.path), folders, verdict
    if full:
        limit = f"more than {MAX_FOLDER_ENTRIES:,} names in one folder; the rest were not read"
        yield folder, folders, limit


def _is_plain_file(entry: os.DirEntry[str]) -> bool:
    """A regular file, not a link (from the folder's own listing where it says)."""
    try:
        return entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _entry_name(item: str | os.DirEntry[str]) -> str:
    return item if isinstance(item, str) else item.name


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
            return _Verdict.IMPORT if worth_importing(Path(entry.path)) else _Verdict.PASS_OVER
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
    if not stat.S_ISREG(mode):
        return not_regular(mode) or _Verdict.IMPORT
    return _Verdict.IMPORT if worth_importing(Path(entry.path)) else _Verdict.PASS_OVER


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
    cache: Cache,
    paths: list[Path],
    *,
    categories: tuple[str, ...] = (),
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import files and folders into the cache, in batched transactions.

    Extraction is CPU work, so a large import spreads it over a process pool
    while this process writes to the cache; a small one stays in-process.

    Args:
        cache: Where articles go.
        paths: Files and folders.
        categories: The root category of every article: its own breadcrumb, or
            else its sub-folders, nest under it.
        progress: Called with each file after it is handled.
        workers: Extraction processes (default: one per CPU; 0 or 1: none, as from a
            process running other threads: see :mod:`newsreader.pool`).
    """
    report = ImportReport()
    worker_count = (os.cpu_count() or 1) if workers is None else workers
    pending: list[PreparedArticle] = []
    jobs = _jobs(paths, categories, report.failures)
    for path, rows, error in _extracted(jobs, worker_count):
        if error is not None:
            report.failures.append((path, error))
            continue
        pending.extend(rows)
        if progress:
            progress(path)
        if len(pending) >= BATCH_SIZE:
            _flush(cache, pending, report)
    _flush(cache, pending, report)
    return report


_Job = tuple[Path, tuple[str, ...], tuple[str, ...]]
"""A file, its root category and the folders that hold it."""
_Extracted = tuple[Path, list[PreparedArticle], str | None]


def _jobs(
    paths: Iterable[Path], categories: tuple[str, ...], failures: list[tuple[Path, str]]
) -> Iterator[_Job]:
    """The files to extract, as the walk finds them; what it refuses goes in ``failures``."""
    for root in paths:
        for path, folders, refusal in iter_files(root):
            if refusal is None:
                yield path, categories, folders
            else:
                failures.append((path, refusal))


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
        rows = prepare_articles(articles, mtime)
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


def _extracted(jobs: Iterator[_Job], workers: int) -> Iterator[_Extracted]:
    """Extraction results in job order, from a process pool when it pays off.

    Jobs are taken from the walk only as the pool has room for them, so a folder
    of millions of files is never listed whole.
    """
    if pool_workers(workers) < 2:  # none asked for, or this process runs threads
        yield from map(_extract_one, jobs)
        return
    first = list(itertools.islice(jobs, POOL_THRESHOLD))
    if len(first) < POOL_THRESHOLD:
        yield from map(_extract_one, itertools.chain(first, jobs))
        return
    chunks = _chunks(itertools.chain(first, jobs), POOL_CHUNK)
    with process_pool(workers) as pool:
        ahead: deque[Future[list[_Extracted]]] = deque(
            pool.submit(_extract_chunk, chunk)
            for chunk in itertools.islice(chunks, workers * POOL_AHEAD)
        )
        while ahead:
            done = ahead.popleft().result()
            chunk = next(chunks, None)
            if chunk is not None:
                ahead.append(pool.submit(_extract_chunk, chunk))
            yield from done


def _extract_chunk(jobs: list[_Job]) -> list[_Extracted]:
    return [_extract_one(job) for job in jobs]


def _chunks(jobs: Iterator[_Job], size: int) -> Iterator[list[_Job]]:
    while chunk := list(itertools.islice(jobs, size)):
        yield chunk


def _flush(cache: Cache, pending: list[PreparedArticle], report: ImportReport) -> None:
    for outcome, _article_id in cache.store_prepared(pending):
        report.count(outcome)
    pending.clear()
