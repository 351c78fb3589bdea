#!/usr/bin/env python3
"""One row per story: how often copies are grouped and different stories kept apart,
and what grouping costs at refresh.

    python benchmarks/bench_stories.py [--corpus DIR] [--seed N] [--size 100000] [--work DIR]

1. Quality, on a labelled set built from real articles: the corpus's scraped
   articles (``corpus/articles/``, a folder a topic) and the text of its saved
   pages (``corpus/pages/*/expected.html``). Each article is stored once as it
   is and twice republished by another outlet, with the changes outlets make,
   drawn at random (``--seed``): a new headline, the last paragraphs trimmed,
   paragraphs reordered, a few words edited, other boilerplate at the top and
   the bottom, another date. Every pair of copies of one article should be one
   story; every other pair, two. The hard negatives: two articles of one topic
   folder, and two different articles that one outlet sends with the same
   boilerplate. Everything goes through a real cache (``store_articles``), and
   the groups it made are read back: pairwise precision and recall, per class,
   with the worst mistakes. The corpus's two copies of one BBC story
   (``bbc-business-254``, ``-447``) must be one group.
2. Cost: storing new articles into the 100,000-article cache of
   bench_filters.py (filled there, or reused from ``--work``), with their story
   sketches and without, batches of 50 as a refresh stores a feed; the median
   cost per article of finding its story. The generated articles share all
   their words, the worst case for candidate marks.

A benchmark, not a test: run on demand.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from newsreader.cache import Cache, prepare_article, prepare_articles  # noqa: E402
from newsreader.cache.reads import summaries  # noqa: E402
from newsreader.extract import extract_file  # noqa: E402
from newsreader.model import Article, Section  # noqa: E402

CORPUS = HERE.parent.parent / "shared" / "corpus"
COPIES = ("bbc-business-254.txt", "bbc-business-447.txt")
ONE_STORY = {
    "bbc-business-447.txt": "bbc-business-254.txt",
    "lifehacker-working": "lifehacker-post-comment-load",
}
"""Corpus files that are one story already: the BBC pair, and one page saved twice."""
SHARED_BASES = 40
BRIEF_WORDS = 40
"""A wire brief is its story's first paragraphs, this many words or a little more."""
"""Articles kept out of the copies to make the shared-boilerplate negatives."""

HEADERS = (
    "Sign up for our morning newsletter and get the day's top stories in your inbox.",
    "This article is more than 2 years old.",
    "Listen to this article. Audio generated from the text.",
    "Updated at 14:05 with reaction from the markets.",
)
FOOTERS = (
    "Copyright 2026 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed without permission.",
    "Reporting by our correspondents; editing by the news desk. Our standards: the Trust "
    "Principles.",
    "Follow us on Facebook, Twitter and Instagram for more stories like this one, and "
    "share your views in the comments below.",
    "Have a story tip? Email the newsroom at tips@example.com or call us any time of day.",
)
SHARED_FOOTER = (
    "Thank you for reading. Our journalism is funded by readers like you: subscribe from "
    "one dollar a week, cancel at any time, and get every story, every newsletter and "
    "every puzzle on all your devices. Already a subscriber? Log in to keep reading."
)
EDITS = {
    "said": "says",
    "the": "the",
    "colour": "color",
    "tyres": "tires",
    "per cent": "percent",
    "Mr ": "Mr. ",
    "government": "administration",
    "people": "residents",
    "on Monday": "this week",
    "has": "had",
}


@dataclass(frozen=True)
class Labelled:
    article: Article
    story: str
    """The base article it is a copy of."""
    topic: str
    kind: str
    """``original``, ``copy`` or ``shared-boilerplate``."""


def bases(corpus: Path) -> list[tuple[str, str, Article]]:
    """(name, topic, article) for every corpus article and saved page with a body."""
    found = []
    articles = corpus / "articles"
    for path in sorted(articles.rglob("*.txt")):
        for article in extract_file(path):
            found.append((path.name, path.relative_to(articles).parts[0], article))
    for path in sorted((corpus / "pages").glob("*/expected.html")):
        try:
            extracted = extract_file(path)
        except Exception:  # a page the extractor refuses is no use here
            continue
        for article in extracted:
            found.append((path.parent.name, "page:" + path.parent.name, article))
    return [(name, topic, article) for name, topic, article in found if article.sections]


def paragraphs(article: Article) -> list[str]:
    return [p for section in article.sections for p in section.paragraphs]


def republished(article: Article, rng: random.Random, outlet: str, number: int) -> Article:
    """The article as another outlet carries it."""
    body = paragraphs(article)
    changes = rng.sample(["headline", "trim", "reorder", "edit", "boilerplate", "date"], 3)
    title = article.title
    if "headline" in changes:
        words = title.split()
        title = rng.choice(
            [
                "UPDATE: " + title,
                " ".join(words[: max(3, len(words) // 2)]) + ", reports say",
                (body[0].split(".")[0][:90] if body else title),
            ]
        )
    if "trim" in changes and len(body) > 3:
        body = body[: max(2, round(len(body) * rng.uniform(0.6, 0.9)))]
    if "reorder" in changes and len(body) > 3:
        start = rng.randrange(1, len(body) - 1)
        body[start], body[start + 1] = body[start + 1], body[start]
        if rng.random() < 0.5:
            body.insert(1, body.pop())
    if "edit" in changes:
        edited = []
        for paragraph in body:
            for old, new in EDITS.items():
                if rng.random() < 0.5:
                    paragraph = paragraph.replace(old, new, 1)
            edited.append(paragraph)
        body = edited
    if "boilerplate" in changes or rng.random() < 0.5:
        body = [rng.choice(HEADERS), *body, rng.choice(FOOTERS)]
    published = article.published
    if "date" in changes:
        published = (published or datetime(2026, 1, 1, tzinfo=UTC)) + timedelta(
            hours=rng.randint(1, 72)
        )
    return replace(
        article,
        title=title,
        source=f"https://{outlet}.example/feed",
        guid=f"{outlet}-{number}",
        url=f"https://{outlet}.example/{number}",
        published=published,
        sections=(Section(None, tuple(body)),),
        figures=(),
        links=(),
    )


def labelled_set(corpus: Path, seed: int) -> list[Labelled]:
    rng = random.Random(seed)
    found = bases(corpus)
    told_twice = {*ONE_STORY, *ONE_STORY.values()}
    alone = [i for i, (name, _, _) in enumerate(found) if name not in told_twice]
    reserved = set(rng.sample(alone, min(SHARED_BASES, len(alone) // 4)))
    items: list[Labelled] = []
    for number, (name, topic, article) in enumerate(found):
        if number in reserved:
            continue
        name = ONE_STORY.get(name, name)
        items.append(Labelled(article, name, topic, "original"))
        for copy in range(2):
            outlet = f"outlet{rng.randrange(1000)}x{copy}"
            items.append(Labelled(republished(article, rng, outlet, number), name, topic, "copy"))
    # Different stories, each told once, that one outlet sends with the same long
    # sign-off: articles kept out of the copies above, so no other copy exists.
    for number, (name, topic, article) in enumerate(found[i] for i in sorted(reserved)):
        body = [*paragraphs(article)[:2], SHARED_FOOTER]
        shared = replace(
            article,
            source=f"https://paper{number % 4}.example/feed",
            guid=f"paper-{number}",
            url=f"https://paper{number % 4}.example/{number}",
            sections=(Section(None, tuple(body)),),
            figures=(),
            links=(),
        )
        items.append(Labelled(shared, name + "#shared", topic, "shared-boilerplate"))
        # The same story as a short wire brief in another outlet, which carries the
        # wire's header and copyright line as every outlet does: the briefs of
        # different stories share that boilerplate and nothing else.
        lead: list[str] = []
        for paragraph in paragraphs(article):
            lead.append(paragraph)
            if sum(len(p.split()) for p in lead) >= BRIEF_WORDS:
                break
        brief = replace(
            shared,
            source=f"https://wire{number}.example/feed",
            guid=f"wire-{number}",
            url=f"https://wire{number}.example/{number}",
            sections=(Section(None, (HEADERS[0], *lead, FOOTERS[0])),),
        )
        items.append(Labelled(brief, name + "#shared", topic, "wire-brief"))
    return items


def _pair_class(one: Labelled, other: Labelled, truth: bool) -> str | None:
    kinds = {one.kind, other.kind}
    if truth:
        return "copies of one story" if kinds <= {"original", "copy"} else "a brief of a story"
    if kinds <= {"original", "copy"}:
        return "same topic, different story" if one.topic == other.topic else None
    if kinds == {"shared-boilerplate"}:
        return "same sign-off, different story"
    if kinds == {"wire-brief"}:
        return "wire briefs, different story"
    return None


def quality(corpus: Path, seed: int) -> None:
    items = labelled_set(corpus, seed)
    with tempfile.TemporaryDirectory() as scratch, Cache(Path(scratch) / "c.sqlite3") as cache:
        # One batch per outlet (a feed), as a refresh stores them; the originals one a file.
        by_source: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            by_source.setdefault(item.article.source, []).append(index)
        ids: dict[int, int] = {}
        for indexes in by_source.values():
            rows = prepare_articles([items[i].article for i in indexes], time.time())
            stored = cache.store_prepared(rows)
            for index, (_, article_id) in zip(indexes, stored, strict=True):
                ids[index] = article_id
        places = {
            summary.id: summary.story for summary in summaries(cache._db, sorted(set(ids.values())))
        }
    story = {index: places[article_id] for index, article_id in ids.items()}
    same_article = {index: ids[index] for index in ids}
    tp = fp = fn = 0
    by_class: dict[str, list[int]] = {}
    mistakes: list[str] = []
    for a, b in itertools.combinations(range(len(items)), 2):
        if same_article[a] == same_article[b]:
            continue  # stored as one article: an exact copy, not a near one
        truth = items[a].story == items[b].story
        grouped = story[a] == story[b]
        if truth and grouped:
            tp += 1
        elif truth:
            fn += 1
            mistakes.append(f"apart: {items[a].story} ({items[a].kind}, {items[b].kind})")
        elif grouped:
            fp += 1
            mistakes.append(f"merged: {items[a].story} with {items[b].story}")
        label = _pair_class(items[a], items[b], truth)
        if label is not None:
            by_class.setdefault(label, [0, 0])[grouped] += 1
    stories = len({item.story for item in items})
    print(f"{len(items)} articles, {stories} stories (seed {seed})")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"pairs: precision {precision:.3f}, recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    for label, (apart, together) in sorted(by_class.items()):
        print(f"  {label}: {together} of {apart + together} pairs grouped")
    for line in sorted(set(mistakes), key=lambda line: ("#shared" in line, line))[:15]:
        print("   ", line)
    names = {item.story: story[i] for i, item in enumerate(items) if item.kind == "original"}
    one, other = (names.get(copy) for copy in COPIES)
    if one is not None and other is not None:
        print(f"the two copies of one BBC story are one group: {one == other}")


def cost(size: int, work: Path | None) -> None:
    import bench_filters

    with tempfile.TemporaryDirectory() as scratch:
        side = bench_filters.fill(work or Path(scratch), size)
        copy = Path(scratch) / "cache.sqlite3"
        shutil.copyfile(side / "data" / "cache.sqlite3", copy)
        rng = random.Random(7)
        timings: dict[str, list[float]] = {"copies": [], "fresh": [], "none": []}
        sketching: list[float] = []
        with Cache(copy) as cache:
            ids = [row[0] for row in cache._db.execute("SELECT id FROM articles")]
            for run in range(30):
                cached = [cache.get_article(i) for i in rng.sample(ids, 50)]
                articles = [stored.article for stored in cached if stored is not None]
                kind = ("copies", "fresh", "none")[run % 3]
                if kind != "copies":  # new text: the cached words, shuffled
                    articles = [_shuffled(article, rng) for article in articles]
                articles = [
                    replace(article, source=f"https://copy{run}.example/feed", guid=f"{run}-{n}",
                            url=f"https://copy{run}.example/{n}")
                    for n, article in enumerate(articles)
                ]  # fmt: skip
                started = time.perf_counter()
                rows = [prepare_article(article, time.time()) for article in articles]
                sketching.append((time.perf_counter() - started) / len(rows))
                if kind == "none":
                    rows = [replace(row, sketch=None) for row in rows]
                started = time.perf_counter()
                cache.store_prepared(rows)
                timings[kind].append((time.perf_counter() - started) / len(rows))
            grouped = cache._db.execute(
                "SELECT COUNT(*) FROM stories WHERE story != article_id"
            ).fetchone()[0]
    median = {kind: statistics.median(values) * 1000 for kind, values in timings.items()}
    print(f"storing 50 new articles at a time into {size:,}, per article: "
          f"{median['copies']:.3f} ms copies of cached ones, {median['fresh']:.3f} ms new text, "
          f"{median['none']:.3f} ms without a sketch; {grouped} grouped")  # fmt: skip
    print(f"finding a story: {median['fresh'] - median['none']:.3f} ms (new text), "
          f"{median['copies'] - median['none']:.3f} ms (a copy)")  # fmt: skip
    print(f"preparing an article, its sketch made: {statistics.median(sketching) * 1000:.3f} ms")


def _shuffled(article: Article, rng: random.Random) -> Article:
    words = " ".join(paragraphs(article)).split()
    rng.shuffle(words)
    return replace(article, sections=(Section(None, (" ".join(words),)),))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--quality-only", action="store_true")
    args = parser.parse_args()
    quality(args.corpus, args.seed)
    if not args.quality_only:
        cost(args.size, args.work)


if __name__ == "__main__":
    main()
