"""Walking an offset-paged Close list: `_skip`/`_limit` until `has_more` is false."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from closetui.errors import ProtocolError
from closetui.models import Page

_T = TypeVar("_T")
MAX_EMPTY_PAGES = 3


class _HasId(Protocol):
    id: str


async def walk(
    fetch: Callable[[int, int], Awaitable[Page[_T]]], limit: int, start: int = 0
) -> AsyncIterator[Page[_T]]:
    """Every page from `start` to the end, one after another. A server that keeps saying
    `has_more` while sending nothing would make this loop forever: it stops with an error."""
    skip = start
    empty = 0
    while True:
        page = await fetch(skip, limit)
        yield page
        if not page.has_more:
            return
        empty = 0 if page.items else empty + 1
        if empty >= MAX_EMPTY_PAGES:
            raise ProtocolError(
                f"The server said there was more after item {page.skip} but sent "
                f"{MAX_EMPTY_PAGES} empty pages in a row."
            )
        skip = page.next_skip


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
