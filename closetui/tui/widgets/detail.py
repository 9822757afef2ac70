"""The detail pane: the selected sequence's heading and cadence, scrollable."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from closetui.sheet import Line, plain
from closetui.tui.text import lines_to_content


class DetailPane(VerticalScroll, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding(
            "pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="detail.page_down"
        ),
        Binding("home,g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("escape,shift+tab", "app.back", "Back to list", id="detail.back"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._body = Static(Content("Nothing selected."), id="detail-body")
        self.showing: str | None = None  # the id of the sequence on display
        self._lines: list[Line] | None = None

    def compose(self) -> ComposeResult:
        yield self._body

    def show_lines(self, lines: list[Line], sequence_id: str | None) -> None:
        if sequence_id != self.showing:
            self.scroll_home(animate=False)
        self.showing = sequence_id
        self._lines = lines
        self._body.update(lines_to_content(lines, self._wrap_width()))

    def _wrap_width(self) -> int | None:
        width = self.scrollable_content_region.width
        return width - 1 if width > 0 else None

    def on_resize(self) -> None:
        if self._lines is not None and self.showing is not None:
            self._body.update(lines_to_content(self._lines, self._wrap_width()))

    def show_text(self, text: Content) -> None:
        self.showing = None
        self._lines = None
        self._body.update(text)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text before wrapping (for tests and screen readers)."""
        if self._lines is not None:
            return plain(self._lines)
        content = self._body.content
        return content.plain if isinstance(content, Content) else str(content)
