"""One row per story: near copies from other sources are grouped in the cache, shown as
one row in the reader and the text list, unfolded to each copy, and read together."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.importer import import_paths
from newsreader.model import Article, ArticleSummary, Section
from newsreader.ui.widgets.article_list import COPY_MARK, ArticleList
from tests.helpers.cli import CliRunner
from tests.helpers.paths import CORPUS
from tests.helpers.reader import make_app, shown_title, until

_NEWS_WORDS = (
    "harbour ferry council mayor port storm crossing vote budget school road bridge rail "
    "station river flood minister village market farmer harvest price wage union strike "
    "hospital doctor nurse patient court judge police officer team match goal season club "
    "museum library festival concert theatre film actor writer prize award island coast "
    "tunnel airport flight pilot engine factory worker plant energy wind solar grid tariff"
)
_JOINING_WORDS = "the a of to and in on for with after before over under says said will has"
WORDS = _NEWS_WORDS.split()
JOINERS = _JOINING_WORDS.split()


def story_text(seed: int, paragraphs: int = 6, words: int = 40) -> list[str]:
    """Paragraphs of made-up news prose: two seeds share words, never runs of them."""
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS if n % 2 else JOINERS) for n in range(words)).capitalize() + "."
        for _ in range(paragraphs)
    ]


def republished(paragraphs: list[str]) -> list[str]:
    """The story as another outlet runs it: a paragraph trimmed, two swapped, a header."""
    body = paragraphs[:-1]
    body[1], body[2] = body[2], body[1]
    return ["Sign up for our newsletter to get the top stories every morning.", *body]


def article(guid: str, title: str, paragraphs: list[str], source: str, day: int = 1) -> Article:
    return Article(
        title=title,
        source=source,
        guid=guid,
        url=f"{source.removesuffix('/feed')}/{guid}",
        published=datetime(2026, 3, day, tzinfo=UTC),
        sections=(Section(None, tuple(paragraphs)),),
    )


ONE = "https://one.example/feed"
TWO = "https://two.example/feed"
THREE = "https://three.example/feed"


def store(cache: Cache, *articles: Article) -> list[int]:
    """Each article stored as its own refresh of its feed would store it."""
    return [cache.store_articles([each])[0][1] for each in articles]


def three_articles(cache: Cache) -> tuple[int, int, int]:
    """A story, another outlet's copy of it (new headline), and a different story of the
    same title and words."""
    original, copy, other = store(
        cache,
        article("a", "Harbour reopens to ferries", story_text(1), ONE, day=1),
        article("b", "UPDATE: Ferries return", republished(story_text(1)), TWO, day=2),
        article("c", "Harbour reopens to ferries", story_text(2), THREE, day=3),
    )
    return original, copy, other


def test_a_republished_copy_joins_the_story_and_another_story_does_not(cache: Cache) -> None:
    original, copy, other = three_articles(cache)
    rows = {row.id: row for row in cache.summaries_of([original, copy, other])}
    assert rows[copy].story == rows[original].story == original
    assert rows[other].story == other
    assert (rows[original].sources, rows[copy].sources, rows[other].sources) == (2, 2, 1)
    assert cache.story_article_ids(copy) == sorted([original, copy])
    assert cache.story_members(copy) == [(copy, TWO), (original, ONE)]


def test_two_entries_of_one_source_are_never_one_story(cache: Cache) -> None:
    first, second = store(
        cache,
        article("a", "Ferries", story_text(1), ONE),
        article("b", "Ferries again", republished(story_text(1)), ONE),
    )
    assert [row.story for row in cache.summaries_of([first, second])] == [first, second]


def test_copies_stored_in_one_batch_are_grouped(cache: Cache) -> None:
    # As an import of a folder stores them: three copies, one batch, three sources.
    outcomes = cache.store_articles(
        [
            article("a", "Ferries", story_text(1), ONE),
            article("b", "Ferries return", republished(story_text(1)), TWO),
            article("c", "Ferries are back", story_text(1)[:-2], THREE),
        ]
    )
    ids = [article_id for _, article_id in outcomes]
    assert {row.story for row in cache.summaries_of(ids)} == {ids[0]}


def test_a_feed_s_repeated_sign_off_does_not_make_its_stories_another_s(cache: Cache) -> None:
    sign_off = " ".join(story_text(99, paragraphs=3))  # longer than each story
    stories = [[story_text(n, paragraphs=1)[0], sign_off] for n in (1, 2, 3)]
    outcomes = cache.store_articles(
        [article(f"a{n}", f"Story {n}", body, ONE) for n, body in enumerate(stories)]
    )
    [alone] = store(cache, article("b", "Another", [story_text(4, 1)[0], sign_off], TWO))
    assert cache.summaries_of([alone])[0].story == alone
    # Its own copy of a story of that feed, without the sign-off, is that story.
    [copy] = store(cache, article("c", "Story 0 again", [stories[0][0]], THREE))
    assert cache.summaries_of([copy])[0].story == outcomes[0][1]


def test_a_one_line_summary_is_a_story_of_its_own(cache: Cache) -> None:
    full, short = store(
        cache,
        article("a", "Ferries", story_text(1), ONE),
        article("b", "Ferries", [story_text(1)[0][:60]], TWO),
    )
    assert [row.story for row in cache.summaries_of([full, short])] == [full, short]


def test_a_changed_copy_leaves_the_story_and_a_deleted_one_its_marks(cache: Cache) -> None:
    original, copy = store(
        cache,
        article("a", "Ferries", story_text(1), ONE, day=1),
        article("b", "Ferries", republished(story_text(1)), TWO, day=2),
    )
    assert cache.summaries_of([copy])[0].story == original
    # The second outlet replaces its text with another story's: it is grouped again.
    store(cache, article("b", "Ferries", story_text(3), TWO, day=2))
    assert cache.summaries_of([copy])[0].story == copy
    assert cache.summaries_of([original])[0].sources == 1

    def marks_of(article_id: int) -> int:
        return int(
            cache._db.execute(
                "SELECT COUNT(*) FROM story_marks WHERE article_id = ?", (article_id,)
            ).fetchone()[0]
        )

    assert marks_of(copy) > 0
    store(cache, article("b2", "Newer", story_text(4), TWO, day=5))
    assert cache.prune(TWO, older_than=None, keep_newest=1) == 1
    assert marks_of(copy) == 0
    kept = cache._db.execute("SELECT COUNT(*) FROM stories WHERE article_id = ?", (copy,))
    assert kept.fetchone()[0] == 0


@pytest.mark.skipif(not (CORPUS / "articles").is_dir(), reason="the shared corpus is not here")
def test_the_corpus_two_copies_of_one_bbc_story_are_one_story(tmp_path: Path) -> None:
    folder = tmp_path / "bbc"
    folder.mkdir()
    found = {path.name: path for path in (CORPUS / "articles").rglob("bbc-business-*.txt")}
    for name in ("bbc-business-254.txt", "bbc-business-447.txt", "bbc-business-001.txt"):
        (folder / name).write_bytes(found[name].read_bytes())
    with Cache(tmp_path / "cache.sqlite3") as cache:
        assert not import_paths(cache, [folder], workers=0).failures
        rows = {Path(row.source).name: row for row in cache.list_articles(())}
    assert rows["bbc-business-254.txt"].story == rows["bbc-business-447.txt"].story
    assert rows["bbc-business-001.txt"].story != rows["bbc-business-254.txt"].story
    assert rows["bbc-business-254.txt"].sources == 2


def listed(text: str) -> dict[int, str]:
    """The lines of a text ``list`` by article id (after the two mark columns)."""
    return {int(line[2:].split()[0]): line for line in text.splitlines()}


def test_the_text_list_shows_a_row_per_story_and_json_every_copy(
    cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "feeds.toml").write_text("", encoding="utf-8")
    with Cache(cli.data_dir / "cache.sqlite3") as cache:
        original, copy, other = three_articles(cache)
    lines = listed(cli("list").out)
    assert list(lines) == [other, copy]  # the newest copy stands for its story
    assert lines[copy].endswith("(+1 source)")
    assert "source" not in lines[other]
    rows = [json.loads(line) for line in cli("list", "--json").out.splitlines()]
    assert {(row["id"], row["story"], row["sources"]) for row in rows} == {
        (original, original, 2),
        (copy, original, 2),
        (other, other, 1),
    }
    assert len(cli("list", "--limit", "1").out.splitlines()) == 1
    assert list(listed(cli("list", "--story", str(original)).out)) == [original, copy]
    missing = cli("list", "--story", "999999")
    assert missing.code == 1 and "no article 999999" in missing.err


async def test_the_reader_shows_a_story_once_unfolds_its_copies_and_reads_them_together(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    with Cache(app.locations.cache_file) as cache:
        original, copy, _other = three_articles(cache)
    async with app.run_test(size=(140, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        assert await until(pilot, lambda: any(s.id == copy for s in article_list.summaries))
        ids = [summary.id for summary in article_list.summaries]
        assert original not in ids
        row = ids.index(copy)
        source = article_list.get_row_at(row)[2].plain
        assert source.endswith(" +1")
        article_list.focus()
        article_list.move_cursor(row=row)
        await pilot.press("z")
        assert await until(pilot, lambda: len(article_list.summaries) == len(ids) + 1)
        assert article_list.summaries[row + 1].id == original
        assert article_list.get_row_at(row + 1)[2].plain.startswith(COPY_MARK)
        await pilot.press("enter")
        assert await until(pilot, lambda: shown_title(app) == "UPDATE: Ferries return")
        assert await until(
            pilot, lambda: all(s.read for s in article_list.summaries[row : row + 2])
        )
        assert app.cache.marks(original).read  # type: ignore[union-attr]
        article_list.focus()
        article_list.move_cursor(row=row)
        await pilot.press("z")
        assert await until(pilot, lambda: len(article_list.summaries) == len(ids))


async def test_read_whole_story_false_reads_only_the_copy_opened(tmp_path: Path) -> None:
    app = make_app(tmp_path, settings="read_whole_story = false")
    with Cache(app.locations.cache_file) as cache:
        original, copy, _other = three_articles(cache)
    async with app.run_test(size=(140, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        assert await until(pilot, lambda: any(s.id == copy for s in article_list.summaries))
        assert app.main_screen.show_article(copy)
        await pilot.pause()
        assert app.cache.marks(copy).read  # type: ignore[union-attr]
        assert not app.cache.marks(original).read  # type: ignore[union-attr]


def test_a_story_keeps_an_id_of_its_own_when_its_first_article_goes(cache: Cache) -> None:
    # The newest id is the story's first article; once it is pruned, an article stored
    # later gets its id again and must not join the story that had it.
    [copy] = store(cache, article("b", "Ferries", story_text(3), TWO, day=20))
    [first] = store(cache, article("a", "Ferries", story_text(1), ONE, day=1))
    store(cache, article("b", "Ferries", republished(story_text(1)), TWO, day=20))
    assert cache.summaries_of([copy])[0].story == first
    assert cache.prune(ONE, older_than=datetime(2026, 3, 10, tzinfo=UTC).timestamp(),
                       keep_newest=None) == 1  # fmt: skip
    [unrelated] = store(cache, article("c", "Budget vote", story_text(42), THREE, day=21))
    assert unrelated == first  # the id came back
    assert cache.summaries_of([unrelated])[0].sources == 1
    assert cache.summaries_of([copy])[0].story == copy


def test_a_first_article_that_changes_into_another_story_leaves_it(cache: Cache) -> None:
    first, copy = store(
        cache,
        article("a", "Ferries", story_text(1), ONE, day=1),
        article("b", "Ferries", republished(story_text(1)), TWO, day=2),
    )
    store(cache, article("a", "Ferries", story_text(7), ONE, day=1))
    rows = cache.summaries_of([first, copy])
    assert [row.sources for row in rows] == [1, 1]
    assert rows[0].story != rows[1].story


def test_a_story_never_holds_two_entries_of_one_source(cache: Cache) -> None:
    template = story_text(50, paragraphs=4)
    ids = []
    for day in range(1, 11):  # two feeds, one templated report a day each
        for number, source in enumerate((ONE, TWO)):
            body = template + story_text(1000 + day * 10 + number, paragraphs=2)
            ids += store(cache, article(f"{number}-{day}", f"Day {day}", body, source, day=day))
    rows = cache.summaries_of(ids)
    per_story: dict[int, set[str]] = {}
    for row in rows:
        assert row.source not in per_story.setdefault(row.story, set())
        per_story[row.story].add(row.source)
    assert max(row.sources for row in rows) == 2


def test_a_hidden_copy_is_not_counted(cache: Cache, tmp_path: Path) -> None:
    from newsreader.config import parse_config
    from newsreader.queries import FilterContext, apply_hide_rules

    first, _copy = store(
        cache,
        article("a", "Ferries", story_text(1), ONE, day=1),
        article("b", "Ferries, again", republished(story_text(1)), TWO, day=2),
    )
    assert cache.summaries_of([first])[0].sources == 2
    rules = parse_config("[[ignore]]\nfilter = 'title =~ \"again\"'\n", tmp_path / "f.toml")
    apply_hide_rules(cache, rules.ignore, FilterContext())
    assert cache.summaries_of([first])[0].sources == 1
    assert cache.story_copies(first) == []


def test_a_list_of_more_rows_than_sqlite_has_variables_reads(cache: Cache) -> None:
    cache.store_articles(
        article(f"n{n}", f"Note {n}", [f"Note number {n} of the day."], ONE) for n in range(1200)
    )
    cache._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    assert len(cache.list_articles((), limit=1100)) == 1100


async def test_the_list_keeps_its_place_on_an_unfolded_copy_without_reading_on(
    tmp_path: Path,
) -> None:
    from newsreader.tree import NodeKind, Selection
    from newsreader.ui.widgets.article_list import ListQuery

    app = make_app(tmp_path)
    with Cache(app.locations.cache_file) as cache:
        cache.store_articles(
            article(f"n{n}", f"Note {n}", [f"Note {n}."], ONE, day=2) for n in range(350)
        )
        first, copy = store(
            cache,
            article("a", "Ferries", story_text(1), ONE, day=20),
            article("b", "Ferries copy", republished(story_text(1)), TWO, day=10),
        )
    async with app.run_test(size=(140, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        article_list.load(ListQuery(Selection(NodeKind.FEED, feed_url=ONE)))
        await pilot.pause()
        row = [summary.id for summary in article_list.summaries].index(first)
        article_list.focus()
        article_list.move_cursor(row=row)
        await pilot.press("z")
        assert await until(pilot, lambda: article_list.summaries[row + 1].id == copy)
        article_list.move_cursor(row=row + 1)
        pages: list[int] = []
        loader = article_list._pages

        def counted(
            query: ListQuery, loaded: list[ArticleSummary], size: int
        ) -> list[ArticleSummary]:
            pages.append(len(loaded))
            return loader(query, loaded, size)

        article_list._pages = counted
        article_list.load(article_list.list_query, keep_article=copy)  # as after a refresh
        assert pages == [0]  # its first page, not the whole feed
        assert article_list.current_article == copy


def test_the_sketch_migration_keeps_the_groups_and_forgets_the_old_marks(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Cache(path) as cache:
        original, copy, other = three_articles(cache)
    db = sqlite3.connect(path)
    with db:
        db.execute("PRAGMA user_version = 11")  # as the version before wrote it
    db.close()
    with Cache(path) as cache:
        assert cache._db.execute("SELECT COUNT(*) FROM story_marks").fetchone()[0] == 0
        rows = {row.id: row for row in cache.summaries_of([original, copy, other])}
        assert rows[copy].story == rows[original].story == original
        # An article stored anew is sketched the new way and finds its copies again.
        (again,) = store(
            cache, article("b", "Ferries", [*republished(story_text(1)), "More."], TWO)
        )
        (third,) = store(cache, article("d", "Ferries", story_text(1)[:-1], THREE, day=4))
        assert cache.summaries_of([third])[0].story == cache.summaries_of([again])[0].story
        assert cache.prune(ONE, older_than=None, keep_newest=0) == 1  # the triggers still run


def _a_copy_after_the_story_was_read(cache: Cache) -> tuple[int, int]:
    """A story already read, then another outlet's copy of it dated earlier: the read
    article stays the story's row, the unread copy folded under it."""
    [original] = store(cache, article("a", "Harbour reopens", story_text(1), ONE, day=5))
    cache.set_read(original, True)
    [copy] = store(cache, article("b", "UPDATE: Ferries", republished(story_text(1)), TWO, day=2))
    assert cache.summaries_of([original])[0].unread_copies == frozenset({copy})
    return original, copy


@pytest.mark.parametrize("whole_story", [True, False])
async def test_next_unread_stops_at_a_read_row_whose_folded_copy_is_unread(
    tmp_path: Path, whole_story: bool
) -> None:
    app = make_app(tmp_path, settings=f"read_whole_story = {str(whole_story).lower()}")
    with Cache(app.locations.cache_file) as cache:
        original, copy = _a_copy_after_the_story_was_read(cache)
    async with app.run_test(size=(140, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        assert await until(pilot, lambda: article_list.listed(original) is not None)
        assert article_list.listed(copy) is None  # folded
        row = [s.id for s in article_list.summaries].index(original)
        assert article_list.get_row_at(row)[0].plain.startswith("●")
        article_list.focus()
        if row:
            article_list.move_cursor(row=row - 1)
            await pilot.press("n")
        else:
            article_list.move_cursor(row=1)
            await pilot.press("p")
        # The whole story is read from its row; else the unread copy is what opens.
        expected = "Harbour reopens" if whole_story else "UPDATE: Ferries"
        assert await until(pilot, lambda: shown_title(app) == expected)
        # The row under the cursor is what was opened (the copy, unfolded): m marks it.
        assert article_list.current_article == (original if whole_story else copy)
        assert await until(pilot, lambda: app.cache.marks(copy).read)  # type: ignore[union-attr]
        assert await until(pilot, lambda: not article_list.row_unread(row))
        assert await until(pilot, lambda: article_list.get_row_at(row)[0].plain.startswith(" "))


def test_a_copy_read_or_hidden_is_no_unread_copy(cache: Cache) -> None:
    original, copy = _a_copy_after_the_story_was_read(cache)
    cache.set_read(copy, True)
    assert cache.summaries_of([original])[0].unread_copies == frozenset()
    cache.set_read(copy, False)
    cache._db.execute("INSERT INTO hidden (article_id, rule) VALUES (?, 1)", (copy,))
    assert cache.summaries_of([original])[0].unread_copies == frozenset()


def test_the_text_list_marks_new_a_read_story_with_an_unread_copy(
    cli: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "feeds.toml").write_text("", encoding="utf-8")
    with Cache(cli.data_dir / "cache.sqlite3") as cache:
        original, copy = _a_copy_after_the_story_was_read(cache)
    lines = listed(cli("list").out)
    assert list(lines) == [original] and lines[original].startswith(" N")
    copies = listed(cli("list", "--story", str(original)).out)
    assert copies[original].startswith("  ") and copies[copy].startswith(" N")


async def test_m_on_a_read_row_with_an_unread_copy_marks_the_story_read(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with Cache(app.locations.cache_file) as cache:
        original, copy = _a_copy_after_the_story_was_read(cache)
    async with app.run_test(size=(140, 40)) as pilot:
        article_list = app.query_one(ArticleList)
        assert await until(pilot, lambda: article_list.listed(original) is not None)
        row = [s.id for s in article_list.summaries].index(original)
        article_list.focus()
        article_list.move_cursor(row=row)
        await pilot.press("m")  # the row shows unread: m marks it, and so its copy, read
        assert await until(pilot, lambda: app.cache.marks(copy).read)  # type: ignore[union-attr]
        assert app.cache.marks(original).read  # type: ignore[union-attr]
        assert await until(pilot, lambda: not article_list.row_unread(row))
        await pilot.press("m")
        assert await until(pilot, lambda: not app.cache.marks(copy).read)  # type: ignore[union-attr]
        assert await until(pilot, lambda: article_list.row_unread(row))


def test_mark_all_of_a_source_reads_the_copies_of_its_stories_and_undo_unreads_them(
    cache: Cache,
) -> None:
    original, copy = _a_copy_after_the_story_was_read(cache)
    assert cache.count_unread(source=ONE) == 0
    assert cache.count_unread(source=ONE, whole_stories=True) == 1
    assert cache.mark_all_read(source=ONE, whole_stories=True, description="in one") == 1
    assert cache.marks(copy).read  # type: ignore[union-attr]
    assert cache.summaries_of([original])[0].unread_copies == frozenset()
    undone = cache.undo_marks()
    assert undone is not None and undone.restored == 1
    assert not cache.marks(copy).read  # type: ignore[union-attr]
    assert cache.mark_all_read(source=ONE) == 0  # without whole stories: its own only
    assert not cache.marks(copy).read  # type: ignore[union-attr]
