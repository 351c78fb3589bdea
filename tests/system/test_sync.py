"""Sync against a real FreshRSS on loopback: pull, push, two devices, offline, failures.

Each test has a FreshRSS user of its own, subscribed to feeds that the test's
own loopback server serves (and that FreshRSS fetches when told to).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsreader.cache import Cache, account_source
from newsreader.config import AccountConfig
from newsreader.sync import SyncReport, sync_account
from newsreader.sync.greader import READ_STATE, STARRED_STATE
from newsreader.tree import count_tree
from tests.helpers.freshrss import ServerUser
from tests.helpers.proxy import Fault, FaultProxy
from tests.loopback import LoopbackServer, Reply, Request, rss, static

PASSWORD_ENV = "NEWSREADER_TEST_PASSWORD"


class Feed:
    """A feed on the loopback server whose items a test changes."""

    def __init__(self, server: LoopbackServer, path: str, title: str, count: int) -> None:
        self.title = title
        self.items = [
            (f"{path}-{n}", f"{title} story {n}", f"<p>Body of {title} story {n}.</p>")
            for n in range(count)
        ]
        self.url = server.url(path)
        server.routes[path] = self._route

    def _route(self, _request: Request) -> Reply:
        return Reply(200, rss(self.title, self.items), {"Content-Type": "application/rss+xml"})

    def add(self, count: int) -> None:
        start = len(self.items)
        self.items = [
            (f"{self.title}-new-{n}", f"{self.title} late story {n}", "<p>Late.</p>")
            for n in range(start, start + count)
        ] + self.items


@pytest.fixture
def user(freshrss_user: ServerUser, monkeypatch: pytest.MonkeyPatch) -> ServerUser:
    monkeypatch.setenv(PASSWORD_ENV, freshrss_user.password)
    return freshrss_user


@pytest.fixture
def feeds(server: LoopbackServer, user: ServerUser) -> tuple[Feed, Feed]:
    """Two feeds the user is subscribed to: one under "Tech", one under "World"."""
    tech = Feed(server, "/tech.xml", "Tech News", 6)
    world = Feed(server, "/world.xml", "World News", 4)
    user.subscribe(tech.url, "Tech")
    user.subscribe(world.url, "World")
    return tech, world


def _sync(cache: Cache, account: AccountConfig, data_dir: Path) -> SyncReport:
    report = sync_account(account, cache, data_dir, timeout=20)
    assert report.ok, report.error
    return report


def _item_ids(cache: Cache, account: str = "home") -> dict[int, str]:
    """Article id -> the server's item id, for the account's items."""
    rows = cache._db.execute(
        "SELECT article_id, item_id FROM account_items WHERE account = ?", (account,)
    )
    return {int(article): str(item) for article, item in rows}


def _by_title(cache: Cache) -> dict[str, int]:
    return {title: int(i) for i, title in cache._db.execute("SELECT id, title FROM articles")}


def _marks(cache: Cache) -> dict[str, tuple[bool, bool]]:
    return {
        str(title): (bool(read), bool(starred))
        for title, read, starred in cache._db.execute("SELECT title, read, starred FROM articles")
    }


@pytest.fixture
def proxy(user: ServerUser) -> Iterator[FaultProxy]:
    target = user.server.api.split("/api/")[0]
    running = FaultProxy(target)
    try:
        yield running
    finally:
        running.stop()


def _via(proxy: FaultProxy, user: ServerUser) -> AccountConfig:
    """The user's account, reached through the proxy."""
    account = user.account()
    return AccountConfig(
        account.name,
        "greader",
        proxy.base + "/api/greader.php",
        user.name,
        password_env=PASSWORD_ENV,
    )


def test_first_sync_brings_subscriptions_labels_items_and_marks(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    client = user.client()
    unread = sorted(client.item_ids("user/-/state/com.google/reading-list"))
    client.edit_tag(unread[:2], READ_STATE, add=True)
    client.edit_tag(unread[2:3], STARRED_STATE, add=True)

    report = _sync(cache, user.account(), tmp_path)

    assert report.new == 10
    assert report.subscriptions == 2
    items = _item_ids(cache)
    assert len(items) == 10
    by_item = {item: article for article, item in items.items()}
    for item in unread[:2]:
        assert cache.marks(by_item[item]).read  # type: ignore[union-attr]
    starred = cache.marks(by_item[unread[2]])
    assert starred is not None and starred.starred and not starred.read
    tree = cache.category_tree()
    home = tree.children["home"]
    assert set(home.children) == {"Tech", "World"}
    assert home.children["Tech"].total_count == 6
    assert home.children["World"].total_count == 4
    assert home.unread_count == 8
    article = cache.get_article(next(iter(by_item.values())))
    assert (
        article is not None and article.article.url and article.article.url.startswith("https://")
    )
    counted = count_tree(cache, (), ["home"])
    labels = {item.label: item for item in counted.items}
    tech = labels["home"].children[[c.label for c in labels["home"].children].index("Tech")]
    assert [feed.label for feed in tech.children] == ["Tech News"]
    (tech_source,) = {
        a.article.source for a in map(cache.get_article, items) if a and "Tech" in a.article.title
    }
    unread_tech = cache._db.execute(
        "SELECT COUNT(*) FROM articles WHERE source = ? AND read = 0", (tech_source,)
    ).fetchone()[0]
    assert tech.children[0].unread_count == unread_tech
    assert tech.children[0].selection.feed_url == tech_source


def test_a_feed_body_becomes_sections_when_read(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    from newsreader.reading import open_article

    _sync(cache, user.account(), tmp_path)
    article_id = _by_title(cache)["Tech News story 1"]
    opened = open_article(cache, article_id)
    assert opened is not None
    text = " ".join(" ".join(s.paragraphs) for s in opened.article.sections)
    assert "Body of Tech News story 1." in text


def test_new_items_arrive_incrementally_and_nothing_new_is_a_handful_of_requests(
    user: ServerUser,
    feeds: tuple[Feed, Feed],
    cache: Cache,
    tmp_path: Path,
    proxy: FaultProxy,
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    tech, _ = feeds
    tech.add(3)
    user.actualize()

    second = _sync(cache, account, tmp_path)

    assert second.new == 3
    assert "Tech News late story 7" in _by_title(cache)
    before = proxy.count()
    third = _sync(cache, account, tmp_path)
    assert third.new == 0
    assert proxy.count() - before == third.requests
    assert third.requests <= 5
    assert proxy.count("stream/items/contents") == 2  # the first sync's and the second's


def test_marks_made_here_reach_the_server_and_the_servers_come_back(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    items = _item_ids(cache)
    cache.set_read(titles["Tech News story 0"])
    cache.set_starred(titles["World News story 1"])
    assert cache.account_states()["home"].pending == 2

    pushed = _sync(cache, account, tmp_path)

    assert pushed.sent == 2
    assert cache.account_states()["home"].pending == 0
    client = user.client()
    unread = client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE)
    assert items[titles["Tech News story 0"]] not in unread
    assert client.item_ids(STARRED_STATE) == {items[titles["World News story 1"]]}

    # The other way: marks made on the server (another device).
    client.edit_tag([items[titles["Tech News story 2"]]], READ_STATE, add=True)
    client.edit_tag([items[titles["Tech News story 0"]]], READ_STATE, add=False)
    client.edit_tag([items[titles["World News story 1"]]], STARRED_STATE, add=False)
    pulled = _sync(cache, account, tmp_path)

    marks = _marks(cache)
    assert marks["Tech News story 2"] == (True, False)
    assert marks["Tech News story 0"] == (False, False)
    assert marks["World News story 1"] == (False, False)
    assert pulled.marks_read == 2 and pulled.marks_starred == 1
    assert cache.account_states()["home"].pending == 0


def test_two_devices_converge_after_interleaved_changes(
    user: ServerUser, feeds: tuple[Feed, Feed], tmp_path: Path
) -> None:
    account = user.account()
    with Cache(tmp_path / "a.sqlite3") as laptop, Cache(tmp_path / "b.sqlite3") as server_box:
        _sync(laptop, account, tmp_path / "a")
        _sync(server_box, account, tmp_path / "b")
        a, b = _by_title(laptop), _by_title(server_box)
        laptop.set_read(a["Tech News story 0"])
        server_box.set_starred(b["Tech News story 0"])
        server_box.set_read(b["World News story 3"])
        laptop.set_starred(a["World News story 3"])
        laptop.set_read(a["Tech News story 4"])
        laptop.set_read(a["Tech News story 4"], False)  # changed its mind: nothing to send

        _sync(laptop, account, tmp_path / "a")
        _sync(server_box, account, tmp_path / "b")
        _sync(laptop, account, tmp_path / "a")

        assert _marks(laptop) == _marks(server_box)
        marks = _marks(laptop)
        assert marks["Tech News story 0"] == (True, True)
        assert marks["World News story 3"] == (True, True)
        assert marks["Tech News story 4"] == (False, False)


def test_changes_made_while_the_server_is_down_are_sent_once_it_is_back(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    items = _item_ids(cache)
    proxy.faults["/"] = Fault(status=503)
    cache.mark_read([titles["Tech News story 1"], titles["Tech News story 2"]], description="x")
    cache.set_starred(titles["World News story 0"])

    down = sync_account(account, cache, tmp_path, timeout=10)

    assert down.error is not None and "HTTP 503" in down.error
    assert "\n" not in down.error
    assert down.outbox_left == 3
    assert cache.account_states()["home"].last_error == down.error
    assert _marks(cache)["Tech News story 1"] == (True, False)

    del proxy.faults["/"]
    back = _sync(cache, account, tmp_path)

    assert back.sent == 3 and back.outbox_left == 0
    client = user.client()
    unread = client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE)
    assert items[titles["Tech News story 1"]] not in unread
    assert items[titles["Tech News story 2"]] not in unread
    assert items[titles["World News story 0"]] in client.item_ids(STARRED_STATE)
    assert cache.account_states()["home"].last_error is None


def test_a_change_not_yet_sent_wins_over_the_servers_older_state(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    # The push fails; the pull of the server's (older) state must not undo the change.
    proxy.faults["edit-tag"] = Fault(status=500)
    cache.set_read(titles["World News story 2"])
    failed = sync_account(account, cache, tmp_path, timeout=10)
    assert failed.error is not None
    assert _marks(cache)["World News story 2"] == (True, False)
    assert cache.account_states()["home"].pending == 1


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(status=500), "HTTP 500"),
        (Fault(body=b"<html>not json"), "not JSON"),
        (Fault(body=b'{"itemRefs": ['), "not JSON"),
        (Fault(truncate=True), "cut off"),
        (Fault(delay=3.0), "did not answer in time"),
    ],
    ids=["500", "garbage", "truncated-json", "truncated", "timeout"],
)
def test_a_broken_answer_is_one_clear_reason_and_the_next_sync_completes(
    user: ServerUser,
    feeds: tuple[Feed, Feed],
    cache: Cache,
    tmp_path: Path,
    proxy: FaultProxy,
    fault: Fault,
    reason: str,
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    cache.set_read(titles["Tech News story 3"])
    tech, _ = feeds
    tech.add(2)
    user.actualize()
    proxy.faults["stream/items/ids"] = fault

    broken = sync_account(account, cache, tmp_path, timeout=1.5)

    assert broken.error is not None and reason in broken.error, broken.error
    assert "\n" not in broken.error and "Traceback" not in broken.error
    assert len(_by_title(cache)) == 10
    assert broken.sent == 1  # sent before the broken answer

    del proxy.faults["stream/items/ids"]
    fixed = _sync(cache, account, tmp_path)
    assert fixed.new == 2
    assert _marks(cache)["Tech News story 3"] == (True, False)


def test_a_wrong_password_is_refused_plainly_and_loses_nothing(
    user: ServerUser,
    feeds: tuple[Feed, Feed],
    cache: Cache,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    cache.set_starred(titles["Tech News story 5"])
    (tmp_path / "accounts").rename(tmp_path / "old-tokens")  # a new login is needed
    monkeypatch.setenv(PASSWORD_ENV, "wrong-password-123")

    refused = sync_account(account, cache, tmp_path, timeout=10)

    assert refused.error is not None and "refused the login" in refused.error
    assert "wrong-password-123" not in refused.error
    assert cache.account_states()["home"].pending == 1
    monkeypatch.setenv(PASSWORD_ENV, user.password)
    assert _sync(cache, account, tmp_path).sent == 1


def test_the_server_down_is_one_clear_reason(
    cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv(PASSWORD_ENV, "secret")
    account = AccountConfig(
        "home",
        "greader",
        f"http://127.0.0.1:{port}/api/greader.php",
        "u",
        password_env=PASSWORD_ENV,
    )
    report = sync_account(account, cache, tmp_path, timeout=5)
    assert report.error is not None and "connection refused" in report.error
    assert cache.account_states()["home"].last_error == report.error


def test_a_refused_login_token_is_renewed(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    (token_file,) = (tmp_path / "accounts").glob("*.token")
    assert token_file.stat().st_mode & 0o777 == 0o600
    token_file.write_text(f"{user.name}/0000000000000000000000000000000000000000")
    again = _sync(cache, account, tmp_path)
    assert again.ok
    assert token_file.read_text() != f"{user.name}/0000000000000000000000000000000000000000"


def test_a_renamed_label_moves_the_feed_and_keeps_its_marks(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    cache.set_starred(_by_title(cache)["World News story 0"])
    client = user.client()
    world = next(s for s in client.subscriptions() if s.title == "World News")
    client.edit_subscription(world.stream_id, "edit", add_label="Planet")

    moved = _sync(cache, account, tmp_path)

    assert moved.refiled == 1
    home = cache.category_tree().children["home"]
    assert "Planet" in home.children and home.children["Planet"].total_count == 4
    assert "World" not in home.children
    assert _marks(cache)["World News story 0"] == (False, True)


def test_an_unsubscribed_feed_keeps_its_articles_and_marks(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    client = user.client()
    world = next(s for s in client.subscriptions() if s.title == "World News")
    client.edit_subscription(world.stream_id, "unsubscribe")
    _sync(cache, account, tmp_path)
    marks = _marks(cache)
    assert sum(title.startswith("World News") for title in marks) == 4
    assert not any(read for title, (read, _) in marks.items() if title.startswith("World"))
    source = account_source("home", world.stream_id)
    assert source not in {f.url for f in count_tree(cache, (), ["home"]).account_feeds}


@pytest.mark.parametrize(
    ("node", "read_titles"), [(("home",), ("Tech", "World")), (("home", "Tech"), ("Tech",))]
)
def test_mark_all_read_of_an_account_node_is_one_call_up_to_the_newest_item_seen(
    user: ServerUser,
    feeds: tuple[Feed, Feed],
    cache: Cache,
    tmp_path: Path,
    proxy: FaultProxy,
    node: tuple[str, ...],
    read_titles: tuple[str, ...],
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    tech, world = feeds
    tech.add(2)
    world.add(1)
    user.actualize()  # on the server, not yet seen here

    marked = cache.mark_all_read(node, description="all of it")
    assert marked == (10 if node == ("home",) else 6)
    assert cache.account_states()["home"].pending == 1

    synced = _sync(cache, account, tmp_path)

    assert proxy.count("mark-all-as-read") == 1 and proxy.count("edit-tag") == 0
    assert synced.sent == 1 and synced.new == 3
    marks = _marks(cache)
    for title, (read, _) in marks.items():
        seen_before = "late" not in title
        expected = seen_before and title.startswith(read_titles)
        assert read == expected, title
    client = user.client()
    unread = client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE)
    assert len(unread) == sum(not read for read, _ in marks.values())


def test_a_mark_all_not_yet_sent_is_not_undone_by_the_servers_state(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    cache.mark_all_read(("home",))
    proxy.faults["mark-all-as-read"] = Fault(status=500)
    assert sync_account(account, cache, tmp_path, timeout=10).error is not None
    # The server's marks arrive while the mark-all waits (as from a sync begun before it).
    cache.apply_server_marks(
        "home", unread=user.client().item_ids("user/-/state/com.google/reading-list")
    )
    assert all(read for read, _ in _marks(cache).values())
    del proxy.faults["mark-all-as-read"]
    assert _sync(cache, account, tmp_path).sent == 1
    assert (
        user.client().item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE) == set()
    )


def test_an_item_reads_like_the_feed_entry_it_was(
    user: ServerUser, server: LoopbackServer, cache: Cache, tmp_path: Path
) -> None:
    document = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Pods</title>'
        b"<link>https://pods.example.org/</link><item><guid>ep-1</guid>"
        b"<title>Fish &amp;amp; Chips, &lt;b&gt;live&lt;/b&gt;</title>"
        b"<link>https://pods.example.org/ep-1</link><author>jo@example.org (Jo Host)</author>"
        b"<pubDate>Tue, 02 Apr 2024 10:00:00 GMT</pubDate>"
        b'<enclosure url="https://pods.example.org/ep-1.mp3" type="audio/mpeg" length="12345"/>'
        b"<description><![CDATA[<h2>Part one</h2><p>See <a href='https://example.org/x'>"
        b"the notes</a>.</p><script>alert(1)</script>]]></description></item></channel></rss>"
    )
    server.routes["/pods.xml"] = lambda _request: Reply(200, document, {})
    user.subscribe(server.url("pods.xml"))
    _sync(cache, user.account(), tmp_path)

    (article_id,) = _item_ids(cache)
    from newsreader.reading import open_article

    opened = open_article(cache, article_id)
    assert opened is not None
    article = opened.article
    assert article.title == "Fish & Chips, live"
    assert article.url == "https://pods.example.org/ep-1"
    assert article.published is not None and article.published.year == 2024
    assert [(e.url, e.type, e.length) for e in article.enclosures] == [
        ("https://pods.example.org/ep-1.mp3", "audio/mpeg", 12345)
    ]
    assert [s.heading for s in article.sections if s.heading] == ["Part one"]
    assert any(link.url == "https://example.org/x" for link in article.links)
    text = " ".join(" ".join(s.paragraphs) for s in article.sections)
    assert "alert" not in text
    assert article.categories[0] == "home" and article.author == "jo@example.org (Jo Host)"


def test_a_label_renamed_on_the_server_moves_its_feeds(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    cache.set_read(_by_title(cache)["Tech News story 1"])
    user.client()._expect_ok(
        "reader/api/0/rename-tag", [("s", "user/-/label/Tech"), ("dest", "user/-/label/Gadgets")]
    )

    renamed = _sync(cache, account, tmp_path)

    assert renamed.refiled == 1 and renamed.sent == 1
    home = cache.category_tree().children["home"]
    assert set(home.children) == {"Gadgets", "World"}
    assert home.children["Gadgets"].total_count == 6
    assert home.children["Gadgets"].unread_count == 5


def _delete_on_server(user: ServerUser, item_id: str) -> None:
    import sqlite3

    database = user.server.app / "data" / "users" / user.name / "db.sqlite"
    with sqlite3.connect(database) as db:
        assert db.execute("DELETE FROM entry WHERE id = ?", (int(item_id),)).rowcount == 1


def test_an_item_deleted_on_the_server_stays_here_with_its_star(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    account = user.account()
    _sync(cache, account, tmp_path)
    titles = _by_title(cache)
    items = _item_ids(cache)
    kept, other = titles["World News story 2"], titles["World News story 3"]
    cache.set_starred(kept)
    cache.set_starred(other)
    assert _sync(cache, account, tmp_path).sent == 2
    _delete_on_server(user, items[kept])
    client = user.client()
    client.edit_tag([items[other]], STARRED_STATE, add=False)  # another device
    client.edit_tag([items[other]], READ_STATE, add=True)

    after = _sync(cache, account, tmp_path)

    assert after.ok and after.outbox_left == 0
    marks = _marks(cache)
    assert marks["World News story 2"] == (False, True)  # the server lost it: marks stay
    assert marks["World News story 3"] == (True, False)  # changed elsewhere: taken
    assert len(marks) == 10
    cache.set_read(kept)
    again = _sync(cache, account, tmp_path)
    assert again.ok and again.sent == 1 and again.outbox_left == 0
    assert _marks(cache)["World News story 2"] == (True, True)


def test_a_story_the_cache_held_from_a_feed_keeps_its_marks_and_the_server_learns_them(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    tech, _ = feeds
    # The same feed, read here from feeds.toml before the account came.
    from newsreader.extract.feed import parse_feed

    parsed = parse_feed(rss(tech.title, tech.items), source=tech.url, categories=("Local",))
    stored = dict(
        zip(
            [a.title for a in parsed.articles],
            [i for _, i in cache.store_articles(parsed.articles)],
            strict=True,
        )
    )
    cache.set_read(stored["Tech News story 1"])
    cache.set_starred(stored["Tech News story 2"])

    report = _sync(cache, user.account(), tmp_path)

    assert report.new == 4  # the World feed; Tech's six are the articles already here
    marks = _marks(cache)
    assert marks["Tech News story 1"] == (True, False)
    assert marks["Tech News story 2"] == (False, True)
    assert cache.account_states()["home"].pending == 2
    assert _sync(cache, user.account(), tmp_path).sent == 2
    items = _item_ids(cache)
    client = user.client()
    assert items[stored["Tech News story 2"]] in client.item_ids(STARRED_STATE)
    unread = client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE)
    assert items[stored["Tech News story 1"]] not in unread


def test_one_story_in_two_subscriptions_is_unread_while_either_is(
    user: ServerUser, server: LoopbackServer, cache: Cache, tmp_path: Path
) -> None:
    body = rss("Same", [(f"s-{n}", f"Same story {n}", "<p>Same.</p>") for n in range(3)])
    for path in ("/same-a.xml", "/same-b.xml"):
        server.routes[path] = static(body)
        user.subscribe(server.url(path))
    account = user.account()
    _sync(cache, account, tmp_path)
    assert len(_marks(cache)) == 3 and len(_item_ids(cache)) == 3  # one article, two items
    rows = cache._db.execute("SELECT COUNT(*) FROM account_items").fetchone()[0]
    assert rows == 6
    client = user.client()
    one_copy = sorted(client.item_ids("user/-/state/com.google/reading-list"))[0]
    client.edit_tag([one_copy], READ_STATE, add=True)

    for _ in range(3):
        again = _sync(cache, account, tmp_path)
        assert again.marks_read == 0  # never flips
    assert not any(read for read, _ in _marks(cache).values())


def test_mark_all_of_a_node_that_is_no_server_label_goes_item_by_item(
    user: ServerUser, server: LoopbackServer, cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    news = Feed(server, "/news.xml", "Deep News", 3)
    other = Feed(server, "/other.xml", "Other News", 2)
    user.subscribe(news.url, "Tech/News")
    user.subscribe(other.url, "Tech")
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    assert set(cache.category_tree().children["home"].children["Tech"].children) == {"News"}

    assert cache.mark_all_read(("home", "Tech")) == 5
    synced = _sync(cache, account, tmp_path)

    # "Tech" is a label of Other News: one mark-all for it; Deep News, in "Tech/News"
    # (another label to the server), goes item by item.
    assert proxy.count("mark-all-as-read") == 1 and proxy.count("edit-tag") == 1
    assert synced.outbox_left == 0
    client = user.client()
    assert client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE) == set()
    assert all(read for read, _ in _marks(cache).values())


def test_a_mark_all_the_server_refuses_goes_item_by_item_and_blocks_nothing(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    account = _via(proxy, user)
    _sync(cache, account, tmp_path)
    cache.mark_all_read(("home", "Tech"))
    cache.set_starred(_by_title(cache)["World News story 0"])  # queued after it
    # The label is renamed on the server before the mark-all reaches it.
    user.client()._expect_ok(
        "reader/api/0/rename-tag", [("s", "user/-/label/Tech"), ("dest", "user/-/label/Gear")]
    )

    synced = _sync(cache, account, tmp_path)

    assert synced.outbox_left == 0
    client = user.client()
    unread = client.item_ids("user/-/state/com.google/reading-list", exclude=READ_STATE)
    assert len(unread) == 4  # the World feed's
    assert len(client.item_ids(STARRED_STATE)) == 1
    marks = _marks(cache)
    assert all(read for title, (read, _) in marks.items() if title.startswith("Tech"))
    assert not any(read for title, (read, _) in marks.items() if title.startswith("World"))


def test_a_second_sync_of_the_same_account_at_once_leaves_it_to_the_first(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path
) -> None:
    from newsreader.sync.credentials import TokenStore

    account = user.account()
    _sync(cache, account, tmp_path)
    with TokenStore(tmp_path).sync_lock(account) as held:
        assert held
        second = sync_account(account, cache, tmp_path, timeout=10)
    assert second.error is not None and "another sync of this account is running" in second.error
    assert second.requests == 0
    assert cache.account_states()["home"].last_error is None  # not a failure of the account
    assert _sync(cache, account, tmp_path).ok


def test_an_oversized_page_of_ids_is_refused(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    account = _via(proxy, user)
    huge = b'{"itemRefs": [' + b",".join([b'{"id": "1234567890123456"}'] * 400_000) + b"]}"
    proxy.faults["stream/items/ids"] = Fault(body=huge)
    report = sync_account(account, cache, tmp_path, timeout=20)
    assert report.error is not None and "over 8 MB" in report.error


def test_a_subscription_list_of_the_wrong_shape_is_read_as_far_as_it_goes(
    user: ServerUser, feeds: tuple[Feed, Feed], cache: Cache, tmp_path: Path, proxy: FaultProxy
) -> None:
    proxy.faults["subscription/list"] = Fault(
        body=b'{"subscriptions": [{"id": "feed/1", "title": 7, "categories": 5}, "x", {"id": 3}]}'
    )
    report = sync_account(_via(proxy, user), cache, tmp_path, timeout=10)
    assert report.ok, report.error
    assert report.subscriptions == 1


def _trickling(server: LoopbackServer, path: str) -> None:
    server.routes[path] = lambda _request: Reply(
        200, b'{"subscriptions": []}' + b" " * 100, {}, drip=0.3, drip_limit=100
    )


def test_a_server_that_trickles_its_answer_is_cut_off_at_the_timeout(
    server: LoopbackServer, cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from newsreader.sync.credentials import TokenStore

    monkeypatch.setenv(PASSWORD_ENV, "secret")
    account = AccountConfig("home", "greader", server.url("api"), "u", password_env=PASSWORD_ENV)
    TokenStore(tmp_path).save(account, "u/token")  # no login: the first call is a GET
    _trickling(server, "/api/reader/api/0/subscription/list")
    started = time.monotonic()
    report = sync_account(account, cache, tmp_path, timeout=1.5)
    assert time.monotonic() - started < 6
    assert report.error is not None and "did not answer in time" in report.error


def test_a_sync_asked_to_stop_ends_at_once_and_counts_as_nothing(
    server: LoopbackServer, cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from newsreader.sync.credentials import TokenStore

    monkeypatch.setenv(PASSWORD_ENV, "secret")
    account = AccountConfig("home", "greader", server.url("api"), "u", password_env=PASSWORD_ENV)
    TokenStore(tmp_path).save(account, "u/token")
    _trickling(server, "/api/reader/api/0/subscription/list")
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    report = sync_account(account, cache, tmp_path, timeout=60, stop=stop)
    assert time.monotonic() - started < 5
    assert report.stopped and report.error is None
    assert "home" not in cache.account_states()  # neither a success nor a failure
