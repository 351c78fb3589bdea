"""Editing the feed list: one mechanism for every edit of feeds.toml.

Every edit is made on a real feeds.toml, and the file is compared as text:
only the feed asked for may change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tomlkit import TOMLDocument

from newsreader.config import (
    Config,
    ConfigError,
    FeedConfig,
    FeedNotFound,
    add_feeds,
    edit_config,
    load_config,
    remove_feed,
    set_feed_enabled,
)

FEEDS = """\
# my feeds: a comment at the top

[settings]
timeout = 3   # quick

# --- World ---
[[feeds]]
url = "https://world.example/rss"
name = "World News"
category = "World"

[[feeds]]
url = "https://science.example/rss"   # the science one
name = "Science"
# full_text = true

# --- Technology ---
[[feeds]]
url = "https://tech.example/feed/"
name = "Tech"
enabled = false  # too noisy

[[feeds]]
url = "https://www.gadgets.example/atom"

[[local]]
path = "articles"
"""


def with_feed(table: str) -> str:
    """FEEDS with one more feed, where ``add`` puts it: after the last, before [[local]]."""
    return FEEDS.replace("[[local]]\n", f"{table}\n[[local]]\n")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS, encoding="utf-8")
    return path


# --- the one edit mechanism ------------------------------------------------------------


def test_an_edit_is_redone_when_an_editor_saves_the_file_meanwhile(config: Path) -> None:
    seen: list[int] = []

    def edit(document: TOMLDocument, current: Config) -> int:
        if not seen:  # an editor saves the file while this edit is being made
            config.write_text(FEEDS.replace("timeout = 3", "timeout = 4"), encoding="utf-8")
        seen.append(len(current.feeds))
        document["settings"]["per_host"] = 2
        return len(seen)

    assert edit_config(config, edit) == 2
    loaded = load_config(config)
    assert (loaded.settings.timeout, loaded.settings.per_host) == (4, 2)
    assert seen == [4, 4]


def test_an_edit_gives_up_on_a_file_that_keeps_changing(config: Path) -> None:
    def edit(document: TOMLDocument, current: Config) -> None:
        config.write_text(config.read_text() + "\n", encoding="utf-8")
        document["settings"]["per_host"] = 2

    with pytest.raises(ConfigError, match="the file keeps changing; try again"):
        edit_config(config, edit)
    assert "per_host" not in config.read_text()


def test_an_edit_that_would_break_the_file_is_not_written(config: Path) -> None:
    def edit(document: TOMLDocument, current: Config) -> None:
        document["settings"]["timeout"] = "soon"

    with pytest.raises(ConfigError, match="not changed: the edit would not load"):
        edit_config(config, edit)
    assert config.read_text(encoding="utf-8") == FEEDS


def test_the_functions_behind_the_commands(config: Path) -> None:
    with pytest.raises(FeedNotFound, match="no feed World in"):
        remove_feed(config, "World")  # a name is matched whole, not in part
    feed, changed = set_feed_enabled(config, "World News", False)
    assert (feed.url, changed) == ("https://world.example/rss", True)
    assert remove_feed(config, "https://world.example/rss").enabled is False
    assert len(load_config(config).feeds) == 3


def test_add_feeds_puts_a_feed_after_the_last_one(config: Path) -> None:
    added = add_feeds(config, [FeedConfig("https://new.example/feed", "New", ("A", "B"))])
    assert [feed.url for feed in added] == ["https://new.example/feed"]
    table = '[[feeds]]\nurl = "https://new.example/feed"\nname = "New"\ncategory = "A/B"\n'
    assert config.read_text(encoding="utf-8") == with_feed(table)
    assert add_feeds(config, [FeedConfig("http://NEW.example/feed/")]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", '[[feeds]]\nurl = "https://n.example/"\n'),
        ("[settings]\ntimeout = 3\n", '[settings]\ntimeout = 3\n\n[[feeds]]\nurl = "https://n.example/"\n'),
        ('[[feeds]]\nurl = "https://a.example/"\n', '[[feeds]]\nurl = "https://a.example/"\n\n[[feeds]]\nurl = "https://n.example/"\n'),
        ('[[feeds]]\nurl = "https://a.example/"\n\n# Folders\n[[local]]\npath = "x"\n',
         '[[feeds]]\nurl = "https://a.example/"\n\n[[feeds]]\nurl = "https://n.example/"\n\n# Folders\n[[local]]\npath = "x"\n'),
        ('feeds = [{url = "https://a.example/"}]\n', 'feeds = [{url = "https://a.example/"}, {url = "https://n.example/"}]\n'),
    ],
)  # fmt: skip
def test_add_feeds_sets_the_new_feed_apart_as_the_others_are(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    add_feeds(path, [FeedConfig("https://n.example/")])
    assert path.read_text(encoding="utf-8") == expected
