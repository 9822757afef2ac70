"""The first page, asked for while the app (or `closetui list`) is still starting.

Importing Textual and building the screen takes about as long as a request to Close. So the
command starts the request for page 0 on a thread before it imports the app, and the
sequence source takes that answer as its own first request instead of asking again. `list`
does the same before it imports its own modules and opens the cache: its walk always starts
with page 0.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

from closetui.close.models import Page, SequenceListing
from closetui.config.settings import Settings
from closetui.lists.source import EarlyPage
from closetui.store.cache import SUFFIX


def _fetch(settings: Settings, future: EarlyPage) -> Page[SequenceListing]:
    async def fetch() -> Page[SequenceListing]:
        from closetui.connect import open_client

        async with open_client(settings) as client:
            page = await client.list_sequence_listings(0, settings.page_size)
            future.rate = client.gate.last
            return page

    return asyncio.run(fetch())


def start(
    settings: Settings, *, cached_too: bool = False
) -> concurrent.futures.Future[Page[SequenceListing]] | None:
    """Page 0 of the sequence list, on its way. None when offline (no request at all), and
    when a cache exists unless `cached_too`: the app's first frame comes from it, and the
    thread's imports would only compete with the app's for the interpreter."""
    if settings.offline or settings.api_key is None:
        return None
    if not cached_too and (settings.cache_dir / f"{settings.account}{SUFFIX}").exists():
        return None
    future = EarlyPage()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(_fetch(settings, future))
        except BaseException as exc:
            future.set_exception(exc)

    # A daemon thread, not an executor's: `q` while this request is stuck on a slow server
    # must end the process at once, and the interpreter waits for an executor's threads.
    threading.Thread(target=run, name="closetui-prefetch", daemon=True).start()
    return future
