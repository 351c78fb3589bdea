"""Fit the heading model on the page-derived set and write its weights into the package.

    python benchmarks/extraction/train_headings.py [--corpus DIR] [--check]

Logistic regression over the present-or-absent features of
:func:`newsreader.extract.headings.features`, fitted by Adagrad with an L2
penalty, deterministic. The model judges only lines that the rules already
shape as headings (``headings.shape``), but it is fitted on every candidate
line. Each shape has its threshold, the lowest at which the fitted pages' lines of
that shape reach :data:`TARGET_PRECISION` (a line over a short line is judged
only where its document has enough headings of its form, as
``headings.decide_headings`` does); the script also prints what that threshold
gives in five-fold cross-validation by page (all the renderings of a page in
one fold). Only two pages in three are used (``pages.is_training_page``):
the rest, and the hand-labelled articles, are the check on material the model
was not fitted to. ``--check`` prints the
cross-validated figures without writing anything; ``--verify`` fails unless the
shipped model is exactly what the script fits.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from documents import Document  # noqa: E402
from pages import is_training_page, page_documents  # noqa: E402

from newsreader.extract.decode import decode_text  # noqa: E402
from newsreader.extract.headings import (  # noqa: E402
    MIN_SAME_FORM,
    Shape,
    certain_heading,
    features,
    heading_form,
    never_heading,
    shape,
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


@dataclass(frozen=True, slots=True)
class Sample:
    """A candidate line: its features, whether it is a heading, its page, its
    :class:`Shape` ("none" for a line the model does not judge), its document (an
    index) and the form it is written in (:func:`heading_form`)."""

    names: list[str]
    heading: bool
    page: str
    shape: str
    document: int
    form: str


Scored = tuple[float, bool, int]
"""A judged line's probability, whether it is a heading, and its sample's index."""


def samples(documents: list[Document]) -> tuple[list[Sample], list[Counter[str]]]:
    """Each candidate line of each document, and the forms of each document's headings
    that the rule decides alone (:func:`certain_heading`)."""
    result: list[Sample] = []
    certain: list[Counter[str]] = []
    for number, document in enumerate(documents):
        true = {fold(line.text) for line in document.lines if line.label == "heading"}
        page = document.name.split("/")[0]
        certain.append(Counter())
        for context in body_lines(decode_text(document.data)):
            if never_heading(context.text) or context.following is None:
                continue
            form = heading_form(context.text)
            if certain_heading(context):
                certain[number][form] += 1
                continue
            found = shape(context)
            kind = "none" if found is None else found.value
            heading = fold(context.text) in true
            result.append(Sample(features(context), heading, page, kind, number, form))
    return result, certain


def fit(data: list[Sample], seed: int = 13) -> dict[str, float]:
    weights: dict[str, float] = defaultdict(float)
    squares: dict[str, float] = defaultdict(lambda: 1e-8)
    order = list(range(len(data)))
    rng = random.Random(seed)
    for _ in range(EPOCHS):
        rng.shuffle(order)
        for index in order:
            names, label = data[index].names, data[index].heading
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


def cross_validated(data: list[Sample]) -> list[Scored]:
    """Every judged sample's probability from a model fitted without its page."""
    pages = sorted({sample.page for sample in data})
    random.Random(7).shuffle(pages)
    fold_of = {page: index % FOLDS for index, page in enumerate(pages)}
    scored: list[Scored] = []
    for held_out in range(FOLDS):
        weights = fit([s for s in data if fold_of[s.page] != held_out])
        scored.extend(
            (probability(weights, sample.names), sample.heading, index)
            for index, sample in enumerate(data)
            if fold_of[sample.page] == held_out and sample.shape != "none"
        )
    return scored


def pick_threshold(
    scored: list[Scored], judged: set[int], positives: int
) -> tuple[float, float, float] | None:
    """The lowest threshold at which the judged lines reach the target precision:
    (threshold, precision, recall), or None where no threshold does."""
    for step in range(5, 100):
        threshold = step / 100
        predicted = [label for p, label, i in scored if i in judged and p >= threshold]
        if not predicted:
            break
        precision = sum(predicted) / len(predicted)
        if precision >= TARGET_PRECISION:
            return threshold, precision, sum(predicted) / max(1, positives)
    return None


def _figures_at(
    scored: list[Scored], judged: set[int], positives: int, threshold: float
) -> tuple[float, float]:
    predicted = [label for p, label, i in scored if i in judged and p >= threshold]
    return sum(predicted) / max(1, len(predicted)), sum(predicted) / max(1, positives)


def _same_model(shipped: dict[str, object], model: dict[str, object]) -> bool:
    """The same thresholds and the same weights, to within rounding."""
    weights, fitted = shipped.get("weights"), model["weights"]
    if shipped.get("thresholds") != model["thresholds"]:
        return False
    if (
        not isinstance(weights, dict)
        or not isinstance(fitted, dict)
        or weights.keys() != fitted.keys()
    ):
        return False
    return all(abs(float(weights[name]) - float(fitted[name])) <= 1e-3 for name in fitted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    check = parser.add_mutually_exclusive_group()
    check.add_argument("--check", action="store_true", help="do not write the model")
    check.add_argument(
        "--verify", action="store_true", help="exit 1 unless the shipped model is this fit"
    )
    args = parser.parse_args()
    documents = [
        d for d in page_documents(args.corpus / "pages") if is_training_page(d.name.split("/")[0])
    ]
    data, certain = samples(documents)
    scored = cross_validated(data)
    # Rounded as shipped, so that the thresholds are those of the shipped weights.
    weights = {name: round(weight, 4) for name, weight in fit(data).items()}
    fitted = [
        (probability(weights, sample.names), sample.heading, index)
        for index, sample in enumerate(data)
        if sample.shape != "none"
    ]
    print(f"{len(data)} lines")
    thresholds: dict[str, float] = {}
    forms = [Counter(c) for c in certain]
    for kind in Shape:
        judged = {i for i, sample in enumerate(data) if sample.shape == kind.value}
        if kind is Shape.HEADS_RUN:
            # Judged only where the document has enough headings of the line's form.
            judged = {i for i in judged if forms[data[i].document][data[i].form] >= MIN_SAME_FORM}
        positives = sum(data[i].heading for i in judged)
        picked = pick_threshold(fitted, judged, positives)
        if picked is None:
            sys.exit(f"{kind.value}: no threshold reaches precision {TARGET_PRECISION}")
        threshold, fit_precision, fit_recall = picked
        precision, recall = _figures_at(scored, judged, positives, threshold)
        cross = pick_threshold(scored, judged, positives)
        reached = "never" if cross is None else f"at {cross[0]:.2f}, recall {cross[2]:.3f}"
        thresholds[kind.value] = threshold
        if kind is not Shape.HEADS_RUN:
            for p, _label, i in fitted:
                if i in judged and p >= threshold:
                    forms[data[i].document][data[i].form] += 1
        print(
            f"{kind.value}: {len(judged)} lines, {positives} headings. Threshold "
            f"{threshold:.2f}, where the fitted pages reach precision {fit_precision:.3f} "
            f"(recall {fit_recall:.3f}); cross-validated by page, it gives precision "
            f"{precision:.3f}, recall {recall:.3f} (the target is reached {reached})"
        )
    if args.check:
        return
    model: dict[str, object] = {
        "about": "Heading model for plain-text articles; written by "
        "benchmarks/extraction/train_headings.py, do not edit.",
        "thresholds": thresholds,
        "weights": dict(sorted(weights.items())),
    }
    if args.verify:
        shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        if not _same_model(shipped, model):
            sys.exit(f"{MODEL_PATH.name} is not what this script fits: run it to rewrite it")
        print(f"{MODEL_PATH.name} is this fit")
        return
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(HERE.parent.parent)} ({len(weights)} weights)")


if __name__ == "__main__":
    main()
