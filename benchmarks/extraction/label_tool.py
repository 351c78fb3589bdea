"""Help label a corpus folder by hand.

    python benchmarks/extraction/label_tool.py show FILE          # numbered lines
    python benchmarks/extraction/label_tool.py skeleton DIR ROOT  # a TSV to edit

The skeleton has one row per non-blank line of every ``.txt`` file under DIR,
labelled ``paragraph``; the labeller changes the labels (see labels/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_lines import decoded_lines, line_checksum


def show(path: Path) -> None:
    for number, line in enumerate(decoded_lines(path), start=1):
        print(f"{number:4d} |{line}")


def skeleton(folder: Path, root: Path) -> None:
    print("# file\tline\tsha1\tlabel")
    for path in sorted(folder.rglob("*.txt")):
        name = path.relative_to(root).as_posix()
        for number, line in enumerate(decoded_lines(path), start=1):
            if line.strip():
                print(f"{name}\t{number}\t{line_checksum(line)}\tparagraph")


def main() -> None:
    if sys.argv[1:2] == ["show"]:
        show(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["skeleton"]:
        skeleton(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
