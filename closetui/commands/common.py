"""What every command opens: the session (with its client unless offline), and where its
notices and waits are said: on stderr, and waits only to a person at a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator

from closetui.close.client import ClientEvent
from closetui.config.settings import Settings
from closetui.errors import SkipCeiling
from closetui.session import Session
from closetui.textsafe import inert


@contextlib.asynccontextmanager
async def open_session(settings: Settings, *, quiet: bool = False) -> AsyncIterator[Session]:
    session = Session.open(settings)
    try:
        for notice in session.cache.take_notices():
            print(f"closetui: {inert(notice)}", file=sys.stderr)

        def tell(event: ClientEvent) -> None:
            # Waits are news to a person at a terminal; a script only wants the outcome.
            if not quiet and sys.stderr.isatty():
                print(f"closetui: {inert(event.describe())}", file=sys.stderr)

        session.on_client_event(tell)
        if not settings.offline:
            session.connect()
        yield session
    finally:
        trace = session.client.trace if session.client is not None else None
        await session.aclose()
        if trace is not None and trace.stopped:
            print(f"closetui: {inert(str(trace.path))}: {trace.stopped}.", file=sys.stderr)


def cut_short(
    command: str,
    count: int,
    noun: str,
    ceiling: SkipCeiling,
    outcome: str = "the output stops there; the rest can be seen in Close",
) -> str:
    """The one stderr line for a list Close would page no further (its `_skip` maximum):
    what came before it is all there is to get, and that is not a failure."""
    cap = f" (max_skip = {ceiling.max_skip:,})" if ceiling.max_skip is not None else ""
    line = (
        f"closetui {command}: Close lists only the first {count:,} {noun}, its limit on "
        f"paging{cap}: {outcome}."
    )
    return inert(line) + "\n"
