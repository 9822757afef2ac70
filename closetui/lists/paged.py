"""One lazily paged list as a single headless object: the one thing a screen, a widget or a
command talks to.

A `PagedList` owns its source (cache or network), its feed (which page next, and when), its
rows (filtered and sorted) and their row store. Others read it (`count`, `row(i)`,
`index_of`, `state`), ask it for things (`want`, `set_filter`, `sort`, `refresh`, `retry`,
`load_all`), and hear from it through small typed events (`ListEvent`), handed to the one
listener its owner gives on `start`. Its state is data, never words: what a list *says* about
itself is built in `tui/` from this state and from the keys the keymap binds.

Nothing here imports Textual: the list runs its background work through the `Spawn` its
owner hands it, so a widget can make that work its own (it ends with the widget).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from closetui.config.tuning import RECONNECT_DELAYS, SLOW_SORT_ROWS
from closetui.errors import ApiError, AuthError
from closetui.lists.feed import Feed, ListEvent, Spawn
from closetui.lists.rows import KeyedRow, Order, RowList
from closetui.lists.source import FetchedPage, PagedSource

R = TypeVar("R", bound=KeyedRow)

__all__ = ["ListEvent", "ListState", "PagedList", "SortState"]


@dataclass(frozen=True, slots=True)
class SortState:
    """How the list is ordered: by which of its orders, and which way."""

    name: str
    descending: bool


@dataclass(frozen=True, slots=True)
class ListState:
    """Where a list stands, as data: the UI layer says it in words."""

    loaded: int  # rows held
    shown: int  # rows the view shows (the filter's matches, when one is set)
    filter: str  # the filter as typed ("" for none)
    searching: bool  # the filter has rows still to look at
    sort: SortState | None
    sorting: bool  # a sort's index is being built: the order shown is the one before it
    loading: bool  # the next page is on its way (or the network is held until first frame)
    end: bool  # nothing more to load: the list's last page is in (or, offline, the cache's)
    complete: bool  # every page is in and fresh: the count is the organization's
    can_fetch: bool  # False when offline was asked for (--offline)
    offline: bool  # cached rows only: the network failed, and a retry runs in the background
    failed: ApiError | None  # the next page failed (and the network is up)
    auth_failed: AuthError | None  # the key was refused
    stopped: int | None  # paging stopped after this many pages in a row brought nothing new
    capped: bool  # Close lists nothing further (its `_skip` maximum)
    oldest_cached: float | None  # when the oldest row still shown from the cache was fetched


class PagedList(Generic[R]):
    """A list of rows paged in from `source`, with the orders it can be sorted by."""

    def __init__(
        self,
        source: PagedSource,
        *,
        orders: Mapping[str, Order] | None = None,
        hold_network: bool = False,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
    ) -> None:
        self.source = source
        self.orders: dict[str, Order] = dict(orders or {})
        self._rows: RowList[R] = RowList()
        # Each order gets a column in the row store as rows come, so a sort is an ORDER BY
        # with nothing left to compute.
        self._rows.use_sort_keys(order.key for order in self.orders.values())
        self._spawn_work: Spawn | None = None
        self._listener: Callable[[ListEvent], None] | None = None
        self._feed = Feed(
            source,
            rows=self._rows,
            spawn=self._spawn,
            on_event=self._event,
            retry_delays=retry_delays,
            hold_network=hold_network,
        )
        self._sort: SortState | None = None
        self._sorting: SortState | None = None  # asked for, its index still being built
        self._load_all = False  # every page, whatever the filter says (`L`)
        self.version = 0  # bumped whenever a row or the view changes: a drawn line is stale

    # -- running -----------------------------------------------------------------------------

    def start(self, spawn: Spawn, listener: Callable[[ListEvent], None]) -> None:
        """Who runs the list's background work, and who hears what happens to it; then the
        first page (cached pages at once)."""
        self._spawn_work = spawn
        self._listener = listener
        self.want(more=True)

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> None:
        if self._spawn_work is None:
            work.close()
            return
        self._spawn_work(work, group)

    def _event(self, event: ListEvent) -> None:
        self.version += 1
        if self._listener is not None:
            self._listener(event)

    def close(self) -> None:
        """The list is gone (its screen closed): so is its row store's file."""
        self._listener = None
        self._spawn_work = None
        self._rows.close()

    # -- reading -----------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """Rows the view shows (the filter's matches, in the sort's order)."""
        return self._rows.visible_count

    @property
    def loaded(self) -> int:
        """Rows held, whatever the filter."""
        return len(self._rows)

    def row(self, index: int) -> R:
        """The row at `index` of the view."""
        return self._rows.visible(index)

    def rows_between(self, start: int, end: int) -> list[R]:
        return self._rows.visible_rows(start, end)

    def index_of(self, row_id: str) -> int | None:
        """Where a row is now in the view (None: not loaded, or filtered out)."""
        return self._rows.visible_index_of(row_id)

    def get(self, row_id: str) -> R | None:
        return self._rows.get(row_id)

    def ids(self) -> list[str]:
        """Every loaded row's id, in the list's own order."""
        return self._rows.ids()

    def in_order(self) -> SequenceABC[R]:
        """Every loaded row, in the list's own order (not the view's), each read from its
        page as asked for."""
        return self._rows.rows

    def is_fresh(self, row_id: str) -> bool:
        return self._rows.is_fresh(row_id)

    def statuses(self) -> set[str]:
        return self._rows.statuses()

    def find(self, needle: str, limit: int) -> list[R]:
        """Loaded rows whose filter key holds `needle` (casefolded), in list order."""
        return self._rows.find(needle.casefold(), limit)

    @property
    def filter(self) -> str:
        return self._rows.filter

    @property
    def sort_state(self) -> SortState | None:
        return self._sort

    @property
    def notice(self) -> str | None:
        """Said once: the rows could not be kept out of memory."""
        return self._rows.notice

    @property
    def wants_all(self) -> bool:
        return self._feed.want_all

    @property
    def state(self) -> ListState:
        feed, rows = self._feed, self._rows
        return ListState(
            loaded=len(rows),
            shown=rows.visible_count,
            filter=rows.filter,
            searching=rows.searching,
            sort=self._sort,
            sorting=self._sorting is not None,
            loading=feed.fetching_next or (feed.hold_network and not feed.end and not len(rows)),
            end=feed.end,
            complete=feed.complete,
            can_fetch=feed.source.can_fetch,
            offline=feed.offline,
            failed=feed.next_failed if not feed.offline else None,
            auth_failed=feed.auth_failed,
            stopped=feed.MAX_EMPTY if feed.stopped else None,
            capped=feed.ceiling is not None,
            oldest_cached=feed.oldest_cached,
        )

    @property
    def busy(self) -> bool:
        """Pages are on their way (tests and benchmarks wait for this to be false)."""
        return bool(self._feed.loading)

    @property
    def changed_ids(self) -> frozenset[str]:
        """What a `changed:` filter keeps: its owner says which (the cache's history knows)."""
        return self._rows.changed_ids

    @changed_ids.setter
    def changed_ids(self, ids: frozenset[str]) -> None:
        self._rows.changed_ids = ids

    # -- asking ------------------------------------------------------------------------------

    def want(self, *, more: bool) -> None:
        """The view moved: `more` when it is within a screen of the last loaded row."""
        self._feed.pump(want_more=more)

    def take(self, page: FetchedPage) -> None:
        """A page that came by other means than the list's own request (a benchmark's, or
        a page pushed to it), taken in exactly as a fetched page is."""
        self._feed.take(page)

    def release_network(self) -> None:
        """Let the network in: the first frame has been drawn from the cache."""
        self._feed.release_network()
        self.want(more=False)

    def refresh(self) -> None:
        """Revalidate every loaded page from the first; rows stay until replaced."""
        self._feed.refresh()

    def retry(self) -> None:
        """Try the failed pages again (and reconnect if offline)."""
        self._feed.retry()

    def refresh_or_retry(self) -> str:
        """`r`: retry what failed, else refresh what is loaded. Says which it did:
        "offline", "retry" or "refresh"."""
        feed = self._feed
        if not feed.source.can_fetch:
            return "offline"
        if feed.failed or feed.offline or feed.auth_failed:
            feed.retry()
            return "retry"
        feed.refresh()
        return "refresh"

    def load_all(self) -> None:
        """Every remaining page (so a sort covers the whole list), through the walk."""
        self._load_all = True
        self._feed.want_all = True
        self.want(more=True)

    def set_filter(self, text: str) -> None:
        """Free text and `status:` terms over every row held; while a filter is on, every
        remaining page loads so that it covers the whole list."""
        text = text.strip()
        if text == self._rows.filter:
            return
        self._rows.set_filter(text)
        self._feed.want_all = bool(text) or self._load_all
        self.version += 1
        self.want(more=False)

    def search(self) -> bool:
        """One more step of a filter's search; True while steps remain."""
        more = self._rows.search()
        self.version += 1
        return more

    def sort_is_ready(self, name: str | None, descending: bool) -> bool:
        """Whether the order can be shown at once: its index is built, or the list is short."""
        if name is None:
            return True
        key = self.orders[name].key
        return len(self._rows) < SLOW_SORT_ROWS or self._rows.sort_ready(key, descending=descending)

    def sort(self, name: str | None, descending: bool = False) -> None:
        """Order the view by one of the list's orders (None: the API's order). Equal rows
        keep the API's order; rows that arrive later take their places as they come."""
        self._sorting = None
        self._sort = SortState(name, descending) if name is not None else None
        self._rows.set_sort(self.orders[name].key if name else None, descending=descending)
        self.version += 1

    def sort_in_background(self, name: str, descending: bool) -> Coroutine[Any, Any, bool]:
        """The list is "sorting" from now on; the work to await (on a worker): the order's
        index built on a thread, with the view usable meanwhile, then the sort. It comes to
        False when another sort was asked for before it was done."""
        wanted = SortState(name, descending)
        self._sorting = wanted
        return self._sort_when_ready(wanted)

    async def _sort_when_ready(self, wanted: SortState) -> bool:
        key = self.orders[wanted.name].key
        await asyncio.to_thread(self._rows.prepare_sort, key, descending=wanted.descending)
        if self._sorting != wanted:
            return False
        self.sort(wanted.name, wanted.descending)
        return True

    def update(self, rows: Iterable[R]) -> None:
        """Rows changed in place (names arrived, counts came): the store learns them in one
        transaction, and the filter and sort see them."""
        if self._rows.update_many(list(rows)):
            self.version += 1
