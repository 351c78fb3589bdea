"""Fit the heading model on the page-derived set and write its weights into the package.

    python benchmarks/extraction/train_headings.py [--corpus DIR] [--check]

Logistic regression over the present-or-absent features of
:func:`newsreader.extract.headings.features`, fitted by Adagrad with an L2
penalty, deterministic. The model judges only lines that the rules already
shape as headings (``headings.shaped_heading``), but it is fitted on every
candidate line. The threshold is the lowest at which the fitted pages' shaped
lines reach :data:`TARGET_PRECISION`; the script also prints what that
threshold gives in five-fold cross-validation by page (all the renderings of a
page in one fold). Only two pages in three are used (``pages.is_training_page``):
the rest, and the hand-labelled articles, are the check on material the model
was not fitted to. ``--check`` prints the
cross-validated figures without writing anything.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from documents import Document  # noqa: E402
from pages import is_training_page, page_documents  # noqa: E402

from newsreader.extract.decode import decode_text  # noqa: E402
from newsreader.extract.headings import (  # noqa: E402
    certain_heading,
    features,
    never_heading,
    shaped_heading,
)
from newsreader.extract.plaintext import body_lines  # noqa: E402
from newsreader.textnorm import fold  # noqa: E402

MODEL_PATH = HERE.parent.parent / "newsreader" / "extract" / "heading_model.json"
DEFAULT_CORPUS = HERE.parent.parent.parent / "shared" / "corpus"
TARGET_PRECISION = 0.93
EPOCHS = 20
L2 = 1e-3
LEARNING_RATE = 0.5
FOLDS = 5

Sample = tuple[list[str], bool, str]
"""A line's features, whether it is a heading, and "page|shaped": its page, and whether
it has a heading's shape (:func:`shaped_heading`; only those are judged by the model)."""


def samples(documents: list[Document]) -> list[Sample]:
    """Each candidate line of each document: its features, whether it is a heading, its page."""
    result: list[Sample] = []
    for document in documents:
        true = {fold(line.text) for line in document.lines if line.label == "heading"}
        page = document.name.split("/")[0]
        for context in body_lines(decode_text(document.data)):
            if never_heading(context.text) or context.following is None:
                continue
            if certain_heading(context):
                continue  # the rule decides these
            shaped = shaped_heading(context)
            result.append((features(context), fold(context.text) in true, f"{page}|{shaped}"))
    return result


def fit(data: list[Sample], seed: int = 13) -> dict[str, float]:
    weights: dict[str, float] = defaultdict(float)
    squares: dict[str, float] = defaultdict(lambda: 1e-8)
    order = list(range(len(data)))
    rng = random.Random(seed)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for index in order:
            names, label, _page = data[index]
            total = sum(weights[name] for name in names)
            predicted = 1 / (1 + math.exp(-max(-60.0, min(60.0, total))))
            error = predicted - (1.0 if label else 0.0)
            for name in names:
                gradient = error + L2 * weights[name]
                squares[name] += gradient * gradient
                weights[name] -= LEARNING_RATE * gradient / math.sqrt(squares[name])
    return dict(weights)


def probability(weights: dict[str, float], names: list[str]) -> float:
    total = sum(weights.get(name, 0.0) for name in names)
    return 1 / (1 + math.exp(-max(-60.0, min(60.0, total))))


def cross_validated(data: list[Sample]) -> list[tuple[float, bool]]:
    """Every sample's probability from a model fitted without its page."""
    pages = sorted({key.split("|")[0] for _, _, key in data})
    random.Random(7).shuffle(pages)
    fold_of = {page: index % FOLDS for index, page in enumerate(pages)}
    scored: list[tuple[float, bool]] = []
    for held_out in range(FOLDS):
        train = [s for s in data if fold_of[s[2].split("|")[0]] != held_out]
        weights = fit(train)
        scored.extend(
            (probability(weights, names), label)
            for names, label, key in data
            if fold_of[key.split("|")[0]] == held_out and key.endswith("|True")
        )
    return scored


def pick_threshold(scored: list[tuple[float, bool]], positives: int) -> tuple[float, float, float]:
    """The lowest threshold whose precision reaches the target: (threshold, precision, recall)."""
    best = (0.5, 0.0, 0.0)
    for step in range(5, 100):
        threshold = step / 100
        predicted = [label for p, label in scored if p >= threshold]
        if not predicted:
            break
        precision = sum(predicted) / len(predicted)
        recall = sum(predicted) / positives
        if precision >= TARGET_PRECISION:
            return threshold, precision, recall
        best = (threshold, precision, recall)
    return best


def _figures_at(
    scored: list[tuple[float, bool]], positives: int, threshold: float
) -> tuple[float, float]:
    predicted = [label for p, label in scored if p >= threshold]
    return sum(predicted) / max(1, len(predicted)), sum(predicted) / max(1, positives)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--check", action="store_true", help="do not write the model")
    args = parser.parse_args()
    documents = [
        d for d in page_documents(args.corpus / "pages") if is_training_page(d.name.split("/")[0])
    ]
    data = samples(documents)
    positives = sum(s[1] for s in data if s[2].endswith("|True"))
    scored = cross_validated(data)
    weights = fit(data)
    fitted = [(probability(weights, n), label) for n, label, key in data if key.endswith("|True")]
    threshold, fit_precision, fit_recall = pick_threshold(fitted, positives)
    precision, recall = _figures_at(scored, positives, threshold)
    print(
        f"{len(data)} lines, {sum(s[2].endswith('|True') for s in data)} shaped like headings, "
        f"{positives} of those headings. Threshold {threshold:.2f}, where the fitted pages "
        f"reach precision {fit_precision:.3f} (recall {fit_recall:.3f}); cross-validated by "
        f"page, that threshold gives precision {precision:.3f}, recall {recall:.3f}"
    )
    if args.check:
        return
    model = {
        "about": "Heading model for plain-text articles; written by "
        "benchmarks/extraction/train_headings.py, do not edit.",
        "threshold": threshold,
        "weights": {name: round(weight, 4) for name, weight in sorted(weights.items())},
    }
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(HERE.parent.parent)} ({len(weights)} weights)")


if __name__ == "__main__":
    main()
