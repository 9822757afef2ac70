"""The question before a change is sent to Close: what will happen, in words, and a box where
the person types the number of runs (or `y` for one). No single stray key sends anything:
Enter on anything else says what to type, Escape gives up."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from closetui.lists.actions import confirmed, expected_answer
from closetui.tui.text import inert_content


class ConfirmScreen(ModalScreen[bool]):
    """Dismissed with True once the typed answer is the count (or `y`), False on Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
    ]
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 70; max-width: 95%; height: auto; padding: 1 2;
        border: thick $warning; background: $panel;
    }
    ConfirmScreen #confirm-question { text-style: bold; margin-bottom: 1; }
    ConfirmScreen #confirm-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, question: str, count: int) -> None:
        super().__init__()
        self.question = question
        self.count = count
        self.expected = expected_answer(count)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(inert_content(self.question), id="confirm-question")
            yield Input(placeholder=f"type {self.expected} to go on", id="confirm-answer")
            yield Static(self._hint(), id="confirm-hint")

    def _hint(self, wrong: str | None = None) -> Content:
        what = f"Type {self.expected} and press Enter to send; Escape cancels."
        if wrong is None:
            return Content(what)
        return Content(f"{wrong!r} is not {self.expected}. {what}")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _answered(self, event: Input.Submitted) -> None:
        event.stop()
        if confirmed(event.value, self.count):
            self.dismiss(True)
            return
        event.input.value = ""
        self.query_one("#confirm-hint", Static).update(self._hint(event.value.strip()[:20]))

    def action_cancel(self) -> None:
        self.dismiss(False)
