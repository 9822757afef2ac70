"""What every command opens: the client (unless offline), the cache, and the sources on them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

from closetui.api import ClientEvent, CloseClient
from closetui.cache import Cache
from closetui.connect import open_client
from closetui.lookups import Lookups
from closetui.paging import MAX_PARALLEL
from closetui.settings import Settings
from closetui.source import SequenceSource


@dataclass
class Session:
    settings: Settings
    client: CloseClient | None
    cache: Cache
    source: SequenceSource
    lookups: Lookups
    rate_waits: int = 0

    @property
    def online(self) -> bool:
        return self.client is not None

    def parallel(self) -> int:
        """How many requests to have in flight at once: a rate-limit window's worth (the gate
        holds back what the window cannot take), within the client's connection pool."""
        return self.client.gate.width(MAX_PARALLEL) if self.client is not None else 1


@contextlib.asynccontextmanager
async def open_session(settings: Settings, *, quiet: bool = False) -> AsyncIterator[Session]:
    cache = Cache.open(settings.cache_dir, settings.account)
    for notice in cache.take_notices():
        print(f"closetui: {notice}", file=sys.stderr)
    session: Session

    def on_event(event: ClientEvent) -> None:
        if event.kind == "rate_limited":
            session.rate_waits += 1
        # Waits are news to a person at a terminal; a script only wants the outcome.
        if not quiet and sys.stderr.isatty():
            print(f"closetui: {event.describe()}", file=sys.stderr)

    client = None if settings.offline else open_client(settings, on_event=on_event)
    source = SequenceSource(client, cache, page_size=settings.page_size, offline=settings.offline)
    session = Session(settings, client, cache, source, Lookups(client, cache))
    try:
        yield session
    finally:
        if client is not None:
            await client.aclose()
        cache.close()
