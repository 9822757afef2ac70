"""`closetui list`: every sequence, streamed page by page as it arrives."""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TextIO

from closetui.close.models import Page, SequenceListing
from closetui.close.paging import Seen, pages_in_order
from closetui.commands.common import cut_short, open_session, say_offline_age, statuses
from closetui.commands.output import (
    SEQUENCE_COLUMNS,
    SEQUENCE_DEFAULT,
    ListWriter,
    choose_columns,
)
from closetui.config.settings import Settings
from closetui.errors import ConfigError, OfflineEmpty, SkipCeiling
from closetui.lists.query import SEQUENCE_STATUSES
from closetui.lists.rows import Row


def choose_format(requested: str | None, out: TextIO) -> str:
    if requested:
        return requested
    return "table" if out.isatty() else "tsv"


def _count(status: str) -> Callable[[Row], int]:
    return lambda r: -1 if not r.counts or r.counts.get(status) is None else r.counts[status] or 0


# Named as the app's columns; each also names the column it prints.
SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "id": lambda r: r.id,
    "name": lambda r: r.key,
    "status": lambda r: r.status.casefold(),
    "err": _count("error"),
    "act": _count("active"),
    "pau": _count("paused"),
    "steps": lambda r: r.steps,
    "span": lambda r: -2 if r.span is None else r.span,
    "updated": lambda r: r.updated or "",
}
SORT_ALIASES = {"errors": "err", "active": "act", "paused": "pau"}  # the words of before


def parse_sort(
    spec: str | None, keys: Mapping[str, Callable[[Any], Any]], aliases: Mapping[str, str]
) -> tuple[str, Callable[[Any], Any], bool] | None:
    """`COLUMN` or `COLUMN:desc` (or `:asc`): the column's name, its key and the direction."""
    if not spec:
        return None
    column, _, direction = spec.partition(":")
    name = column.strip().casefold()
    name = aliases.get(name, name)
    key = keys.get(name)
    if key is None or direction.casefold() not in ("", "asc", "desc"):
        raise ConfigError(
            f"--sort takes COLUMN[:desc] with COLUMN one of {', '.join(keys)}, not {spec!r}."
        )
    return name, key, direction.casefold() == "desc"


def refuse_columns(fmt: str, columns: str | None) -> None:
    if columns is not None and fmt in ("json", "jsonl"):
        raise ConfigError(
            "--columns chooses the columns of a table, TSV or CSV; JSON is the API's objects."
        )


@contextlib.contextmanager
def _collecting_per_page() -> Iterator[Callable[[], None]]:
    """The cyclic collector, run once a page (the callable) rather than every 700 new
    objects: a page is some 3,000 of them (its JSON, its rows), garbage once written and
    holding no cycles, and each run of the collector also walks whatever lived long enough
    meanwhile. Once a page, it finds the page's few cycles (a request's futures) young."""

    def collect() -> None:
        gc.collect(1)

    was = gc.isenabled()
    gc.disable()
    try:
        yield collect
    finally:
        if was:
            gc.enable()


def _wanted(row: Row, status: frozenset[str], text: str | None) -> bool:
    if status and row.status.casefold() not in status:
        return False
    return not text or text.casefold() in row.key


async def run(
    settings: Settings,
    *,
    fmt: str | None = None,
    status: str | None = None,
    text: str | None = None,
    sort: str | None = None,
    columns: str | None = None,
    header: bool = False,
    parallel: int | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    first_page: concurrent.futures.Future[Page[SequenceListing]] | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    wanted_status = statuses(status, SEQUENCE_STATUSES, "sequence")
    order = parse_sort(sort, SORT_KEYS, SORT_ALIASES)
    fmt = choose_format(fmt, out)
    refuse_columns(fmt, columns)
    chosen, by_hand = choose_columns(
        SEQUENCE_COLUMNS, SEQUENCE_DEFAULT, columns, order[0] if order else None
    )
    keep = (order[0],) if order else ()
    plain = ListWriter(fmt, out, chosen, chosen=by_hand, header=header, keep=keep)
    # With a sort, every row first: a sort needs them all.
    writer: ListWriter | SortedWriter = plain if order is None else SortedWriter(plain, *order[1:])
    seen = Seen()
    cut: SkipCeiling | None = None  # Close's `_skip` maximum ended the list
    with _collecting_per_page() as collect:
        async with open_session(settings) as session:
            source = session.source
            source.prefetched = first_page  # page 0, if it was asked for while starting
            writer.start()
            if not session.online:
                oldest: float | None = None
                for skip in range(0, session.cache.last_position() + 1, source.limit):
                    for row in seen.new(source.cached_page(skip) or []):
                        oldest = row.fetched_at if oldest is None else min(oldest, row.fetched_at)
                        if _wanted(row, wanted_status, text):
                            stored = session.cache.sequence(row.id) if writer.needs_raw else None
                            writer.write(row, stored.data if stored else {"id": row.id})
                    writer.flush()
                    collect()
                if not seen.ids:
                    raise OfflineEmpty(
                        "Offline, and nothing is cached for this account: run `closetui sync` "
                        "(or the app) online first."
                    )
                say_offline_age(session, oldest, err)
            else:
                width = parallel or session.parallel
                known = source.known_total()  # what the last complete pass counted, if any
                pages = pages_in_order(
                    source.fetch_answer,
                    then=source.keep,
                    known=known,
                    width=width,
                    per_window=source.per_window,
                )
                async for page in pages:
                    assert page.page is not None
                    raw_by_id = {r["id"]: r for r in page.page.raw}
                    text_by_id = {
                        r["id"]: t for r, t in zip(page.page.raw, page.texts, strict=False)
                    }
                    for row in seen.new(page.rows):
                        if _wanted(row, wanted_status, text):
                            writer.write(row, raw_by_id[row.id], text_by_id.get(row.id))
                    writer.flush()
                    collect()
                cut = pages.ceiling
                if cut is None:
                    source.finish_pass(len(seen.ids))  # a complete pass: drop what is gone upstream
                # (A cut pass is not complete: what lies past the ceiling was never seen.)
            writer.finish()
    if cut is not None:
        err.write(cut_short("list", len(seen.ids), "sequences", cut))
    return 0


class SortedWriter:
    """A writer that holds the rows until the end, then writes them in order."""

    def __init__(self, writer: ListWriter, key: Callable[[Any], Any], descending: bool) -> None:
        self.writer = writer
        self.key = key
        self.descending = descending
        self.held: list[tuple[Any, Mapping[str, Any]]] = []  # a list's rows, of either list
        self.needs_raw = writer.needs_raw

    def start(self) -> None:
        self.writer.start()

    def write(self, row: Any, raw: Mapping[str, Any], text: str | None = None) -> None:
        self.held.append((row, raw))

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        self.held.sort(key=lambda pair: self.key(pair[0]), reverse=self.descending)
        for row, raw in self.held:
            self.writer.write(row, raw)
        self.writer.finish()
