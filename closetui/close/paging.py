"""Walking an offset-paged Close list: `_skip`/`_limit` until `has_more` is false.

Close never says how long a list is, and every request counts against a rate limit the team
shares with its other integrations, so the walk asks for pages as TCP's slow start sends
packets: the first page alone (the server may ask for a smaller page, and its answer carries the
rate limit), then more at once after each full page that says `has_more` (2, 4, 8, … in
flight), up to the width the rate limit allows. Pages are yielded in offset order.

What keeps it from asking past the end, when nothing is known: a page is asked for freely only
once it is known to exist (the page before it said `has_more`, or a later page had items). To
see further ahead it sends one *probe* at a time, a page some way past what is known: if the
probe has items, everything before it exists and goes out at once (doubling the stride for the
next probe); if it is past the end, the end lies before it, and the search narrows with what is
left of its allowance (`MAX_PAST_END`), then walks the last stretch page by page. So a cold walk
asks at most `MAX_PAST_END` pages past the end, whatever the size, and at most one for a list of
up to three pages.

What a complete pass counted is used: the pages it implies go out at once, and the walk carries
on page by page only if the last of them says `has_more` (the list grew). An unchanged list
costs exactly its pages. The first `has_more: false` ends the walk and cancels what is still in
flight (a request the rate gate is holding back is never sent).

A page that brings no id the walk has not seen (empty, or repeating earlier pages) is no
progress; `MAX_NO_PROGRESS` of them in a row stop the walk with a clear error: a server that
says "more" for ever would otherwise be paged for ever.

Close caps `_skip` per resource and answers 400 past it (`SkipCeiling`). That is the end of what
can be listed, not a failure: the walk ends after the last page below the ceiling, and says so
in `Pages.ceiling`. A probe answered so is a probe past the end: the end of what can be listed
lies before it, and the search narrows as it would after an empty page.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import math
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, overload

from closetui.close.models import Page
from closetui.errors import ProtocolError, SkipCeiling

MAX_PARALLEL = 16  # in flight at most, whatever the rate limit allows (the client's pool size)
MAX_PAST_END = 2  # requests past the end a walk that knows nothing may make
MAX_NO_PROGRESS = 3  # pages in a row that bring nothing new: the walk stops
_MAX_WINDOW = 64


class _PageLike(Protocol):
    @property
    def has_more(self) -> bool: ...

    @property
    def limit(self) -> int: ...

    @property
    def next_skip(self) -> int: ...

    def __len__(self) -> int: ...


_P = TypeVar("_P", bound=_PageLike)
_A = TypeVar("_A", bound=_PageLike)
_T = TypeVar("_T")


class NoProgress(ProtocolError):
    """The server kept saying "more" while sending nothing new."""


def no_progress_error(skip: int) -> NoProgress:
    return NoProgress(
        f"The server kept saying there was more after item {skip:,}, but {MAX_NO_PROGRESS} "
        "pages in a row brought nothing new (empty, or repeating earlier items); stopped there."
    )


def item_ids(page: Any) -> Iterable[str]:
    """The ids on a page (a source's `FetchedPage` or the client's `Page`: both have items)."""
    return (item.id for item in page.items)


@dataclass(frozen=True, slots=True)
class ListAnswer:
    """A list page as Close sent it, its items not yet read (see `read_page`)."""

    path: str
    data: list[Any]
    has_more: bool
    skip: int
    limit: int

    def __len__(self) -> int:
        return len(self.data)

    @classmethod
    def of(cls, body: Any, path: str, skip: int, limit: int, host: str) -> ListAnswer:
        """A list answer's JSON as a ListAnswer, or ProtocolError saying what is wrong."""
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ProtocolError(f"{host} sent a list answer without a 'data' list for /{path}")
        has_more = body.get("has_more", False)
        if not isinstance(has_more, bool):
            raise ProtocolError(f"{host} sent 'has_more' that is not true or false")
        return cls(path.strip("/"), body["data"], has_more, skip, limit)


def read_page(answer: ListAnswer, parse: Callable[[Any, str], _T]) -> Page[_T]:
    """The answer's items read by `parse`; an item that cannot be read becomes a note in
    `problems` instead of failing the other items."""
    items: list[_T] = []
    raw: list[dict[str, Any]] = []
    problems: list[str] = []
    for i, item in enumerate(answer.data):
        try:
            items.append(parse(item, f"item {answer.skip + i} of /{answer.path}/"))
        except ProtocolError as exc:
            problems.append(exc.message)
            continue
        raw.append(item)
    return Page(
        tuple(items), tuple(raw), answer.has_more, answer.skip, answer.limit, tuple(problems)
    )


class SeenIds:
    """Which ids a walk has met, in memory that does not grow with them as a set would (a
    million ids in a set are some 100 MB): Bloom filters, a new one each time the last is
    full. It can take a new id for one seen (about one in 500 at worst), never the other
    way; a page counts as no progress only if every id on it is taken for seen, so a walk is
    never stopped by mistake."""

    BITS = 1 << 23  # a megabyte each: 500,000 ids before the next one is started
    IDS_EACH = 500_000
    HASHES = 4

    def __init__(self) -> None:
        self._filters: list[bytearray] = [bytearray(self.BITS // 8)]
        self._in_last = 0

    def _bits(self, item: str) -> list[int]:
        digest = hashlib.blake2b(item.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        return [
            int.from_bytes(digest[4 * n : 4 * n + 4], "little") % self.BITS
            for n in range(self.HASHES)
        ]

    def add(self, item: str) -> bool:
        """Note an id; True if it was new."""
        bits = self._bits(item)
        for seen in self._filters:
            if all(seen[b >> 3] & (1 << (b & 7)) for b in bits):
                return False
        if self._in_last >= self.IDS_EACH:
            self._filters.append(bytearray(self.BITS // 8))
            self._in_last = 0
        last = self._filters[-1]
        for b in bits:
            last[b >> 3] |= 1 << (b & 7)
        self._in_last += 1
        return True


class Progress:
    """Counts pages in a row that brought no id seen before, over one walk."""

    def __init__(self, ids: Callable[[Any], Iterable[str]] = item_ids) -> None:
        self._ids = ids
        self.seen = SeenIds()
        self.run = 0
        self.run_from = 0

    def check(self, skip: int, page: Any) -> None:
        """Raises NoProgress once too many pages in a row brought nothing new."""
        new = [self.seen.add(item) for item in self._ids(page)]  # every id noted, not any()
        if any(new):
            self.run = 0
            return
        if not self.run:
            self.run_from = skip
        self.run += 1
        if self.run >= MAX_NO_PROGRESS and page.has_more:
            raise no_progress_error(self.run_from)


class Pages(AsyncIterator[_P]):
    """The pages of one walk, in offset order. Once they are over, `ceiling` says whether the
    server's `_skip` maximum ended them (everything before `ceiling.skip` was listed, and a
    pass that ended so is not complete: what lies past it was never seen)."""

    def __init__(self, walk: Callable[[Pages[_P]], AsyncGenerator[_P, None]]) -> None:
        self.ceiling: SkipCeiling | None = None
        self._pages = walk(self)  # the walk itself, told where to say it met the ceiling

    def __aiter__(self) -> Pages[_P]:
        return self

    async def __anext__(self) -> _P:
        return await self._pages.__anext__()

    async def aclose(self) -> None:
        await self._pages.aclose()


@overload
def pages_in_order(
    fetch: Callable[[int], Awaitable[_P]],
    *,
    start: int = 0,
    known: int | None = None,
    width: int | Callable[[], int] = MAX_PARALLEL,
    per_window: Callable[[], int | None] | None = None,
    ids: Callable[[Any], Iterable[str]] = item_ids,
) -> Pages[_P]: ...


@overload
def pages_in_order(
    fetch: Callable[[int], Awaitable[_A]],
    *,
    then: Callable[[_A], Awaitable[_P]],
    start: int = 0,
    known: int | None = None,
    width: int | Callable[[], int] = MAX_PARALLEL,
    per_window: Callable[[], int | None] | None = None,
    ids: Callable[[Any], Iterable[str]] = item_ids,
) -> Pages[_P]: ...


def pages_in_order(
    fetch: Callable[[int], Awaitable[Any]],
    *,
    then: Callable[[Any], Awaitable[Any]] | None = None,
    start: int = 0,
    known: int | None = None,
    width: int | Callable[[], int] = MAX_PARALLEL,
    per_window: Callable[[], int | None] | None = None,
    ids: Callable[[Any], Iterable[str]] = item_ids,
) -> Pages[Any]:
    """Every page from `start` to the end (or to the server's `_skip` ceiling), in offset
    order.

    `then`: what an answer becomes (its items read, stored), if `fetch` gives the bare
    answer. It runs as its own task once the answer is in, after the walk has sent the
    requests that answer allows: the reading overlaps the next round's wait instead of
    holding those requests back. `known`: how many items the last complete pass counted
    (None: nothing known). `width`: the most requests in flight (asked again before each
    launch when it is a function, so it can follow the rate limit the answers report).
    `per_window`: how many requests the rate limit's window takes, once an answer has said.
    """
    width_now = width if callable(width) else (lambda: width)
    window = per_window or (lambda: None)
    return Pages(
        lambda pages: _in_order(fetch, then, start, known, width_now, window, Progress(ids), pages)
    )


async def _in_order(
    fetch: Callable[[int], Awaitable[Any]],
    then: Callable[[Any], Awaitable[Any]] | None,
    start: int,
    known: int | None,
    width: Callable[[], int],
    per_window: Callable[[], int | None],
    progress: Progress,
    pages: Pages[Any],
) -> AsyncGenerator[Any, None]:
    try:
        answer = await fetch(start)
    except SkipCeiling as exc:
        pages.ceiling = exc
        return
    if not answer.has_more:
        first = answer if then is None else await then(answer)
        yield first
        progress.check(start, first)
        return
    walk = _Walk(fetch, then, start, answer.limit, known, width, per_window)
    try:
        walk.begin()  # the second round goes out before the first page is read
        first = answer if then is None else await then(answer)
        yield first
        progress.check(start, first)
        while True:
            try:
                page = await walk.next_page()
            except SkipCeiling as exc:
                pages.ceiling = exc  # the pages before it were the last that can be listed
                return
            yield page
            progress.check(walk.skip_of(walk.want - 1), page)
            if not page.has_more:
                return
    finally:
        await walk.close()


HELD_AHEAD = 2  # a walk holds at most this many windows of pages: in flight, or landed unread
FAR_AHEAD = HELD_AHEAD * MAX_PARALLEL  # pages past the reader the walk's edge may run ahead


class _Walk:
    """The pages after the first, by index: page i is at `start + i * limit`."""

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Any]],
        then: Callable[[Any], Awaitable[Any]] | None,
        start: int,
        limit: int,
        known: int | None,
        width: Callable[[], int],
        per_window: Callable[[], int | None],
    ) -> None:
        self._fetch = fetch
        self._then = then
        self._per_window = per_window
        self._start = start
        self._limit = limit
        self._width = width
        self.want = 1  # the next page to yield
        self._exists = 1  # pages up to this one are known to exist (page 0 said has_more)
        self._beyond: int | None = None  # the first page known to be past the end
        self._planned = 0  # pages up to this one are expected, from what a pass counted
        self._probe_from = 0  # probes start once the walk is past this page
        if known is not None and known > start:
            self._planned = max(0, math.ceil((known - start) / limit) - 1)
            # Past the pages a pass counted, one page at a time first: a list that grew by
            # less than a page costs no probe.
            self._probe_from = self._planned + 1
        self._window = max(2, self._planned) if known is not None else 2
        self._stride = 1
        self._past_end = 0
        self._probe: int | None = None
        self._probing = True
        self._next_fill = 1
        self._running: dict[int, asyncio.Task[Any]] = {}
        self._done: dict[int, asyncio.Future[Any]] = {}  # landed: the page, or `then`'s task
        self._sent: set[int] = set()  # every page asked for (less those cancelled unsent)
        self._closed = False

    def skip_of(self, index: int) -> int:
        return self._start + index * self._limit

    # -- launching -------------------------------------------------------------------------

    def _asked(self, index: int) -> bool:
        return index in self._sent

    def _top(self) -> int:
        """The last page that may be asked for without risk of passing the end."""
        top = max(self._exists, self._planned)
        if self._beyond is not None:
            top = min(top, self._beyond - 1)
        return top

    def _probe_target(self) -> int | None:
        if (
            not self._probing
            or self._probe is not None
            or self._past_end >= MAX_PAST_END
            or self._exists <= self._probe_from
        ):
            return None
        if self._beyond is None:
            target = self._exists + self._stride
            per_window = self._per_window()
            if per_window and target >= per_window - 1:
                # A rate limit's window takes `per_window` requests: the probe goes to the
                # last page of the window it lies in (pages per_window - 1, 2 * per_window - 1,
                # … of the walk). A list that fills its last window exactly ends on a probe,
                # and costs no request past the end (which would need a window more); one
                # that does not has room in its last window for what the search asks past
                # the end. Nor does the walk look further ahead than a window can take.
                target = self._exists + 1
                target += -(target + 1) % per_window
        else:
            unknown = self._beyond - 1 - self._exists  # pages that may or may not exist
            if unknown < 2:
                return None  # the page after the last known one settles it
            if MAX_PAST_END - self._past_end >= 2:
                target = self._exists + (unknown + 1) // 2
            else:
                # The last probe allowed: if it is past the end, what lies before it goes
                # page by page, so it looks only a square root of the stretch ahead.
                target = self._exists + max(2, math.isqrt(unknown))
        return None if self._asked(target) else target

    def _next_launch(self) -> int | None:
        top = self._top()
        # Far enough ahead of the reader, the pages it will want next come first, and the
        # edge waits. Otherwise a reader slower than the network (a million runs into the
        # app's list) had every place the walk may hold taken by pages far ahead, each edge
        # page and probe landing and waiting there, while its own next page went out alone
        # as it asked for it, one at a time: the load crawled.
        if self._exists - self.want < FAR_AHEAD:
            # The page at the edge of what is known comes first: its has_more moves the edge.
            if self._exists <= top and not self._asked(self._exists):
                return self._exists
            target = self._probe_target()
            if target is not None:
                self._probe = target
                return target
        while self._next_fill <= top and self._asked(self._next_fill):
            self._next_fill += 1
        if self._next_fill <= top:
            return self._next_fill
        return None

    def begin(self) -> None:
        self._launch()

    def _launch(self, *, wanted: bool = True) -> None:
        room = min(self._window, max(1, self._width()))
        # Pages landed but not yet taken count against what may be held: a reader slower than
        # the network (a million runs into the app's list) would otherwise have the walk hold
        # every page it read ahead. `next_page` launches again as it takes each one.
        held = HELD_AHEAD * room
        while len(self._running) < room and len(self._running) + len(self._done) < held:
            index = self._next_launch()
            if index is None:
                break
            self._ask(index)
        if wanted and not self._asked(self.want):  # never wait on a page nobody asked for
            self._ask(self.want)

    def _ask(self, index: int) -> None:
        self._sent.add(index)
        task = asyncio.ensure_future(self._fetch(self.skip_of(index)))
        self._running[index] = task
        task.add_done_callback(lambda done: self._landed(index, done))

    def _landed(self, index: int, task: asyncio.Task[Any]) -> None:
        """An answer is in: what it teaches is learnt, and the requests it allows go out at
        once, not after the reader of the walk has done with the pages before it."""
        if self._running.get(index) is not task:
            return  # cancelled as past the end: it was already taken out
        del self._running[index]
        self._done[index] = task
        self._learn(index, task)
        if self._closed:
            return
        self._launch()
        if self._then is not None and not task.cancelled() and task.exception() is None:
            # Created after the launches: the requests they made are sent first.
            self._done[index] = asyncio.ensure_future(self._then(task.result()))

    # -- answers ---------------------------------------------------------------------------

    def _learn(self, index: int, task: asyncio.Task[Any]) -> None:
        probe = index == self._probe
        if probe:
            self._probe = None
        if not task.cancelled() and isinstance(task.exception(), SkipCeiling):
            # Nothing can be listed from here on: for the search, a page past the end.
            self._past_end += 1
            self._end_before(index)
            return
        if task.cancelled() or task.exception() is not None:
            if probe:
                self._probing = False  # a failing probe teaches nothing; its page will say
            return
        page = task.result()
        if page.has_more:
            self._exists = max(self._exists, index + 1)
            if len(page) >= self._limit:
                self._window = min(_MAX_WINDOW, self._window + 1)
        elif len(page):
            self._exists = max(self._exists, index)
            self._end_before(index + 1)
        else:
            self._past_end += 1
            self._end_before(index)
        if probe and (page.has_more or len(page)):
            self._stride *= 2  # it found items: look twice as far next time

    def _end_before(self, index: int) -> None:
        if self._beyond is not None and self._beyond <= index:
            return
        self._beyond = index
        # Pages past the end: those still held by the rate gate are never sent.
        for later in [i for i in self._running if i >= index and i != self.want]:
            self._running.pop(later).cancel()
            self._sent.discard(later)

    async def next_page(self) -> Any:
        while self.want not in self._done:
            self._launch()
            # Each answer is taken in by `_landed` as it comes; this waits for the next one.
            await asyncio.wait(self._running.values(), return_when=asyncio.FIRST_COMPLETED)
        task = self._done.pop(self.want)
        self.want += 1
        if not self._closed:
            # Room for one more held: asked for while this page is read (the reader may stop
            # here: the page it would want next is asked for only when it does).
            self._launch(wanted=False)
        return await task

    async def close(self) -> None:
        self._closed = True
        tasks = [*self._running.values(), *self._done.values()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def walk(fetch: Callable[[int, int], Awaitable[_P]], limit: int, start: int = 0) -> Pages[_P]:
    """Every page, one after another (a `fetch(skip, limit)` such as the client's calls)."""
    return pages_in_order(lambda skip: fetch(skip, limit), start=start, width=1)


class Seen:
    """Offsets are live: a sequence created while paging shifts the next page by one and
    repeats an item. Keying by id drops the repeat. Exact, unlike `SeenIds` (which only
    judges whether a walk still makes progress, and may take a new id for a seen one): a
    command's output must never drop a row, so this holds every id it has printed."""

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
