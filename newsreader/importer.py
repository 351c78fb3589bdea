"""Import local article files and folders into the store.

A folder is walked recursively; its sub-folders become the category path of the
articles in them unless an article carries its own breadcrumb, and either nests
under the category the user gave. Each file that cannot be read is reported with
its reason and skipped; the rest go on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsreader.extract import ExtractError, extract_file, is_supported
from newsreader.store import Outcome, PreparedArticle, Store, prepare_article

BATCH_SIZE = 500
POOL_THRESHOLD = 200
"""Fewer files than this are extracted in-process: a pool costs more than it saves."""
POOL_CHUNK = 32


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


def iter_files(root: Path) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Files to import under ``root`` with the folders below ``root`` that hold them.

    Hidden files and folders are skipped; so are files of unsupported types
    inside folders (a file named explicitly is always tried).
    """
    if not root.is_dir():
        yield root, ()
        return
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        relative = Path(folder).relative_to(root).parts
        for name in sorted(filenames):
            path = Path(folder, name)
            if not name.startswith(".") and is_supported(path):
                yield path, relative


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
        if not root.exists():
            report.failures.append((root, "no such file or folder"))
            continue
        jobs.extend((path, categories, folders) for path, folders in iter_files(root.resolve()))
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
        return path, [], error.strerror or str(error)
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
