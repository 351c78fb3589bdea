"""The reader's one command registry: every action a key runs, declared once.

Each :class:`Command` names an action id of :data:`newsreader.keys.ACTIONS`
(where its default keys and places are, for the config to check a ``[keys]``
table against), its title and help, and per place the widget action it runs
and whether the footer shows it. The bindings of the app, the main screen and
each widget, the help screen and the command palette are all made from it, with
the keys the user chose.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from newsreader.keys import (
    ACTIONS,
    ANYWHERE,
    ARTICLE,
    HELP,
    LIST,
    MAX_FOLLOW_KEYS,
    TREE,
    keys_label,
)

Keys = Mapping[str, tuple[str, ...]]
"""Every action id -> its keys (:func:`newsreader.keys.resolve_keys`)."""


@dataclass(frozen=True, slots=True)
class Target:
    """What a command does in one place: the widget's action, and whether the footer shows it."""

    action: str
    show: bool = False


@dataclass(frozen=True, slots=True)
class Command:
    """One user action: what it is called, what it does, where it works."""

    id: str
    """The action id of :data:`newsreader.keys.ACTIONS` (and of a ``[keys]`` entry)."""
    title: str
    """Its name in the command palette and the help."""
    help: str
    """What it does, in a few words."""
    targets: Mapping[str, Target]
    """Place -> what it runs there."""
    footer: str = ""
    """Its short name in the footer (its title when empty)."""
    palette: bool = False
    """Offered by the command palette."""
    priority: bool = False
    """Bound before the focused widget sees the key (none is, today)."""
    partner: str = ""
    """The id of a command the help shows on this one's row (previous for next)."""
    pair_help: str = ""
    """That row's text."""

    @property
    def default_keys(self) -> tuple[str, ...]:
        """The keys it has when the config gives none."""
        return ACTIONS[self.id].keys


def _anywhere(action: str, show: bool = False) -> Mapping[str, Target]:
    return {ANYWHERE: Target(action, show)}


COMMANDS: tuple[Command, ...] = (
    Command("quit", "Quit", "quit", _anywhere("app.quit", True)),
    Command("help", "Keys", "show every key", _anywhere("app.help", True), "Help", palette=True),
    Command("search", "Search", "search the cache; Escape returns",
            _anywhere("search", True), palette=True),
    Command("refresh", "Refresh feeds", "download feeds and import local sources",
            _anywhere("refresh", True), "Refresh", palette=True),
    Command("show_failures", "Failed feeds", "list the feeds whose last refresh failed",
            _anywhere("show_failures"), "Failures", palette=True),
    Command("next_unread", "Next unread", "open the next unread article",
            _anywhere("next_unread", True), "Unread", palette=True, partner="previous_unread",
            pair_help="next / previous unread article"),
    Command("previous_unread", "Previous unread", "open the previous unread article",
            _anywhere("previous_unread"), "Prev unread", palette=True),
    Command("toggle_star", "Star / unstar", "star or unstar the current article",
            _anywhere("toggle_star", True), "Star", palette=True),
    Command("toggle_read", "Read / unread", "toggle the current article's read mark",
            _anywhere("toggle_read"), "Read/unread", palette=True),
    Command("mark_all_read", "Mark all read",
            "mark every article of the highlighted node read (it asks first)",
            _anywhere("mark_all_read"), palette=True),
    Command("undo", "Undo mark read", "mark the articles of the last mark-all-read unread again",
            _anywhere("undo"), "Undo", palette=True),
    Command("toggle_outline", "Outline", "show the outline of the article's sections",
            _anywhere("toggle_outline", True), palette=True),
    Command("toggle_tree", "Categories", "show or hide the category tree",
            _anywhere("toggle_tree"), "Tree", palette=True),
    Command("toggle_images", "Images", "show or hide the articles' images",
            _anywhere("toggle_images"), palette=True),
    Command("open_in_browser", "Open in browser",
            "open the selected link, or the article, in the system browser",
            _anywhere("open_in_browser"), "Browser", palette=True),
    Command("copy_address", "Copy address",
            "copy the selected link's address, or the article's, to the clipboard",
            _anywhere("copy_address"), "Copy", palette=True),
    Command("history_back", "Back", "the previous article, where you had scrolled to",
            _anywhere("history_back", True), palette=True, partner="history_forward",
            pair_help="back / forward (where you had scrolled to)"),
    Command("history_forward", "Forward", "the next article again, after going back",
            _anywhere("history_forward"), palette=True),
    Command("cancel_search", "Close search", "close the search and show the node again",
            _anywhere("cancel_search")),
    Command("down", "Down", "move down; in the article, scroll",
            {TREE: Target("cursor_down"), LIST: Target("cursor_down"),
             ARTICLE: Target("scroll_down")}, partner="up",
            pair_help="down / up (the article scrolls)"),
    Command("up", "Up", "move up; in the article, scroll",
            {TREE: Target("cursor_up"), LIST: Target("cursor_up"),
             ARTICLE: Target("scroll_up")}),
    Command("toggle_story", "Story's copies",
            "show the other sources' copies of a story (+N) under its row, or fold them",
            {LIST: Target("toggle_story")}, "Copies"),
    Command("next_link", "Next link", "select the next link",
            {ARTICLE: Target("next_link", True)}, "Link", partner="previous_link",
            pair_help="next / previous link"),
    Command("previous_link", "Previous link", "select the previous link",
            {ARTICLE: Target("previous_link")}, "Prev link"),
    Command("follow_link", "Follow link", "follow the selected link",
            {ARTICLE: Target("follow_link")}, "Follow"),
    Command("next_section", "Next section", "jump to the next section heading",
            {ARTICLE: Target("next_section")}, partner="previous_section",
            pair_help="next / previous section"),
    Command("previous_section", "Previous section", "jump to the previous section heading",
            {ARTICLE: Target("previous_section")}, "Prev section"),
    *(
        Command(f"follow_{n}", f"Follow link {n}", f"follow link {n}",
                {ARTICLE: Target(f"follow_number({n})")})
        for n in range(1, MAX_FOLLOW_KEYS + 1)
    ),
    Command("close_help", "Close", "close the help", {HELP: Target("dismiss", True)}),
)  # fmt: skip

BY_ID: Mapping[str, Command] = {command.id: command for command in COMMANDS}
if list(BY_ID) != list(ACTIONS) or any(
    set(command.targets) != set(ACTIONS[command.id].places) for command in COMMANDS
):
    raise AssertionError("the command registry and newsreader.keys.ACTIONS disagree")

PLACE_NAMES: Mapping[str, str] = {
    ANYWHERE: "Anywhere",
    TREE: "Category tree",
    LIST: "Article list",
    ARTICLE: "Article",
    HELP: "This help",
}


def default_keys() -> dict[str, tuple[str, ...]]:
    """Every action's default keys."""
    return {command.id: command.default_keys for command in COMMANDS}


def bindings(place: str, keys: Keys) -> list[Binding]:
    """The bindings of one place, with the keys chosen (``ANYWHERE``: the main screen's)."""
    made: list[Binding] = []
    for command in COMMANDS:
        target = command.targets.get(place)
        if target is None or not keys[command.id]:
            continue
        made.append(
            Binding(
                ",".join(keys[command.id]),
                target.action,
                command.footer or command.title,
                show=target.show,
                priority=command.priority,
                id=command.id,
            )
        )
    return made


def install_bindings(node: DOMNode, place: str, keys: Keys) -> None:
    """Give a node the bindings of its place, ahead of those its class has.

    Textual reads ``BINDINGS`` once per class; keys chosen in the config differ
    per run, so the node's own map is extended instead.
    """
    ours = BindingsMap(bindings(place, keys))
    node._bindings = BindingsMap.merge([ours, node._bindings])


def set_footer_shown(node: DOMNode, command_id: str, *, shown: bool) -> None:
    """Show or hide one command's key in the footer, for a key that matters only at
    times (``c`` where the tree is hidden). Its binding works either way."""
    bound = node._bindings.key_to_bindings
    for key, key_bindings in bound.items():
        bound[key] = [
            replace(binding, show=shown) if binding.id == command_id else binding
            for binding in key_bindings
        ]
    node.refresh_bindings()


def help_rows(keys: Keys) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The help's groups: a place's name, and (keys, what they do) for each command there."""
    partners = {command.partner for command in COMMANDS}
    for place, name in PLACE_NAMES.items():
        rows: list[tuple[str, str]] = []
        for command in COMMANDS:
            if place not in command.targets or command.id in partners:
                continue
            if command.partner:
                both = f"{keys_label(keys[command.id])} / {keys_label(keys[command.partner])}"
                rows.append((both, command.pair_help))
            else:
                rows.append((keys_label(keys[command.id]), command.help))
        yield name, rows
