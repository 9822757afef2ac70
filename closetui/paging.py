"""Walking an offset-paged Close list: `_skip`/`_limit` until `has_more` is false.

`_skip` offsets are known in advance, so pages after the first can be asked for several at a
time; the client's rate gate holds requests back when a window is used up, so this earns no
429 when the limit allows. Compared with one page after another, it hides the latency.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from closetui.errors import ProtocolError

DEFAULT_PARALLEL = 6
MAX_EMPTY_PAGES = 3  # "more" with nothing in it, this many times in a row: stop


class _PageLike(Protocol):
    @property
    def has_more(self) -> bool: ...

    @property
    def limit(self) -> int: ...

    @property
    def next_skip(self) -> int: ...

    def __len__(self) -> int: ...


_P = TypeVar("_P", bound=_PageLike)


def _too_many_empty(skip: int) -> ProtocolError:
    return ProtocolError(
        f"The server said there was more after item {skip} but sent "
        f"{MAX_EMPTY_PAGES} empty pages in a row."
    )


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
    empty = 0 if len(first) else 1
    try:
        while True:
            while len(pending) < width():
                pending[launch] = asyncio.ensure_future(fetch(launch))
                launch += limit
            page = await pending.pop(want)
            yield page
            if not page.has_more:
                return
            empty = 0 if len(page) else empty + 1
            if empty >= MAX_EMPTY_PAGES:
                raise _too_many_empty(want)
            want += limit
    finally:
        for task in pending.values():
            task.cancel()
        for task in pending.values():
            with contextlib.suppress(BaseException):
                await task


def walk(
    fetch: Callable[[int, int], Awaitable[_P]], limit: int, start: int = 0
) -> AsyncIterator[_P]:
    """Every page, one after another (a `fetch(skip, limit)` such as the client's calls)."""
    return pages_in_order(lambda skip: fetch(skip, limit), start=start, parallel=1)


class Seen:
    """Offsets are live: a sequence created while paging shifts the next page by one and
    repeats an item. Keying by id drops the repeat."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def new(self, items: Iterable[Any]) -> list[Any]:
        out = []
        for item in items:
            key: str = item.id if hasattr(item, "id") else item["id"]
            if key not in self.ids:
                self.ids.add(key)
                out.append(item)
        return out
