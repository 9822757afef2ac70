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
from closetui.settings import Settings
from closetui.source import SequenceSource
from closetui.textsafe import visible

MAX_PARALLEL = 6


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
        """How many pages to ask for at once: enough to use a rate-limit window in one go
        (the gate still holds back what the window cannot take), within reason."""
        last = self.client.gate.last if self.client is not None else None
        if last is None or not last.limit:
            return 6
        return max(2, min(MAX_PARALLEL, last.limit))


@contextlib.asynccontextmanager
async def open_session(settings: Settings, *, quiet: bool = False) -> AsyncIterator[Session]:
    cache = Cache.open(settings.cache_dir, settings.account)
    for notice in cache.take_notices():
        print(f"closetui: {visible(notice)}", file=sys.stderr)
    session: Session

    def on_event(event: ClientEvent) -> None:
        if event.kind == "rate_limited":
            session.rate_waits += 1
        # Waits are news to a person at a terminal; a script only wants the outcome.
        if not quiet and sys.stderr.isatty():
            print(f"closetui: {visible(event.describe())}", file=sys.stderr)

    client = None if settings.offline else open_client(settings, on_event=on_event)
    source = SequenceSource(client, cache, page_size=settings.page_size, offline=settings.offline)
    session = Session(settings, client, cache, source, Lookups(client, cache))
    try:
        yield session
    finally:
        if client is not None:
            await client.aclose()
        cache.close()
