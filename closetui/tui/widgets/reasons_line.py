"""The line under a runs list's title that says why runs stopped:
`12 error: email bounced 7 · account invalid 5   3 paused: by hand 3`.

Counted by SQLite over the sequence's cached pages (every page the list loads is cached as it
lands), off the event loop, at most once per `DELAY` however fast pages come.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from textual.content import Content
from textual.widgets import Static

from closetui.present.reasons import reason_parts, reason_summary
from closetui.present.roles import status_role
from closetui.store.cache import Cache
from closetui.textsafe import inert
from closetui.tui.workers import spawn

STATUS_LOOKS = {"error": "bold $text-error", "warn": "$text-warning", "good": "$text-success"}
STOPPED = ("error", "paused", "finished", "goal")  # the statuses a reason explains
DELAY = 0.3
QUICK = 0.02  # a count that took less than this is made again at once
SHARE = 10  # wait ten times what the last count took before the next
STRETCH = 5  # cached pages counted per query (500 runs: some 8 ms)
# Pages counted at most: a list of a million runs recounted from its first page each time
# pages land held 100 MB more at its peak. Past this the line says what it counted.
MOST_PAGES = 200


class ReasonsLine(Static):
    DEFAULT_CSS = """
    ReasonsLine {
        height: 1; padding: 0 1; background: $panel; color: $text-muted;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, cache: Cache, kind: str, owner: str, *, id: str | None = None) -> None:
        # Always one line, said or not, so the list below never moves when it is filled.
        super().__init__(_said([]), id=id, markup=False)
        self.cache = cache
        self.kind = kind
        self.owner = owner
        self.summary = ""  # what it says now ("" while no run has a reason)
        self._due = False  # a count is asked for, and waits for its timer
        self._counting = False
        self._again = False  # pages landed while a count ran
        self._took = 0.0  # how long the last count took
        self.counted_all = True  # the last count covered every cached page

    def count_later(self) -> None:
        """Pages landed: count again, once they stop coming for a moment. One count at a
        time, and the wait grows with what a count costs (a million cached runs take
        seconds), so counting never takes more than a small share of a core."""
        if self._counting:
            self._again = True
        elif not self._due:
            self._due = True
            if self._took < QUICK:
                self._count()  # a short list's count costs less than waiting for it
            else:
                self.set_timer(max(DELAY, SHARE * self._took), self._count)

    def _count(self) -> None:
        spawn(self, self._counted(), "reasons")

    async def _counted(self) -> None:
        self._due, self._counting = False, True
        began = time.monotonic()
        try:
            counts = await self._counts()
        finally:
            self._counting = False
            self._took = time.monotonic() - began
        parts = reason_parts(counts, STOPPED)
        self.summary = reason_summary(counts, STOPPED)
        self.update(_said(parts, None if self.counted_all else MOST_PAGES))
        if self._again:
            self._again = False
            self.count_later()

    async def _counts(self) -> dict[tuple[str, str | None], int]:
        """Runs by (status, reason) over the cached pages, `STRETCH` pages per query, each
        off the event loop: the cache is free between them."""
        # On the event loop, a few pages at a time with the loop free between them: a thread
        # of its own cost the process a malloc arena (20 MB more at 200,000 runs).
        skips = self.cache.page_skips(self.kind, self.owner, MOST_PAGES + 1)
        self.counted_all = len(skips) <= MOST_PAGES
        skips = skips[:MOST_PAGES]
        total: Counter[tuple[str, str | None]] = Counter()
        for at in range(0, len(skips), STRETCH):
            stretch = skips[at : at + STRETCH]
            total.update(self.cache.run_reasons(self.kind, self.owner, stretch[0], stretch[-1]))
            await asyncio.sleep(0)  # keys and frames between stretches
        return dict(total)


def _said(parts: list[tuple[str, int, str]], pages: int | None = None) -> Content:
    """The line, each status in its list's look (an error stands out without colour too);
    `pages`: it counted only the first so many cached pages."""
    heading = "Why runs stopped" + (f" (first {pages:,} pages)" if pages else "") + "  "
    pieces: list[Content | tuple[str, str] | str] = [(heading, "bold")]
    if not parts:
        pieces.append("no reasons among those loaded")
    for at, (status, total, said) in enumerate(parts):
        pieces.append("   " if at else "")
        look = STATUS_LOOKS.get(status_role(status), "")
        pieces += [(f"{total:,} {inert(status)}", look), f": {said}"]
    return Content.assemble(*pieces)
