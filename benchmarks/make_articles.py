#!/usr/bin/env python3
"""Write N plain-text articles in the scraped format (breadcrumb + title line, title,
paragraphs, title-case headings, a duplicated caption with a Source: credit, and a
final Read Also line naming another generated article). Deterministic for a seed.

    python benchmarks/make_articles.py --count 10000 --out /tmp/articles
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CATEGORIES = [("Updates", "Politics"), ("Updates", "World"), ("Business",), ("Science", "Space"),
              ("Sport",), ("Technology",), ("Culture", "Film"), ("Health",)]  # fmt: skip
WORDS = (
    "harbour council minister market energy climate election budget river bridge school "
    "museum vaccine satellite orbit rocket engineer tariff export factory railway tram "
    "ferry festival theatre novel court judge treaty summit border coast storm drought "
    "harvest farmer wheat copper battery solar wind turbine network server software "
    "privacy data league match final coach stadium striker goal season record inflation "
    "interest bank currency debt growth labour strike union wage housing rent mortgage"
).split()
NAMES = "Wang Putin Lavrov Guterres Ada Grace Alan Maria Chen Okafor Novak Silva".split()


def sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[rng.randrange(words)] = rng.choice(NAMES)
    text = " ".join(chosen)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng, rng.randint(12, 24)) for _ in range(rng.randint(3, 6)))


def title_case(rng: random.Random, words: int) -> str:
    return " ".join(w.capitalize() for w in (rng.choice(WORDS + NAMES) for _ in range(words)))


def article_title(index: int) -> str:
    rng = random.Random(index * 7919)
    return f"{title_case(rng, rng.randint(5, 9))} {index}"


def article_text(index: int, total: int) -> str:
    rng = random.Random(index)
    title = article_title(index)
    crumbs = " ".join(CATEGORIES[index % len(CATEGORIES)])
    lines = [f"Home {crumbs} {title}", "", title, "", paragraph(rng), ""]
    for section in range(rng.randint(3, 5)):
        lines += [title_case(rng, rng.randint(4, 9)), ""]
        for _ in range(rng.randint(2, 3)):
            lines += [paragraph(rng), ""]
        if section == 1:
            caption = f"{title_case(rng, 6)} Meets {rng.choice(NAMES)}'s Team"
            lines += [caption, caption.replace("'", "\u2019"), "Source: Web", ""]
    lines.append(f"Read Also: {article_title((index * 31 + 7) % total)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for index in range(args.count):
        folder = args.out / f"batch-{index // 1000:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"article-{index:06d}.txt").write_text(article_text(index, args.count), "utf-8")


if __name__ == "__main__":
    main()
