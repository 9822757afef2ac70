"""The command palette's "Jump to sequence…" (a provider over every sequence the list or the
cache knows) and "Switch account…" (over the config file's profiles).

Textual's `Matcher.highlight` parses its candidate as markup, so it is never given a name:
the display is built as plain `Content` and matches are styled by offset.

The providers import neither the app nor a screen (that was an import circle): they read
what they need through the small protocols below, and ask for a profile switch with a
message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from closetui.tui.messages import ProfileChosen

if TYPE_CHECKING:
    from closetui.config.profiles import ProfileInfo
    from closetui.config.settings import Settings
    from closetui.lists.paged import PagedList
    from closetui.lists.rows import Row
    from closetui.store.cache import Cache

MAX_HITS = 50


@runtime_checkable
class JumpTarget(Protocol):
    """A screen the palette can jump to a sequence on (the main view)."""

    @property
    def sequences(self) -> PagedList[Row]: ...

    @property
    def cache(self) -> Cache: ...

    def jump_to(self, sequence_id: str) -> None: ...


@runtime_checkable
class HasSettings(Protocol):
    @property
    def settings(self) -> Settings: ...


def highlighted(name: str, query: str) -> Content:
    content = Content(name)
    start = name.casefold().find(query.casefold()) if query else -1
    if start >= 0:
        content = content.stylize("bold underline", start, start + len(query))
    return content


class SequenceProvider(Provider):
    """Search every sequence by name: those loaded, then those only the cache has; and, when
    neither has it and the list is not all in, load the rest in the background and say so."""

    @property
    def _main(self) -> JumpTarget:
        # The screen the palette was opened over; the palette itself is not it.
        screen = self.screen
        if not isinstance(screen, JumpTarget):
            raise RuntimeError("Jump to sequence is offered over the main screen only")
        return screen

    def _jump(self, sequence_id: str) -> Callable[[], None]:
        main = self._main
        return lambda: main.jump_to(sequence_id)

    async def discover(self) -> Hits:
        for row in self._main.sequences.rows_between(0, MAX_HITS):
            yield DiscoveryHit(Content(row.name), self._jump(row.id), text=row.name,
                               help=escape(row.id))  # fmt: skip

    def _candidates(self, needle: str) -> list[tuple[str, str]]:
        """(id, name) of the sequences whose name holds `needle`: the list's, then the
        cache's (a row store and a cache query, not a walk over every row)."""
        from closetui.textsafe import inert

        main = self._main
        found: dict[str, str] = {r.id: r.name for r in main.sequences.find(needle, MAX_HITS)}
        if len(found) < MAX_HITS:
            for cached in main.cache.find_sequences(needle, MAX_HITS):
                found.setdefault(cached.id, inert(cached.name))
        return list(found.items())[:MAX_HITS]

    async def search(self, query: str) -> Hits:
        # Substring, not fuzzy: fuzzy scoring of 100,000 names per keystroke is too slow.
        needle = query.strip()
        if not needle:
            return
        main = self._main
        folded = needle.casefold()
        candidates = self._candidates(needle)
        for sequence_id, name in candidates:
            key = name.casefold()
            at = key.find(folded)
            score = 1.0 if at == 0 else 0.8 if at > 0 and key[at - 1] == " " else 0.6
            yield Hit(score, highlighted(name, needle), self._jump(sequence_id),
                      text=name, help=escape(sequence_id))  # fmt: skip
        state = main.sequences.state
        if not state.end and state.can_fetch:
            if not candidates:
                main.sequences.load_all()  # the rest comes in the background, to be found
            note = f"Still loading the list ({state.loaded:,} so far): type again to search more"
            yield Hit(0.01, Content(note), lambda: None, text=note)


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
        app = self.app
        current = isinstance(app, HasSettings) and app.settings.profile == info.name
        display = Content.assemble(
            (info.name, "bold"),
            ("  " + (info.organization or "?"), "$text-muted"),
            (" · in use", "$success") if current else "",
        )
        help = info.problem or f"key from {info.key_source}"

        def switch() -> None:
            app.post_message(ProfileChosen(info.name))

        return display, switch, help

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
