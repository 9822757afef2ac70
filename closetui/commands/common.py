"""What every command opens: the session (with its client unless offline), and where its
notices and waits are said: on stderr, and waits only to a person at a terminal."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import AsyncIterator
from typing import TextIO

from closetui.close.client import ClientEvent
from closetui.config.settings import Settings
from closetui.errors import (
    ApiError,
    AuthError,
    CloseTuiError,
    ConfigError,
    NotFound,
    SkipCeiling,
)
from closetui.lists.query import UnknownStatus, parse_statuses
from closetui.present.age import format_age
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


def statuses(spec: str | None, known: tuple[str, ...], noun: str) -> frozenset[str]:
    """`--status`: the comma list the app's filter takes after `status:` (empty: any)."""
    if spec is None:
        return frozenset()
    try:
        chosen = parse_statuses(spec, known)
    except UnknownStatus as exc:
        raise ConfigError(
            f"--status takes {noun} statuses, one or a comma list of {', '.join(known)}; "
            f"not {exc.args[0]!r}."
        ) from None
    if not chosen:
        raise ConfigError(f"--status was empty: give one or more of {', '.join(known)}.")
    return chosen


def no_sequence(sequence_id: str, offline_note: str = "") -> CloseTuiError:
    return CloseTuiError(f"No sequence {sequence_id} in this organization{offline_note}.")


async def check_sequence(session: Session, sequence_id: str) -> None:
    """An id that names no sequence is an error (exit 1), said the same in every command:
    online, Close is asked; offline, the cache knows only after a complete pass."""
    if session.online:
        try:
            await session.source.fetch_detail(sequence_id)
        except NotFound:
            raise no_sequence(sequence_id) from None
        except AuthError:
            raise
        except ApiError:
            pass  # not an answer about the id: the command goes on and says what it meets
        return
    if session.source.sequence(sequence_id) is not None:
        return
    since = session.cache.meta("last_complete_sync")
    if since is not None and session.source.known_total() is not None:
        age = format_age(time.time() - float(since))
        raise no_sequence(sequence_id, f" (offline: not in the last complete pass, {age})")


def say_offline_age(session: Session, oldest: float | None, err: TextIO) -> None:
    """Offline output is the cache's: say how old, on stderr, as the app's banner does."""
    now = time.time()
    parts = []
    if oldest is not None:
        parts.append(f"cached data from {format_age(now - oldest)}")
    since = session.cache.meta("last_complete_sync")
    if since is not None:
        with contextlib.suppress(ValueError):
            parts.append(f"last complete pass {format_age(now - float(since))}")
    else:
        parts.append("no complete pass yet (closetui sync fills the cache)")
    err.write(f"closetui: offline: {'; '.join(parts)}.\n")
