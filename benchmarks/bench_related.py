#!/usr/bin/env python3
"""Related articles: how often they share the article's topic, and what they cost.

    python benchmarks/bench_related.py [--corpus DIR] [--size 100000] [--runs 50] [--work DIR]

1. Quality, on the corpus's 41 scraped articles (``corpus/articles/``, a folder a
   topic): each is imported into a fresh cache and its five related articles
   found; the share of them in the article's own folder is printed, beside the
   most that share could be (a folder of n articles has n - 1 others) and what
   two fuller lexical rankers reach on the same articles, computed here in
   Python from the same stemmed words: tf-idf cosine over every word, and BM25
   with the whole article as the query. The two copies of one BBC story
   (``bbc-business-254`` and ``-447``) must not be each other's related.
2. Cost: ``Cache.related`` of RUNS random articles of the 100,000-article cache
   of bench_filters.py (filled there, or reused from ``--work``), median and
   slowest. Every word of those generated articles is common, which is the
   worst case for looking words up.

A benchmark, not a test: run on demand.
"""

from __future__ import annotations

import argparse
import collections
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_filters  # noqa: E402

from newsreader.cache import Cache  # noqa: E402
from newsreader.cache.related import _article_terms, _telling  # noqa: E402
from newsreader.importer import import_paths  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus" / "articles"
COPIES = ("bbc-business-254.txt", "bbc-business-447.txt")


def quality(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch, Cache(Path(scratch) / "c.sqlite3") as cache:
        report = import_paths(cache, [corpus], workers=0)
        assert not report.failures, report.failures
        rows = cache._db.execute("SELECT id, source, title, body FROM articles").fetchall()
        topic = {row[0]: Path(row[1]).relative_to(corpus).parts[0] for row in rows}
        name = {row[0]: Path(row[1]).name for row in rows}
        related = {row[0]: [summary.id for summary in cache.related(row[0])] for row in rows}
        words = {row[0]: _article_terms(row[2], row[3]) for row in rows}
    sizes = collections.Counter(topic.values())
    best = sum(min(5, sizes[topic[i]] - 1) for i in topic)
    same = sum(topic[j] == topic[i] for i, found in related.items() for j in found)
    print(f"{len(topic)} articles, {sum(map(len, related.values()))} related found")
    print(f"in the article's own folder: {same} of {5 * len(topic)} = {same / (5 * len(topic)):.3f}"
          f" (the most there could be: {best / (5 * len(topic)):.3f})")  # fmt: skip
    for label, share in (("tf-idf cosine, every word", _cosine(words, topic)),
                         ("BM25, the whole article as query", _bm25(words, topic))):  # fmt: skip
        print(f"  {label}: {share:.3f}")
    by_name = {value: key for key, value in name.items()}
    one, other = (by_name.get(copy) for copy in COPIES)
    if one is not None and other is not None:
        together = other in related[one] or one in related[other]
        print(f"the two copies of one BBC story related to each other: {together}")


def _vectors(words: dict[int, dict[str, int]]) -> tuple[dict[int, dict[str, float]], int]:
    documents = len(words)
    held = collections.Counter(term for counts in words.values() for term in counts)
    vectors = {}
    for article, counts in words.items():
        vector = {
            term: (1 + math.log(count)) * math.log((documents + 1) / held[term])
            for term, count in counts.items()
            if _telling(term) and held[term] >= 2
        }
        norm = math.sqrt(sum(value * value for value in vector.values())) or 1.0
        vectors[article] = {term: value / norm for term, value in vector.items()}
    return vectors, documents


def _share(scores: dict[int, list[tuple[float, int]]], topic: dict[int, str]) -> float:
    same = sum(topic[j] == topic[i] for i, ranked in scores.items() for _, j in ranked[:5])
    return same / (5 * len(topic))


def _cosine(words: dict[int, dict[str, int]], topic: dict[int, str]) -> float:
    vectors, _ = _vectors(words)
    scores = {
        i: sorted(
            (
                (sum(w * vectors[j].get(t, 0.0) for t, w in vectors[i].items()), j)
                for j in vectors
                if j != i
            ),
            reverse=True,
        )
        for i in vectors
    }
    return _share(scores, topic)


def _bm25(words: dict[int, dict[str, int]], topic: dict[int, str]) -> float:
    documents = len(words)
    held = collections.Counter(term for counts in words.values() for term in counts)
    lengths = {i: sum(counts.values()) for i, counts in words.items()}
    average = sum(lengths.values()) / documents

    def score(query: dict[str, int], j: int) -> float:
        total = 0.0
        for term in query:
            tf = words[j].get(term, 0)
            if not tf or not _telling(term) or held[term] < 2:
                continue
            idf = math.log((documents - held[term] + 0.5) / (held[term] + 0.5) + 1)
            total += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * lengths[j] / average))
        return total

    scores = {i: sorted(((score(words[i], j), j) for j in words if j != i), reverse=True)
              for i in words}  # fmt: skip
    return _share(scores, topic)


def cost(work: Path, size: int, runs: int) -> None:
    side = bench_filters.fill(work, size)
    with Cache(side / "data" / "cache.sqlite3") as cache:
        ids = [row[0] for row in cache._db.execute("SELECT id FROM articles")]
        chosen = random.Random(1).sample(ids, runs)
        cache.related(chosen[0])  # the vocabulary table made, the file in memory
        times = []
        for article_id in chosen:
            start = time.perf_counter()
            cache.related(article_id)
            times.append(time.perf_counter() - start)
    print(
        f"related of {runs} random generated articles of {size:,}: median "
        f"{statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms"
    )
    # The generated articles share every word with thousands of others, so they find no
    # related ones: the corpus's articles, among them, go the whole way.
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "cache.sqlite3"
        shutil.copy(side / "data" / "cache.sqlite3", copy)
        with Cache(copy) as cache:
            import_paths(cache, [CORPUS], workers=0)
            own = [row[0] for row in cache._db.execute(
                "SELECT id FROM articles WHERE source LIKE ?", (f"{CORPUS}%",))]  # fmt: skip
            cache.related(own[0])
            times, found = [], 0
            for article_id in own:
                start = time.perf_counter()
                found += len(cache.related(article_id))
                times.append(time.perf_counter() - start)
    print(
        f"related of the corpus's {len(own)} articles among them: median "
        f"{statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms, "
        f"{found} found"
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    quality(args.corpus)
    cost(args.work or Path(tempfile.mkdtemp(prefix="bench-related-")), args.size, args.runs)


if __name__ == "__main__":
    main()
