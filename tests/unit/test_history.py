"""The generic back/forward history."""

from __future__ import annotations

from newsreader.history import History


def test_back_and_forward() -> None:
    history: History[str] = History()
    assert history.current is None and history.back() is None
    for page in "abc":
        history.visit(page)
    assert history.back() == "b"
    assert history.back() == "a"
    assert history.back() is None and history.current == "a"
    assert history.forward() == "b"
    assert history.can_go_forward


def test_a_new_visit_after_going_back_drops_the_forward_entries() -> None:
    history: History[str] = History()
    for page in "abc":
        history.visit(page)
    history.back()
    history.visit("d")
    assert not history.can_go_forward
    assert [history.back(), history.back(), history.back()] == ["b", "a", None]


def test_current_can_be_replaced_and_the_length_is_bounded() -> None:
    history: History[tuple[str, int]] = History(limit=3)
    for page in "abcd":
        history.visit((page, 0))
    history.replace_current(("d", 42))
    assert history.current == ("d", 42)
    assert len(history) == 3
    assert history.back() == ("c", 0)
    history.replace_current(("c", 7))
    assert history.current == ("c", 7)
