"""`closetui list`: every sequence, streamed page by page as it arrives."""

from __future__ import annotations

import sys
from typing import TextIO

from closetui.commands.common import open_session
from closetui.commands.output import ListWriter
from closetui.errors import OfflineEmpty
from closetui.paging import Seen, pages_in_order
from closetui.rows import Row
from closetui.settings import Settings


def choose_format(requested: str | None, out: TextIO) -> str:
    if requested:
        return requested
    return "table" if out.isatty() else "tsv"


def _wanted(row: Row, status: str | None, text: str | None) -> bool:
    if status and row.status.casefold() != status.casefold():
        return False
    return not text or text.casefold() in row.key


async def run(
    settings: Settings,
    *,
    fmt: str | None = None,
    status: str | None = None,
    text: str | None = None,
    parallel: int | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    writer = ListWriter(choose_format(fmt, out), out)
    seen = Seen()
    async with open_session(settings) as session:
        source = session.source
        writer.start()
        if not session.online:
            for skip in range(0, session.cache.last_position() + 1, source.limit):
                for row in seen.new(source.cached_page(skip) or []):
                    if _wanted(row, status, text):
                        stored = session.cache.sequence(row.id) if writer.needs_raw else None
                        writer.write(row, stored.data if stored else {"id": row.id})
                writer.flush()
            if not seen.ids:
                raise OfflineEmpty(
                    "Offline, and nothing is cached for this account: run `closetui sync` "
                    "(or the app) online first."
                )
        else:
            width = parallel or session.parallel
            known = source.known_total()  # what the last complete pass counted, if any
            async for page in pages_in_order(source.fetch_page, known=known, width=width):
                assert page.page is not None
                raw_by_id = {r["id"]: r for r in page.page.raw}
                for row in seen.new(page.rows):
                    if _wanted(row, status, text):
                        writer.write(row, raw_by_id[row.id])
                writer.flush()
            source.finish_pass(len(seen.ids))  # a complete pass: drop what is gone upstream
        writer.finish()
    return 0
