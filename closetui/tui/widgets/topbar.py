"""The header line: which organization (and which profile of the config file), and the
connection state.

One widget drawing one line, not a row of three: every widget on the first screen is styled
and laid out before the first row shows, and this line changes only when its words do.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from closetui.textsafe import inert

STATE_STYLES = {"online": "$success", "offline": "$warning", "busy": "$accent", "error": "$error"}
STATE_SHARE = 0.6  # at most this much of the line for the state, and this for watching:
WATCH_SHARE = 0.4
PADDING = 1  # a cell either side of each part


class TopBar(Widget):
    DEFAULT_CSS = """
    TopBar { height: 1; background: $panel; text-wrap: nowrap; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.watch_text = ""  # what watching says (`watch 5 min · refreshed 14:02:10`)
        self.organization = ""
        self.profile: str | None = None  # the config file's [profiles.NAME] in use
        self.state_text = ""
        self._kind = ""
        self._title = Content("")
        self._state = Content("")
        self._watch = Content("")

    def set_organization(self, name: str) -> None:
        self.organization = inert(name)
        # The profile comes before the organization: a long name is cut at the end.
        profile = (self.profile, "bold $accent") if self.profile else ""
        self._title = Content.assemble(
            ("closetui", "bold"),
            ("  ·  ", "$text-muted"),
            profile,
            ("  ·  ", "$text-muted") if self.profile else "",
            self.organization,
        )
        self.refresh()

    def set_watch(self, text: str) -> None:
        """Watching's own words, after the state (empty: not watching)."""
        if text == self.watch_text:
            return
        self.watch_text = text
        self._watch = Content.styled(text, "$text-muted")
        self.refresh()

    def set_state(self, text: str, kind: str = "online") -> None:
        if (text, kind) == (self.state_text, self._kind):
            return  # each change is a repaint: skip it when nothing changed
        self.state_text = text
        self._kind = kind
        glyph = {"online": "●", "offline": "○", "busy": "◌", "error": "✖"}.get(kind, "●")
        self._state = Content.assemble((f"{glyph} ", STATE_STYLES.get(kind, "")), text)
        self.refresh()

    def render(self) -> Content:
        """The title takes what the state and watching leave; each part is cut with an
        ellipsis where it does not fit."""
        width = self.size.width
        pad = 2 * PADDING

        def part(text: Content, room: int) -> Content:
            inner = max(0, room - pad)
            shown = text.truncate(inner, ellipsis=True, pad=True)
            return Content(" " * PADDING) + shown + Content(" " * PADDING)

        state_room = min(self._state.cell_length + pad, int(width * STATE_SHARE))
        watch_room = 0
        if self.watch_text:
            watch_room = min(self._watch.cell_length + pad, int(width * WATCH_SHARE))
        title_room = max(0, width - state_room - watch_room)
        parts = [part(self._title, title_room), part(self._state, state_room)]
        if watch_room:
            parts.append(part(self._watch, watch_room))
        return Content("").join(parts)
