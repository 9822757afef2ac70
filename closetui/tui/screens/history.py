"""`h`: one sequence's history, from the versions the cache kept.

Above, every kept version, newest first, each with what changed from the one before it;
below, the highlighted version's cadence as it was then (the detail pane's own drawing).
Everything comes from the cache: it works offline, and makes no request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from closetui.present.history import parsed, version_lines
from closetui.present.sheet import Line, sequence_sheet
from closetui.session import Session
from closetui.store.versions import Version
from closetui.tui.widgets.detail import DetailPane
from closetui.tui.widgets.key_bar import KeyBar

# Roles as Content styles, for the list of versions (the pane below styles them by CSS).
_STYLES = {"section": "bold", "dim": "dim", "warn": "bold", "rail": "dim", "label": "dim"}


def _content(lines: Iterable[Line]) -> Content:
    out: list[Content | str] = []
    for n, line in enumerate(lines):
        if n:
            out.append("\n")
        out += [Content.styled(span.text, _STYLES.get(span.role, "")) for span in line]
    return Content.assemble(*out)


class HistoryScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,h", "back", "Back", id="history.back"),
        Binding("tab", "switch", "Cadence ⇄ versions", show=False, id="history.switch"),
        Binding("q", "app.quit", "Quit", id="history.quit"),
    ]
    DEFAULT_CSS = """
    HistoryScreen #history-title { height: auto; padding: 0 1; background: $panel; }
    HistoryScreen #history-versions { height: 1fr; border: round $primary; }
    HistoryScreen #history-cadence { height: 2fr; border: round $primary; }
    """

    def __init__(self, session: Session, sequence_id: str, title: Content) -> None:
        super().__init__()
        self.session = session
        self.sequence_id = sequence_id
        self._title = title
        self.versions: list[Version] = []
        self.version_list = OptionList(id="history-versions")
        self.cadence = DetailPane(id="history-cadence")

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="history-title")
        yield self.version_list
        yield self.cadence
        yield KeyBar()

    def on_mount(self) -> None:
        cache, lookups = self.session.cache, self.session.lookups
        self.versions = cache.versions(self.sequence_id)
        for version in self.versions:
            sequence = parsed(version)
            if sequence is not None:
                lookups.known(sequence)
        for notice in cache.take_notices():  # a kept version that could not be read
            self.notify(notice, title="Cache", severity="warning", markup=False, timeout=10)
        self.version_list.border_title = f"{len(self.versions)} versions kept, newest first"
        self.cadence.border_title = "Cadence as it was"
        if not self.versions:
            self.version_list.add_option(
                Option(Content("The cache has kept no version of this sequence yet."))
            )
            self.cadence.show_message("Nothing to show.")
            return
        for i, version in enumerate(self.versions):
            earlier = self.versions[i + 1] if i + 1 < len(self.versions) else None
            lines = version_lines(version, earlier, self.session.lookups.names, i)[1:]
            self.version_list.add_option(Option(_content(lines), id=f"v{i}"))
        if len(self.versions) == 1:
            self.cadence.border_subtitle = "no change seen yet"
        self.version_list.highlighted = 0
        self.version_list.focus()
        self.show_version(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_version(event.option_index)

    def show_version(self, index: int) -> None:
        """The cadence of version `index` (0: the newest) as it was."""
        if not 0 <= index < len(self.versions):
            return
        version = self.versions[index]
        sequence = parsed(version)
        if sequence is None:
            self.cadence.show_message("This version cannot be read.")
            return
        self.cadence.border_title = f"Version {index + 1}: cadence as it was"
        self.cadence.show_lines(
            sequence_sheet(sequence, self.session.lookups.names), f"{self.sequence_id}#{index}"
        )

    def action_switch(self) -> None:
        (self.cadence if self.version_list.has_focus else self.version_list).focus()

    def action_back(self) -> None:
        self.dismiss()
