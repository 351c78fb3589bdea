"""feeds.toml: exact error messages, warnings, edits that keep comments, OPML."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsreader.config import ConfigError, FeedConfig, load_config, parse_config
from newsreader.config_edit import add_feeds
from newsreader.opml import OpmlError, read_opml, write_opml
from newsreader.paths import bundled_config
from tests.helpers.cli import newsreader_env, run_newsreader
from tests.helpers.permissions import as_unprivileged, permission_bits_apply

GOOD = """\
# My feeds
[settings]
concurrency = 8   # polite

[[feeds]]
url = "https://example.org/rss"
name = "Example"
category = "World/Europe"

[[feeds]]
url = "https://example.com/atom"
enabled = false
"""


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("feeds.toml"))
    return str(caught.value)


def test_a_good_config(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.settings.concurrency == 8
    assert [(f.url, f.name, f.category, f.enabled) for f in config.feeds] == [
        ("https://example.org/rss", "Example", ("World", "Europe"), True),
        ("https://example.com/atom", None, (), False),
    ]
    assert config.warnings == ()
    assert config.settings.images is True


def test_images_can_be_turned_off() -> None:
    config = parse_config("[settings]\nimages = false\n", Path("feeds.toml"))
    assert config.settings.images is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feeds]]\nurl = "https://a.org/"\ncategory = 3\n', "feeds.toml:3: category must be a string"),
        ('[[feeds]]\nurl = "https://a.org/"\n\n[[feeds]]\nname = "x"\n', "feeds.toml:4: a feed needs a url"),
        ('[[feeds]]\nurl = "ftp://a.org/"\n', "feeds.toml:2: url must be an http or https address, not 'ftp://a.org/'"),
        ('[[feeds]]\nurl = "https://a.org/"\n[[feeds]]\nurl = "https://A.org"\n',
         "feeds.toml:4: duplicate feed https://A.org (also feed 1)"),
        ('[[feeds]]\nurl = "https://a.org/"\nenabled = "yes"\n', "feeds.toml:3: enabled must be true or false"),
        ("[settings]\n\nconcurrency = 0\n", "feeds.toml:3: concurrency must be an integer from 1 to 256"),
        ("[settings]\ntimeout = true\n", "feeds.toml:2: timeout must be a number of seconds from 0 to 600"),
        ("[settings]\ntimeout = 5\nimages = 1\n", "feeds.toml:3: images must be true or false"),
        ('[settings]\nimages = "no"\n', "feeds.toml:2: images must be true or false"),
        ('[[feeds]]\nurl = "https://a.org/\n', "feeds.toml:2: not valid TOML: Illegal character '\\n'"),
        ('feeds = "not a list"\n', "feeds.toml:1: feeds must be tables written [[feeds]]"),
        ("[[local]]\ncategory = 'x'\n", "feeds.toml:1: a local source needs a path"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_key(text: str, message: str) -> None:
    assert error_of(text) == message


def test_unknown_keys_are_warnings(tmp_path: Path) -> None:
    config = parse_config('[[feeds]]\nurl = "https://a.org/"\ncolour = "red"\n', Path("feeds.toml"))
    assert config.warnings == ("feeds.toml:3: unknown key 'colour' ignored",)
    assert len(config.feeds) == 1


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="cannot read: not UTF-8 text"):
        load_config(binary)


def test_the_bundled_default_is_valid() -> None:
    config = load_config(bundled_config())
    assert len(config.feeds) >= 4
    assert len({feed.category[0] for feed in config.feeds}) >= 3
    assert config.warnings == ()
    assert all(source.path.exists() for source in config.local)


def test_add_keeps_comments_and_order_and_refuses_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(GOOD)
    added = add_feeds(path, [FeedConfig("https://new.example/feed", "New", ("Tech",))])
    assert [f.url for f in added] == ["https://new.example/feed"]
    text = path.read_text()
    assert text.startswith(GOOD)  # everything before is untouched, comments included
    assert text.count("# polite") == 1
    assert load_config(path).feeds[-1] == FeedConfig("https://new.example/feed", "New", ("Tech",))
    assert add_feeds(path, [FeedConfig("https://NEW.example/feed/")]) == []
    assert path.read_text() == text


def test_add_refuses_to_edit_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text("[[feeds]\nbroken")
    with pytest.raises(ConfigError):
        add_feeds(path, [FeedConfig("https://x.org/")])
    assert path.read_text() == "[[feeds]\nbroken"


def test_opml_round_trip_keeps_every_feed_and_category(tmp_path: Path) -> None:
    feeds = [
        FeedConfig("https://a.org/rss", "A", ("World", "Europe")),
        FeedConfig("https://b.org/rss", "B", ("World",)),
        FeedConfig("https://c.org/rss", "C & Co <news>", ()),
        FeedConfig("https://d.org/rss", "D", ("Tech", "AI", "Papers")),
    ]
    opml = tmp_path / "subs.opml"
    opml.write_text(write_opml(feeds))
    assert read_opml(opml) == feeds
    config = tmp_path / "feeds.toml"
    add_feeds(config, read_opml(opml))
    assert list(load_config(config).feeds) == feeds


def test_opml_from_other_readers(tmp_path: Path) -> None:
    opml = tmp_path / "other.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><head/><body>'
        '<outline text="News"><outline text="BBC" type="rss" xmlUrl="https://bbc.example/rss"/></outline>'
        '<outline text="Flat" type="rss" xmlUrl="https://flat.example/rss" category="/Sci/Space"/>'
        '<outline text="Bad" type="rss" xmlUrl="javascript:alert(1)"/>'
        # No title known: the feed's address in another spelling, or the site's address.
        '<outline text="http://one.example/feed/" type="rss" xmlUrl="https://one.example/feed"/>'
        '<outline text="https://two.example/" type="rss" xmlUrl="https://two.example/rss"/>'
        "</body></opml>"
    )
    assert read_opml(opml) == [
        FeedConfig("https://bbc.example/rss", "BBC", ("News",)),
        FeedConfig("https://flat.example/rss", "Flat", ("Sci", "Space")),
        FeedConfig("https://one.example/feed"),
        FeedConfig("https://two.example/rss"),
    ]


@pytest.mark.parametrize(
    "content",
    [
        b"not xml at all",
        b"<html><body/></html>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>',
    ],
)
def test_bad_opml_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.opml"
    path.write_bytes(content)
    with pytest.raises(OpmlError):
        read_opml(path)


def _add_process(config: Path, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsreader", "--offline", "add", url],
        env=newsreader_env(config.parent / "d", config),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_adds_at_the_same_time_all_land(tmp_path: Path) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text("# my feeds\n[settings]\ntimeout = 5\n", encoding="utf-8")
    urls = [f"https://site{n}.example/feed.xml" for n in range(8)]
    processes = [_add_process(config, url) for url in urls]
    for process in processes:
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    loaded = load_config(config)
    assert sorted(feed.url for feed in loaded.feeds) == sorted(urls)
    assert config.read_text(encoding="utf-8").startswith("# my feeds\n")


@pytest.mark.parametrize("what", ["file", "folder"])
def test_add_to_a_read_only_config_changes_nothing(tmp_path: Path, what: str) -> None:
    if not permission_bits_apply(tmp_path):
        pytest.skip("cannot run a child bound by file permissions here")
    folder = tmp_path / "conf"
    folder.mkdir()
    config = folder / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://a.example/feed"\n', encoding="utf-8")
    before = config.read_bytes()
    (config if what == "file" else folder).chmod(0o444 if what == "file" else 0o555)
    try:
        result = run_newsreader(
            "--offline", "add", "https://b.example/feed",
            data_dir=tmp_path / "data", config=config, preexec=as_unprivileged,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
        config.chmod(0o644)
    assert result.returncode == 2
    assert f"newsreader: {config}: cannot write:" in result.stderr
    assert "Traceback" not in result.stderr
    assert config.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) in (
        ["feeds.toml"],
        [".feeds.toml.lock", "feeds.toml"],
    )


def test_an_unreadable_config_is_named(tmp_path: Path) -> None:
    if not permission_bits_apply(tmp_path):
        pytest.skip("cannot run a child bound by file permissions here")
    config = tmp_path / "feeds.toml"
    config.write_text('[[feeds]]\nurl = "https://a.example/feed"\n', encoding="utf-8")
    config.chmod(0o000)
    try:
        results = [
            run_newsreader(
                *args, data_dir=tmp_path / "data", config=config, preexec=as_unprivileged
            )
            for args in (["--offline", "refresh"], ["--offline", "add", "https://b.example/"])
        ]
    finally:
        config.chmod(0o644)
    for result in results:
        assert result.returncode == 2
        assert result.stderr == f"newsreader: {config}: cannot read: Permission denied\n"


def test_a_folder_in_place_of_the_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "feeds.toml").mkdir()
    with pytest.raises(
        ConfigError, match=r"feeds\.toml: cannot read: not a regular file \(folder\)"
    ):
        load_config(tmp_path / "feeds.toml")


KEYS_CONFIG = """\
[settings]
timeout = 5

[keys]
next_unread = ["j", "ctrl+n"]   # vi and emacs
down = "none"
help = "?"
"""


def test_keys_are_read_normalised_and_none_unbinds() -> None:
    config = parse_config(KEYS_CONFIG, Path("feeds.toml"))
    assert config.keys == {
        "next_unread": ("j", "ctrl+n"),
        "down": (),
        "help": ("question_mark",),
    }
    assert config.warnings == ()
    assert parse_config("", Path("feeds.toml")).keys == {}


@pytest.mark.parametrize(
    ("text", "message", "key"),
    [
        ('[keys]\nnext_unread = "x"\nfly = "f"\n', "feeds.toml:3: unknown action 'fly' (see the README's keys)", "fly"),
        ('[keys]\n\nsearch = "ctrl+wat"\n',
         "feeds.toml:3: search: 'ctrl+wat' is not a key name (a character, or e.g. enter, pageup, f5)", "search"),
        ('[keys]\nsearch = "hyper+cmd+s"\n',
         "feeds.toml:2: search: 'hyper+cmd+s': 'cmd' is not a modifier (ctrl, alt, shift, meta, super, hyper)",
         "search"),
        ('[keys]\nprevious_unread = ["K", "ctrl+p"]\n',
         "feeds.toml:2: previous_unread: 'ctrl+p' is kept for the command palette", "previous_unread"),
        ('[keys]\nsearch = ["f", 3]\n', 'feeds.toml:2: search must be a key, a list of keys or "none"', "search"),
        ('[keys]\nquit = "x"\nnext_unread = "r"\n',
         "feeds.toml:3: 'r' of next_unread is also refresh's (anywhere): give refresh another key, or \"none\"",
         "next_unread"),
        ('[keys]\nnext_link = "j"\n',
         "feeds.toml:2: 'j' of next_link is also down's (article): give down another key, or \"none\"",
         "next_link"),
        ('[keys]\nnext_link = "x"\nprevious_link = "x"\n',
         "feeds.toml:3: 'x' of previous_link is also next_link's (article): "
         "give next_link another key, or \"none\"", "previous_link"),
        ('keys = ["j"]\n', "feeds.toml:1: keys must be a table", None),
        ('[keys]\nclose_help = "none"\n',
         "feeds.toml:2: close_help needs a key: without one the help cannot be closed", "close_help"),
        ('[keys]\nclose_help = []\n',
         "feeds.toml:2: close_help needs a key: without one the help cannot be closed", "close_help"),
        ('[keys]\nnext_unread = "down"\n',
         "feeds.toml:2: 'down' of next_unread is Textual's own in the tree pane, "
         "so next_unread would never run there: give it another key", "next_unread"),
    ],
)  # fmt: skip
def test_keys_errors_name_file_line_and_key(text: str, message: str, key: str | None) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("feeds.toml"))
    assert str(caught.value) == message
    assert caught.value.key == key


def test_keys_in_different_places_do_not_clash() -> None:
    # "j" moves in the lists and scrolls the article; anywhere else it is free.
    config = parse_config('[keys]\nnext_unread = "j"\ndown = "none"\n', Path("feeds.toml"))
    assert config.keys["next_unread"] == ("j",)
    config = parse_config('[keys]\nclose_help = "q"\nquit = "q"\n', Path("feeds.toml"))
    assert config.keys["quit"] == ("q",)


@pytest.mark.parametrize(
    ("value", "chosen"), [("", 80), ("reading_width = 0", 0), ("reading_width = 100", 100)]
)
def test_reading_width_is_read_with_its_default(value: str, chosen: int) -> None:
    config = parse_config(f"[settings]\n{value}\n", Path("feeds.toml"))
    assert config.settings.reading_width == chosen


@pytest.mark.parametrize("value", ["19", "1001", "-1", "80.5", '"80"', "true"])
def test_a_bad_reading_width_names_file_line_and_key(value: str) -> None:
    assert error_of(f"[settings]\ntimeout = 3\nreading_width = {value}\n") == (
        "feeds.toml:3: reading_width must be a number of columns from 20 to 1000, or 0 (full width)"
    )


@pytest.mark.parametrize(("value", "chosen"), [("", True), ("read_whole_story = false", False)])
def test_read_whole_story_is_read_with_its_default(value: str, chosen: bool) -> None:
    config = parse_config(f"[settings]\n{value}\n", Path("feeds.toml"))
    assert config.settings.read_whole_story is chosen


def test_a_bad_read_whole_story_names_file_line_and_key() -> None:
    assert error_of('[settings]\nread_whole_story = "yes"\n') == (
        "feeds.toml:2: read_whole_story must be true or false"
    )
