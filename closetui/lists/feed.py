"""Lazy paging for one list: which page to load next, from where, and what the list can say
about itself. The sequence list and the subscription list both run on it.

The view calls `pump(want_more)` whenever its cursor or scroll moves, or a page lands. The feed
puts the next cached page in at once; asks the network for the next page when none is cached;
revalidates cached pages the list has reached, a few at a time; never asks for a page twice at
once; goes offline on a network failure and retries in the background until it is back.

When the view wants every page (a filter must cover the whole list), the rest of the list comes
through the same walk `closetui list` uses (`paging.pages_in_order`): ramping up, using what the
last complete pass counted, never asking far past the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

from closetui.close.paging import MAX_NO_PROGRESS, pages_in_order
from closetui.config.tuning import CACHED_BATCH_SECONDS, RECONNECT_DELAYS
from closetui.errors import ApiError, AuthError, NetworkError, SkipCeiling
from closetui.lists.rows import RowList
from closetui.lists.source import FetchedPage, PagedSource


@dataclass(frozen=True, slots=True)
class ListEvent:
    """Something that happened to a list's pages, for the view to show. Events of kind
    "rows" say only that rows changed: a later one stands for an earlier one not yet seen."""

    kind: ListEventKind
    skip: int | None = None
    error: ApiError | None = None
    count: int = 0
    notes: tuple[str, ...] = ()
    # "statuses": rows a fresh page changed the status of, each with the status it had
    # (casefolded; None for a row new to a page the list held).
    changes: tuple[tuple[Any, str | None], ...] = ()


ListEventKind = Literal[
    "rows",  # rows were put in (count: how many new)
    "statuses",  # a fresh page changed rows' statuses (changes)
    "loading",  # the next page was asked for
    "failed",  # a page failed (error)
    "offline",  # the network failed: cached rows only, retrying
    "online",  # back
    "complete",  # a complete pass (count: rows it found removed upstream)
    "auth",  # the key was refused (error)
    "problems",  # items of a page could not be read (notes)
    "stopped",  # paging stopped: pages that brought nothing new (notes)
    "capped",  # Close lists nothing past this skip (its `_skip` maximum): the end, not a failure
]


# Runs a coroutine in the background; the second argument names its group ("pages" or
# "reconnect") so that a UI can wait for the pages without waiting for a retry loop.
Spawn = Callable[[Coroutine[Any, Any, None], str], Any]


class Feed:
    REVALIDATING_AT_ONCE = 2  # cached pages revalidated at once, beside the next page
    MAX_EMPTY = MAX_NO_PROGRESS

    def __init__(
        self,
        source: PagedSource,
        *,
        spawn: Spawn,
        on_event: Callable[[ListEvent], None],
        rows: RowList[Any] | None = None,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
        hold_network: bool = False,
    ) -> None:
        self.source = source
        self.rows = rows if rows is not None else RowList()
        self._spawn = spawn
        self._emit = on_event
        self.next_skip = 0  # the first offset not yet in the list
        self.end = False  # the list's last page is in, fresh (or, offline, the cache's last)
        self.cache_end = False  # the cache has nothing at next_skip
        self.loading: set[int] = set()
        self.cached_at: dict[int, float] = {}  # slot -> oldest fetch time, for cached slots
        # The oldest of them, kept as slots come rather than found on every status line
        # (a million cached runs are ten thousand slots).
        self._oldest: tuple[float, int] | None = None  # (fetched at, slot)
        self._oldest_due = False
        self.failed: dict[int, ApiError] = {}
        self.offline = not source.can_fetch
        self.hold_network = hold_network  # cache pages only, until release_network()
        self.auth_failed: AuthError | None = None
        self._empty_run = 0  # pages in a row that brought no new row (empty, or only repeats)
        self._empty_from = 0
        self.want_all = False  # every page, not just the next: a filter must cover them all
        self._walking = False
        self.stopped = False  # paging stopped before the end: pages brought nothing new
        self.ceiling: SkipCeiling | None = None  # Close would list no further (its `_skip` cap)
        self._fresh_end: int | None = None  # skip of the fresh page that said has_more false
        self._reconnecting = False
        self._retry_delays = retry_delays
        self._complete = False
        self._limit = source.limit
        # Which pass a page belongs to: `r` starts a new one. A page asked for before it is
        # not evidence for the new pass (it may have been read before rows moved), so when
        # it lands it is asked for again instead of counting.
        self._generation = 0

    # -- what the list can say ---------------------------------------------------------------

    @property
    def fetching_next(self) -> bool:
        return self.next_skip in self.loading

    @property
    def next_failed(self) -> ApiError | None:
        return self.failed.get(self.next_skip)

    @property
    def oldest_cached(self) -> float | None:
        """When the oldest row still shown from the cache was fetched."""
        if self._oldest is not None and not self.rows.has_slot(self._oldest[1]):
            self._oldest_due = True  # its slot was dropped (a shorter list, a complete pass)
        if self._oldest_due:  # worked out again only after a cached slot went or changed
            self._oldest_due = False
            live = [(at, skip) for skip, at in self.cached_at.items() if self.rows.has_slot(skip)]
            self._oldest = min(live) if live else None
        return self._oldest[0] if self._oldest is not None else None

    def _cached(self, skip: int, fetched_at: float) -> None:
        if skip in self.cached_at:
            self._oldest_due = True
        self.cached_at[skip] = fetched_at
        if not self._oldest_due and (self._oldest is None or fetched_at < self._oldest[0]):
            self._oldest = (fetched_at, skip)

    @property
    def complete(self) -> bool:
        """Every page is in and fresh: the count is the organization's."""
        return self._complete

    # -- driving -----------------------------------------------------------------------------

    def pump(self, want_more: bool) -> None:
        if (want_more or self.want_all) and not self.end:
            self._extend()
        self._revalidate()

    def _extend(self) -> None:
        if self.next_skip in self.loading or self.next_skip in self.failed:
            return
        if not self.cache_end:
            # One cached page per call; while every page is wanted (a filter), as many as fit
            # in a frame's time, so a long cached list is taken in at the store's pace rather
            # than one page per message.
            first, count = self.next_skip, 0
            until = time.perf_counter() + CACHED_BATCH_SECONDS
            while True:
                cached = self.source.cached_page(self.next_skip)
                if not cached:
                    self.cache_end = True
                    break
                skip = self.next_skip
                self.rows.put(skip, cached, fresh=False)
                self._cached(skip, min(row.fetched_at for row in cached))
                self.next_skip = skip + self._limit
                count += len(cached)
                if not self.want_all or time.perf_counter() >= until:
                    break
            if count:
                self._emit(ListEvent("rows", first, count=count))
                return
        if self.offline or self.auth_failed or self.hold_network:
            if self.offline and self.cache_end and not self.source.can_fetch:
                self.end = True
                self._emit(ListEvent("rows"))
            return
        if self._walking:
            return  # the walk is asking for this page and those after it
        if self.want_all:
            self._walking = True
            self.loading.add(self.next_skip)  # until the walk's own request is under way
            self._emit(ListEvent("loading", self.next_skip))
            self._spawn(self._walk(self.next_skip), "pages")
            return
        self._start(self.next_skip)

    def _revalidate(self) -> None:
        if self.offline or self.auth_failed or self.hold_network:
            return
        for skip in self.rows.stale_slots():
            if len(self.loading) >= self.REVALIDATING_AT_ONCE:
                return
            if skip in self.loading or skip in self.failed or self.rows.slot_is_fresh(skip):
                continue
            self._start(skip)

    def _start(self, skip: int) -> None:
        self.loading.add(skip)
        if skip == self.next_skip:
            self._emit(ListEvent("loading", skip))
        self._spawn(self._fetch(skip), "pages")

    def take(self, page: FetchedPage) -> None:
        """A page from elsewhere, applied as a fetched one."""
        self.loading.discard(page.skip)
        self.failed.pop(page.skip, None)
        self._apply(page)

    def release_network(self) -> None:
        """Let the network in: the first frame has been drawn from the cache."""
        self.hold_network = False

    def retry(self) -> None:
        """`r` after a failure: try the failed pages again (and reconnect if offline)."""
        self.failed.clear()
        self.auth_failed = None
        if self.offline and self.source.can_fetch:
            self.offline = False
        self.pump(want_more=True)

    def refresh(self) -> None:
        """`r`: revalidate every loaded page from the first; rows stay until replaced."""
        self.stopped = False
        self.ceiling = None  # asked once more, as any page: Close may list further now
        self._empty_run = 0
        self.failed.clear()
        self.auth_failed = None
        self._fresh_end = None
        self._complete = False
        self.rows.mark_stale()
        if not self.source.can_fetch:
            return
        self._generation += 1
        self.source.begin_pass()
        self.offline = False
        self.end = False
        self.pump(want_more=False)

    # -- every page, through the walk -----------------------------------------------------------

    async def _walk(self, start: int) -> None:
        """The rest of the list from `start`, applied in order as pages land; it ends at the
        end, when the feed stops (no progress) or no longer wants every page, or on a failure,
        which is the failure of the page it was waiting for."""
        at = start
        self.loading.discard(start)
        pages = pages_in_order(
            self._walk_fetch,
            then=self.source.keep,
            start=start,
            known=self.source.known_total(),
            width=self.source.width,
            per_window=self.source.per_window,
        )
        try:
            async with contextlib.aclosing(pages):
                async for page in pages:
                    if page.skip != self.next_skip:
                        break  # the list changed under the walk (a refresh found its end)
                    if self.offline:
                        self.offline = False
                        self._emit(ListEvent("online"))
                    self.failed.pop(page.skip, None)
                    self._apply(page)
                    at = page.skip + page.limit
                    if self.end or not self.want_all or self.next_skip != at:
                        break
            if pages.ceiling is not None:
                self._fetch_failed(at, pages.ceiling)  # the walk's end, said as the page's
        except Exception as exc:
            self._fetch_failed(at, exc)
        finally:
            self._walking = False

    async def _walk_fetch(self, skip: int) -> Any:
        self.loading.add(skip)
        try:
            return await self.source.fetch_answer(skip)
        finally:
            self.loading.discard(skip)

    # -- one page ----------------------------------------------------------------------------

    async def _fetch(self, skip: int) -> None:
        generation = self._generation  # read in the same step as the source reads its pass
        try:
            page = await self.source.fetch_page(skip)
        except Exception as exc:
            self.loading.discard(skip)
            if generation != self._generation:
                self._start_again(skip)
                return
            self._fetch_failed(skip, exc)
            return
        self.loading.discard(skip)
        if generation != self._generation:
            self._start_again(skip)
            return
        self.failed.pop(skip, None)
        if self.offline:
            self.offline = False
            self._emit(ListEvent("online"))
        self._apply(page)

    def _start_again(self, skip: int) -> None:
        """A page of an earlier pass landed: ask for it again in this one, if it is still
        wanted (the next page of the list, or a slot the list holds)."""
        if self.offline or self.auth_failed or self.hold_network:
            return
        wanted = (skip == self.next_skip and not self.end) or self.rows.has_slot(skip)
        if wanted and skip not in self.loading:
            self._start(skip)

    def _fetch_failed(self, skip: int, exc: Exception) -> None:
        if isinstance(exc, AuthError):
            self.auth_failed = exc
            self._emit(ListEvent("auth", skip, exc))
        elif isinstance(exc, SkipCeiling):
            # The end of what Close will list, not a failure: nothing to retry, and the pass
            # is not complete (no `has_more: false`), so nothing cached is pruned. Rows the
            # cache showed past it leave the view: Close cannot say any more whether they
            # exist, and revalidating them would ask for the same refusal again and again.
            self.ceiling = exc
            self.end = True
            self.rows.drop_after(skip - 1)
            self.next_skip = min(self.next_skip, skip)
            if self.offline:  # Close answered: back online, and the reconnect loop ends
                self.offline = False
                self._emit(ListEvent("online"))
            self._emit(ListEvent("capped", skip, exc))
        elif isinstance(exc, NetworkError):
            self.failed[skip] = exc
            self._go_offline(exc)
        elif isinstance(exc, ApiError):
            self.failed[skip] = exc
            self._emit(ListEvent("failed", skip, exc))
        else:
            # A bug, not a server's answer: the page is marked failed (so `r` can try again
            # and the list does not say "loading…" for ever), and the caller logs it.
            self.failed[skip] = ApiError("unexpected error")
            self._emit(ListEvent("failed", skip, None))
            raise exc

    def _apply(self, page: FetchedPage) -> None:
        skip = page.skip
        # A page of an earlier pass (a walk's request that was under way at `r`) is shown as
        # stale: it was not written, so only the current pass's answer may count for the pass.
        dropped = self.rows.put(skip, page.rows, fresh=not page.earlier_pass)
        if self.cached_at.pop(skip, None) is not None:
            self._oldest_due = True
        extending = skip == self.next_skip
        if page.limit != self._limit:
            # The server asked for smaller pages: what followed this page no longer lines up.
            self._limit = page.limit
            self.rows.drop_after(skip)
            self.next_skip = skip + page.limit
            self.cache_end = False
        elif extending:
            self.next_skip = skip + page.limit
        if page.problems:
            self._emit(ListEvent("problems", skip, notes=page.problems))
        if not page.has_more:
            if not page.earlier_pass:
                self._fresh_end = skip
            self.end = True
            self.rows.drop_after(skip)
            self.next_skip = skip + page.limit
        elif extending:
            if len(page.rows) > dropped:
                self._empty_run = 0
            else:
                if not self._empty_run:
                    self._empty_from = skip
                self._empty_run += 1
            if self._empty_run >= self.MAX_EMPTY:
                # A server that keeps saying "more" while sending nothing new (no items, or the
                # same ones again) would be paged for ever, with the app asking while idle.
                # Stop, and start again from the first such page when asked to.
                self.end = True
                self.next_skip = self._empty_from
                self.stopped = True
                note = (
                    f"The server kept saying there was more, but {self.MAX_EMPTY} pages in a row "
                    "brought nothing new; paging stopped."
                )
                self._emit(ListEvent("stopped", skip, notes=(note,)))
        self._check_complete()
        if self.rows.status_changes:
            self._emit(ListEvent("statuses", skip, changes=tuple(self.rows.status_changes)))
        self._emit(ListEvent("rows", skip, count=len(page.rows) - dropped))

    def _check_complete(self) -> None:
        """Slots are contiguous by construction, so the pass is complete once the page that
        said `has_more: false` is in and every slot has been refreshed since the last `r`."""
        if self._fresh_end is None or self._complete:
            return
        if self.rows.stale_slots():
            return
        removed = self.rows.drop_stale()
        self.source.finish_pass(len(self.rows))
        self._complete = True
        self._emit(ListEvent("complete", count=removed))

    # -- offline -------------------------------------------------------------------------------

    def _go_offline(self, error: NetworkError) -> None:
        first = not self.offline
        self.offline = True
        if first:
            self._emit(ListEvent("offline", error=error))
        if not self._reconnecting:
            self._reconnecting = True
            self._spawn(self._reconnect(), "reconnect")

    async def _reconnect(self) -> None:
        attempt = 0
        try:
            while self.offline and self.source.can_fetch:
                delay = self._retry_delays[min(attempt, len(self._retry_delays) - 1)]
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))
                attempt += 1
                skip = min(self.failed) if self.failed else self.next_skip
                self.failed.pop(skip, None)
                self.loading.add(skip)
                await self._fetch(skip)
        finally:
            self._reconnecting = False
