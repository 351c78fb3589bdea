"""The plain-text extraction benchmark: precision and recall per element, on two sets.

    python benchmarks/extraction/run.py [--corpus DIR] [--worst N] [--json]
    python benchmarks/extraction/run.py --show NAME   # one document, line by line

* **pages**: the corpus's saved web pages written out as scraped text in five
  styles (``pages.py``), labelled by their HTML;
* **articles**: the corpus's scraped articles and the seed, labelled by hand
  (``labels/``).

The figures of each set are printed apart; the targets (issue 13) beside them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from documents import Document  # noqa: E402
from hand_labels import labelled_documents  # noqa: E402
from pages import is_training_page, page_documents  # noqa: E402
from score import Counts, score  # noqa: E402

from newsreader.textnorm import fold  # noqa: E402

DEFAULT_CORPUS = HERE.parent.parent.parent / "shared" / "corpus"
ARTICLE_LABELS = sorted(p.name for p in (HERE / "labels").glob("articles-*.tsv"))
TARGETS = {
    "heading precision": 0.90,
    "heading recall": 0.75,
    "titles right": 0.97,
    "caption recall": 0.80,
    "related recall": 0.95,
    "related precision": 0.95,
}


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def figures(counts: Counts) -> dict[str, float | int]:
    predicted = counts.headings_predicted
    return {
        "documents": counts.documents,
        "headings": counts.headings_true,
        "heading precision": _ratio(predicted - len(counts.headings_false), predicted),
        "heading recall": _ratio(counts.headings_found, counts.headings_true),
        "titles right": _ratio(counts.titles_right, counts.titles),
        "captions": counts.captions_true,
        "caption recall": _ratio(counts.captions_found, counts.captions_true),
        "paragraphs taken as captions": len(counts.paragraphs_as_captions),
        "related": counts.related_true,
        "related recall": _ratio(counts.related_found, counts.related_true),
        "related precision": _ratio(
            counts.related_predicted - len(counts.related_false), counts.related_predicted
        ),
        "lines lost": len(counts.lost),
        "furniture": counts.furniture_true,
        "furniture left in text": len(counts.furniture_left),
    }


def _print_table(sets: dict[str, dict[str, float | int]]) -> None:
    names = list(sets)
    print(f"{'measure':32}" + "".join(f"{name:>12}" for name in names) + f"{'target':>10}")
    for measure in next(iter(sets.values())):
        cells = ""
        for name in names:
            value = sets[name][measure]
            cells += f"{value:>12.3f}" if isinstance(value, float) else f"{value:>12}"
        target = TARGETS.get(measure)
        if measure in ("paragraphs taken as captions", "lines lost", "furniture left in text"):
            target_text = "0"
        else:
            target_text = f">= {target:.2f}" if target else ""
        print(f"{measure:32}{cells}{target_text:>10}")


def _print_worst(name: str, per_document: list[tuple[Document, Counts]], count: int) -> None:
    worst = sorted(per_document, key=lambda pair: pair[1].errors, reverse=True)[:count]
    print(f"\nworst {name} documents")
    for document, counts in worst:
        if not counts.errors:
            break
        parts = [
            f"false headings {len(counts.headings_false)}",
            f"missed {len(counts.headings_missed)}",
            f"captions missed {counts.captions_true - counts.captions_found}",
            f"lost {len(counts.lost)}",
            f"furniture {len(counts.furniture_left)}",
        ]
        if counts.titles_wrong:
            parts.append("title wrong")
        print(f"  {counts.errors:3d}  {document.name}: " + ", ".join(parts))


def _show(documents: list[Document], name: str) -> None:
    from newsreader.extract import extract_bytes

    for document in documents:
        if document.name != name:
            continue
        article = extract_bytes(document.data, Path("shown.txt"))[0]
        headings = {fold(s.heading) for s in article.sections if s.heading}
        print(f"title: {article.title!r}  (true: {document.title!r})")
        for number, line in enumerate(document.lines, start=1):
            if line.label is None:
                continue
            mark = "H" if fold(line.text) in headings else " "
            print(f"{number:4d} {mark} {line.label:13} {line.text[:110]}")
        counts = score(document)
        print("false headings:", counts.headings_false)
        print("lost:", counts.lost)
        print("figures:", [(f.caption[:40], f.credit) for f in article.figures])
        print("links:", [link.text[:50] for link in article.links])
        return
    sys.exit(f"no document named {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show", metavar="NAME", help="one document, line by line")
    parser.add_argument("--details", action="store_true", help="list every error")
    args = parser.parse_args()
    if not (args.corpus / "pages").is_dir():
        sys.exit(f"no corpus at {args.corpus} (give --corpus)")
    started = time.perf_counter()
    pages = page_documents(args.corpus / "pages")
    sets = {
        "pages-fit": [d for d in pages if is_training_page(d.name.split("/")[0])],
        "pages-held": [d for d in pages if not is_training_page(d.name.split("/")[0])],
        "articles": labelled_documents(args.corpus / "articles", ARTICLE_LABELS)
        + labelled_documents(args.corpus / "seed", ["seed.tsv"]),
    }
    if args.show:
        _show([d for documents in sets.values() for d in documents], args.show)
        return
    results: dict[str, dict[str, float | int]] = {}
    per_set: dict[str, list[tuple[Document, Counts]]] = {}
    by_style: dict[str, Counts] = defaultdict(Counts)
    for name, documents in sets.items():
        total = Counts()
        per_set[name] = []
        for document in documents:
            counts = score(document)
            total.add(counts)
            per_set[name].append((document, counts))
            if name.startswith("pages"):
                by_style[document.style].add(counts)
        results[name] = figures(total)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    _print_table(results)
    print("\npages by style")
    _print_table({style: figures(counts) for style, counts in sorted(by_style.items())})
    for name, pairs in per_set.items():
        _print_worst(name, pairs, args.worst)
    if args.details:
        for name, pairs in per_set.items():
            for document, counts in pairs:
                for kind in (
                    "headings_false",
                    "headings_missed",
                    "titles_wrong",
                    "paragraphs_as_captions",
                    "related_false",
                    "related_missed",
                    "lost",
                    "furniture_left",
                ):
                    for item in getattr(counts, kind):
                        print(f"{name}\t{document.name}\t{kind}\t{item[:120]}")
    print(f"\n{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
