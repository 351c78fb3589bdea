"""Query feeds and the killfile on real caches, a real feed server and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsreader.cache import Cache
from newsreader.config import ConfigError, load_config, parse_config
from newsreader.filters import parse_filter
from newsreader.model import Article
from newsreader.queries import FilterContext, apply_hide_rules
from newsreader.refresh import refresh
from newsreader.tree import NodeKind, Selection, count_tree
from tests.helpers.cli import CliRunner
from tests.loopback import LoopbackServer, rss, static

ITEMS = [
    ("r1", "Rust 2.0 Released", "<p>The compiler is faster.</p>"),
    ("r2", "Sponsored: Buy a Rust Course", "<p>Advertisement.</p>"),
    ("f1", "Ferry Strike Ends", "<p>Ferries sail again in the harbour.</p>"),
    ("g1", "Celebrity Gossip Roundup", "<p>Who wore what.</p>"),
    ("w1", "Weather Warning for the Coast", "<p>Storms on the harbour.</p>"),
]


def write(tmp_path: Path, server: LoopbackServer, extra: str) -> Path:
    config = tmp_path / "feeds.toml"
    config.write_text(
        "[settings]\ntimeout = 5\n\n"
        f'[[feeds]]\nurl = "{server.url("/news.xml")}"\nname = "Loopback News"\n'
        'category = "News/World"\n\n' + extra,
        encoding="utf-8",
    )
    return config


def titles(cache: Cache, **kwargs: object) -> list[str]:
    return sorted(row.title for row in cache.list_articles(limit=100, **kwargs))  # type: ignore[arg-type]


KILLFILE = """
[[queries]]
name = "Rust"
filter = 'title =~ "rust"'

[[queries]]
name = "Harbour"
filter = 'content =~ "harbour" and unread'
category = "News"

[[ignore]]
filter = 'title =~ "^sponsored:"'
mode = "skip"

[[ignore]]
filter = 'feed = "Loopback News" and title =~ "gossip"'
"""


@pytest.fixture
def news(tmp_path: Path, server: LoopbackServer) -> Path:
    server.routes["/news.xml"] = static(rss("Loopback News", ITEMS))
    return write(tmp_path, server, KILLFILE)


def test_a_refresh_skips_and_hides_what_the_killfile_says(news: Path, cache: Cache) -> None:
    config = load_config(news)
    report = refresh(config, cache, parse_workers=0)
    assert report.skipped == {0: 1}
    assert report.hidden == {1: 1}
    assert report.feeds[0].new == 4  # the sponsored entry was never stored
    stored = [row[0] for row in cache._db.execute("SELECT title FROM articles")]
    assert "Sponsored: Buy a Rust Course" not in stored
    assert "Celebrity Gossip Roundup" in stored
    # Hidden: stored, but listed and counted nowhere but under Hidden.
    assert "Celebrity Gossip Roundup" not in titles(cache)
    assert "Celebrity Gossip Roundup" not in titles(cache, category=("News",))
    assert titles(cache, hidden=True) == ["Celebrity Gossip Roundup"]
    assert cache.special_counts() == (3, 3, 0)
    assert cache.source_counts()[config.feeds[0].url] == (3, 3)
    assert cache.category_tree().children["News"].unread_count == 3
    assert cache.search("gossip") == []
    assert cache.count_unread() == 3
    # Refreshing again changes nothing: the skipped entry is skipped again, and counted.
    again = refresh(config, cache, parse_workers=0)
    assert again.feeds[0].new == 0
    assert cache.special_counts() == (3, 3, 0)


def test_query_feeds_count_list_and_mark_read_with_undo(news: Path, cache: Cache) -> None:
    config = load_config(news)
    refresh(config, cache, parse_workers=0)
    counts = count_tree(cache, config.feeds, (), config.queries, hiding=True)
    top = {item.label: item for item in counts.items}
    assert (top["Rust"].total_count, top["Rust"].unread_count) == (1, 1)
    assert top["Rust"].selection == Selection(NodeKind.QUERY, (), query=config.queries[0])
    assert list(top)[:5] == ["All", "Unread", "Starred", "Rust", "Hidden"]
    assert (top["Hidden"].total_count, top["Hidden"].unread_count) == (1, 1)
    harbour = next(child for child in top["News"].children if child.label == "Harbour")
    assert harbour.unread_count == 2  # under its category, first
    compiled = FilterContext.of(config.feeds, cache.feed_states()).compile(
        cache, [config.queries[1].filter]
    )
    assert compiled is not None
    assert titles(cache, matching=compiled) == [
        "Ferry Strike Ends",
        "Weather Warning for the Coast",
    ]
    assert cache.count_unread(matching=compiled) == 2
    assert cache.mark_all_read(matching=compiled, description='in "Harbour"') == 2
    assert cache.filtered_counts(compiled) == (0, 0)  # the query wants unread ones
    assert cache.special_counts() == (3, 1, 0)
    undone = cache.undo_marks()
    assert undone is not None and undone.restored == 2
    assert cache.filtered_counts(compiled) == (2, 2)


def test_a_changed_killfile_hides_anew_and_unhides(
    news: Path, tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    config = load_config(news)
    refresh(config, cache, parse_workers=0)
    assert titles(cache, hidden=True) == ["Celebrity Gossip Roundup"]
    changed = load_config(write(tmp_path, server, "[[ignore]]\nfilter = 'title =~ \"weather\"'\n"))
    context = FilterContext.of(changed.feeds, cache.feed_states())
    assert apply_hide_rules(cache, changed.ignore, context, always=False) == {0: 1}
    assert titles(cache, hidden=True) == ["Weather Warning for the Coast"]
    assert "Celebrity Gossip Roundup" in titles(cache)
    # The same rules again: nothing to do.
    assert apply_hide_rules(cache, changed.ignore, context, always=False) is None
    none = load_config(write(tmp_path, server, ""))
    assert apply_hide_rules(cache, none.ignore, context, always=False) == {}
    assert titles(cache, hidden=True) == []


def test_an_age_rule_takes_articles_as_they_grow_old(cache: Cache, tmp_path: Path) -> None:
    old = Article(title="Old", source="s", guid="1")
    cache.store_articles([old], fallback_time=1_600_000_000)
    cache.store_articles([Article(title="New", source="s", guid="2")])
    config = parse_config("[[ignore]]\nfilter = 'age > 30d'\n", tmp_path / "feeds.toml")
    assert apply_hide_rules(cache, config.ignore, FilterContext()) == {0: 1}
    assert titles(cache) == ["New"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[[queries]]\nname = 'X'\nfilter = 'title ='\n",
            "feeds.toml:3: filter:1:8: expected a value",
        ),
        ("[[queries]]\nfilter = 'unread'\n", "feeds.toml:1: a query needs a name"),
        ("[[queries]]\nname = 'X'\n", "feeds.toml:1: a query needs a filter"),
        (
            "[[queries]]\nname = 'X'\nfilter = 'unread'\n[[queries]]\nname = 'x'\nfilter = 'read'\n",
            "feeds.toml:5: duplicate query name 'x' (also query 1)",
        ),
        (
            "[[ignore]]\nfilter = 'unread'\nmode = 'drop'\n",
            'feeds.toml:3: mode must be "hide" or "skip"',
        ),
        (
            "[[ignore]]\nfilter = '''\nunread and\n  titel = \"x\"'''\n",
            'feeds.toml:2: filter:2:3: unknown field "titel"',
        ),
        ("queries = 3\n", "feeds.toml:1: queries must be tables written [[queries]]"),
    ],
)
def test_config_mistakes_name_the_file_line_and_key(
    tmp_path: Path, toml: str, message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(toml, Path("feeds.toml"))
    assert str(raised.value).startswith(message)


# The command line


def test_list_filter_query_and_hidden(news: Path, cli: CliRunner, server: LoopbackServer) -> None:
    assert news == cli.data_dir.parent / "feeds.toml"  # the config the command line reads
    result = cli("refresh")
    assert result.code == 0, result.err
    lines = news.read_text().splitlines()
    skip = lines.index("[[ignore]]") + 1
    hide = lines.index("[[ignore]]", skip) + 1
    assert f"killfile {news}:{skip}: skipped 1 new entry\n" in result.out
    assert f"killfile {news}:{hide}: hides 1 article\n" in result.out
    listed = cli("list", "--filter", 'title =~ "ferry" or title =~ "rust"', "--json")
    assert listed.code == 0
    assert sorted(json.loads(line)["title"] for line in listed.out.splitlines()) == [
        "Ferry Strike Ends",
        "Rust 2.0 Released",
    ]
    query = cli("list", "--query", "harbour")
    assert query.code == 0
    assert "Ferry Strike Ends" in query.out and "Rust" not in query.out
    both = cli("list", "--query", "Harbour", "--filter", 'title =~ "weather"')
    assert [line for line in both.out.splitlines() if line] and "Ferry" not in both.out
    hidden = cli("list", "--hidden")
    assert "Celebrity Gossip Roundup" in hidden.out
    assert "Celebrity Gossip Roundup" not in cli("list").out
    bad = cli("list", "--filter", 'title =~ "rust" and feed =')
    assert bad.code == 1
    assert bad.err.strip() == 'newsreader: --filter: filter:1:27: expected a value after "="'
    missing = cli("list", "--query", "Nope")
    assert missing.code == 1
    assert "no query feed named 'Nope' in feeds.toml (there are: 'Rust', 'Harbour')" in missing.err
    report = json.loads(cli("refresh", "--json").out)
    assert [(rule["mode"], rule["count"]) for rule in report["killfile"]] == [
        ("skip", 0),
        ("hide", 1),
    ]


def test_filter_output_is_cleaned(cli: CliRunner) -> None:
    (cli.data_dir.parent / "feeds.toml").write_text("", encoding="utf-8")
    bad = cli("list", "--filter", 'title = "\x1b[31mred')
    assert bad.code == 1
    assert "\x1b" not in bad.err


def test_the_readme_and_the_default_config_examples_read() -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Filters, query feeds and the killfile", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")
    examples = [line for line in blocks[1].splitlines() if line.strip()]
    assert len(examples) == 4
    for text in examples:
        parse_filter(text)
    config = parse_config(blocks[3].removeprefix("toml"), Path("feeds.toml"))
    assert [query.name for query in config.queries] == ["Rust this week"]
    assert [rule.mode.value for rule in config.ignore] == ["hide", "skip"]
    default = (root / "feeds.toml").read_text(encoding="utf-8")
    commented = default.split("# A query feed is", 1)[1]
    uncommented = "\n".join(
        line.removeprefix("# ")
        for line in commented.splitlines()
        if line.startswith("# [")
        or line.startswith("# name")
        or line.startswith("# filter")
        or line.startswith("# mode")
        or line.startswith("# category")
    )
    bundled = parse_config(uncommented, Path("feeds.toml"))
    assert len(bundled.queries) == 1 and len(bundled.ignore) == 1
    assert bundled.ignore[0].mode.value == "skip"


# What a red-team review found


def test_an_import_or_a_sync_hides_what_came_in(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text(
        "[[ignore]]\nfilter = 'title =~ \"spam\"'\n", encoding="utf-8"
    )
    for name, title in [("a.txt", "Spam one"), ("b.txt", "Good one"), ("c.txt", "Spam two")]:
        (tmp_path / name).write_text(f"{title}\n\nA paragraph about {title.lower()}.\n")
    assert cli("import", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")).code == 0
    assert cli("import", str(tmp_path / "c.txt")).code == 0
    listed = cli("list").out
    assert "Good one" in listed and "Spam" not in listed
    assert cli("list", "--search", "spam").out == ""
    assert "Spam two" in cli("list", "--hidden").out


def test_a_mark_all_of_an_account_node_leaves_the_hidden_to_the_server(
    cache: Cache, tmp_path: Path
) -> None:
    from newsreader.cache import AccountFeed, account_source, label_category

    cache.save_account_feeds("home", [AccountFeed("feed/1", "One")])
    source, category = account_source("home", "feed/1"), label_category("home", None)
    stored = cache.store_articles(
        [Article(title=t, source=source, guid=t, categories=category) for t in ("Good", "Spam")]
    )
    cache.record_account_items(
        "home", [(str(n), i, "feed/1", n) for n, (_, i) in enumerate(stored)]
    )
    config = parse_config("[[ignore]]\nfilter = 'title = \"Spam\"'\n", tmp_path / "f.toml")
    apply_hide_rules(cache, config.ignore, FilterContext())
    assert cache.mark_all_read(category) == 1
    tags = [(entry.item_id, entry.tag) for entry in cache.outbox("home")]
    assert tags == [("0", "read")]  # item by item: no mark-all that would take the hidden one


def test_feed_means_an_accounts_subscriptions_too(cli: CliRunner, tmp_path: Path) -> None:
    from newsreader.cache import AccountFeed, account_source, label_category

    (tmp_path / "feeds.toml").write_text(
        "[[accounts]]\nname = 'home'\ntype = 'greader'\nurl = 'https://rss.example/api'\n"
        "user = 'me'\npassword_env = 'NR_TEST_PASSWORD'\n\n"
        "[[queries]]\nname = 'From X'\nfilter = 'feed = \"X News\"'\n",
        encoding="utf-8",
    )
    with Cache(cli.data_dir / "cache.sqlite3") as cache:
        cache.save_account_feeds("home", [AccountFeed("feed/x", "X News")])
        source = account_source("home", "feed/x")
        cache.store_articles(
            [
                Article(
                    title="Synced story",
                    source=source,
                    guid="1",
                    categories=label_category("home", None),
                )
            ]
        )
    assert "Synced story" in cli("list", "--query", "From X").out


def test_search_and_a_filter_together_are_refused(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").write_text("", encoding="utf-8")
    result = cli("list", "--search", "x", "--filter", "unread")
    assert result.code == 1
    assert "cannot be combined with --filter" in result.err


def test_query_feeds_keep_the_configs_order_in_a_category(cache: Cache, tmp_path: Path) -> None:
    config = parse_config(
        "[[feeds]]\nurl = 'https://a.example/feed'\ncategory = 'World'\n"
        "[[queries]]\nname = 'First'\nfilter = 'unread'\ncategory = 'World'\n"
        "[[queries]]\nname = 'Second'\nfilter = 'read'\ncategory = 'World'\n",
        tmp_path / "feeds.toml",
    )
    items = count_tree(cache, config.feeds, (), config.queries).items
    world = next(item for item in items if item.label == "World")
    assert [child.label for child in world.children] == [
        "First",
        "Second",
        "https://a.example/feed",
    ]


def test_a_skip_rule_knows_a_feed_by_its_own_title_on_its_first_refresh(
    tmp_path: Path, server: LoopbackServer, cache: Cache
) -> None:
    server.routes["/news.xml"] = static(rss("Loopback News", ITEMS))
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(
        f'[[feeds]]\nurl = "{server.url("/news.xml")}"\n\n'  # no name: its title is learnt
        "[[ignore]]\nfilter = 'feed = \"Loopback News\" and title =~ \"gossip\"'\nmode = 'skip'\n",
        encoding="utf-8",
    )
    report = refresh(load_config(config_path), cache, parse_workers=0)
    assert report.skipped == {0: 1}
    assert "Celebrity Gossip Roundup" not in titles(cache)


def test_skip_rules_stop_testing_past_their_time_and_keep_the_rest(
    news: Path, cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsreader.queries as queries

    monkeypatch.setattr(queries, "SIFT_SECONDS", -1.0)
    report = refresh(load_config(news), cache, parse_workers=0)
    assert report.skipped == {}
    assert "Sponsored: Buy a Rust Course" in titles(cache)  # kept, not lost
