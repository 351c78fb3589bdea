"""The web page extraction benchmark: the extractor against Readability, page by page.

    python benchmarks/extraction/html_run.py [--corpus DIR] [--worst N] [--json] [--details]
    python benchmarks/extraction/html_run.py --show NAME   # one page, every error

Every saved page of ``corpus/pages/`` and ``corpus/html/`` goes through the
extractor as a file import sends it (``extract_bytes``), and what it made is
compared with Readability's extraction of the same page (``html_score.py``):
the title, the byline's names, the headings, the figures' captions and the
decorative pictures taken as figures, page chrome left in the paragraphs, the
page's standfirst, and the text. The two folders are printed apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from html_score import PageCounts, extract_page, score_page  # noqa: E402

DEFAULT_CORPUS = HERE.parent.parent.parent / "shared" / "corpus"
SETS = ("pages", "html")
COUNTED = (
    "title repeated as a heading",
    "decorative figures",
    "credits glued to captions",
    "chrome paragraphs",
)
"""Measures that are counts of errors: their target is 0."""


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def figures(counts: PageCounts) -> dict[str, float | int]:
    predicted = counts.headings_predicted
    return {
        "pages": counts.pages,
        "pages failed": len(counts.failed),
        "titles right": _ratio(counts.titles_right, counts.pages),
        "bylines": counts.bylines,
        "bylines right": _ratio(counts.bylines_right, counts.bylines),
        "headings": counts.headings_true,
        "heading precision": _ratio(predicted - len(counts.headings_false), predicted),
        "heading recall": _ratio(counts.headings_found, counts.headings_true),
        "title repeated as a heading": len(counts.title_repeated),
        "captions": counts.captions_true,
        "caption recall": _ratio(counts.captions_found, counts.captions_true),
        "figures made": counts.figures,
        "figure precision": _ratio(counts.figures_right, counts.figures),
        "decorative figures": len(counts.figures_decorative),
        "credits": counts.credits_true,
        "credits kept": _ratio(counts.credits_kept, counts.credits_true),
        "credits glued to captions": len(counts.credits_glued),
        "chrome paragraphs": len(counts.chrome),
        "standfirsts": counts.standfirsts,
        "standfirsts kept": _ratio(counts.standfirsts_kept, counts.standfirsts),
        "text recall": _ratio(counts.words_found, counts.words_true),
        "text precision": _ratio(counts.words_made_true, counts.words_made),
    }


def _print_table(sets: dict[str, dict[str, float | int]]) -> None:
    names = list(sets)
    print(f"{'measure':30}" + "".join(f"{name:>10}" for name in names) + f"{'target':>8}")
    for measure in next(iter(sets.values())):
        cells = ""
        for name in names:
            value = sets[name][measure]
            cells += f"{value:>10.3f}" if isinstance(value, float) else f"{value:>10}"
        target = "0" if measure in COUNTED or measure == "pages failed" else ""
        print(f"{measure:30}{cells}{target:>8}")


_PROBLEMS = (
    ("failed", "failed"),
    ("titles_wrong", "title wrong"),
    ("bylines_wrong", "byline wrong"),
    ("headings_false", "false headings"),
    ("headings_missed", "headings missed"),
    ("title_repeated", "title as heading"),
    ("captions_missed", "captions missed"),
    ("figures_decorative", "decorative figures"),
    ("credits_glued", "credit glued"),
    ("credits_lost", "credit lost"),
    ("chrome", "chrome"),
    ("standfirsts_lost", "standfirst lost"),
)


def _print_worst(name: str, per_page: list[tuple[str, PageCounts]], count: int) -> None:
    print(f"\nworst {name}")
    for page, counts in sorted(per_page, key=lambda pair: pair[1].errors, reverse=True)[:count]:
        if not counts.errors:
            break
        parts = [f"{label} {len(getattr(counts, kind))}" for kind, label in _PROBLEMS]
        parts = [part for part in parts if not part.endswith(" 0")]
        parts.append(f"text recall {_ratio(counts.words_found, counts.words_true):.2f}")
        print(f"  {counts.errors:3d}  {page}: " + ", ".join(parts))


def _print_details(name: str, page: str, counts: PageCounts) -> None:
    for kind, label in _PROBLEMS:
        for item in getattr(counts, kind):
            print(f"{name}\t{page}\t{label}\t{str(item)[:140]}")


def _show(folder: Path) -> None:
    article = extract_page(folder)
    print(f"title: {article.title!r}\nauthor: {article.author!r}")
    for section in article.sections:
        if section.heading:
            print(f"\n## {section.heading}")
        for paragraph in section.paragraphs:
            print(f"  {paragraph[:110]}")
    for figure in article.figures:
        print(f"figure: {figure.caption[:70]!r} credit={figure.credit!r} <{figure.image}>")
    print()
    _print_details(folder.parent.name, folder.name, score_page(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", metavar="NAME", help="one page, its article and errors")
    parser.add_argument("--details", action="store_true", help="list every error")
    args = parser.parse_args()
    if not all((args.corpus / name).is_dir() for name in SETS):
        sys.exit(f"no corpus at {args.corpus} (give --corpus)")
    if args.show:
        for name in SETS:
            if (args.corpus / name / args.show).is_dir():
                _show(args.corpus / name / args.show)
                return
        sys.exit(f"no page named {args.show}")
    started = time.perf_counter()
    results: dict[str, dict[str, float | int]] = {}
    per_set: dict[str, list[tuple[str, PageCounts]]] = {}
    for name in SETS:
        total = PageCounts()
        per_set[name] = []
        for folder in sorted(p for p in (args.corpus / name).iterdir() if p.is_dir()):
            counts = score_page(folder)
            total.add(counts)
            per_set[name].append((folder.name, counts))
        results[name] = figures(total)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    _print_table(results)
    for name, pairs in per_set.items():
        _print_worst(name, pairs, args.worst)
    if args.details:
        print()
        for name, pairs in per_set.items():
            for page, counts in pairs:
                _print_details(name, page, counts)
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
