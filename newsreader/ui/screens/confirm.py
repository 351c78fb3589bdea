"""A yes-or-no question over the reader: y or Enter answers yes, n or Escape no."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

ANSWER_KEYS = Text("y / Enter: yes    n / Escape: no", style="dim")


class ConfirmScreen(ModalScreen[bool]):
    """Asks a question; dismissed with True for yes, False for no.

    Its keys are fixed, as a dialog's are, rather than the registry's: they work
    only while it is shown, where no other key does.
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(self, question: Text) -> None:
        """``question`` is ``Text`` (never markup): it names outside text, a feed or a category."""
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(self.question, id="confirm-question")
            yield Static(ANSWER_KEYS, id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        """Close the question with its answer."""
        self.dismiss(yes)
