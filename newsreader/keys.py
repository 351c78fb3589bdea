"""The reader's actions as the config knows them: ids, default keys, places; key names.

The reader's command registry (``newsreader.ui.commands``) gives each action
its title, help and the widget method it runs; this module holds what a
``[keys]`` table is checked against, without Textual: which action ids exist,
the keys each has by default, where each works (two actions may share a key
only in different places), and which key names a terminal can send.

Key names are Textual's: a character (``j``, ``A``, ``]``, ``?``) or a name
(``enter``, ``pageup``, ``f5``), after modifiers joined by ``+``
(``ctrl+n``, ``alt+left``, ``shift+backspace``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

ANYWHERE = "anywhere"
TREE = "tree"
LIST = "list"
ARTICLE = "article"
HELP = "help"
PLACES = (ANYWHERE, TREE, LIST, ARTICLE, HELP)
"""Where an action works: anywhere in the reader, or while a widget (or the help) has focus."""
WITHIN_ANYWHERE = (TREE, LIST, ARTICLE)
"""The places an action that works anywhere also works in: the reader's panes (the help
is a screen of its own). A pane's own action on a key would shadow it there."""

UNBOUND = "none"
"""The value of a ``[keys]`` entry that takes every key off an action."""

MAX_FOLLOW_KEYS = 9

NEEDS_A_KEY = frozenset({"close_help"})
"""Actions ``"none"`` cannot take every key from: the help is a screen of its own, and
without one of these it could not be closed (only quitting would leave it)."""


@dataclass(frozen=True, slots=True)
class Action:
    """An action's default keys and the places it works in."""

    keys: tuple[str, ...]
    places: tuple[str, ...] = (ANYWHERE,)


ACTIONS: Mapping[str, Action] = {
    "quit": Action(("q",)),
    "help": Action(("question_mark",)),
    "search": Action(("slash",)),
    "refresh": Action(("r",)),
    "show_failures": Action(("F",)),
    "next_unread": Action(("n",)),
    "previous_unread": Action(("p",)),
    "toggle_star": Action(("s",)),
    "toggle_read": Action(("m",)),
    "mark_all_read": Action(("A",)),
    "undo": Action(("u",)),
    "toggle_outline": Action(("t",)),
    "toggle_tree": Action(("c",)),
    "toggle_images": Action(("I",)),
    "open_in_browser": Action(("o",)),
    "copy_address": Action(("y",)),
    "history_back": Action(("backspace", "alt+left")),
    "history_forward": Action(("shift+backspace", "alt+right")),
    "cancel_search": Action(("escape",)),
    "down": Action(("j",), (TREE, LIST, ARTICLE)),
    "up": Action(("k",), (TREE, LIST, ARTICLE)),
    "toggle_story": Action(("z",), (LIST,)),
    "next_link": Action(("right_square_bracket",), (ARTICLE,)),
    "previous_link": Action(("left_square_bracket",), (ARTICLE,)),
    "follow_link": Action(("enter",), (ARTICLE,)),
    "next_section": Action(("right_curly_bracket",), (ARTICLE,)),
    "previous_section": Action(("left_curly_bracket",), (ARTICLE,)),
    **{f"follow_{n}": Action((str(n),), (ARTICLE,)) for n in range(1, MAX_FOLLOW_KEYS + 1)},
    "close_help": Action(("escape", "q", "question_mark"), (HELP,)),
}
"""Every action a key can be given, in the order the help lists them."""

MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(
    {
        "up", "down", "left", "right", "home", "end", "pageup", "pagedown",
        "enter", "escape", "tab", "backspace", "delete", "insert", "space",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip
_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
"""Textual's short names for a few characters (the rest are their Unicode names)."""


def character_key(character: str) -> str:
    """The key name a terminal's character gets (``?`` -> ``question_mark``), as Textual's."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _NAME_REPLACEMENTS.get(name, name)


_CHARACTERS = {
    character_key(chr(code)): chr(code) for code in range(0x21, 0x7F) if not chr(code).isalnum()
}
"""The names of the printable ASCII characters that have one (``question_mark``: ``?``)."""


RESERVED: Mapping[str, str] = {
    "ctrl+p": "the command palette",
    "ctrl+q": "quitting at once",
    "ctrl+c": "copying (and saying which key quits)",
    "tab": "moving to the next pane",
    "shift+tab": "moving to the previous pane",
}
"""Keys Textual gives every app: kept, so the palette and the panes can always be reached."""


_SCROLL_KEYS = frozenset({
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "ctrl+pageup",
    "ctrl+pagedown",
})  # fmt: skip
PANE_KEYS: Mapping[str, frozenset[str]] = {
    TREE: _SCROLL_KEYS | {
        "enter", "space", "shift+space", "shift+up", "shift+down", "shift+left", "shift+right",
    },
    LIST: _SCROLL_KEYS | {"ctrl+home", "ctrl+end", "enter"},
    ARTICLE: _SCROLL_KEYS,
    HELP: _SCROLL_KEYS,
}  # fmt: skip
"""Keys the panes' Textual widgets (a Tree, a DataTable, a VerticalScroll; the help's
scrolling list of keys, a VerticalScroll too) bind themselves.

A pane's own bindings come before theirs, but an action that works anywhere, and the
help's, are the screen's, after the focused widget's: on one of these keys it would
never run there."""


class KeyNameError(ValueError):
    """A key name no terminal sends: the message says why."""


def normalise_key(key: str) -> str:
    """A key name in the one spelling the reader compares (``?`` and ``question_mark`` alike).

    Raises:
        KeyNameError: not a key (an unknown name or modifier, or empty), or one of
            :data:`RESERVED`.
    """
    if not key or key != key.strip():
        raise KeyNameError(f"{key!r} is not a key name")
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            raise KeyNameError(
                f"{key!r}: {modifier!r} is not a modifier (ctrl, alt, shift, meta, super, hyper)"
            )
    if len(base) == 1 and base.isprintable() and not base.isspace():
        base = character_key(base)
    elif base not in NAMED_KEYS and base not in _CHARACTERS:
        raise KeyNameError(f"{key!r} is not a key name (a character, or e.g. enter, pageup, f5)")
    normalised = "+".join([*modifiers, base])
    if normalised in RESERVED:
        raise KeyNameError(f"{key!r} is kept for {RESERVED[normalised]}")
    return normalised


def key_label(key: str) -> str:
    """How the help, the palette and the README write a key: ``?``, ``]``, ``alt+left``."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    return "+".join([*modifiers, _CHARACTERS.get(base, base)])


def keys_label(keys: tuple[str, ...]) -> str:
    """An action's keys, written for people (``no key`` when it has none)."""
    return ", ".join(key_label(key) for key in keys) or "no key"


class KeyClash(ValueError):
    """Two actions on one key in one place."""

    def __init__(self, action: str, key: str, other: str, place: str) -> None:
        self.action, self.key, self.other, self.place = action, key, other, place
        if other:
            message = (
                f"{key!r} of {action} is also {other}'s ({place}): "
                f'give {other} another key, or "{UNBOUND}"'
            )
        else:
            message = (
                f"{key!r} of {action} is Textual's own in the {place} pane, "
                f"so {action} would never run there: give it another key"
            )
        super().__init__(message)


def resolve_keys(chosen: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every action's keys: the chosen ones where given, else its defaults.

    ``chosen`` holds normalised keys of known actions (what the config checked).

    Raises:
        KeyClash: two actions share a key in one place, or an action that works
            anywhere has a key of :data:`PANE_KEYS` (``other`` is empty); ``action``
            is a chosen one.
    """
    keys = {action: chosen.get(action, spec.keys) for action, spec in ACTIONS.items()}
    # Chosen actions last, so a clash is reported on the action the user changed.
    order = [a for a in ACTIONS if a not in chosen] + [a for a in ACTIONS if a in chosen]
    owners: dict[tuple[str, str], str] = {}
    for action in order:
        places = ACTIONS[action].places
        if ANYWHERE in places:
            places = (*places, *WITHIN_ANYWHERE)
        for place in (*WITHIN_ANYWHERE, HELP) if ANYWHERE in places else (HELP,):
            if place not in places:
                continue
            for key in keys[action]:
                if key in PANE_KEYS[place]:
                    raise KeyClash(action, key, "", place)
        for place in places:
            for key in keys[action]:
                other = owners.setdefault((place, key), action)
                if other != action:
                    raise KeyClash(action, key, other, place)
    return keys
