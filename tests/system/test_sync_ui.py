"""The reader with a sync account: its node, labels and subscriptions in the tree, r syncs,
and a failed sync marked with its reason while the cache reads on."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from newsreader.cache import Cache
from newsreader.config import load_config
from newsreader.paths import Locations
from newsreader.sync import sync_account
from newsreader.sync.greader import READ_STATE
from newsreader.tree import NodeKind
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.widgets.category_tree import CategoryTree
from tests.helpers.freshrss import ServerUser
from tests.helpers.reader import titles, tree_counted, until
from tests.loopback import LoopbackServer, Reply, rss

PASSWORD_ENV = "NEWSREADER_TEST_PASSWORD"


@pytest.fixture
def user(freshrss_user: ServerUser, monkeypatch: pytest.MonkeyPatch) -> ServerUser:
    monkeypatch.setenv(PASSWORD_ENV, freshrss_user.password)
    return freshrss_user


def _app(tmp_path: Path, config_text: str) -> NewsReaderApp:
    config_path = tmp_path / "feeds.toml"
    config_path.write_text(config_text)
    locations = Locations(config_path, tmp_path / "data", config_given=True)
    return NewsReaderApp(locations, load_config(config_path), offline=False, refresh_on_start=False)


def _labels(app: NewsReaderApp) -> list[str]:
    return [str(node.label) for node in app.query_one(CategoryTree)._all_nodes()]


def _feed(server: LoopbackServer, path: str, title: str) -> str:
    items = [(f"{path}-{n}", f"{title} story {n}", f"<p>{title} {n}.</p>") for n in range(3)]
    body = rss(title, items)
    server.routes[path] = lambda _request: Reply(200, body, {"Content-Type": "application/rss+xml"})
    return server.url(path)


async def test_r_syncs_and_the_tree_shows_the_account_its_labels_and_feeds(
    user: ServerUser, server: LoopbackServer, tmp_path: Path
) -> None:
    user.subscribe(_feed(server, "/t.xml", "Tech Daily"), "Tech")
    app = _app(tmp_path, user.toml())
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("r")
        assert await until(pilot, lambda: "Tech Daily story 2" in titles(app))
        assert await until(pilot, lambda: any(label.startswith("home") for label in _labels(app)))
        labels = _labels(app)
        assert "home (3)" in labels and "Tech (3)" in labels and "Tech Daily (3)" in labels
        listed = app.main_screen.article_list
        # Rows drawn before the sync named the subscription are drawn again with its title.
        assert await until(pilot, lambda: str(listed.get_row_at(0)[2]) == "Tech Daily")
        tree = app.query_one(CategoryTree)
        feed_node = next(n for n in tree._all_nodes() if str(n.label).startswith("Tech Daily"))
        assert feed_node.data is not None and feed_node.data.kind is NodeKind.FEED
        tree.select_node(feed_node)
        assert await until(pilot, lambda: listed.list_query.selection == feed_node.data)
        assert await until(pilot, lambda: len(titles(app)) == 3)
        source_column = {str(app.main_screen.article_list.get_row_at(r)[2]) for r in range(3)}
        assert source_column == {"Tech Daily"}

        # A mark on the server (another device) arrives with the next r.
        client = user.client()
        first = sorted(client.item_ids("user/-/state/com.google/reading-list"))[0]
        client.edit_tag([first], READ_STATE, add=True)
        await pilot.press("r")
        assert await until(pilot, lambda: "Tech Daily (2)" in _labels(app))


async def test_a_failed_sync_marks_the_account_and_says_why(
    user: ServerUser, server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user.subscribe(_feed(server, "/w.xml", "World Daily"), "World")
    app = _app(tmp_path, user.toml())
    with Cache(tmp_path / "data" / "cache.sqlite3") as cache:
        account = app.config.accounts[0]
        assert sync_account(account, cache, tmp_path / "data").ok
    for token in (tmp_path / "data" / "accounts").glob("*.token"):
        token.unlink()
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("r")
        assert await until(pilot, lambda: "home ✗ (3)" in _labels(app))
        assert "World Daily story 0" in titles(app)  # the cache reads on
        tree = app.query_one(CategoryTree)
        home = next(n for n in tree._all_nodes() if str(n.label).startswith("home"))
        tree.select_node(home)
        note = app.query_one("#list-note", Static)
        assert await until(pilot, lambda: "Last sync failed" in str(note.render()))
        text = str(note.render())
        assert "refused the login" in text and "not-the-password" not in text
        messages = [notification.message for notification in app._notifications]
        assert any("home" in m and "refused the login" in m for m in messages), messages
