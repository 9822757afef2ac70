"""The local store: one SQLite database per account under the platformdirs cache folder.

What it promises: every write is one transaction (a crash loses at most the page in flight);
WAL mode and a busy timeout so two closetui processes on one account can share it; the file
is 0600 in a 0700 folder; a corrupt or foreign-version file is moved aside and rebuilt; an
unwritable folder, a folder another user owns or may write into, or a symbolic link at the
file's path means an in-memory store for this run. None of it ever raises into the UI:
failures become notices.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

from closetui.store.private import open_private, private_folder, refuse_link
from closetui.store.versions import VERSION_FORMAT, Version, fingerprint, kept_form
from closetui.textsafe import replace_lone_surrogates_in

SCHEMA_VERSION = 2
SUFFIX = ".sqlite3"
_P = ParamSpec("_P")
_R = TypeVar("_R")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sequences (
    id TEXT PRIMARY KEY,
    pos INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    steps INTEGER NOT NULL,
    span INTEGER,
    updated TEXT,
    json TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    pass INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sequences_pos ON sequences (pos);
CREATE TABLE IF NOT EXISTS details (
    id TEXT PRIMARY KEY,
    json TEXT NOT NULL,
    fetched_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS lookups (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    json TEXT,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS pages (
    kind TEXT NOT NULL,
    owner TEXT NOT NULL,
    skip INTEGER NOT NULL,
    json TEXT NOT NULL,
    has_more INTEGER NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (kind, owner, skip)
);
"""

# Schema 2: the versions a sequence had (the history) and when each was last looked at.
# A file of an earlier schema gets the tables it lacks, keeping everything it holds.
_VERSIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS version_heads (
    sequence_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    first_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    rid INTEGER PRIMARY KEY,
    sequence_id TEXT NOT NULL,
    first_seen REAL NOT NULL,
    replaced_at REAL NOT NULL,
    format INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_sequence ON versions (sequence_id, first_seen);
CREATE INDEX IF NOT EXISTS versions_replaced ON versions (replaced_at);
CREATE TABLE IF NOT EXISTS looked (sequence_id TEXT PRIMARY KEY, at REAL NOT NULL);
"""
# The current version of each sequence is its cached row (sequences or details, the newer):
# a head holds only its fingerprint and since when, so a sequence that never changes costs
# a few dozen bytes of history, not a second copy. A head's fingerprint is "" until a fetch
# that differs from the cached row needs it (see `_note_versions`).
_MIGRATIONS = {1: _VERSIONS_SCHEMA}  # from schema N to N + 1
HISTORY_PER_SEQUENCE = 20  # earlier versions kept of one sequence (the config may change it)
HISTORY_TOTAL = 2000  # earlier versions kept across the account


@dataclass(frozen=True, slots=True)
class CachedRow:
    """The columns the list shows, read without parsing the stored JSON."""

    id: str
    pos: int
    name: str
    status: str
    steps: int
    span: int | None
    updated: str | None
    fetched_at: float


@dataclass(frozen=True, slots=True)
class SequenceSummary:
    """A sequence's list columns, kept beside its JSON so that the list reads them unparsed."""

    id: str
    name: str
    status: str
    steps: int
    span: int | None
    updated: str | None


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored JSON object (None for an object the API said does not exist) and its age."""

    data: Any
    fetched_at: float


class CacheBroken(Exception):
    pass


def _loads(text: str) -> Any:
    """Cached JSON, as valid Unicode: a cache written before closetui mended lone surrogates
    where JSON is read may hold `\\udc9b` escapes (json.dumps writes them)."""
    value = json.loads(text)
    return replace_lone_surrogates_in(value) if "\\ud" in text.lower() else value


def _fingerprint_of(text: str) -> str | None:
    """The fingerprint of a cached sequence's JSON text (None: it cannot be read, so no
    fetch matches it)."""
    try:
        return fingerprint(_loads(text))
    except (ValueError, TypeError, RecursionError):
        return None


def _guarded(
    default: Any, *, write: bool = False
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """A failing cache operation becomes a notice and a default, never an exception; a
    corrupt file is set aside and the store starts again empty. A write to a cache that has
    become read-only is skipped. Each caller gets its own copy of the default: one shared
    list or dict, changed by one caller, would be the next one's answer."""

    def decorate(method: Callable[_P, _R]) -> Callable[_P, _R]:
        @wraps(method)
        def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            self = cast(Cache, args[0])
            with self._lock:
                if write and self.read_only:
                    self.writes_lost += 1
                    return cast(_R, copy.copy(default))
                try:
                    return method(*args, **kwargs)
                except sqlite3.DatabaseError as exc:
                    if write:
                        self.writes_lost += 1
                    self._failed(exc)
                    return cast(_R, copy.copy(default))

        return run

    return decorate


class Cache:
    def __init__(self, path: Path | None) -> None:
        """`path` None: an in-memory store, for when no folder can be written."""
        self.path = path
        self.notices: list[str] = []
        # Writes that did not reach the file (a full disk, a read-only cache): a command
        # that must store what it fetched (`sync`) fails when this grows.
        self.writes_lost = 0
        self.read_only = False
        self._told: set[str] = set()  # kinds of trouble already reported
        self.history_bounds = (HISTORY_PER_SEQUENCE, HISTORY_TOTAL)
        self._lock = threading.RLock()
        self._db: sqlite3.Connection
        self._open()

    # -- opening, and what happens when the file is bad ---------------------------------------

    @classmethod
    def open(cls, cache_dir: Path, account: str) -> Cache:
        problem = private_folder(cache_dir)
        if problem is None:
            try:
                probe = cache_dir / f".probe-{os.getpid()}"
                os.close(open_private(probe, os.O_WRONLY))
                probe.unlink()
            except OSError as exc:
                problem = f"cannot be written ({exc.strerror or exc})"
        if problem is not None:
            cache = cls(None)
            cache.notices.append(
                f"The cache folder {cache_dir} {problem}; "
                "running without a cache: nothing will be kept for offline use."
            )
            return cache
        return cls(cache_dir / f"{account}{SUFFIX}")

    @property
    def in_memory(self) -> bool:
        return self.path is None

    def _connect(self) -> sqlite3.Connection:
        if self.path is None:
            db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            # SQLite opens by name and follows links: the file (and its journal files) are
            # checked first, and made 0600, so a link planted there is refused, not written.
            os.close(open_private(self.path, os.O_RDWR))
            for extra in ("-wal", "-shm"):
                refuse_link(Path(f"{self.path}{extra}"))
            db = sqlite3.connect(
                self.path, check_same_thread=False, isolation_level=None, timeout=10.0
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=10000")
        return db

    def _open(self, attempts: int = 5) -> None:
        try:
            self._db = self._connect()
            version = self._version()
            if version is None:
                self._create_schema()
            elif version in _MIGRATIONS:
                self._migrate(version)
            elif version != SCHEMA_VERSION:
                raise CacheBroken(
                    f"it has schema version {version}, this closetui uses {SCHEMA_VERSION}"
                )
            self._db.execute("SELECT count(*) FROM sequences").fetchone()
        except sqlite3.OperationalError as exc:
            # Locked or busy (another closetui is writing), unreadable, or an I/O error: none
            # of them says the file is damaged, so it is never moved aside for them.
            with contextlib.suppress(Exception):
                self._db.close()
            if attempts > 1 and ("locked" in str(exc) or "busy" in str(exc)):
                time.sleep(0.2)
                self._open(attempts - 1)
            else:
                self._go_memory(f"cannot be opened ({exc})")
        except (sqlite3.DatabaseError, CacheBroken) as exc:
            self._set_aside(exc)
        except OSError as exc:
            self._go_memory(f"cannot be opened ({exc.strerror or exc})")

    def _version(self) -> int | None:
        has_meta = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            tables = self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise CacheBroken("it is not a closetui cache")
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        try:
            return int(row[0]) if row else -1
        except ValueError:
            return -1

    def _set_aside(self, reason: Exception) -> None:
        with contextlib.suppress(Exception):
            self._db.close()
        if self.path is None:
            self._go_memory(f"failed ({reason})")
            return
        aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
        try:
            os.replace(self.path, aside)
            for extra in ("-wal", "-shm"):
                side = Path(f"{self.path}{extra}")
                if side.exists():
                    os.replace(side, Path(f"{aside}{extra}"))
        except OSError as exc:
            self._go_memory(f"is damaged and cannot be moved aside ({exc.strerror or exc})")
            return
        self.notices.append(
            f"The cache file was unreadable ({reason}); it was moved to {aside.name} and a new "
            "one started."
        )
        try:
            self._db = self._connect()
            self._create_schema()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._go_memory(f"could not be rebuilt ({exc})")

    def _go_memory(self, why: str) -> None:
        where = self.path
        self.path = None
        self.notices.append(
            f"The cache {where} {why}; running without a cache: nothing will be kept for "
            "offline use."
        )
        self._db = self._connect()
        self._create_schema()

    def _create_schema(self) -> None:
        # executescript commits on its own, so the transaction is spelled out in the script.
        self._db.executescript(
            f"BEGIN IMMEDIATE;\n{_SCHEMA}\n{_VERSIONS_SCHEMA}\n"
            f"INSERT OR REPLACE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;"
        )

    def _migrate(self, version: int) -> None:
        """An earlier schema's file gets what the later ones added, in one transaction: what
        it holds stays."""
        script = "".join(_MIGRATIONS[v] for v in range(version, SCHEMA_VERSION))
        self._db.executescript(
            f"BEGIN IMMEDIATE;\n{script}\n"
            f"INSERT OR REPLACE INTO meta VALUES ('schema_version', '{SCHEMA_VERSION}');\nCOMMIT;"
        )

    def _failed(self, exc: sqlite3.DatabaseError) -> None:
        text = str(exc).lower()
        if "malformed" in text or "not a database" in text or "corrupt" in text:
            self._set_aside(exc)
        elif "readonly" in text or "read-only" in text:
            self.read_only = True
            self._tell(
                "readonly",
                "The cache became read-only: what it holds stays readable, nothing new is kept.",
            )
        elif "full" in text or "disk i/o" in text:
            self._tell(
                "full",
                f"The cache could not be written ({exc}): what it holds stays readable; "
                "new data is shown but not kept until there is room.",
            )
        else:
            self._tell(text, f"A cache operation failed ({exc}).")

    def _tell(self, kind: str, notice: str) -> None:
        if kind not in self._told:
            self._told.add(kind)
            self.notices.append(notice)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def take_notices(self) -> list[str]:
        with self._lock:
            notices, self.notices = self.notices, []
            return notices

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    # -- meta --------------------------------------------------------------------------------

    @_guarded(None)
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    @_guarded(None, write=True)
    def set_meta(self, key: str, value: str) -> None:
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- sequences ---------------------------------------------------------------------------

    @_guarded(0)
    def sequence_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM sequences").fetchone()[0])

    @_guarded([])
    def sequence_rows(self, start: int, end: int) -> list[CachedRow]:
        """The cached list rows whose position is in [start, end), in list order."""
        rows = self._db.execute(
            "SELECT id, pos, name, status, steps, span, updated, fetched_at FROM sequences "
            "WHERE pos >= ? AND pos < ? ORDER BY pos, fetched_at DESC",
            (start, end),
        ).fetchall()
        return [CachedRow(*row) for row in rows]

    @_guarded([])
    def find_sequences(self, needle: str, limit: int) -> list[CachedRow]:
        """Cached list rows whose name holds `needle` (any case), in list order: for
        finding a sequence the list has not loaded yet."""
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute(
            "SELECT id, pos, name, status, steps, span, updated, fetched_at FROM sequences "
            "WHERE name LIKE ? ESCAPE '\\' ORDER BY pos LIMIT ?",
            (pattern, limit * 4),
        ).fetchall()
        folded = needle.casefold()
        found = [CachedRow(*row) for row in rows if folded in str(row[2]).casefold()]
        return found[:limit]

    @_guarded([])
    def template_ids(self) -> list[tuple[str, str]]:
        """Every distinct (kind, id) template the cached sequences' steps use."""
        rows = self._db.execute(
            "SELECT DISTINCT json_extract(step.value, '$.email_template_id'), "
            "json_extract(step.value, '$.sms_template_id') "
            "FROM sequences, json_each(sequences.json, '$.steps') AS step"
        ).fetchall()
        found: dict[tuple[str, str], None] = {}
        for email, sms in rows:
            if isinstance(email, str) and email:
                found[("email_template", email)] = None
            if isinstance(sms, str) and sms:
                found[("sms_template", sms)] = None
        return list(found)

    @_guarded([])
    def sequence_ids(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT id FROM sequences ORDER BY pos")]

    @_guarded(-1)
    def last_position(self) -> int:
        row = self._db.execute("SELECT max(pos) FROM sequences").fetchone()
        return row[0] if row and row[0] is not None else -1

    @_guarded(None)
    def sequence(self, sequence_id: str) -> Stored | None:
        row = self._db.execute(
            "SELECT json, fetched_at FROM sequences WHERE id=?", (sequence_id,)
        ).fetchone()
        return Stored(_loads(row[0]), row[1]) if row else None

    @_guarded(False, write=True)
    def put_sequence_page(
        self,
        skip: int,
        raw: Sequence[Any],
        summaries: Sequence[SequenceSummary],
        pass_id: int,
        fetched_at: float,
        *,
        fetched: Sequence[Any] | None = None,
    ) -> bool:
        """True once the page is committed. An item of `raw` may come as its JSON text.
        `fetched`: the items as parsed, whose versions are noted first (`note_versions`) in
        the same transaction: a page is one commit, and its rows and their versions agree."""
        texts = [r if isinstance(r, str) else json.dumps(r) for r in raw]
        rows = [
            (s.id, skip + i, s.name, s.status, s.steps, s.span, s.updated, text, fetched_at,
             pass_id)
            for i, (text, s) in enumerate(zip(texts, summaries, strict=True))
        ]  # fmt: skip
        with self._transaction():
            if fetched is not None:
                self._note_versions(fetched, fetched_at, texts)
            self._db.executemany(
                "INSERT OR REPLACE INTO sequences VALUES (?,?,?,?,?,?,?,?,?,?)", rows
            )
        return True

    @_guarded(None, write=True)
    def new_pass(self) -> tuple[int, float] | None:
        """A new list pass: its number, and when it started (None: the cache failed)."""
        with self._transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key='pass'").fetchone()
            number = int(row[0]) + 1 if row else 1
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('pass', ?)", (str(number),))
        return number, time.time()

    @_guarded(0, write=True)
    def finish_pass(self, pass_id: int, started: float, total: int) -> int:
        """A complete pass (page 0 to has_more false) proves that every row it did not see
        is gone upstream. Rows another process wrote since this pass started are kept."""
        with self._transaction():
            gone = self._db.execute(
                "DELETE FROM sequences WHERE pass != ? AND fetched_at < ?", (pass_id, started)
            ).rowcount
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('last_complete_sync', ?)", (str(time.time()),)
            )
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('complete_total', ?)", (str(total),)
            )
        return gone

    # -- single objects: details and lookups ----------------------------------------------

    @_guarded(None)
    def detail(self, sequence_id: str) -> Stored | None:
        row = self._db.execute(
            "SELECT json, fetched_at FROM details WHERE id=?", (sequence_id,)
        ).fetchone()
        return Stored(_loads(row[0]), row[1]) if row else None

    @_guarded({})
    def counts(self, sequence_ids: list[str]) -> dict[str, dict[str, int | None]]:
        """Runs by status for the sequences whose detail is cached, in one query: the list
        shows them without a request per row."""
        found: dict[str, dict[str, int | None]] = {}
        for start in range(0, len(sequence_ids), 500):  # SQLite's variable limit
            chunk = sequence_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for sequence_id, raw in self._db.execute(
                "SELECT id, json_extract(json, '$.subscription_counts_by_status') FROM details "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                counts = _loads(raw) if isinstance(raw, str) else None
                if isinstance(counts, dict):
                    found[sequence_id] = {
                        str(k): v if isinstance(v, int) and not isinstance(v, bool) else None
                        for k, v in counts.items()
                    }
        return found

    @_guarded(None, write=True)
    def put_detail(self, sequence_id: str, raw: Any, fetched_at: float) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO details VALUES (?, ?, ?)",
                (sequence_id, json.dumps(raw), fetched_at),
            )

    @_guarded(None)
    def lookup(self, kind: str, key: str) -> Stored | None:
        row = self._db.execute(
            "SELECT json, fetched_at FROM lookups WHERE kind=? AND id=?", (kind, key)
        ).fetchone()
        if not row:
            return None
        return Stored(_loads(row[0]) if row[0] is not None else None, row[1])

    @_guarded({})
    def lookups(self, kind: str) -> dict[str, Stored]:
        rows = self._db.execute(
            "SELECT id, json, fetched_at FROM lookups WHERE kind=?", (kind,)
        ).fetchall()
        return {
            key: Stored(_loads(data) if data is not None else None, at) for key, data, at in rows
        }

    @_guarded([])
    def lookups_named(self, kind: str, text: str, limit: int = 50) -> list[tuple[str, str]]:
        """(id, name) of cached lookups of a kind whose name contains `text`, ignoring case."""
        rows = self._db.execute(
            "SELECT id, json_extract(json, '$.name') FROM lookups WHERE kind=? "
            "AND json_valid(json) AND instr(lower(json_extract(json, '$.name')), lower(?)) > 0 "
            "LIMIT ?",
            (kind, text, limit),
        ).fetchall()
        return [(key, name) for key, name in rows if isinstance(name, str)]

    @_guarded(None, write=True)
    def put_lookups(self, kind: str, items: Iterable[tuple[str, Any]], fetched_at: float) -> None:
        """Store objects by id; None stores "the API said this does not exist"."""
        rows = [
            (kind, key, None if data is None else json.dumps(data), fetched_at)
            for key, data in items
        ]
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO lookups VALUES (?, ?, ?, ?)", rows)

    # -- pages of other lists (subscriptions) -----------------------------------------------

    @_guarded(None)
    def page(self, kind: str, owner: str, skip: int) -> tuple[list[Any], bool, float] | None:
        row = self._db.execute(
            "SELECT json, has_more, fetched_at FROM pages WHERE kind=? AND owner=? AND skip=?",
            (kind, owner, skip),
        ).fetchone()
        return (_loads(row[0]), bool(row[1]), row[2]) if row else None

    @_guarded([])
    def page_sizes(self, kind: str, owner: str) -> list[tuple[int, int, bool]]:
        """(skip, items, has_more) of every cached page of a list, in order: counted by
        SQLite, so a list of ten thousand pages is not parsed to learn its length."""
        rows = self._db.execute(
            "SELECT skip, json_array_length(json), has_more FROM pages "
            "WHERE kind=? AND owner=? ORDER BY skip",
            (kind, owner),
        ).fetchall()
        return [(skip, count or 0, bool(more)) for skip, count, more in rows]

    @_guarded([])
    def page_skips(self, kind: str, owner: str, most: int) -> list[int]:
        """The skips of a list's first `most` cached pages, in order: read from the index
        alone, where `page_sizes` counts every page's items (seconds, at a million runs)."""
        rows = self._db.execute(
            "SELECT skip FROM pages WHERE kind=? AND owner=? ORDER BY skip LIMIT ?",
            (kind, owner, most),
        ).fetchall()
        return [skip for (skip,) in rows]

    @_guarded(None, write=True)
    def put_page(
        self, kind: str, owner: str, skip: int, raw: Sequence[Any], has_more: bool, at: float
    ) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?)",
                (kind, owner, skip, json.dumps(list(raw)), int(has_more), at),
            )

    @_guarded([])
    def runs_where(
        self, kinds: Sequence[str], field: str, value: str, limit: int = 10_000
    ) -> list[tuple[Any, float]]:
        """Cached runs (items of cached pages of these kinds) whose `field` is `value`
        (ignoring case), with when each was fetched, newest first: who a person is, and
        their runs, offline."""
        marks = ",".join("?" * len(kinds))
        # A page whose text does not hold the value is not parsed at all (most are not):
        # a value JSON writes as it is (plain ASCII, no quote or backslash) is looked for in
        # the page's text first; any other value is only compared field by field.
        plain = value.isascii() and value.isprintable() and not set(value) & {'"', "\\"}
        rows = self._db.execute(
            "SELECT item.value, pages.fetched_at FROM pages, json_each(pages.json) AS item "
            f"WHERE pages.kind IN ({marks}) AND (? = 0 OR instr(lower(pages.json), lower(?))) "
            "AND json_valid(pages.json) "
            "AND lower(json_extract(item.value, '$.' || ?)) = lower(?) "
            "ORDER BY pages.fetched_at DESC LIMIT ?",
            (*kinds, int(plain), value, field, value, limit),
        ).fetchall()
        return [(json.loads(raw), at) for raw, at in rows]

    @_guarded({})
    def run_reasons(
        self, kind: str, owner: str, first: int = 0, last: int | None = None
    ) -> dict[tuple[str, str | None], int]:
        """Runs by (status, reason) over a list's cached pages whose skip is in [first,
        last], counted by SQLite: a long list is counted a stretch at a time, so that no
        one call holds the cache for long."""
        rows = self._db.execute(
            "SELECT json_extract(item.value, '$.status'), "
            "json_extract(item.value, '$.status_reason'), count(*) "
            "FROM pages, json_each(pages.json) AS item "
            "WHERE pages.kind=? AND pages.owner=? AND pages.skip >= ? AND pages.skip <= ? "
            "AND json_valid(pages.json) GROUP BY 1, 2",
            (kind, owner, first, last if last is not None else 2**62),
        ).fetchall()
        return {
            (str(status), reason if isinstance(reason, str) else None): int(n)
            for status, reason, n in rows
            if isinstance(status, str)
        }

    # -- the history: earlier versions of sequences ---------------------------------------

    def _current(self, sequence_id: str) -> tuple[Any, float] | None:
        """The sequence as the cache holds it now (list row or detail, the newer)."""
        found = None
        for table in ("sequences", "details"):
            row = self._db.execute(
                f"SELECT json, fetched_at FROM {table} WHERE id=?", (sequence_id,)
            ).fetchone()
            if row is not None and (found is None or row[1] >= found[1]):
                found = row
        return found

    def _currents(self, sequence_ids: list[str]) -> dict[str, tuple[str, float]]:
        """`_current` of each of these sequences that the cache holds, in two queries."""
        found: dict[str, tuple[str, float]] = {}
        for table in ("sequences", "details"):
            for sequence_id, text, fetched_at in self._db.execute(
                f"SELECT id, json, fetched_at FROM {table} "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sequence_ids),),
            ):
                had = found.get(sequence_id)
                if had is None or fetched_at >= had[1]:
                    found[sequence_id] = (text, fetched_at)
        return found

    @_guarded(0, write=True)
    def note_versions(
        self, raws: Sequence[Any], at: float, texts: Sequence[str] | None = None
    ) -> int:
        """Each fetched sequence against the version the cache holds of it, called before the
        fetch is stored: one that differs in what a person reads becomes the current
        version, and the cached one it replaces is kept with when that happened. A fetch
        that changes nothing stores nothing. The number of sequences that changed.
        `texts`: each of `raws` as the JSON text about to be stored, when the caller has it."""
        with self._transaction():
            return self._note_versions(raws, at, texts)

    def _note_versions(
        self, raws: Sequence[Any], at: float, texts: Sequence[str] | None = None
    ) -> int:
        """`note_versions` inside the caller's transaction.

        A head's fingerprint is worked out only when it is needed: a sequence seen for the
        first time gets a head with none (`""`: the fingerprint of its cached row, whatever
        that is), and a fetch whose JSON text is the cached row's, character for character,
        is the same version without one. Only a fetch that differs from the cached row is
        fingerprinted (and the cached row too, if its head has none), so a list of thousands
        costs no digest on its first fetch, and none for the sequences that did not change."""
        fetched: dict[str, tuple[Any, str | None]] = {}
        for n, raw in enumerate(raws):
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                fetched[raw["id"]] = (raw, texts[n] if texts is not None else None)
        if not fetched:
            return 0
        per_sequence, total = self.history_bounds
        changed = 0
        heads = dict(
            (row[0], (row[1], row[2]))
            for row in self._db.execute(
                "SELECT sequence_id, fingerprint, first_seen FROM version_heads "
                "WHERE sequence_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(fetched)),),
            )
        )
        currents = self._currents(list(heads)) if heads else {}
        new_heads = []
        for sequence_id, (raw, text) in fetched.items():
            head = heads.get(sequence_id)
            if head is None:
                new_heads.append((sequence_id, "", at))
                continue
            before = currents.get(sequence_id)
            if before is not None and text is not None and before[0] == text:
                continue  # the cached row as it is: the same version
            mark = fingerprint(raw)
            was = head[0] or (_fingerprint_of(before[0]) if before is not None else mark)
            if was == mark:
                continue
            new_heads.append((sequence_id, mark, at))
            if before is not None:
                changed += 1
                try:
                    kept = json.dumps(kept_form(json.loads(before[0])))
                except (ValueError, TypeError, AttributeError):
                    kept = before[0]
                self._db.execute(
                    "INSERT INTO versions (sequence_id, first_seen, replaced_at, format, json) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (sequence_id, head[1], at, VERSION_FORMAT, kept),
                )
                self._db.execute(
                    "DELETE FROM versions WHERE rid IN (SELECT rid FROM versions "
                    "WHERE sequence_id=? ORDER BY replaced_at DESC, rid DESC "
                    "LIMIT -1 OFFSET ?)",
                    (sequence_id, max(0, per_sequence)),
                )
        self._db.executemany("INSERT OR REPLACE INTO version_heads VALUES (?, ?, ?)", new_heads)
        if changed:
            self._db.execute(
                "DELETE FROM versions WHERE rid IN (SELECT rid FROM versions "
                "ORDER BY replaced_at DESC, rid DESC LIMIT -1 OFFSET ?)",
                (max(0, total),),
            )
        return changed

    def _readable(self, rows: Iterable[tuple[Any, ...]]) -> list[Version]:
        """Kept versions as values; a row that cannot be read (damaged, or written in a
        format this closetui does not know) is skipped, and said once."""
        found, skipped = [], 0
        for sequence_id, first_seen, replaced_at, form, text in rows:
            try:
                data = json.loads(text) if form == VERSION_FORMAT else None
                if not isinstance(data, dict) or not _a_moment(first_seen):
                    raise ValueError(text)
                if replaced_at is not None and not _a_moment(replaced_at):
                    raise ValueError(replaced_at)
            except (ValueError, TypeError, RecursionError):  # nested too deep is damaged too
                skipped += 1
                continue
            found.append(Version(str(sequence_id), float(first_seen), replaced_at, data))
        if skipped:
            self._tell(
                "version-rows",
                f"{skipped} kept version{'s' if skipped != 1 else ''} of a sequence could not "
                "be read (damaged, or from another closetui) and "
                f"{'are' if skipped != 1 else 'is'} left out of the history.",
            )
        return found

    def _head(self, sequence_id: str) -> Version | None:
        """The current version: the cached sequence, since the head says it was first seen."""
        head = self._db.execute(
            "SELECT first_seen FROM version_heads WHERE sequence_id=?", (sequence_id,)
        ).fetchone()
        current = self._current(sequence_id)
        if head is None or current is None:
            return None
        return next(
            iter(self._readable([(sequence_id, head[0], None, VERSION_FORMAT, current[0])])), None
        )

    _VERSION_COLUMNS = "sequence_id, first_seen, replaced_at, format, json"

    @_guarded([])
    def versions(self, sequence_id: str, limit: int = -1) -> list[Version]:
        """Every kept version of a sequence (or the newest `limit`), the current one first."""
        head = self._head(sequence_id)
        if limit == 0:
            return []
        kept = self._readable(
            self._db.execute(
                f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE sequence_id=? "
                "ORDER BY first_seen DESC, rid DESC LIMIT ?",
                (sequence_id, limit - 1 if limit > 0 and head is not None else limit),
            )
        )
        return [head, *kept] if head is not None else kept

    @_guarded([])
    def changes_since(self, since: float) -> list[tuple[Version, Version]]:
        """Every change the cache saw at `since` or later, as (before, after), the newest
        first."""
        rows = self._db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE sequence_id IN "
            "(SELECT sequence_id FROM versions WHERE replaced_at >= ?) "
            "ORDER BY sequence_id, first_seen, rid",
            (since,),
        ).fetchall()
        by_sequence: dict[str, list[Version]] = {}
        for version in self._readable(rows):
            by_sequence.setdefault(version.sequence_id, []).append(version)
        pairs = []
        for sequence_id, kept in by_sequence.items():
            head = self._head(sequence_id)
            line = [*kept, head] if head is not None else kept
            pairs += [
                (before, after)
                for before, after in itertools.pairwise(line)
                if before.replaced_at is not None and before.replaced_at >= since
            ]
        return sorted(pairs, key=lambda pair: pair[1].first_seen, reverse=True)

    @_guarded(None, write=True)
    def keep_versions(self, kept: Sequence[tuple[dict[str, Any], float, float | None]]) -> None:
        """Versions as they are, (sequence, first seen, replaced at) each; replaced at None
        marks the current one, which must be the cached sequence: what the demo starts with."""
        with self._transaction():
            for raw, first, replaced in kept:
                if replaced is None:
                    self._db.execute(
                        "INSERT OR REPLACE INTO version_heads VALUES (?, ?, ?)",
                        (raw["id"], fingerprint(raw), first),
                    )
                else:
                    self._db.execute(
                        "INSERT INTO versions (sequence_id, first_seen, replaced_at, format, "
                        "json) VALUES (?, ?, ?, ?, ?)",
                        (raw["id"], first, replaced, VERSION_FORMAT, json.dumps(kept_form(raw))),
                    )

    @_guarded(frozenset())
    def changed_ids(self) -> frozenset[str]:
        """The sequences with a change the cache saw after they were last looked at."""
        return frozenset(
            row[0]
            for row in self._db.execute(
                "SELECT DISTINCT v.sequence_id FROM versions v LEFT JOIN looked l "
                "ON l.sequence_id = v.sequence_id WHERE v.replaced_at > coalesce(l.at, 0)"
            )
        )

    @_guarded(None, write=True)
    def mark_looked(self, sequence_id: str, at: float) -> None:
        """The person has seen this sequence's latest change: it is no longer marked."""
        with self._transaction():
            self._db.execute("INSERT OR REPLACE INTO looked VALUES (?, ?)", (sequence_id, at))

    @_guarded(0)
    def kept_version_count(self) -> int:
        """Earlier versions kept, across the account (the current ones not counted)."""
        return int(self._db.execute("SELECT count(*) FROM versions").fetchone()[0])

    # -- changes made from here (pause, resume, unsubscribe) ---------------------------------

    @_guarded(0, write=True)
    def replace_in_pages(self, kind: str, item_id: str, item: Any | None) -> int:
        """Every cached page of `kind` that holds the object `item_id`: that object replaced
        by `item` (Close's answer to a change), or left out when `item` is None (it is gone).
        How many pages changed."""
        changed = 0
        with self._transaction():
            found = self._db.execute(
                "SELECT owner, skip, json FROM pages WHERE kind=? AND instr(json, ?) > 0",
                (kind, json.dumps(item_id)),
            ).fetchall()
            for owner, skip, text in found:
                old = json.loads(text)
                if not isinstance(old, list):
                    continue
                new = [
                    (item if isinstance(x, dict) and x.get("id") == item_id else x)
                    for x in old
                    if item is not None or not (isinstance(x, dict) and x.get("id") == item_id)
                ]
                if new != old:
                    self._db.execute(
                        "UPDATE pages SET json=? WHERE kind=? AND owner=? AND skip=?",
                        (json.dumps(new), kind, owner, skip),
                    )
                    changed += 1
        return changed

    @_guarded(None, write=True)
    def shift_count(self, sequence_id: str, was: str, now: str | None) -> None:
        """A run of the sequence went from `was` to `now` (None: removed): its cached counts
        by status say so, until the next fetch of the sequence brings Close's own."""
        with self._transaction():
            row = self._db.execute("SELECT json FROM details WHERE id=?", (sequence_id,)).fetchone()
            if row is None:
                return
            detail = json.loads(row[0])
            counts = (
                detail.get("subscription_counts_by_status") if isinstance(detail, dict) else None
            )
            if not isinstance(counts, dict):
                return
            if isinstance(counts.get(was), int) and counts[was] > 0:
                counts[was] -= 1
            if now is not None and isinstance(counts.get(now), int):
                counts[now] += 1
            self._db.execute(
                "UPDATE details SET json=? WHERE id=?", (json.dumps(detail), sequence_id)
            )


LAST_MOMENT = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second a datetime can show


def _a_moment(value: object) -> bool:
    """A time a kept version can carry: seconds since 1970, finite, shown as a date."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= LAST_MOMENT
    )


def accounts(cache_dir: Path) -> list[Path]:
    """The account databases in a cache folder."""
    if not cache_dir.is_dir():
        return []
    return sorted(p for p in cache_dir.glob(f"*{SUFFIX}") if p.is_file())


def inspect(path: Path) -> dict[str, Any]:
    """What a cache file holds, read-only: never repairs, never creates."""
    size = sum(
        Path(f"{path}{extra}").stat().st_size
        for extra in ("", "-wal", "-shm")
        if Path(f"{path}{extra}").exists()
    )
    info: dict[str, Any] = {"account": path.name[: -len(SUFFIX)], "path": path, "size": size}
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5.0)
        try:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            count, last = db.execute("SELECT count(*), max(fetched_at) FROM sequences").fetchone()
            lookups = dict(db.execute("SELECT kind, count(*) FROM lookups GROUP BY kind"))
        finally:
            db.close()
    except sqlite3.Error as exc:
        info["error"] = f"unreadable ({exc})"
        return info
    last_sync = meta.get("last_complete_sync")
    info.update(
        organization=meta.get("organization"),
        schema=meta.get("schema_version"),
        sequences=count,
        last_fetch=last,
        last_complete_sync=float(last_sync) if last_sync else None,
        lookups=lookups,
    )
    return info


def remove(path: Path) -> None:
    for extra in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{extra}").unlink()
