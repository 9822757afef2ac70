"""The line under a runs list's title that says why runs stopped:
`error 12: email bounced 7 · account invalid 5   paused 3: paused by hand 3`.

Counted by SQLite over the sequence's cached pages (every page the list loads is cached as it
lands), off the event loop, at most once per `DELAY` however fast pages come.
"""

from __future__ import annotations

import asyncio

from textual.content import Content
from textual.widgets import Static

from closetui.present.reasons import reason_summary
from closetui.store.cache import Cache
from closetui.tui.workers import spawn

STOPPED = ("error", "paused", "finished", "goal")  # the statuses a reason explains
DELAY = 0.3


class ReasonsLine(Static):
    DEFAULT_CSS = """
    ReasonsLine {
        height: 1; padding: 0 1; background: $panel; color: $text-muted;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, cache: Cache, kind: str, owner: str, *, id: str | None = None) -> None:
        # Always one line, said or not, so the list below never moves when it is filled.
        super().__init__(_said(""), id=id, markup=False)
        self.cache = cache
        self.kind = kind
        self.owner = owner
        self.summary = ""  # what it says now ("" while no run has a reason)
        self._due = False

    def count_later(self) -> None:
        """Pages landed: count again, once they stop coming for a moment."""
        if not self._due:
            self._due = True
            self.set_timer(DELAY, self._count)

    def _count(self) -> None:
        spawn(self, self._counted(), "reasons")

    async def _counted(self) -> None:
        self._due = False
        counts = await asyncio.to_thread(self.cache.run_reasons, self.kind, self.owner)
        self.summary = reason_summary(counts, STOPPED)
        self.update(_said(self.summary))


def _said(summary: str) -> Content:
    return Content.assemble(
        ("Why runs stopped  ", "bold"), summary or "no reasons among those loaded"
    )
