"""Where a list's rows live while the app runs: a private SQLite file, not Python memory.

A list of a million runs held as Python objects is a gigabyte; here each row is one SQLite row
(its filter key, its status, a value per sortable column, and the row itself pickled), and
memory holds only the pages the view is near (`rows.RowList` keeps those). The file is made
0600 by `mkstemp` and unlinked at once, so no other process can open it and nothing is left
behind, whatever way the process ends. Pickle is safe here for that reason: nothing but this
connection ever writes the file.

If no temporary file can be made (no writable temporary folder), the store is an in-memory
SQLite database: still far smaller than the objects, but not flat; `notice` says so once.
The same when the temporary folder fills up later: the statement that found the disk full
is rolled back (the journal is kept in memory for that), what the file held is copied into
memory, the transaction under way is replayed there, and the list goes on; never an error.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from closetui.lists.query import Query, reason_mark
from closetui.logs import log

Anchor = tuple[Any, int, int]  # a row's place in a sorted view: its sort value, slot and ord

PAGE_CACHE_KIB = 4096  # SQLite's own page cache for the store: what it may keep in memory
BACKFILL_CHUNK = 10_000  # rows a late sort column is filled by per transaction
MEMORY_NOTICE = "its rows are kept in memory, so a very long list needs memory in proportion."

_SCHEMA = """
CREATE TABLE rows (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    slot INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX rows_place ON rows (slot, ord);
CREATE TABLE data (rid INTEGER PRIMARY KEY, row BLOB NOT NULL);
"""
# The pickled rows are in a table of their own: a filter scans `rows`, and a scan's cost is the
# bytes it reads (with the row beside them, a million-row scan read ten times as many pages).


class RowStore:
    def __init__(self) -> None:
        self.notice: str | None = None
        # The statements of the transaction under way, replayed if the disk fills during it.
        self._log: list[tuple[bool, str, Any]] | None = None
        self._db = self._connect()
        try:
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:  # a temporary folder full from the start
            if not _is_full(exc):
                raise
            self._move_to_memory(exc, copy=False)
            self._db.executescript(_SCHEMA)
        self.sort_columns = 0  # s0, s1, …: one per sort key the list registered
        self._indexes: set[tuple[int, bool]] = set()
        self._next_rid = 1

    def _connect(self) -> sqlite3.Connection:
        try:
            fd, name = tempfile.mkstemp(prefix="closetui-rows-", suffix=".sqlite3")
            os.close(fd)
            db = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
            with contextlib.suppress(OSError):
                os.unlink(name)  # open and gone: the file lives as long as the connection
        except (OSError, sqlite3.Error) as exc:
            self.notice = f"No temporary file could be made for the list ({exc}); {MEMORY_NOTICE}"
            log.warning("row store in memory: %s", exc)
            return self._in_memory()
        # A scratch file: nothing to recover after a crash, so no syncing; the journal is in
        # memory only so that a statement the full disk refused can be rolled back whole.
        db.execute("PRAGMA journal_mode=MEMORY")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
        db.execute("PRAGMA temp_store=FILE")
        return db

    @staticmethod
    def _in_memory() -> sqlite3.Connection:
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=MEMORY")
        db.execute("PRAGMA temp_store=MEMORY")
        return db

    def _run(self, many: bool, sql: str, args: Any = ()) -> sqlite3.Cursor:
        """One statement; if the disk is full, again in memory (see the module)."""
        if many and self._log is not None and not isinstance(args, list | tuple):
            args = list(args)  # kept, to be replayed
        try:
            cursor = self._db.executemany(sql, args) if many else self._db.execute(sql, args)
        except sqlite3.Error as exc:
            if not _is_full(exc):
                raise
            self._move_to_memory(exc)
            cursor = self._db.executemany(sql, args) if many else self._db.execute(sql, args)
        if self._log is not None:
            self._log.append((many, sql, args))
        return cursor

    def _move_to_memory(self, exc: sqlite3.Error, copy: bool = True) -> None:
        """The file's rows into memory, and the transaction under way replayed there."""
        old = self._db
        with contextlib.suppress(sqlite3.Error):
            if old.in_transaction:
                old.execute("ROLLBACK")
        db = self._in_memory()
        if copy:
            old.backup(db)
        with contextlib.suppress(sqlite3.Error):
            old.close()
        self._db = db
        self.notice = f"The temporary folder is full ({exc}): from now on {MEMORY_NOTICE}"
        log.warning("row store moved to memory: %s", exc)
        if self._log is not None:
            db.execute("BEGIN")
            for many, sql, args in self._log:
                db.executemany(sql, args) if many else db.execute(sql, args)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN")
        self._log = []
        try:
            yield
            self._run(False, "COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
            raise
        finally:
            self._log = None

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._run(False, sql, args)

    # -- reading -----------------------------------------------------------------------------

    def ids(self) -> list[str]:
        return [i for (i,) in self._run(False, "SELECT id FROM rows ORDER BY slot, ord")]

    def every(self) -> Iterator[tuple[int, Any]]:
        """Every row with its rid, in list order, read one at a time."""
        cursor = self._run(
            False, "SELECT rows.rid, data.row FROM rows JOIN data USING (rid) ORDER BY slot, ord"
        )
        return ((rid, self.load(blob)) for rid, blob in cursor)

    def find(self, needle: str, limit: int) -> list[Any]:
        """Up to `limit` rows whose filter key holds `needle`, in list order."""
        return [
            self.load(blob)
            for (blob,) in self._run(
                False,
                "SELECT data.row FROM rows JOIN data USING (rid) WHERE instr(key, ?) > 0 "
                "ORDER BY slot, ord LIMIT ?",
                (needle, limit),
            )
        ]

    def count_matches(self, query: Query, slot: int) -> int:
        where, args = _match_sql(query)
        (count,) = self._run(
            False, f"SELECT count(*) FROM rows WHERE slot = ? AND {where}", (slot, *args)
        ).fetchone()
        return int(count)

    def matches_by_slot(self, query: Query, low: int, high: int) -> Iterator[tuple[int, int]]:
        """(slot, matches) for the slots from `low` to `high` that have any: one query."""
        where, args = _match_sql(query)
        return iter(
            self._run(
                False,
                f"SELECT slot, count(*) FROM rows WHERE slot >= ? AND slot <= ? AND {where} "
                "GROUP BY slot",
                (low, high, *args),
            ).fetchall()
        )

    def ordered(
        self,
        query: Query,
        column: int,
        descending: bool,
        *,
        size: int,
        offset: int = 0,
        after: Anchor | None = None,
        backward: bool,
    ) -> list[tuple[Any, ...]]:
        """`size` rows (value, slot, ord, pickled row) of a sorted view that meet the filter,
        in its order (backward: read from its other end): after skipping `offset` rows, or
        right after `anchor` (before it, backward) as two index ranges — the rest of the
        anchor's own value, then the values beyond it."""
        if after is None:
            return self._read(query, column, descending, "", (), size, offset, backward)
        value, slot, ord_ = after
        name = f"s{column}"
        later = ">" if not backward else "<"
        beyond = ">" if descending == backward else "<"
        found = self._read(query, column, descending,
                           f" AND {name} = ? AND (slot, ord) {later} (?, ?)",
                           (value, slot, ord_), size, 0, backward)  # fmt: skip
        if len(found) < size:
            rest = self._read(query, column, descending, f" AND {name} {beyond} ?", (value,),
                              size - len(found), 0, backward)  # fmt: skip
            found = rest + found if backward else found + rest
        return found

    def ordered_index(
        self, query: Query, column: int, descending: bool, value: Any, place: tuple[int, int]
    ) -> int:
        """How many rows that meet the filter come before the row with this sort value at
        `place` (slot, ord) in a sorted view: two index ranges (one OR of both read every
        row): the values before the row's, then the rows of its own value before it."""
        where, args = _match_sql(query) if query else ("1", [])
        name = f"s{column}"
        before = ">" if descending else "<"
        index = 0
        for condition, extra in (
            (f"{name} {before} ?", (value,)),
            (f"{name} = ? AND (slot, ord) < (?, ?)", (value, *place)),
        ):
            (count,) = self._run(
                False, f"SELECT count(*) FROM rows WHERE {where} AND {condition}", (*args, *extra)
            ).fetchone()
            index += int(count)
        return index

    def _read(
        self,
        query: Query,
        column: int,
        descending: bool,
        condition: str,
        args: Sequence[Any],
        size: int,
        offset: int,
        backward: bool,
    ) -> list[tuple[Any, ...]]:
        """The skipping is done on the order's index alone, and only the rows kept are
        joined to their data: skipped over with the join, half a million rows read half a
        million blobs (1.3 s here)."""
        where, match = _match_sql(query) if query else ("1", [])
        inner = (
            f"SELECT rid, s{column} AS value, slot, ord FROM rows WHERE {where}{condition} "
            f"ORDER BY {_order(descending, backward, f's{column}')} LIMIT ? OFFSET ?"
        )
        found = self._run(
            False,
            f"SELECT value, slot, ord, data.row FROM ({inner}) JOIN data USING (rid) "
            f"ORDER BY {_order(descending, backward, 'value')}",
            (*match, *args, size, offset),
        ).fetchall()
        return found[::-1] if backward else found

    # -- columns for sorting -----------------------------------------------------------------

    def add_sort_column(self, values: Iterable[tuple[Any, int]] = ()) -> int:
        """A column for one more sort key, filled with (value, rid) pairs; its number."""
        number = self.sort_columns
        self._run(False, f"ALTER TABLE rows ADD COLUMN s{number}")
        self.sort_columns += 1
        pairs = iter(values)
        while chunk := list(itertools.islice(pairs, BACKFILL_CHUNK)):  # a bounded replay
            with self.transaction():
                self._run(True, f"UPDATE rows SET s{number}=? WHERE rid=?", chunk)
        return number

    def has_index(self, column: int, descending: bool) -> bool:
        return (column, descending) in self._indexes

    def ensure_index(self, column: int, descending: bool) -> None:
        """An index that gives the order itself: built the first time the list is sorted so,
        then kept up to date as rows come (each costs an index entry)."""
        if (column, descending) in self._indexes:
            return
        direction = "DESC" if descending else "ASC"
        name = f"rows_s{column}_{direction.lower()}"
        self._run(False, f"CREATE INDEX {name} ON rows (s{column} {direction}, slot, ord)")
        self._indexes.add((column, descending))

    # -- rows --------------------------------------------------------------------------------

    @staticmethod
    def dump(row: Any) -> bytes:
        return pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(blob: bytes) -> Any:
        return pickle.loads(blob)  # this process's own private file: see the module

    def insert(self, rows: Sequence[tuple[Any, ...]], blobs: Sequence[bytes]) -> None:
        """Rows as (id, slot, ord, key, status, s0, s1, …), with their pickled rows."""
        sort = "".join(f", s{n}" for n in range(self.sort_columns))
        marks = ",".join("?" * (6 + self.sort_columns))
        first = self._next_rid
        self._next_rid += len(rows)
        self._run(
            True,
            f"INSERT INTO rows (rid, id, slot, ord, key, status{sort}) VALUES ({marks})",
            [(first + n, *values) for n, values in enumerate(rows)],
        )
        self._run(
            True, "INSERT INTO data VALUES (?, ?)", [(first + n, b) for n, b in enumerate(blobs)]
        )

    def delete_slot(self, slot: int) -> None:
        self._run(False, "DELETE FROM data WHERE rid IN (SELECT rid FROM rows WHERE slot=?)",
                  (slot,))  # fmt: skip
        self._run(False, "DELETE FROM rows WHERE slot=?", (slot,))

    def delete_ids(self, ids: Sequence[str]) -> None:
        for chunk, marks in _chunks(ids):
            self._run(
                False,
                f"DELETE FROM data WHERE rid IN (SELECT rid FROM rows WHERE id IN ({marks}))",
                chunk,
            )
            self._run(False, f"DELETE FROM rows WHERE id IN ({marks})", chunk)

    def places(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Where each of these ids is now: (slot, ord)."""
        found: dict[str, tuple[int, int]] = {}
        for chunk, marks in _chunks(ids):
            for row_id, slot, ord_ in self._run(
                False, f"SELECT id, slot, ord FROM rows WHERE id IN ({marks})", chunk
            ).fetchall():
                found[row_id] = (slot, ord_)
        return found

    def known(self, ids: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        """Where each of these ids is now, and the status it was stored with: (slot, ord,
        status casefolded)."""
        found: dict[str, tuple[int, int, str]] = {}
        for chunk, marks in _chunks(ids):
            for row_id, slot, ord_, status in self._run(
                False, f"SELECT id, slot, ord, status FROM rows WHERE id IN ({marks})", chunk
            ).fetchall():
                found[row_id] = (slot, ord_, status)
        return found

    def slot_rows(self, slot: int) -> list[Any]:
        return [
            self.load(blob)
            for (blob,) in self._run(
                False,
                "SELECT data.row FROM rows JOIN data USING (rid) WHERE slot=? ORDER BY ord",
                (slot,),
            ).fetchall()
        ]

    def renumber(self, slot: int) -> None:
        """Dense `ord` again after rows left a slot."""
        rids = [r for (r,) in self._run(
            False, "SELECT rid FROM rows WHERE slot=? ORDER BY ord", (slot,))]  # fmt: skip
        self._run(True, "UPDATE rows SET ord=? WHERE rid=?", list(enumerate(rids)))

    def sort_values(self, ids: Sequence[str], column: int) -> dict[str, Any]:
        """The stored value of one sort column for each of these ids."""
        found: dict[str, Any] = {}
        for chunk, marks in _chunks(ids):
            for row_id, value in self._run(
                False, f"SELECT id, s{column} FROM rows WHERE id IN ({marks})", chunk
            ):
                found[row_id] = value
        return found

    def update_many(self, changes: Sequence[tuple[Any, ...]]) -> None:
        """Rows changed in place, each (id, key, status, s0, s1, …, pickled row), in one
        transaction. Each is found first, then changed: UPDATE … RETURNING needs SQLite
        3.35, newer than some distributions' Python still links (Debian 11 has 3.34)."""
        sets = "".join(f", s{n}=?" for n in range(self.sort_columns))
        with self.transaction():
            for row_id, key, status, *rest in changes:
                found = self._run(False, "SELECT rid FROM rows WHERE id=?", (row_id,)).fetchone()
                if found is None:
                    continue
                *sort, blob = rest
                self._run(False, f"UPDATE rows SET key=?, status=?{sets} WHERE rid=?",
                          (key, status, *sort, found[0]))  # fmt: skip
                self._run(False, "UPDATE data SET row=? WHERE rid=?", (blob, found[0]))


def _match_sql(query: Query) -> tuple[str, list[Any]]:
    """The filter as SQL: the same test as `Query.matches`, over the stored key and status."""
    clauses, args = ["instr(key, ?) > 0"], [query.text]
    if query.statuses:
        statuses = sorted(query.statuses)
        clauses.append(f"status IN ({','.join('?' * len(statuses))})")
        args += statuses
    if query.only is not None:  # `changed:`
        clauses.append("id IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(sorted(query.only)))
    if query.reasons:  # `reason:` terms: the reason's mark in the key (lists/query.py)
        reasons = sorted(query.reasons)
        clauses.append("(" + " OR ".join("instr(key, ?) > 0" for _ in reasons) + ")")
        args += [reason_mark(r) for r in reasons]
    return " AND ".join(clauses), args


def _order(descending: bool, backward: bool, column: str) -> str:
    """A sorted view's ORDER BY; `backward` reads it from the other end. A descending sort
    still keeps equal rows in the API's order, as a stable sort does."""
    first = "ASC" if descending == backward else "DESC"
    rest = "DESC" if backward else "ASC"
    return f"{column} {first}, slot {rest}, ord {rest}"


def _is_full(exc: sqlite3.Error) -> bool:
    """The disk (or the temporary folder's quota) is full: SQLITE_FULL, or the I/O error a
    failed write gives."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    text = str(exc).lower()
    return "disk is full" in text or "disk i/o error" in text


def _chunks(ids: Sequence[str], size: int = 500) -> Iterator[tuple[Sequence[str], str]]:
    """Ids in chunks SQLite's limit on variables allows, each with its `?,?,…`."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ",".join("?" * len(chunk))
