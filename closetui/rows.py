"""The list's rows: pages in list order, keyed by id, with a name filter over them.

Each page (a `_skip` offset) has a slot. A page comes from the cache (stale) or the network
(fresh), and a fresh page replaces its slot. An id appears once: a repeat from shifted offsets
is dropped, and a fresh row wins over a stale copy of itself in another slot. Appending a page
costs time in proportion to the page, not to the rows already held.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from closetui.query import Query, parse


class KeyedRow(Protocol):
    """What a list row needs for paging and filtering: its id and its filter key."""

    @property
    def id(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def fetched_at(self) -> float: ...


SortKey = Callable[[Any], Any]


class _Descending:
    """A sort key in reverse, so that one ascending bisect serves both directions and equal
    rows keep the API's order either way."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)


@dataclass(slots=True)
class Row:
    id: str
    name: str  # made safe for a terminal (textsafe.visible)
    key: str  # casefolded name, for the filter
    status: str
    steps: int
    span: int | None
    updated: str | None  # YYYY-MM-DD
    fetched_at: float
    # Runs by status, from the cache (a detail visit or `sync --subscriptions`); None: unknown.
    counts: dict[str, int | None] | None = None


R = TypeVar("R", bound=KeyedRow)


class RowList(Generic[R]):
    def __init__(self) -> None:
        self._slots: dict[int, list[R]] = {}
        self._starts: list[int] = []  # slot offsets, sorted
        self._where: dict[str, int] = {}  # id -> slot offset
        self._fresh: set[int] = set()  # slots refreshed from the network since the last `r`
        self.rows: list[R] = []  # every row, in list order
        self._slot_at: list[int] = []  # index in self.rows where each slot begins
        self._filter = ""
        self._query = Query()
        self._sort: SortKey | None = None
        self._descending = False
        # What is shown, as indexes into self.rows in display order: None shows every row
        # in list order (no filter, no sort).
        self._matches: list[int] | None = None

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def filter(self) -> str:
        return self._filter

    @property
    def sorted(self) -> bool:
        return self._sort is not None

    @property
    def visible_count(self) -> int:
        return len(self.rows) if self._matches is None else len(self._matches)

    def visible(self, index: int) -> R:
        return self.rows[index] if self._matches is None else self.rows[self._matches[index]]

    def visible_rows(self, start: int, end: int) -> list[R]:
        if self._matches is None:
            return self.rows[start:end]
        return [self.rows[i] for i in self._matches[start:end]]

    def has_slot(self, skip: int) -> bool:
        return skip in self._slots

    def slot_is_fresh(self, skip: int) -> bool:
        return skip in self._fresh

    def is_fresh(self, row_id: str) -> bool:
        return self._where.get(row_id) in self._fresh

    def slot_starts(self) -> list[int]:
        return list(self._starts)

    def _locate(self, row_id: str) -> tuple[int, int] | None:
        """The slot a row is in, and its offset there."""
        slot = self._where.get(row_id)
        if slot is None:
            return None
        for offset, row in enumerate(self._slots[slot]):
            if row.id == row_id:
                return slot, offset
        return None

    def visible_index_of(self, row_id: str) -> int | None:
        """Where a row is now in the visible list (rows shift when a page is replaced)."""
        found = self._locate(row_id)
        if found is None:
            return None
        slot, offset = found
        index = self._slot_at[bisect.bisect_left(self._starts, slot)] + offset
        if self._matches is None:
            return index
        if self._sort is not None:
            try:
                return self._matches.index(index)  # one scan: on a page landing or a jump
            except ValueError:
                return None
        at = bisect.bisect_left(self._matches, index)
        if at < len(self._matches) and self._matches[at] == index:
            return at
        return None

    def get(self, row_id: str) -> R | None:
        found = self._locate(row_id)
        return None if found is None else self._slots[found[0]][found[1]]

    def ids(self) -> list[str]:
        return [row.id for row in self.rows]

    # -- changing ----------------------------------------------------------------------------

    def put(self, skip: int, rows: Iterable[R], *, fresh: bool) -> int:
        """Put a page in the slot at `skip`, replacing what it held: `fresh` from the
        network, else from the cache. Returns how many rows were dropped as repeats."""
        dropped = 0
        changed_from = skip  # the first slot whose contents changed
        for row in self._slots.get(skip, []):
            if self._where.get(row.id) == skip:
                del self._where[row.id]
        kept: list[R] = []
        for row in rows:
            other = self._where.get(row.id)
            if other is None:
                pass
            elif other == skip:
                dropped += 1  # a page that repeats an id within itself
                continue
            elif fresh and (other > skip or other not in self._fresh):
                # A fresh row wins over a stale copy, and the earlier of two fresh ones.
                self._slots[other] = [r for r in self._slots[other] if r.id != row.id]
                changed_from = min(changed_from, other)
            else:
                dropped += 1
                continue
            self._where[row.id] = skip
            kept.append(row)
        is_new = skip not in self._slots
        self._slots[skip] = kept
        if fresh:
            self._fresh.add(skip)
        else:
            self._fresh.discard(skip)
        if is_new:
            bisect.insort(self._starts, skip)
        last = skip == self._starts[-1] and changed_from == skip
        self._rebuild(changed_from, appended=is_new and last)
        return dropped

    def mark_stale(self) -> None:
        """Every slot needs revalidating (a refresh); rows stay until fresh pages replace them."""
        self._fresh.clear()

    def drop_stale(self) -> int:
        """After a complete pass: slots never refreshed in it are gone upstream."""
        removed = 0
        for skip in [s for s in self._starts if s not in self._fresh]:
            removed += len(self._slots[skip])
            self._forget(skip)
        if removed:
            self._rebuild(0, appended=False)
        return removed

    def drop_after(self, skip: int) -> None:
        """Slots past the end the server now reports (the list got shorter)."""
        after = [s for s in self._starts if s > skip]
        for start in after:
            self._forget(start)
        if after:
            self._rebuild(skip, appended=False)

    def _forget(self, skip: int) -> None:
        for row in self._slots.pop(skip):
            if self._where.get(row.id) == skip:
                del self._where[row.id]
        self._starts.remove(skip)
        self._fresh.discard(skip)

    def set_filter(self, text: str) -> None:
        """Free text and `status:` terms (see query.py) over every loaded row."""
        self._filter = text
        self._query = parse(text)
        self._recompute()

    def set_sort(self, key: SortKey | None, *, descending: bool = False) -> None:
        """Order the loaded rows by `key` (None: the API's order). Equal rows keep the API's
        order; rows that arrive later are placed in order as they come."""
        self._sort = key
        self._descending = descending
        self._recompute()

    def _order_key(self) -> Callable[[int], Any]:
        key, rows = self._sort, self.rows
        assert key is not None
        if self._descending:
            return lambda i: _Descending(key(rows[i]))
        return lambda i: key(rows[i])

    def _recompute(self) -> None:
        query = self._query
        if not query and self._sort is None:
            self._matches = None
            return
        rows = self.rows
        if query:
            shown = [i for i, row in enumerate(rows) if query.matches(row)]
        else:
            shown = list(range(len(rows)))
        if self._sort is not None:
            # The whole list at once: the plain key, reversed by sort() itself (still stable);
            # a Python-level comparison per pair cost a descending sort 4 times as much.
            key, rows = self._sort, self.rows
            shown.sort(key=lambda i: key(rows[i]), reverse=self._descending)
        self._matches = shown

    def _rebuild(self, changed_from: int, *, appended: bool) -> None:
        if appended:
            start = len(self.rows)
            self._slot_at.append(start)
            self.rows.extend(self._slots[self._starts[-1]])
            if self._matches is not None:
                query = self._query
                new = [i for i in range(start, len(self.rows)) if query.matches(self.rows[i])]
                if self._sort is None:
                    self._matches.extend(new)
                else:
                    order = self._order_key()
                    for i in new:  # a page's worth of bisects: the cost of a page, not the list
                        bisect.insort(self._matches, i, key=order)
            return
        first = bisect.bisect_left(self._starts, changed_from)
        begin = self._slot_at[first] if first < len(self._slot_at) else len(self.rows)
        del self.rows[begin:]
        del self._slot_at[first:]
        for start in self._starts[first:]:
            self._slot_at.append(len(self.rows))
            self.rows.extend(self._slots[start])
        if self._matches is not None:
            self._recompute()
