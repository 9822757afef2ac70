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

ASKING_WAIT = 1.0  # seconds the start waits at most for the early request to be sent


def _fetch(settings: Settings, future: EarlyPage, asking: threading.Event) -> Page[SequenceListing]:
    async def fetch() -> Page[SequenceListing]:
        from closetui.connect import open_client

        async with open_client(settings) as client:
            asking.set()
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
    asking = threading.Event()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(_fetch(settings, future, asking))
        except BaseException as exc:
            future.set_exception(exc)
        finally:
            asking.set()

    # A daemon thread, not an executor's: `q` while this request is stuck on a slow server
    # must end the process at once, and the interpreter waits for an executor's threads.
    threading.Thread(target=run, name="closetui-prefetch", daemon=True).start()
    # The caller's imports wait until the request is on its way: run side by side, the two
    # threads' imports (Textual's here, httpx's there) take turns at the interpreter, and the
    # request would leave only when both were nearly done. Asked first, its round trip
    # overlaps the imports instead. (Bounded: a thread that never gets there delays nothing
    # for long.)
    asking.wait(ASKING_WAIT)
    return future
