"""`closetui show SEQ_ID`: the heading and the cadence as text, the timeline the detail pane
draws, readable in 80 columns and through `less`."""

from __future__ import annotations

import json
import sys
import time
from typing import TextIO

from closetui.commands.common import check_sequence, no_sequence, open_session
from closetui.commands.output import render_lines, use_color
from closetui.config.settings import Settings
from closetui.errors import CloseTuiError, NotFound, OfflineEmpty
from closetui.present.sheet import format_age, sequence_sheet

USERS_MAX_AGE = 86400.0  # a quick look reuses a users pass up to a day old


async def run(
    settings: Settings, sequence_id: str, *, fmt: str = "text", out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    async with open_session(settings) as session:
        cache, source, lookups = session.cache, session.source, session.lookups
        if session.online:
            try:
                view = await source.fetch_detail(sequence_id)
            except NotFound:
                raise no_sequence(sequence_id) from None
            await lookups.refresh_users(max_age=USERS_MAX_AGE)
            await lookups.look_up(view.sequence, prefer_cache=True)
            for failure in lookups.untold_failures():  # the sheet shows ids instead
                print(f"closetui: {failure.describe()}", file=sys.stderr)
        else:
            found = source.sequence(sequence_id)
            if found is None:
                if not cache.sequence_count():
                    raise OfflineEmpty(
                        "Offline, and nothing is cached for this account: run `closetui sync` "
                        "online first."
                    )
                await check_sequence(session, sequence_id)  # after a complete pass: not there
                raise CloseTuiError(f"{sequence_id} is not in the cache.")
            view = found
            lookups.known(view.sequence)
        if fmt == "json":
            stored = cache.detail(sequence_id) or cache.sequence(sequence_id)
            out.write(json.dumps(stored.data if stored else {}, indent=2) + "\n")
            return 0
        age = format_age(time.time() - view.fetched_at)
        lines = sequence_sheet(
            view.sequence,
            lookups.names,
            fetched_age=age + ("" if session.online else " (cached)"),
            counts=view.counts,
        )
        out.write(render_lines(lines, use_color(out)))
    return 0
