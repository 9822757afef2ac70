"""The header line: which organization (and which profile of the config file), and the
connection state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from closetui.textsafe import inert

STATE_STYLES = {"online": "$success", "offline": "$warning", "busy": "$accent", "error": "$error"}


class TopBar(Horizontal):
    DEFAULT_CSS = """
    TopBar { height: 1; background: $panel; }
    TopBar > Static { padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    TopBar > #topbar-title { width: 1fr; }
    TopBar > #topbar-state { width: auto; max-width: 60%; }
    TopBar > #topbar-watch { width: auto; max-width: 40%; color: $text-muted; display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._title = Static(id="topbar-title")
        self._state = Static(id="topbar-state")
        self._watch = Static(id="topbar-watch")
        self.watch_text = ""  # what watching says (`watch 5 min · refreshed 14:02:10`)
        self.organization = ""
        self.profile: str | None = None  # the config file's [profiles.NAME] in use
        self.state_text = ""
        self._kind = ""

    def compose(self) -> ComposeResult:
        yield self._title
        yield self._state
        yield self._watch

    def set_organization(self, name: str) -> None:
        self.organization = inert(name)
        # The profile comes before the organization: a long name is cut at the end.
        profile = (self.profile, "bold $accent") if self.profile else ""
        self._title.update(
            Content.assemble(
                ("closetui", "bold"),
                ("  ·  ", "$text-muted"),
                profile,
                ("  ·  ", "$text-muted") if self.profile else "",
                self.organization,
            )
        )

    def set_watch(self, text: str) -> None:
        """Watching's own words, after the state (empty: not watching)."""
        if text == self.watch_text:
            return
        self.watch_text = text
        self._watch.update(Content(text))
        self._watch.display = bool(text)

    def set_state(self, text: str, kind: str = "online") -> None:
        if (text, kind) == (self.state_text, self._kind):
            return  # an update is a layout pass: skip it when nothing changed
        self.state_text = text
        self._kind = kind
        glyph = {"online": "●", "offline": "○", "busy": "◌", "error": "✖"}.get(kind, "●")
        self._state.update(Content.assemble((f"{glyph} ", STATE_STYLES.get(kind, "")), text))
