"""The list's rows: pages in list order, keyed by id, with a filter and a sort over them.

Each page (a `_skip` offset) has a slot. A page comes from the cache (stale) or the network
(fresh), and a fresh page replaces its slot. An id appears once: a repeat from shifted offsets
is dropped, and a fresh row wins over a stale copy of itself in another slot. Appending a page
costs time in proportion to the page, not to the rows already held.

The rows themselves live in a `RowStore` (a private SQLite file); memory holds what is known of
each slot (where it starts, how many rows, fresh or not: a few numbers a page) and the rows of
the slots last read, up to `SLOTS_KEPT`. So a million rows cost what a few thousand do.

Shown rows, by the view:
- neither filter nor sort: the slots in list order; a row's place is where its slot starts
  plus its place in the slot;
- a filter: the same, with each slot's count of matches instead of its size. The counts come
  from one SQLite query per stretch of slots (`search`), from the first slot on, so the first
  matches show before a long list has been searched through; slots that arrive later are
  counted as they are put;
- a sort: an `ORDER BY` over the store, on an index built the first time that order is asked
  for, read a block of `BLOCK` rows at a time.
"""

from __future__ import annotations

import bisect
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

from closetui.lists.query import Query, parse
from closetui.lists.rowstore import Anchor, RowStore


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


@dataclass(frozen=True, slots=True)
class Order:
    """One way a list can be sorted: a value per row (never None: unknowns sort as a value
    of their own), and which way round a person wants it first."""

    key: SortKey
    largest_first: bool = False  # counts and dates: the largest first is what one wants


@dataclass(slots=True)
class Row:
    """A sequence as the list shows it: the summary of its listing, ready to draw and sort."""

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
    changed: bool = False  # changed since it was last looked at (the cache's history)


R = TypeVar("R", bound=KeyedRow)

BLOCK = 100  # rows of a sorted view read at once
# Slots whose rows stay in memory (the pages the view is near): a screen spans two at most,
# and a slot read back from the store costs a millisecond or two. At 64 the runs list held
# 12 MB more at its peak (200,000 runs: 6,400 runs as objects) for moves 16 cover as well.
SLOTS_KEPT = 16
BLOCKS_KEPT = 16  # blocks of a sorted view that stay in memory
SEARCH_ROWS = 50_000  # rows one step of a filter's search covers (about 15 ms)
FIRST_SCREEN = 100  # matches a new filter finds before it is first shown, if it can…
FIRST_SEARCH_SECONDS = 0.03  # …in this long


class _Block(Generic[R]):
    """Rows of a sorted view read at once, and where they start and end in its order."""

    __slots__ = ("first", "last", "rows")

    def __init__(self, rows: list[R]) -> None:
        self.rows = rows
        self.first: Anchor = (None, 0, 0)
        self.last: Anchor = (None, 0, 0)


class InOrder(SequenceABC[R]):
    """A list's rows in list order, read on demand: indexing costs a slot read at most."""

    def __init__(self, rows: RowList[R]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> list[R]: ...

    def __getitem__(self, index: int | slice) -> R | list[R]:
        if isinstance(index, slice):
            return [self._rows.at(i) for i in range(*index.indices(len(self._rows)))]
        return self._rows.at(index + len(self._rows) if index < 0 else index)


class RowList(Generic[R]):
    def __init__(self) -> None:
        self._store: RowStore | None = None  # made when the first row comes
        self.changed_ids: frozenset[str] = frozenset()  # what a `changed:` filter keeps
        self._keys: list[SortKey] = []  # sort keys, by the store's column number
        self._starts: list[int] = []  # slot offsets, sorted
        self._count: dict[int, int] = {}  # rows in each slot
        self._fresh: set[int] = set()  # slots refreshed from the network since the last `r`
        self._statuses: set[str] = set()
        self._stale: set[int] = set()  # slots not in _fresh
        self._slot_at: list[int] = [0]  # where each slot's rows begin, and the total at the end
        self._kept: OrderedDict[int, list[R]] = OrderedDict()  # the rows of recent slots
        self._filter = ""
        self._query = Query()
        self._match: dict[int, int] = {}  # matches in each slot counted so far (a filter)
        self._match_at: list[int] = [0]  # where each counted slot's matches begin
        self._matching: dict[int, list[R]] = {}  # a kept slot's matches
        self._sort: SortKey | None = None
        self._column = 0  # the store's column for the sort key
        self._descending = False
        self._blocks: OrderedDict[int, _Block[R]] = OrderedDict()  # a sorted view, by block
        # The rows whose status the last fresh page changed, each with the status it had
        # (casefolded; None: new to a slot held before). The store remembers every row's
        # status, so whoever watches for changes (runs newly errored) holds none itself.
        self.status_changes: list[tuple[R, str | None]] = []

    # -- the store ---------------------------------------------------------------------------

    @property
    def store(self) -> RowStore:
        if self._store is None:
            self._store = RowStore()
            for _ in self._keys:
                self._store.add_sort_column()
        return self._store

    @property
    def notice(self) -> str | None:
        """Said once, if the rows could not be kept out of memory."""
        return self._store.notice if self._store is not None else None

    def close(self) -> None:
        """The list is gone (its screen closed): so is its file."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def use_sort_keys(self, keys: Iterable[SortKey]) -> None:
        """The keys a list will sort by: each gets a column as rows are put, so a sort by it
        is an ORDER BY with nothing to compute. (A key not named here gets one when first
        used, filled from every row then.)"""
        for key in keys:
            self._column_of(key)

    def _column_of(self, key: SortKey) -> int:
        for number, known in enumerate(self._keys):
            if known is key:
                return number
        self._keys.append(key)
        if self._store is None:
            return len(self._keys) - 1
        values = [(key(row), rid) for rid, row in self._every()]
        return self._store.add_sort_column(values)

    # -- reading -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._slot_at[-1]

    @property
    def filter(self) -> str:
        return self._filter

    @property
    def sorted(self) -> bool:
        return self._sort is not None

    @property
    def searching(self) -> bool:
        """A filter has slots still to count: what is shown is the matches so far."""
        return bool(self._query) and len(self._match_at) <= len(self._starts)

    @property
    def visible_count(self) -> int:
        return self._match_at[-1] if self._query else len(self)

    def visible(self, index: int) -> R:
        if self._sort is not None:
            return self._block(index // BLOCK)[index % BLOCK]
        if self._query:
            at = bisect.bisect_right(self._match_at, index) - 1
            return self._matches_of(self._starts[at])[index - self._match_at[at]]
        return self.at(index)

    def visible_rows(self, start: int, end: int) -> list[R]:
        end = min(end, self.visible_count)
        return [self.visible(i) for i in range(max(0, start), end)]

    def has_slot(self, skip: int) -> bool:
        return skip in self._count

    def slot_is_fresh(self, skip: int) -> bool:
        return skip in self._fresh

    def is_fresh(self, row_id: str) -> bool:
        place = self._place(row_id)
        return place is not None and place[0] in self._fresh

    def slot_starts(self) -> list[int]:
        return list(self._starts)

    def stale_slots(self) -> list[int]:
        """Slots not refreshed since the last `r`, in list order (kept as a set as slots
        change: a feed asks after every page, and a million runs are 10,000 slots)."""
        return sorted(self._stale)

    def _place(self, row_id: str) -> tuple[int, int] | None:
        if self._store is None:
            return None
        return self._store.places([row_id]).get(row_id)

    def visible_index_of(self, row_id: str) -> int | None:
        """Where a row is now in the visible list (rows shift when a page is replaced)."""
        place = self._place(row_id)
        if place is None:
            return None
        slot, offset = place
        at = bisect.bisect_left(self._starts, slot)
        if self._sort is not None:
            return self._sorted_index_of(row_id, place)
        if not self._query:
            return self._slot_at[at] + offset
        if at >= len(self._match_at) - 1:
            return None  # not searched yet
        rows = self._slot(slot)
        if not self._query.matches(rows[offset]):
            return None
        before = sum(1 for r in rows[:offset] if self._query.matches(r))
        return self._match_at[at] + before

    def get(self, row_id: str) -> R | None:
        place = self._place(row_id)
        return None if place is None else self._slot(place[0])[place[1]]

    def ids(self) -> list[str]:
        return self._store.ids() if self._store is not None else []

    def find(self, needle: str, limit: int) -> list[R]:
        """Up to `limit` rows whose filter key holds `needle`, in list order."""
        return self._store.find(needle, limit) if self._store is not None else []

    @property
    def rows(self) -> InOrder[R]:
        """Every row in list order, whatever the view: each read from its slot as asked for."""
        return InOrder(self)

    def at(self, index: int) -> R:
        """The row at `index` in list order (not the view's order)."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        at = bisect.bisect_right(self._slot_at, index) - 1
        return self._slot(self._starts[at])[index - self._slot_at[at]]

    def _every(self) -> Iterator[tuple[int, R]]:
        return self._store.every() if self._store is not None else iter(())

    def statuses(self) -> set[str]:
        """The statuses rows have had since the list began (kept as pages come: asking the
        store would read every row)."""
        return set(self._statuses)

    # -- the rows of one slot, and of one block ------------------------------------------------

    def _slot(self, skip: int) -> list[R]:
        kept = self._kept.get(skip)
        if kept is not None:
            self._kept.move_to_end(skip)
            return kept
        rows: list[R] = self.store.slot_rows(skip)
        self._keep(skip, rows)
        return rows

    def _keep(self, skip: int, rows: list[R]) -> None:
        self._kept[skip] = rows
        self._kept.move_to_end(skip)
        self._matching.pop(skip, None)
        while len(self._kept) > SLOTS_KEPT:
            gone, _ = self._kept.popitem(last=False)
            self._matching.pop(gone, None)

    def _matches_of(self, skip: int) -> list[R]:
        found = self._matching.get(skip)  # only kept slots have theirs (see _keep)
        if found is None:
            rows = self._slot(skip)
            found = [row for row in rows if self._query.matches(row)]
            self._matching[skip] = found
        return found

    def _block(self, number: int) -> list[R]:
        """Rows [number * BLOCK, (number + 1) * BLOCK) of a sorted view. Next to a block
        already read, it continues from that block's edge (an index range, as cheap at the
        millionth row as at the first); otherwise it counts from the nearer end."""
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block.rows
        before, after = self._blocks.get(number - 1), self._blocks.get(number + 1)
        start = number * BLOCK
        size = max(0, min(BLOCK, self.visible_count - start))
        if before is not None and len(before.rows) == BLOCK:
            found = self._beyond(before.last, size, backward=False)
        elif after is not None:
            found = self._beyond(after.first, size, backward=True)
        elif not self.searching and start + size / 2 > self.visible_count / 2:
            found = self._counted(self.visible_count - start - size, size, backward=True)
        else:
            found = self._counted(start, size, backward=False)
        block = _Block(self._rows_of(found))
        if found:
            block.first, block.last = found[0][:3], found[-1][:3]
        self._blocks[number] = block
        while len(self._blocks) > BLOCKS_KEPT:
            self._blocks.popitem(last=False)
        return block.rows

    def _counted(self, offset: int, size: int, *, backward: bool) -> list[tuple[Any, ...]]:
        return self.store.ordered(self._query, self._column, self._descending,
                                  size=size, offset=offset, backward=backward)  # fmt: skip

    def _beyond(self, anchor: Anchor, size: int, *, backward: bool) -> list[tuple[Any, ...]]:
        return self.store.ordered(self._query, self._column, self._descending,
                                  size=size, after=anchor, backward=backward)  # fmt: skip

    def _rows_of(self, found: list[tuple[Any, ...]]) -> list[R]:
        rows = []
        for _, slot, offset, blob in found:
            kept = self._kept.get(slot)  # one object per row, where memory has it already
            rows.append(kept[offset] if kept is not None else self.store.load(blob))
        return rows

    def _sorted_index_of(self, row_id: str, place: tuple[int, int]) -> int | None:
        for number, block in self._blocks.items():
            for offset, row in enumerate(block.rows):
                if row.id == row_id:
                    return number * BLOCK + offset
        row = self._slot(place[0])[place[1]]
        if self._query and not self._query.matches(row):
            return None
        value = self._keys[self._column](row)
        index = self.store.ordered_index(self._query, self._column, self._descending, value, place)
        return index if index < self.visible_count else None

    # -- changing ----------------------------------------------------------------------------

    def put(self, skip: int, rows: Iterable[R], *, fresh: bool) -> int:
        """Put a page in the slot at `skip`, replacing what it held: `fresh` from the
        network, else from the cache. Returns how many rows were dropped as repeats."""
        rows = list(rows)
        store = self.store
        dropped = 0
        changed = [skip]  # slots whose contents changed
        held = skip in self._count
        with store.transaction():
            # Read before the slot is emptied: where each id is, and the status it had.
            known = store.known([row.id for row in rows])
            if held:
                store.delete_slot(skip)
            others = {i: (slot, o) for i, (slot, o, _) in known.items() if slot != skip}
            kept: list[R] = []
            seen: set[str] = set()
            losing: dict[int, list[str]] = {}
            for row in rows:
                if row.id in seen:
                    dropped += 1  # a page that repeats an id within itself
                    continue
                other = others.get(row.id)
                if other is not None:
                    slot = other[0]
                    if fresh and (slot > skip or slot not in self._fresh):
                        # A fresh row wins over a stale copy, and the earlier of two fresh ones.
                        losing.setdefault(slot, []).append(row.id)
                    else:
                        dropped += 1
                        continue
                seen.add(row.id)
                kept.append(row)
            for slot, ids in losing.items():
                store.delete_ids(ids)
                store.renumber(slot)
                self._count[slot] -= len(ids)
                self._kept.pop(slot, None)
                self._matching.pop(slot, None)
                changed.append(slot)
            store.insert(
                [self._values(row, skip, offset) for offset, row in enumerate(kept)],
                [store.dump(row) for row in kept],
            )
        if skip not in self._count:
            bisect.insort(self._starts, skip)
        self._count[skip] = len(kept)
        self._statuses.update(row.status for row in kept)
        if fresh:
            self._fresh.add(skip)
            self._stale.discard(skip)
        else:
            self._fresh.discard(skip)
            self._stale.add(skip)
        self._keep(skip, kept)
        self.status_changes = _status_changes(kept, known, held) if fresh else []
        if self._query:
            self._match[skip] = sum(1 for row in kept if self._query.matches(row))
            for slot in changed[1:]:
                self._match[slot] = self._count_matches(slot)
        self._changed(min(changed))
        return dropped

    def _values(self, row: R, skip: int, offset: int) -> tuple[Any, ...]:
        return (row.id, skip, offset, row.key, row.status.casefold(),
                *(key(row) for key in self._keys))  # fmt: skip

    def update_many(self, rows: list[R]) -> bool:
        """Rows changed in place (names arrived, counts came): the store learns them in one
        transaction, and the filter and sort see them. A sorted view's blocks are kept when
        no row's sort value changed (the row objects in them are the ones changed). True
        when any of the rows is held."""
        places = self.store.places([row.id for row in rows]) if self._store is not None else {}
        if not places:
            return False
        moved = False
        if self._sort is not None:
            key = self._keys[self._column]
            before = self.store.sort_values(list(places), self._column)
            moved = any(key(row) != before.get(row.id) for row in rows if row.id in places)
        self.store.update_many(
            [(row.id, *self._values(row, *places[row.id])[3:], self.store.dump(row))
             for row in rows if row.id in places]
        )  # fmt: skip
        if moved:
            self._blocks.clear()  # a row's place in the sorted view may have changed
        else:
            self._replace_in_blocks({row.id: row for row in rows if row.id in places})
        if self._query:
            for slot in sorted({place[0] for place in places.values()}):
                self._matching.pop(slot, None)
                matches = self._count_matches(slot)
                if self._match.get(slot, matches) != matches:
                    self._match[slot] = matches
                    self._changed(slot)  # only then do the places after it move
        return True

    def _replace_in_blocks(self, changed: dict[str, R]) -> None:
        """The changed row objects take their old ones' places in a sorted view's blocks
        (rows kept in memory are the same objects, so this is rarely needed)."""
        for block in self._blocks.values():
            for index, held in enumerate(block.rows):
                row = changed.get(held.id)
                if row is not None and row is not held:
                    block.rows[index] = row

    def update(self, row: R) -> None:
        """One row changed in place (see `update_many`)."""
        self.update_many([row])

    def _count_matches(self, skip: int) -> int:
        return self.store.count_matches(self._query, skip)

    def _changed(self, slot: int) -> None:
        """Counts from this slot on are redone; a sorted view is read again."""
        first = bisect.bisect_left(self._starts, slot)
        del self._slot_at[first + 1 :]
        at = self._slot_at[first]
        for start in self._starts[first:]:
            at += self._count[start]
            self._slot_at.append(at)
        if self._query:
            first = min(first, len(self._match_at) - 1)
            del self._match_at[first + 1 :]
            at = self._match_at[first]
            for start in self._starts[first:]:
                found = self._match.get(start)
                if found is None:
                    break  # not searched yet: what is shown ends here for now
                at += found
                self._match_at.append(at)
        self._blocks.clear()

    def mark_stale(self) -> None:
        """Every slot needs revalidating (a refresh); rows stay until fresh pages replace them."""
        self._fresh.clear()
        self._stale = set(self._starts)

    def drop_stale(self) -> int:
        """After a complete pass: slots never refreshed in it are gone upstream."""
        stale = self.stale_slots()
        removed = sum(self._count[s] for s in stale)
        for skip in stale:
            self._forget(skip)
        if stale:
            self._changed(0)
        return removed

    def drop_after(self, skip: int) -> None:
        """Slots past the end the server now reports (the list got shorter)."""
        after = [s for s in self._starts if s > skip]
        for start in after:
            self._forget(start)
        if after:
            self._changed(skip)

    def _forget(self, skip: int) -> None:
        self.store.delete_slot(skip)
        self._starts.remove(skip)
        del self._count[skip]
        self._fresh.discard(skip)
        self._stale.discard(skip)
        self._kept.pop(skip, None)
        self._matching.pop(skip, None)
        self._match.pop(skip, None)

    def set_filter(self, text: str) -> None:
        """Free text and `status:` terms (see query.py) over every row held. The first
        stretch of slots is searched at once; `search()` does the rest, a step at a time."""
        self._filter = text
        self._query = parse(text, self.changed_ids)
        self._match.clear()
        self._matching.clear()
        self._match_at = [0]
        self._blocks.clear()
        if self._query:
            # Enough at once for a screen of matches, within a frame's time if they are
            # rare; `search()` does the rest between frames.
            until = time.perf_counter() + FIRST_SEARCH_SECONDS
            while self.search(SEARCH_ROWS // 5) and self.visible_count < FIRST_SCREEN:
                if time.perf_counter() >= until:
                    break

    def search(self, budget: int | None = None) -> bool:
        """Count the matches of the next stretch of slots not counted yet, about `budget`
        rows (`SEARCH_ROWS`): one SQLite query. True while slots remain."""
        if not self.searching:
            return False
        budget = SEARCH_ROWS if budget is None else budget
        first = len(self._match_at) - 1
        last, rows = first, 0
        while last < len(self._starts) and (rows < budget or last == first):
            rows += self._count[self._starts[last]]
            last += 1
        low, high = self._starts[first], self._starts[last - 1]
        for skip in self._starts[first:last]:
            self._match.setdefault(skip, 0)
        for skip, count in self.store.matches_by_slot(self._query, low, high):
            self._match[skip] = count
        self._changed(low)
        return self.searching

    def sort_ready(self, key: SortKey, *, descending: bool = False) -> bool:
        """Whether a sort by `key` can be shown at once (its index is built)."""
        known = [n for n, k in enumerate(self._keys) if k is key]
        return self._store is None or bool(known and self._store.has_index(known[0], descending))

    def prepare_sort(self, key: SortKey, *, descending: bool = False) -> None:
        """Build what a sort by `key` needs (its index: seconds at a million rows) without
        changing the view; safe on a thread of its own while the view reads its rows."""
        self.store.ensure_index(self._column_of(key), descending)

    def set_sort(self, key: SortKey | None, *, descending: bool = False) -> None:
        """Order the rows by `key` (None: the API's order). Equal rows keep the API's
        order; rows that arrive later are placed in order as they come."""
        self._sort = key
        self._descending = descending
        self._blocks.clear()
        if key is not None:
            self._column = self._column_of(key)
            self.store.ensure_index(self._column, descending)


def _status_changes(
    rows: list[R], known: dict[str, tuple[int, int, str]], held: bool
) -> list[tuple[R, str | None]]:
    """Rows whose status is not the one the store had for them; a row the store did not
    have counts only on a slot it held before (a first load changes nothing)."""
    found: list[tuple[R, str | None]] = []
    for row in rows:
        before = known.get(row.id)
        if before is None:
            if held:
                found.append((row, None))
        elif before[2] != row.status.casefold():
            found.append((row, before[2]))
    return found
