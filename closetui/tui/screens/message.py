"""A blocking message, for what the person must act on: a refused key."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class MessageScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss", "Continue", id="message.close"),
        Binding("q", "app.quit", "Quit", id="message.quit"),
    ]
    DEFAULT_CSS = """
    MessageScreen { align: center middle; }
    MessageScreen > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 90%;
        border: round $error; background: $surface; padding: 1 2;
    }
    MessageScreen #message-keys { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, title: str, body: Content) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(self._body, id="message-body")
            yield Static(Content("Esc: keep browsing what is cached   q: quit"), id="message-keys")
