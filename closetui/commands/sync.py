"""`closetui sync`: everything into the cache before a flight. Resumable after an interruption:
each page is committed as it lands, and where the pass had got to is kept in the cache."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TextIO, TypeVar

from closetui.close.paging import pages_in_order
from closetui.commands.common import cut_short, open_session
from closetui.config.settings import Settings
from closetui.errors import ApiError, ConfigError, NotFound, SkipCeiling
from closetui.session import Session

STATE = "sync_state"
_T = TypeVar("_T")


class _Progress:
    """A rich progress bar on a terminal; plain lines when stderr is a pipe or a file."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}
        if err.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description:<22}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=err),
            )

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def phase(self, name: str, total: int | None = None) -> None:
        if self._bar is not None:
            self._tasks[name] = self._bar.add_task(name, total=total)
        else:
            self.err.write(f"closetui sync: {name}…\n")
            self.err.flush()

    def advance(self, name: str, amount: int = 1, total: int | None = None) -> None:
        if self._bar is not None:
            self._bar.update(self._tasks[name], advance=amount, total=total)

    def done(self, name: str) -> None:
        if self._bar is not None:
            task = self._tasks[name]
            completed = self._bar.tasks[task].completed
            self._bar.update(task, total=completed, completed=completed)


async def _each(items: Iterable[_T], work: Callable[[_T], Awaitable[None]], parallel: int) -> None:
    """`work(item)` for every item, at most `parallel` at once."""
    gate = asyncio.Semaphore(parallel)

    async def one(item: _T) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(one(item) for item in items))


class CacheFull(Exception):
    """What was fetched could not be stored: the sync stops, keeping what the cache had."""


def _check_stored(session: Session, lost_before: int) -> None:
    cache = session.cache
    if cache.path is None or cache.writes_lost > lost_before:
        raise CacheFull


async def _sequences(
    session: Session, progress: _Progress, parallel: int | None
) -> tuple[int, int, SkipCeiling | None]:
    """The sequence pass: how many are cached after it, how many it found removed upstream,
    and Close's answer if its `_skip` maximum cut the pass short. CacheFull as soon as a
    page could not be stored: where the pass had got to stays the last page stored, and
    nothing is pruned, so the next sync resumes there."""
    cache, source = session.cache, session.source
    lost_before = cache.writes_lost
    _check_stored(session, lost_before)
    state = json.loads(cache.meta(STATE) or "null")
    start = 0
    if isinstance(state, dict) and {"pass", "started", "next_skip"} <= state.keys():
        source.resume_pass(int(state["pass"]), float(state["started"]))
        start = int(state["next_skip"])
        progress.err.write(f"closetui sync: resuming an interrupted sync at item {start:,}\n")
    progress.phase("sequences")
    progress.advance("sequences", start)
    width = parallel or session.parallel
    known = source.known_total()
    pages = pages_in_order(
        source.fetch_answer,
        then=source.keep,
        start=start,
        known=known,
        width=width,
        per_window=source.per_window,
    )
    async for page in pages:
        _check_stored(session, lost_before)  # (leaving the loop closes the pages)
        current = source.current_pass
        assert current is not None
        cache.set_meta(
            STATE,
            json.dumps({"pass": current[0], "started": current[1], "next_skip": page.next_skip}),
        )
        _check_stored(session, lost_before)
        progress.advance("sequences", len(page.rows))
    progress.done("sequences")
    # A pass the ceiling cut is not complete: what lies past it was never seen, so nothing
    # cached is pruned. It is over all the same: resumed at the ceiling, it would list nothing.
    removed = source.finish_pass(cache.sequence_count()) if pages.ceiling is None else 0
    cache.set_meta(STATE, "null")
    return cache.sequence_count(), removed, pages.ceiling


async def _runs(session: Session, ids: list[str], progress: _Progress) -> int:
    """Every run of every sequence that has any, into the cache: who a person is, and which
    sequences they are in, can then be answered offline (`closetui who EMAIL --offline`).
    Each page is committed as it lands; a sequence that fails is reported, the rest go on."""
    counts = session.cache.counts(ids)
    wanted = [s for s in ids if any((n or 0) > 0 for n in (counts.get(s) or {"?": 1}).values())]
    progress.phase("runs", total=len(wanted))
    found = 0

    async def one(sequence_id: str) -> None:
        nonlocal found
        source = session.subscriptions(sequence_id)
        try:
            async for page in pages_in_order(source.fetch_page, width=1):
                found += len(page.rows)
        except NotFound:
            pass  # deleted since the sequence pass
        except ApiError as exc:
            session.lookups.failed("runs", exc)
        progress.advance("runs")

    await _each(wanted, one, session.parallel())
    progress.done("runs")
    return found


async def run(
    settings: Settings,
    *,
    subscriptions: bool = False,
    parallel: int | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    began = time.monotonic()
    async with open_session(settings, quiet=True) as session:
        if not session.online:
            raise ConfigError("`closetui sync` fetches from Close: it cannot run with --offline.")
        cache, lookups = session.cache, session.lookups
        sync_started = time.time()
        with _Progress(err) as progress:
            try:
                total, removed, cut = await _sequences(session, progress, parallel)
            except CacheFull:
                return _said_full(session, err)
            sequences_done = time.monotonic()
            lookups.parallel = parallel or session.parallel()

            progress.phase("users")
            await lookups.refresh_users()  # a failure is recorded in lookups.failures
            progress.advance("users", len(lookups.users), total=len(lookups.users))

            templates = cache.template_ids()
            progress.phase("templates", total=len(templates))

            async def template(kind: str, template_id: str) -> bool:
                try:
                    info = await lookups.template(kind, template_id)  # its gate bounds these
                except ApiError:
                    return False  # recorded in lookups.failures, reported below
                finally:
                    progress.advance("templates")
                return info.missing

            missing = sum(await asyncio.gather(*(template(k, t) for k, t in templates)))

            ids: list[str] = []
            runs = 0
            if subscriptions:
                ids = cache.sequence_ids()
                progress.phase("subscription counts", total=len(ids))

                async def counts(sequence_id: str) -> None:
                    stored = cache.detail(sequence_id)
                    if stored is None or stored.fetched_at < sync_started:
                        try:
                            await session.source.fetch_detail(sequence_id)
                        except NotFound:
                            pass  # deleted since the sequence pass: nothing to count
                        except ApiError as exc:
                            lookups.failed("subscription counts", exc)
                    progress.advance("subscription counts")

                await _each(ids, counts, session.parallel())
                runs = await _runs(session, ids, progress)
    seconds = time.monotonic() - began
    parts = [
        f"{total:,} sequences" + (f" ({removed:,} removed upstream)" if removed else ""),
        f"{len(lookups.users):,} users",
        f"{len(templates):,} templates" + (f" ({missing} not found)" if missing else ""),
    ]
    if subscriptions:
        parts.append(f"{len(ids):,} subscription counts, {runs:,} runs")
    waits = (
        f"; held {session.rate_waits} requests back for the rate limit"
        if session.rate_waits
        else ""
    )
    out.write(
        f"Synced {', '.join(parts)} in {seconds:.1f} s "
        f"(sequences {sequences_done - began:.1f} s){waits}.\n"
    )
    if cut is not None:
        outcome = "the sync stops there, and keeps every cached sequence past it"
        err.write(cut_short("sync", cut.skip, "sequences", cut, outcome))
    if cache.writes_lost:  # a later phase's writes were not kept either
        return _said_full(session, err)
    # What was fetched is saved; a phase that failed is still a failed sync for a script.
    for failure in lookups.failures.values():
        err.write(f"closetui sync: {failure.describe()}\n")
    return 1 if lookups.failures else 0


def _said_full(session: Session, err: TextIO) -> int:
    """One line for a sync whose fetches could not be stored, instead of the cache's own."""
    cache = session.cache
    reasons = cache.take_notices()  # said here, in one line, not again on the way out
    why = "the disk is full" if any("full" in r for r in reasons) else "it cannot be written"
    if cache.path is None:
        why = "no cache file could be made there"
    kept = cache.sequence_count()
    err.write(
        f"closetui sync: stopped: the cache in {session.settings.cache_dir} could not store "
        f"what was fetched ({why}); it keeps the {kept:,} sequences it holds. Make room and "
        "run closetui sync again to complete it.\n"
    )
    return 1
