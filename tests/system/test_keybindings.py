"""User keybindings: ``[keys]`` in feeds.toml remaps actions in the reader, its footer,
help and command palette; the keys come from the one command registry."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from newsreader.config import load_config
from newsreader.keys import ACTIONS, keys_label
from newsreader.ui.app import NewsReaderApp
from newsreader.ui.commands import COMMANDS, bindings
from newsreader.ui.screens.help import HelpScreen
from tests.helpers.reader import HARBOUR, make_app, shown_title, titles, tree_counted

REMAP = """
[keys]
next_unread = "x"          # n no longer
toggle_star = "none"       # s no longer
next_link = ["l", "ctrl+n"]
help = "f1"
"""


def remapped_app(tmp_path: Path, keys: str = REMAP) -> NewsReaderApp:
    """The test reader on the test articles, with a ``[keys]`` table in its config."""
    plain = make_app(tmp_path)
    plain.cache.close()
    config = plain.config.path
    config.write_text(config.read_text() + keys, encoding="utf-8")
    return NewsReaderApp(plain.locations, load_config(config), refresh_on_start=False)


def footer(app: NewsReaderApp) -> dict[str, str]:
    """The footer's descriptions and the key each shows."""
    return {key.description: key.key for key in app.screen.query(FooterKey)}


async def test_a_remapped_key_runs_the_action_and_the_old_one_does_nothing(
    tmp_path: Path,
) -> None:
    app = remapped_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        unread_before = app.cache.special_counts()[1]
        await pilot.press("n")  # next unread by default; unbound here
        await pilot.pause()
        assert shown_title(app) is None
        await pilot.press("x")
        await pilot.pause()
        opened = shown_title(app)
        assert opened is not None and opened == titles(app)[1]
        stored = app.cache.get_article(app.main_screen.article_view.article.id)  # type: ignore[union-attr]
        assert stored is not None and stored.read
        await pilot.press("s")  # star by default; unbound here
        await pilot.pause()
        stored = app.cache.get_article(stored.id)
        assert stored is not None and not stored.starred
        assert app.cache.special_counts()[1] == unread_before - 1

        app.main_screen.article_list.move_cursor(row=titles(app).index(HARBOUR))
        await pilot.press("enter")
        await pilot.pause()
        view = app.main_screen.article_view
        assert shown_title(app) == HARBOUR and view.links
        await pilot.press("]")  # next link by default; given other keys here
        assert view.link_index is None
        await pilot.press("l")
        assert view.link_index == 0
        await pilot.press("ctrl+n")
        assert view.link_index == min(1, len(view.links) - 1)

        await pilot.press("question_mark")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_footer_help_and_palette_show_the_chosen_keys(tmp_path: Path) -> None:
    app = remapped_app(tmp_path)
    async with app.run_test(size=(160, 100)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        shown = footer(app)
        assert shown["Unread"] == "x" and shown["Help"] == "f1"
        assert "Star" not in shown

        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Next unread"] == "Open the next unread article (x)"
        assert commands["Star / unstar"] == "Star or unstar the current article (no key)"
        assert commands["Keys"] == "Show every key (f1)"

        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = [
            " ".join("".join(segment.text for segment in strip).split())
            for strip in app.screen._compositor.render_strips()
        ]
        assert any("x / p next / previous unread article" in line for line in lines), lines
        assert any("no key star or unstar the current article" in line for line in lines), [
            line for line in lines if "star" in line
        ]
        assert any("l, ctrl+n / [ next / previous link" in line for line in lines)


async def test_the_palette_has_one_keys_entry_and_every_command_with_its_keys(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        titles_shown = [c.title for c in app.get_system_commands(app.screen)]
        assert titles_shown.count("Keys") == 1
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for command in COMMANDS:
            if command.palette:
                assert commands[command.title].help.endswith(
                    f"({keys_label(ACTIONS[command.id].keys)})"
                )
        assert commands["Keys"].help == "Show every key (?)"
        assert commands["Back"].help.endswith("(backspace, alt+left)")
        # A command run from the palette does what its key does.
        await commands["Next unread"].callback()
        await pilot.pause()
        assert shown_title(app) == titles(app)[1]


def test_each_place_has_its_bindings_once_with_the_footer_they_had() -> None:
    defaults = {command.id: command.default_keys for command in COMMANDS}
    anywhere = {(b.key, b.action, b.description, b.show) for b in bindings("anywhere", defaults)}
    assert ("q", "app.quit", "Quit", True) in anywhere
    assert ("backspace,alt+left", "history_back", "Back", True) in anywhere
    assert ("p", "previous_unread", "Prev unread", False) in anywhere
    article = {(b.key, b.action, b.show) for b in bindings("article", defaults)}
    assert ("j", "scroll_down", False) in article and ("3", "follow_number(3)", False) in article
    tree = {(b.key, b.action, b.show) for b in bindings("tree", defaults)}
    assert tree == {("j", "cursor_down", False), ("k", "cursor_up", False)}
    assert not bindings("tree", defaults | {"down": (), "up": ()})


async def test_a_pane_key_given_to_an_action_that_works_anywhere_works_in_the_panes(
    tmp_path: Path,
) -> None:
    """``j`` moves down in the panes; freed there, it opens the next unread from the list."""
    app = remapped_app(tmp_path, '\n[keys]\nnext_unread = "j"\ndown = "none"\n')
    async with app.run_test(size=(140, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.pause()
        assert app.focused is app.main_screen.article_list
        await pilot.press("j")
        await pilot.pause()
        assert shown_title(app) == titles(app)[1]


def test_the_keys_kept_for_the_panes_widgets_are_theirs() -> None:
    """PANE_KEYS (the core, without Textual) is what the panes' Textual classes bind."""
    from textual.binding import Binding
    from textual.containers import VerticalScroll

    from newsreader.keys import ARTICLE, HELP, LIST, PANE_KEYS, TREE
    from newsreader.ui.widgets.article_list import ArticleList
    from newsreader.ui.widgets.article_view import ArticleView
    from newsreader.ui.widgets.category_tree import CategoryTree

    pane_widgets = (
        (TREE, CategoryTree), (LIST, ArticleList), (ARTICLE, ArticleView), (HELP, VerticalScroll),
    )  # fmt: skip
    for place, widget in pane_widgets:
        bound: set[str] = set()
        for cls in widget.__mro__:
            for binding in cls.__dict__.get("BINDINGS", []):
                key = binding.key if isinstance(binding, Binding) else binding[0]
                bound.update(key.split(","))
        assert bound == PANE_KEYS[place], place


async def test_a_key_the_list_binds_itself_is_refused_for_an_action_that_works_anywhere(
    tmp_path: Path,
) -> None:
    """next_unread on down would only move the list's cursor: the config says so instead."""
    import pytest

    from newsreader.config import ConfigError

    with pytest.raises(ConfigError, match="Textual's own in the tree pane"):
        remapped_app(tmp_path, '\n[keys]\nnext_unread = "down"\n')


async def test_the_help_closes_on_its_keys_while_its_list_has_focus(tmp_path: Path) -> None:
    """The help's scrolling list has focus and its own keys: close_help cannot have them."""
    import pytest

    from newsreader.config import ConfigError

    (tmp_path / "refused").mkdir()
    with pytest.raises(ConfigError, match="Textual's own in the help pane"):
        remapped_app(tmp_path / "refused", '\n[keys]\nclose_help = "pagedown"\n')
    app = remapped_app(tmp_path, '\n[keys]\nclose_help = "x"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await tree_counted(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
