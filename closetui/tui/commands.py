"""The command palette's "Jump to sequence…" (a provider over the loaded names) and "Switch
account…" (over the config file's profiles).

Textual's `Matcher.highlight` parses its candidate as markup, so it is never given a name:
the display is built as plain `Content` and matches are styled by offset.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

if TYPE_CHECKING:
    from closetui.config.profiles import ProfileInfo
    from closetui.lists.rows import Row, RowList
    from closetui.tui.screens.sequences import SequencesScreen

MAX_HITS = 50


def highlighted(name: str, query: str) -> Content:
    content = Content(name)
    start = name.casefold().find(query.casefold()) if query else -1
    if start >= 0:
        content = content.stylize("bold underline", start, start + len(query))
    return content


class SequenceProvider(Provider):
    """Search the sequences loaded so far by name."""

    @property
    def _main(self) -> SequencesScreen:
        # The screen the palette was opened over; the palette itself is not it.
        from closetui.tui.screens.sequences import SequencesScreen

        screen = self.screen
        if not isinstance(screen, SequencesScreen):
            raise RuntimeError("Jump to sequence is offered over the main screen only")
        return screen

    def _rows(self) -> RowList[Row]:
        return self._main.sequence_rows

    def _jump(self, row: Row) -> Callable[[], None]:
        return lambda: self._main.jump_to(row.id)

    async def discover(self) -> Hits:
        for row in self._rows().rows[:MAX_HITS]:
            yield DiscoveryHit(Content(row.name), self._jump(row), text=row.name,
                               help=escape(row.id))  # fmt: skip

    async def search(self, query: str) -> Hits:
        # Substring, not fuzzy: fuzzy scoring of 100,000 names per keystroke is too slow.
        needle = query.strip().casefold()
        if not needle:
            return
        found = 0
        for row in self._rows().rows:
            at = row.key.find(needle)
            if at < 0:
                continue
            score = 1.0 if at == 0 else 0.8 if row.key[at - 1] == " " else 0.6
            yield Hit(score, highlighted(row.name, query.strip()), self._jump(row),
                      text=row.name, help=escape(row.id))  # fmt: skip
            found += 1
            if found >= MAX_HITS:
                return


class ProfileProvider(Provider):
    """The palette's "Switch account…": the config file's profiles."""

    async def startup(self) -> None:
        from closetui.config.profiles import describe
        from closetui.errors import ConfigError

        try:
            self._profiles = describe()
        except ConfigError as exc:
            self._profiles = []
            self.app.notify(exc.message, severity="error", markup=False)

    def _hit(self, info: ProfileInfo) -> tuple[Content, Callable[[], None], str]:
        from closetui.tui.app import ClosetuiApp

        app = self.app
        assert isinstance(app, ClosetuiApp)
        current = app.settings.profile == info.name
        display = Content.assemble(
            (info.name, "bold"),
            ("  " + (info.organization or "?"), "$text-muted"),
            (" · in use", "$success") if current else "",
        )
        help = info.problem or f"key from {info.key_source}"
        return display, lambda: app.switch_profile(info.name), help

    async def discover(self) -> Hits:
        for info in self._profiles:
            display, switch, help = self._hit(info)
            yield DiscoveryHit(display, switch, text=info.name, help=escape(help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for info in self._profiles:
            score = matcher.match(info.name)
            if score > 0:
                display, switch, help = self._hit(info)
                yield Hit(score, display, switch, text=info.name, help=escape(help))
