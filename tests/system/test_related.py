"""Related articles from the cache: found by shared rare words, never the article, its copies
or hidden ones; in show, show --json and the reader (followed like a Read Also link)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.config import parse_config
from newsreader.model import Article, Section
from newsreader.queries import FilterContext, apply_hide_rules
from newsreader.ui.widgets.article_view import ArticleView
from tests.helpers.cli import CliRunner
from tests.helpers.reader import make_app, open_titled, shown_title, until

TOPICS = {
    "ferry": [
        "The harbour ferry crossing resumed after the storm.",
        "The ferry operator added sailings across the estuary.",
        "The harbour master praised the ferry crew.",
        "Passengers queued at the pier for the first ferry.",
        "A new ferry terminal will open at the harbour in spring.",
    ],
    "budget": [
        "The finance minister presented the budget to parliament.",
        "The budget raises tax on fuel and spends more on pensions.",
        "The opposition attacked the budget deficit.",
        "Economists said the tax changes in the budget were modest.",
        "Parliament will vote on the budget and its tax plans next week.",
    ],
    "volcano": [
        "The volcano erupted again, sending ash over the island.",
        "Volcanologists said lava from the volcano reached the coast.",
        "Villagers left the island as the volcano rumbled.",
        "Flights were cancelled because of volcano ash.",
        "The crater of the volcano glowed red over the island at night.",
    ],
}
FILLER = [
    "A choir sang carols in the square.",
    "The library extended its opening hours.",
    "A bakery won a prize for its bread.",
    "The museum showed paintings from the north.",
    "A marathon closed roads in the centre.",
    "The zoo welcomed a baby giraffe.",
]


def article(guid: str, title: str, text: str, source: str = "feed") -> Article:
    return Article(title=title, source=source, guid=guid, sections=(Section(None, (text,)),))


def fill(cache: Cache) -> dict[str, int]:
    articles = []
    for topic, sentences in TOPICS.items():
        for n in range(4):
            text = f"{sentences[n]} {sentences[(n + 1) % 5]} {FILLER[n]}"
            articles.append(article(f"{topic}{n}", f"{topic.title()} report {n}", text))
    for n, text in enumerate(FILLER * 3):
        articles.append(article(f"filler{n}", f"Town news {n}", f"{text} Item {n}."))
    outcomes = cache.store_articles(articles)
    return {a.guid: article_id for a, (_, article_id) in zip(articles, outcomes, strict=True)}


def test_related_articles_share_the_topic_and_are_never_the_article_or_a_copy(cache: Cache) -> None:
    ids = fill(cache)
    related = cache.related(ids["ferry0"])
    assert {summary.id for summary in related[:3]} == {ids["ferry1"], ids["ferry2"], ids["ferry3"]}
    assert all(summary.title.startswith("Ferry") for summary in related[:3])
    assert ids["ferry0"] not in [summary.id for summary in related]
    assert len(related) <= 5
    assert cache.related(ids["ferry0"]) == related  # the same answer twice


def test_copies_and_hidden_articles_are_left_out(cache: Cache, tmp_path: Path) -> None:
    ids = fill(cache)
    text = f"{TOPICS['volcano'][0]} {TOPICS['volcano'][1]} {FILLER[0]}"
    [(_, same_title)] = cache.store_articles(
        [article("v-copy", "Volcano report 0", "Other words.", "other")]
    )
    [(_, near_copy)] = cache.store_articles(
        [article("v-near", "Island eruption", text + " More.", "third")]
    )
    found = [summary.id for summary in cache.related(ids["volcano0"])]
    assert same_title not in found and near_copy not in found
    assert ids["volcano1"] in found
    config = parse_config(
        "[[ignore]]\nfilter = 'title = \"Volcano report 1\"'\n", tmp_path / "f.toml"
    )
    apply_hide_rules(cache, config.ignore, FilterContext())
    assert ids["volcano1"] not in [summary.id for summary in cache.related(ids["volcano0"])]


def test_an_article_with_no_telling_words_has_none(cache: Cache) -> None:
    [(_, lonely)] = cache.store_articles([article("x", "The", "It is what it was.")])
    assert cache.related(lonely) == []
    assert cache.related(999_999) == []


def test_show_and_show_json_give_the_related_articles(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text("", encoding="utf-8")
    with Cache(cli.data_dir / "cache.sqlite3") as cache:
        ids = fill(cache)
        expected = [(s.id, s.title) for s in cache.related(ids["budget0"])]
    shown = json.loads(cli("show", str(ids["budget0"]), "--json").out)
    assert [(r["id"], r["title"]) for r in shown["related"]] == expected
    assert expected and all(title.startswith("Budget") for _, title in expected[:3])
    text = cli("show", str(ids["budget0"])).out
    assert "Related in your cache" in text
    assert f"[1] {expected[0][1]}  article {expected[0][0]}" in text


@pytest.mark.parametrize("size", [(140, 40)])
async def test_the_reader_lists_them_and_follows_one_into_the_history(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    with Cache(app.locations.cache_file) as cache:
        ids = fill(cache)
    async with app.run_test(size=size) as pilot:
        await open_titled(app, pilot, "Ferry report 0")
        view = app.query_one(ArticleView)
        related = [link for link in view.links if link.kind.value == "related"]
        assert related and related[0].text.startswith("Ferry report")
        first = related[0].text
        view.focus()
        for _ in range(len(view.links) - len(related) + 1):
            await pilot.press("]")
        await pilot.press("enter")
        assert await until(pilot, lambda: shown_title(app) == first)
        await pilot.press("backspace")
        assert await until(pilot, lambda: shown_title(app) == "Ferry report 0")
        assert ids  # the cache the reader reads is the one filled
