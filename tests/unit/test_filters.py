"""The filter language: its parser and errors, its SQL, and its Python reading of one article."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsreader.cache import Cache
from newsreader.filters import FilterError, looks_like_filter, parse_filter
from newsreader.filters.evaluate import ArticleFacts, passes
from newsreader.filters.syntax import MAX_DEPTH, All, Any, Flag, FlagName, Not, TextTest
from newsreader.model import Article, Enclosure, Section
from newsreader.queries import FilterContext, has_words


def error_of(text: str) -> str:
    with pytest.raises(FilterError) as raised:
        parse_filter(text)
    return str(raised.value)


# The parser


def test_the_issue_example_reads_as_a_newsboat_user_writes_it() -> None:
    parsed = parse_filter('title =~ "rust" and not author = "Jane Doe" or starred')
    assert isinstance(parsed.root, Any)  # "and" binds tighter than "or"
    conjunction, flag = parsed.root.parts
    assert isinstance(conjunction, All)
    assert isinstance(conjunction.parts[1], Not)
    assert flag == Flag(FlagName.STARRED)


def test_parentheses_group_and_keywords_take_any_case() -> None:
    parsed = parse_filter('(unread OR starred) AND title =~ "x"')
    assert isinstance(parsed.root, All)
    assert isinstance(parsed.root.parts[0], Any)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title =~ "rust" and feed =', 'filter:1:27: expected a value after "="'),
        ('author = "x" and feed =  ', 'filter:1:26: expected a value after "="'),
        ('titel = "x"', 'filter:1:1: unknown field "titel"'),
        ('title "x"', 'filter:1:7: expected an operator after "title"'),
        ('content = "x"', 'filter:1:9: "content" takes =~, !~, not "="'),
        ("age < 7", "filter:1:7: expected a duration such as 30m, 12h, 7d or 2w"),
        ("published > 2026-13-01", "filter:1:13: expected a date such as 2026-01-01"),
        ('title = "open', 'filter:1:9: this text has no closing "'),
        ('(unread and title = "x"', 'filter:1:24: expected ")" to close the "(" at 1:1'),
        ("unread)", 'filter:1:7: this ")" closes nothing'),
        ("unread starred", 'filter:1:8: expected "and", "or" or the end, not "starred"'),
        ("title = rust", 'filter:1:9: expected a quoted value after "=" (such as "rust")'),
        ('title =~ "(unclosed"', "filter:1:10: not a pattern:"),
        ("has:picture", 'filter:1:1: unknown "has:picture" (there is has:enclosure)'),
        ("and unread", 'filter:1:1: expected a test before "and"'),
        ("", "filter:1:1: the filter is empty"),
        ('unread and\n  title ! "x"', 'filter:2:9: "!" is not an operator'),
    ],
)
def test_errors_point_at_the_line_and_column(text: str, message: str) -> None:
    assert error_of(text).startswith(message)


def test_nesting_and_length_are_bounded_without_recursing_past_the_limit() -> None:
    assert f"nested more than {MAX_DEPTH} deep" in error_of("(" * 1_000 + "unread" + ")" * 1_000)
    assert "nested more than" in error_of("not " * 900 + "unread")
    assert "at most 4,000 characters" in error_of("(" * 10_000 + "unread" + ")" * 10_000)
    assert "more than 100 tests" in error_of(" or ".join(["unread"] * 101))


def test_escapes_in_quoted_values() -> None:
    parsed = parse_filter('title = "say \\"hi\\" \\\\ now" or author = \'O\\\'Connor\'')
    assert isinstance(parsed.root, Any)
    first, second = parsed.root.parts
    assert isinstance(first, TextTest) and first.value == 'say "hi" \\ now'
    assert isinstance(second, TextTest) and second.value == "O'Connor"


def test_what_the_search_box_takes_for_a_filter() -> None:
    assert looks_like_filter('title =~ "x"')
    assert looks_like_filter("unread and starred")
    assert looks_like_filter("has:enclosure")
    assert looks_like_filter("age < 3d")
    assert not looks_like_filter("ferry strike")
    assert not looks_like_filter("unread ferries")  # a word that is no flag: a search
    assert not looks_like_filter("and or not")


def test_a_pattern_that_backtracks_without_end_is_bounded() -> None:
    parsed = parse_filter('title =~ "(a|aa)+b"')
    facts = ArticleFacts("a" * 5_000, None, None, (), (), 0.0, None)
    started = time.monotonic()
    assert not passes(parsed, facts, 0.0)
    assert time.monotonic() - started < 5


# SQL and Python give one answer

VOCABULARY = ["Rust", "rust", "RUSTY", "ferry", "Ferries", "élan", "ÉLAN", "strike", "K", "_%",
              "\u212aelvin", "\u017ftrike", "\u0130stanbul", "ferr\u0131es", "FERRY"]  # fmt: skip
AUTHORS = [None, "Jane Doe", "jane doe", "José Álvarez", "O'Connor"]
CATEGORIES = [(), ("World",), ("World", "Europe"), ("world", "europe", "France"), ("Tech",)]
FEEDS = ["https://a.example/feed", "https://b.example/feed", "file:/tmp/x.txt"]
FEED_NAMES = {FEEDS[0]: ("LWN", FEEDS[0]), FEEDS[1]: ("Ferry News", FEEDS[1])}
NOW = datetime(2026, 6, 1, 12).timestamp()
DAY = 86_400.0

FILTER_TEXTS = [
    'title =~ "rust"',
    'title = "rust ferry"',
    'title != "rust"',
    'title =~ "^ru.t"',
    'title =~ "fer+y"',
    'title =~ "^rust.*ferry"',
    'title =~ "stri[kc]e"',
    'title =~ "tr.ke"',
    'title =~ "kelvin|istanbul"',
    'title =~ "ferri?es$"',
    'author =~ "^jane.*doe$"',
    'title !~ "élan"',
    'title =~ "_%"',
    'author = "JANE DOE"',
    'author =~ "álv"',
    'author != "Jane Doe"',
    'feed = "lwn"',
    'feed =~ "ferry"',
    'feed != "LWN"',
    'category = "World"',
    'category = "world/europe"',
    'category != "World/Europe"',
    'category =~ "eur.pe$"',
    'content =~ "ferries"',
    'content =~ "strik"',
    'content !~ "rust"',
    'url =~ "example.org/1"',
    "age < 7d",
    "age >= 30d",
    "published > 2026-05-20",
    "published = 2026-05-20",
    "published != 2026-05-20",
    "published <= 2026-05-20",
    "unread",
    "read",
    "starred",
    "has:enclosure",
]


@st.composite
def articles(draw: st.DrawFn) -> tuple[Article, bool, bool]:
    words = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=4))
    body = draw(st.lists(st.sampled_from(VOCABULARY), max_size=6))
    days = draw(st.integers(min_value=0, max_value=60))
    hour = draw(st.integers(min_value=0, max_value=23))
    published = NOW - days * DAY - hour * 3600 if draw(st.booleans()) else None
    article = Article(
        title=" ".join(words),
        source=draw(st.sampled_from(FEEDS)),
        guid=str(draw(st.integers(0, 10**9))),
        url=f"https://example.org/{draw(st.integers(0, 30))}",
        published=datetime.fromtimestamp(published).astimezone() if published else None,
        author=draw(st.sampled_from(AUTHORS)),
        categories=draw(st.sampled_from(CATEGORIES)),
        sections=(Section(None, (" ".join(body) or "Body.",)),),
        enclosures=(Enclosure("https://example.org/a.mp3", "audio/mpeg"),)
        if draw(st.booleans())
        else (),
    )
    return article, draw(st.booleans()), draw(st.booleans())


@st.composite
def filter_texts(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(FILTER_TEXTS))
    left = draw(filter_texts(depth + 1))
    right = draw(filter_texts(depth + 1))
    shape = draw(st.sampled_from(["({} and {})", "({} or {})", "not ({})"]))
    return shape.format(left, right) if "{}" in shape[4:] else shape.format(left)


def facts_of(cache: Cache, article_id: int, source_names: tuple[str, ...]) -> ArticleFacts:
    stored = cache.get_article(article_id)
    assert stored is not None
    row = cache._db.execute(
        "SELECT sort_key, published, enclosures FROM articles WHERE id = ?", (article_id,)
    ).fetchone()
    listed = cache._db.execute(
        "SELECT source, category FROM listings WHERE article_id = ?", (article_id,)
    ).fetchall()
    article = stored.article
    feeds = [*source_names]
    for source, _ in listed:
        feeds += FEED_NAMES.get(source, ())
    categories = (article.categories, *(tuple(c.split("/")) if c else () for _, c in listed))
    body = article.body_text()
    return ArticleFacts(
        title=article.title,
        author=article.author,
        url=article.url,
        feeds=tuple(feeds),
        categories=categories,
        sort_time=row[0],
        published=row[1],
        read=stored.read,
        starred=stored.starred,
        enclosures=row[2],
        has_words=lambda words: has_words(article.title, body, words),
    )


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    stored=st.lists(articles(), min_size=1, max_size=25),
    texts=st.lists(filter_texts(), min_size=1, max_size=6),
)
def test_sql_and_python_pass_the_same_articles(
    tmp_path_factory: pytest.TempPathFactory,
    stored: list[tuple[Article, bool, bool]],
    texts: list[str],
) -> None:
    with Cache(tmp_path_factory.mktemp("filters") / "cache.sqlite3") as cache:
        outcomes = cache.store_articles(
            [article for article, _, _ in stored], fallback_time=NOW - 90 * DAY
        )
        for (_, read, starred), (_, article_id) in zip(stored, outcomes, strict=True):
            cache.set_read(article_id, read)
            cache.set_starred(article_id, starred)
        ids = [int(row[0]) for row in cache._db.execute("SELECT id FROM articles")]
        sources = dict(cache._db.execute("SELECT id, source FROM articles").fetchall())
        context = FilterContext(FEED_NAMES)
        for text in texts:
            parsed = parse_filter(text)
            compiled = context.compile(cache, [parsed], now=NOW)
            assert compiled is not None
            by_sql = {
                int(row[0])
                for row in cache._db.execute(
                    f"SELECT id FROM articles WHERE {compiled.sql}", compiled.params
                )
            }
            by_python = {
                article_id
                for article_id in ids
                if passes(
                    parsed,
                    facts_of(cache, article_id, FEED_NAMES.get(sources[article_id], ())),
                    NOW,
                )
            }
            assert by_sql == by_python, text


def test_no_value_of_a_filter_is_ever_part_of_its_sql(cache: Cache) -> None:
    hostile = "x'); DROP TABLE articles; --"
    pattern = "x' OR 1=1 --"
    text = (
        f'title = "{hostile}" or author =~ "{pattern}" or title =~ "{pattern}." '
        f'or content =~ "{hostile}" or category = "{hostile}" or feed = "{hostile}"'
    )
    compiled = FilterContext({"https://a.example/": (hostile,)}).compile(
        cache, [parse_filter(text)]
    )
    assert compiled is not None
    assert "DROP" not in compiled.sql and "x'" not in compiled.sql
    cache.store_articles([Article(title=hostile, source="s", guid="1")])
    assert cache.filtered_counts(compiled) == (1, 1)
    assert cache._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1


def test_a_filter_over_many_sources_is_one_parameter(cache: Cache, tmp_path: Path) -> None:
    names = {f"https://{n}.example/": (f"Feed {n}",) for n in range(40_000)}
    compiled = FilterContext(names).compile(cache, [parse_filter('feed =~ "feed"')])
    assert compiled is not None
    assert len(compiled.params) == 2  # the list, for the articles and for the listings
    assert cache.filtered_counts(compiled) == (0, 0)


@pytest.mark.parametrize(
    ("pattern", "required"),
    [
        ("^stadium.*final", "tad"),  # never across s, k or i: see _UNFOLDED
        ("colou?r theory", "r theory"),
        ("x{2,3}yyyy", "yyyy"),
        ("un+known", "nown"),
        ("[abc]def\\.ghj", "def"),
        ("rust(ace)?an", None),
        ("a|bcdef", None),
        ("foo\\d+bar", None),
        ("(?i)tramway", None),
    ],
)
def test_what_every_match_of_a_pattern_must_contain(pattern: str, required: str | None) -> None:
    from newsreader.filters.patterns import required_text

    assert required_text(pattern) == required


# What a red-team review found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("published = 9999-12-31", "filter:1:13: expected a date"),
        ("published = 0001-01-01T00:00", "filter:1:13: expected a date"),
        ("published = 20260101", "filter:1:13: expected a date"),
        ("published = 2026-W01-1", "filter:1:13: expected a date"),
        ('title =~ "(?V1)x"', "filter:1:10: not a pattern: VERSION0 and VERSION1"),
        ('title =~ "(?:a{65535}){65535}"', "filter:1:10: not a pattern: its counted repeats"),
        ('title =~ "a{1000000}"', "filter:1:10: not a pattern: its counted repeats"),
        ('title = "a\x00b"', "filter:1:11: a quoted value cannot hold the control character"),
        ("age < ٣d", "filter:1:7: expected a duration"),
    ],
)
def test_values_no_clock_or_engine_can_hold_are_errors_not_tracebacks(
    text: str, message: str
) -> None:
    assert error_of(text).startswith(message)


def test_unicode_spaces_separate_tokens() -> None:
    assert isinstance(parse_filter("unread\u00a0and\u3000starred").root, All)


def test_a_day_runs_from_midnight_to_midnight_across_a_clock_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        day = parse_filter("published = 2026-03-29").root  # clocks go forward an hour
        assert day.end - day.start == 23 * 3600  # type: ignore[union-attr]
        after = parse_filter("published = 2026-03-30").root
        assert after.start == day.end  # type: ignore[union-attr]
        autumn = parse_filter("published = 2026-10-25").root
        assert autumn.end - autumn.start == 25 * 3600  # type: ignore[union-attr]
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_filter_too_slow_stops_at_the_deadline(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsreader.cache import matching

    monkeypatch.setattr(matching, "FILTER_DEADLINE", 0.5)
    cache.store_articles(
        [Article(title="a" * 28 + "!", source="s", guid=str(n)) for n in range(300)]
    )
    compiled = FilterContext().compile(cache, [parse_filter('title =~ "(a|aa)+$"')])
    assert compiled is not None
    started = time.monotonic()
    with pytest.raises(matching.FilterTooSlow, match=r"took longer than 0\.5 s"):
        cache.filtered_counts(compiled)
    assert time.monotonic() - started < 3
    with pytest.raises(matching.FilterTooSlow):
        cache.list_articles(matching=compiled)
    assert cache.special_counts()[0] == 300  # the connection reads on


def test_what_the_search_box_no_longer_takes_for_a_filter() -> None:
    for words in ["read", "starred", "covid (update)", "C++ <3", "unread ferries"]:
        assert not looks_like_filter(words), words
    for text in ["not read", "(unread or starred)", 'Title="x"', "has:enclosure"]:
        assert looks_like_filter(text), text
