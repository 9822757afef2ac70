"""`closetui show SEQ_ID`: the heading and the cadence as text, the timeline the detail pane
draws, readable in 80 columns and through `less`. A step is one line (cut at the terminal's
width, or 80 columns in a pipe; `--full` for the timeline of a line per detail), and
`--bodies` prints what each step says under it."""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import Any, TextIO

from closetui.commands.common import check_sequence, no_sequence, open_session
from closetui.commands.output import render_lines, use_color
from closetui.config.settings import Settings
from closetui.errors import CloseTuiError, NotFound, OfflineEmpty
from closetui.present.history import changes, history_lines, parsed
from closetui.present.sheet import CadenceView, format_age, sequence_sheet, step_bodies
from closetui.present.spans import Line, Span, wrap_line
from closetui.session import Session
from closetui.textsafe import inert

USERS_MAX_AGE = 86400.0  # a quick look reuses a users pass up to a day old
SHOW_BODY_LINES = 400  # lines of one body `show --bodies` prints before "… N more lines"


async def run(
    settings: Settings,
    sequence_id: str,
    *,
    fmt: str = "text",
    out: TextIO | None = None,
    bodies: bool = False,
    full: bool = False,
    history: bool = False,
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
            await lookups.look_up(view.sequence, prefer_cache=True, bodies=bodies)
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
            data = stored.data if stored else {}
            if bodies and isinstance(data, dict):
                # Close's object as it came, and beside it what each step says, as text.
                data = {**data, "step_bodies": step_bodies(view.sequence, lookups.names)}
            if history:
                data = {"sequence": data, "history": history_json(session, sequence_id)}
            out.write(json.dumps(data, indent=2) + "\n")
            return 0
        age = format_age(time.time() - view.fetched_at)
        lines = sequence_sheet(
            view.sequence,
            lookups.names,
            fetched_age=age + ("" if session.online else " (cached)"),
            counts=view.counts,
            view=CadenceView(full=full, bodies=bodies, body_limit=SHOW_BODY_LINES),
        )
        if history:
            lines += history_of(session, sequence_id)
        width = shutil.get_terminal_size((80, 24)).columns if out.isatty() else 80
        lines = [row for line in lines for row in wrap_line(line, width - 1)]
        out.write(render_lines(lines, use_color(out)))
    return 0


def _versions_named(session: Session, sequence_id: str) -> list[Any]:
    versions = session.cache.versions(sequence_id)
    for version in versions:
        sequence = parsed(version)
        if sequence is not None:
            session.lookups.known(sequence)
    for notice in session.cache.take_notices():  # a version row that could not be read
        print(f"closetui: {inert(notice)}", file=sys.stderr)
    return versions


def history_of(session: Session, sequence_id: str) -> list[Line]:
    """`--history`: the versions the cache kept, newest first, each with its changes."""
    versions = _versions_named(session, sequence_id)
    return [[], [Span("History", "section")], *history_lines(versions, session.lookups.names)]


def history_json(session: Session, sequence_id: str) -> list[dict[str, Any]]:
    versions = _versions_named(session, sequence_id)
    found = {c.seen_at: c for c in changes(versions, session.lookups.names)}
    return [
        {
            "first_seen": v.first_seen,
            "replaced_at": v.replaced_at,
            "changes": list(found[v.first_seen].what) if v.first_seen in found else [],
            "sequence": v.data,
        }
        for v in versions
    ]
