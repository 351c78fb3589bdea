"""Key names and the actions a ``[keys]`` table can give keys to, without Textual."""

from __future__ import annotations

import pytest

from newsreader.keys import (
    ACTIONS,
    ARTICLE,
    KeyClash,
    KeyNameError,
    key_label,
    keys_label,
    normalise_key,
    resolve_keys,
)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("j", "j"), ("A", "A"), ("?", "question_mark"), ("question_mark", "question_mark"),
        ("/", "slash"), ("]", "right_square_bracket"), ("{", "left_curly_bracket"),
        ("+", "plus"), ("enter", "enter"), ("pageup", "pageup"), ("f12", "f12"),
        ("ctrl+n", "ctrl+n"), ("alt+left", "alt+left"), ("shift+backspace", "shift+backspace"),
        ("ctrl+]", "ctrl+right_square_bracket"), ("ctrl+alt+x", "ctrl+alt+x"),
    ],
)  # fmt: skip
def test_key_names_normalise_as_textual_names_them(given: str, normalised: str) -> None:
    assert normalise_key(given) == normalised


@pytest.mark.parametrize(
    "given",
    ["", " ", "j ", "wat", "ctrl+", "cmd+s", "ctrl++", "f25", "ctrl+wat", "é+x", "ctrl+p", "tab"],
)
def test_what_is_not_a_key_is_refused(given: str) -> None:
    with pytest.raises(KeyNameError):
        normalise_key(given)


def test_every_default_key_is_a_key_in_its_normal_spelling() -> None:
    for action in ACTIONS.values():
        assert action.keys, action
        for key in action.keys:
            assert normalise_key(key) == key
            assert normalise_key(key_label(key)) == key


def test_labels_are_what_people_type() -> None:
    assert keys_label(ACTIONS["history_back"].keys) == "backspace, alt+left"
    assert keys_label(ACTIONS["close_help"].keys) == "escape, q, ?"
    assert keys_label(()) == "no key"


def test_the_defaults_do_not_clash_and_a_choice_replaces_them() -> None:
    keys = resolve_keys({})
    assert keys == {action: spec.keys for action, spec in ACTIONS.items()}
    keys = resolve_keys({"next_link": ("l",), "down": ()})
    assert keys["next_link"] == ("l",) and keys["down"] == ()
    assert keys["previous_link"] == ("left_square_bracket",)


def test_a_clash_names_the_chosen_action_and_the_place() -> None:
    with pytest.raises(KeyClash) as caught:
        resolve_keys({"follow_1": ("j",)})
    assert (caught.value.action, caught.value.other, caught.value.place) == (
        "follow_1",
        "down",
        ARTICLE,
    )


def test_an_action_that_works_anywhere_clashes_with_a_pane_key() -> None:
    """A pane's action would shadow it while the pane has focus: said, not left to surprise."""
    with pytest.raises(KeyClash) as caught:
        resolve_keys({"next_unread": ("j",)})
    assert (caught.value.action, caught.value.other) == ("next_unread", "down")
    with pytest.raises(KeyClash):
        resolve_keys({"down": ("n",)})  # the other way round
    assert resolve_keys({"next_unread": ("j",), "down": ()})["next_unread"] == ("j",)
    assert resolve_keys({"close_help": ("r",)})["refresh"] == ("r",)  # the help is apart


def test_every_action_can_be_remapped_vi_style() -> None:
    """Every action can be given another key: here each its own letter or f-key."""
    chosen = {action: (f"f{n}",) for n, action in enumerate(list(ACTIONS)[:24], start=1)}
    chosen |= {action: (f"ctrl+{chr(97 + n)}",) for n, action in enumerate(list(ACTIONS)[24:])}
    keys = resolve_keys(chosen)
    assert all(keys[action] == chosen[action] for action in ACTIONS)


def test_an_action_that_works_anywhere_cannot_have_a_key_the_panes_widgets_bind() -> None:
    """The list's ``down`` (Textual's) comes before the screen's: next_unread would never run."""
    for chosen in ({"next_unread": ("down",)}, {"help": ("space",)}, {"refresh": ("pageup",)}):
        with pytest.raises(KeyClash) as caught:
            resolve_keys(chosen)
        assert caught.value.other == "" and "would never run there" in str(caught.value)
    with pytest.raises(KeyClash):
        resolve_keys({"refresh": ("enter",), "follow_link": ()})  # the tree's and the list's
    assert resolve_keys({"down": ("down",), "next_link": ("right",)})["down"] == ("down",)
