"""Something to select by hand: an address or an id the clipboard may not have taken (a
terminal that blocks OSC 52, tmux's default), or that a browser could not be opened on.

It is shown whole on a line of its own, from the screen's left edge and with no border
beside it, so that a terminal's own selection picks up exactly it and nothing else.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class AddressScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "dismiss", "Close", id="address.close"),
    ]
    DEFAULT_CSS = """
    AddressScreen { align: center bottom; }
    AddressScreen > Vertical {
        width: 100%; height: auto; margin-bottom: 1;
        border-top: solid $primary; border-title-align: left; background: $surface;
    }
    AddressScreen .address-words { padding: 0 1; }
    AddressScreen #address { width: 100%; text-style: bold; }
    AddressScreen #address-keys { padding: 0 1; color: $text-muted; }
    """

    def __init__(self, title: str, text: str, words: str) -> None:
        """`text` is shown as it is: the caller made sure it holds no control character."""
        super().__init__()
        self._title = title
        self.text = text
        self._words = words

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self._title
            yield Static(Content(self._words), classes="address-words")
            yield Static(Content(self.text), id="address")
            yield Static(Content("Enter or Esc closes this"), id="address-keys")
