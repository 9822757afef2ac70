"""The bottom line of keys, in one widget.

Textual's `Footer` mounts a widget per key and recomposes them all whenever the focus moves:
on the first screen that is nine widgets styled and laid out before the first row can be
drawn, about a fifth of closetui's start-up beyond the least Textual app. This draws the same
line (the same words, the palette's key at the right) as one line of text, worked out again
only when the bindings change, and answers the mouse the way the footer does: a click presses
the key, hovering shows what it does.
"""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

DIVIDER = "▏"  # the footer's `border-left: vkey` before the palette's key


class Shown(NamedTuple):
    """A key as the line shows it, and the cells it takes."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str
    start: int = 0
    end: int = 0


class KeyBar(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--item",
        "key-bar--hover",
        "key-bar--divider",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        .key-bar--item { background: $footer-item-background; }
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover { color: $footer-key-foreground; background: $block-hover-background; }
        .key-bar--divider { color: $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: list[Shown] | None = None  # worked out again when the bindings change
        self._palette: Shown | None = None
        self._hover: str | None = None  # the key under the mouse
        self._placed: list[Shown] = []  # where the last line drew each key

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._keys = None
            self.refresh()

    def _shown_keys(self) -> list[Shown]:
        """One key per action (the first bound), as the footer groups them."""
        if self._keys is not None:
            return self._keys
        active = self.screen.active_bindings
        by_action: dict[str, Shown] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in by_action:
                tip = tooltip or binding.tooltip
                by_action[binding.action] = self._shown(binding, enabled, tip)
        self._palette = None
        if self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                self._palette = self._shown(
                    binding, enabled, binding.tooltip or binding.description
                )
        self._keys = list(by_action.values())
        return self._keys

    def _shown(self, binding: Binding, enabled: bool, tooltip: str) -> Shown:
        return Shown(
            binding.key, self.app.get_key_display(binding), binding.description, enabled, tooltip
        )

    def render(self) -> Text:
        keys = self._shown_keys()
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        item_style = self.get_component_rich_style("key-bar--item")
        hover_style = self.get_component_rich_style("key-bar--hover")

        def item(shown: Shown, parts: list[tuple[str, Style]]) -> Text:
            text = Text.assemble(*parts, style=item_style)
            if not shown.enabled:
                text.stylize(Style(dim=True))
            if shown.key == self._hover:
                text.stylize(hover_style)
            return text

        right = Text()
        palette = self._palette
        if palette is not None:
            # As the footer draws its palette key: compact, a divider before it.
            right = Text.assemble(
                (DIVIDER, self.get_component_rich_style("key-bar--divider")),
                item(
                    palette,
                    [(palette.display, key_style), (f" {palette.description} ", description_style)],
                ),
            )
        width = self.size.width
        room = max(0, width - right.cell_len)
        line = Text(no_wrap=True, overflow="crop", end="")
        placed: list[Shown] = []
        for shown in keys:
            parts = [(f" {shown.display} ", key_style)]
            if shown.description:
                parts.append((f"{shown.description} ", description_style))
            text = item(shown, parts)
            start = line.cell_len
            if start >= room:
                break
            if start + text.cell_len > room:  # cut at the palette's divider, as the footer's are
                text.truncate(room - start)
            line.append_text(text)
            placed.append(_at(shown, start, line.cell_len))
        if palette is not None:
            line.append(" " * (max(room, line.cell_len) - line.cell_len))
            start = line.cell_len + len(DIVIDER)
            line.append_text(right)
            placed.append(_at(palette, start, line.cell_len))
        self._placed = placed
        return line

    def _under(self, x: int) -> Shown | None:
        return next((shown for shown in self._placed if shown.start <= x < shown.end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        shown = self._under(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        shown = self._under(event.x)
        key = shown.key if shown is not None else None
        if key != self._hover:
            self._hover = key
            self.tooltip = (shown.tooltip or None) if shown is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()


def _at(shown: Shown, start: int, end: int) -> Shown:
    return shown._replace(start=start, end=end)
