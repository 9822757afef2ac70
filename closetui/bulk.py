"""Fetching every page of a list several at a time, handing them over in order.

`_skip` offsets are known in advance, so pages after the first can be asked for at once; the
client's rate gate holds requests back when the window is used up, so this earns no 429 when
the limit allows. Compared with one page after another, it hides the latency.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Protocol, TypeVar

from closetui.errors import ProtocolError

DEFAULT_PARALLEL = 6
MAX_EMPTY_PAGES = 3


class _PageLike(Protocol):
    @property
    def has_more(self) -> bool: ...

    @property
    def limit(self) -> int: ...

    @property
    def next_skip(self) -> int: ...

    @property
    def rows(self) -> list: ...  # type: ignore[type-arg]


_P = TypeVar("_P", bound=_PageLike)


async def pages_in_order(
    fetch: Callable[[int], Awaitable[_P]],
    *,
    start: int = 0,
    parallel: int | Callable[[], int] = DEFAULT_PARALLEL,
) -> AsyncIterator[_P]:
    """Every page from `start` to the end. The first is fetched alone (the server may ask
    for a smaller page); then up to `parallel` are in flight (asked again before each launch
    when it is a function), yielded in offset order."""
    width = parallel if callable(parallel) else (lambda: parallel)
    first = await fetch(start)
    yield first
    if not first.has_more:
        return
    limit = first.limit
    want = first.next_skip
    launch = want
    pending: dict[int, asyncio.Task[_P]] = {}
    empty = 0 if first.rows else 1
    try:
        while True:
            while len(pending) < width():
                pending[launch] = asyncio.ensure_future(fetch(launch))
                launch += limit
            page = await pending.pop(want)
            yield page
            if not page.has_more:
                return
            empty = 0 if page.rows else empty + 1
            if empty >= MAX_EMPTY_PAGES:
                raise ProtocolError(
                    f"The server said there was more after item {want} but sent "
                    f"{MAX_EMPTY_PAGES} empty pages in a row."
                )
            want += limit
    finally:
        for task in pending.values():
            task.cancel()
        for task in pending.values():
            with contextlib.suppress(BaseException):
                await task
