"""The hand-labelled set: the corpus's scraped articles with the labels in ``labels/``."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from corpus_lines import decoded_lines, line_checksum
from documents import LABELS, Document, Line

LABEL_FOLDER = Path(__file__).resolve().parent / "labels"


class StaleLabel(Exception):
    """A label whose line has changed (or is missing) in the corpus file."""


def _read_labels(tsv: Path) -> dict[str, dict[int, tuple[str, str]]]:
    labels: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    for number, row in enumerate(tsv.read_text(encoding="utf-8").splitlines(), start=1):
        if not row or row.startswith("#"):
            continue
        name, line, checksum, label = row.split("\t")
        if label not in LABELS:
            raise StaleLabel(f"{tsv.name}:{number}: unknown label {label!r}")
        labels[name][int(line)] = (checksum, label)
    return labels


def labelled_documents(root: Path, tsv_names: list[str]) -> list[Document]:
    """The labelled files under ``root``; every non-blank line must be labelled."""
    documents: list[Document] = []
    for tsv_name in tsv_names:
        for name, labels in sorted(_read_labels(LABEL_FOLDER / tsv_name).items()):
            path = root / name
            lines: list[Line] = []
            for number, text in enumerate(decoded_lines(path), start=1):
                if not text.strip():
                    lines.append(Line(text, None))
                    continue
                checksum, label = labels.get(number, ("", ""))
                if checksum != line_checksum(text):
                    raise StaleLabel(f"{tsv_name}: {name}:{number} has no label for its text")
                lines.append(Line(text, label))
            titles = [line.text.strip() for line in lines if line.label == "title"]
            documents.append(
                Document(
                    name, "hand", tuple(lines), path.read_bytes(), titles[0] if titles else None
                )
            )
    return documents
