"""`?`: every key, gathered from the bindings themselves so the list cannot go stale, with
the config file's `[keymap]` applied: the keys shown are the keys in force."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from closetui.tui.keymap import key_label


def help_content(
    sections: Iterable[tuple[str, Iterable[BindingType]]], keymap: Mapping[str, str] | None = None
) -> Content:
    """The sections' bindings, each with its keys (the keymap's, where it remaps one), what it
    does and its id (what a keymap names)."""
    keymap = keymap or {}
    parts: list[str | tuple[str, str]] = []
    for title, bindings in sections:
        if parts:
            parts.append("\n")
        parts += [(title, "bold $accent"), "\n"]
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            words = binding.tooltip or binding.description  # the footer's word may be short
            parts += [(f"  {key_label(keys):<22}", "bold"), words]
            if binding.id:
                parts.append((f"  ({binding.id})", "$text-muted"))
            parts.append("\n")
    return Content.assemble(*parts)


LEGEND = Content.assemble(
    "\n",
    ("Signs", "bold $accent"),
    "\n",
    ("  ~2024-03-01           ", "bold"),
    "Started: the run has no start date yet; the day it was created\n",
    ("  ?                     ", "bold"),
    "Close sent a value closetui cannot read there (the rest still shows)\n",
    ("  ·  —                  ", "bold"),
    "not known yet / nothing there",
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("down,j", "scroll('down')", "Down", show=False),
        Binding("up,k", "scroll('up')", "Up", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    """

    def __init__(
        self,
        sections: list[tuple[str, Iterable[BindingType]]],
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc to close"
            yield Static(help_content(self._sections, self._keymap), id="help-body")
            yield Static(LEGEND, id="help-legend")

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if direction == "down":
            scroll.scroll_down()
        else:
            scroll.scroll_up()
