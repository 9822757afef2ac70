"""The one place that decides cache or network for the sequence list and its details.

Pages come from the cache at once (stale) and from the network (fresh, and then written to
the cache in one transaction). The feed (`feed.py`) decides *when*; this decides *where from*.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from closetui.close.models import Page, Sequence, SequenceListing
from closetui.close.paging import MAX_PARALLEL, ListAnswer, read_page
from closetui.close.ratelimit import RateLimitInfo
from closetui.errors import CloseTuiError, ProtocolError
from closetui.lists.rows import Order, Row
from closetui.logs import log
from closetui.present.cadence import span_of_delays, span_seconds
from closetui.store.cache import Cache, CachedRow, SequenceSummary, Stored
from closetui.textsafe import inert

if TYPE_CHECKING:
    from closetui.close.client import CloseClient


_RunCounts = dict[str, dict[str, int | None]]  # a page's runs by status, by sequence id
UNSAVED_MAX = 20_000  # sequences kept in memory when the cache cannot take them


class EarlyPage(concurrent.futures.Future[Page[SequenceListing]]):
    """Page 0, asked for by another client while the program starts (`prefetch`), with the
    rate limit its answer reported: the walk's own gate counts that request from it.

    When it went and when its answer came (`time.monotonic`, the gate's clock), where known:
    a window's end is placed from the moment a request was sent, and the walk may take the
    page long after it came, which would place the end that much too late."""

    rate: RateLimitInfo | None = None
    sent_at: float | None = None
    answered_at: float | None = None


def _runs(status: str) -> Order:
    def key(row: Row) -> int:
        count = row.counts.get(status) if row.counts else None
        return -1 if count is None else count  # unknown below zero: known ones first

    return Order(key, largest_first=True)


# The ways the sequence list can be sorted, by the names the app's columns and `list --sort`
# know them by.
SEQUENCE_ORDERS: dict[str, Order] = {
    "name": Order(lambda r: r.key),
    "status": Order(lambda r: r.status.casefold()),
    "errors": _runs("error"),
    "active": _runs("active"),
    "paused": _runs("paused"),
    "steps": Order(lambda r: r.steps, largest_first=True),
    "span": Order(lambda r: -2 if r.span is None else r.span, largest_first=True),
    "updated": Order(lambda r: r.updated or "", largest_first=True),
}


@dataclass(frozen=True, slots=True)
class SequenceView:
    """A sequence as last fetched, and its subscription counts if a detail fetch got them."""

    sequence: Sequence
    fetched_at: float
    counts: dict[str, int | None] | None = None


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A page of a list as rows: what a source gives its feed (the client's `Page`, made
    into the list's rows, with the page itself kept for output that wants it unchanged)."""

    skip: int
    rows: list[Any]  # Row, or another row type with `id`, `key` and `fetched_at`
    has_more: bool
    limit: int
    problems: tuple[str, ...] = ()
    page: Page[Any] | None = None  # what the API sent, for output that wants it unchanged
    texts: tuple[str, ...] = ()  # each of `page.raw` as JSON text, when it was encoded
    # Asked for in a pass a refresh has since replaced: shown, but neither written nor
    # evidence for the current pass, so the list holds it as stale and asks for it again.
    earlier_pass: bool = False

    @property
    def next_skip(self) -> int:
        return self.skip + self.limit

    @property
    def items(self) -> list[Any]:
        """The rows, by the name the client's `Page` gives its items: a walk reads either."""
        return self.rows

    def __len__(self) -> int:
        return len(self.rows)


def _parsed(stored: Stored | None) -> Sequence | None:
    """A stored sequence, or None when there is none or it can no longer be read."""
    if stored is None:
        return None
    try:
        return Sequence.from_api(stored.data)
    except ProtocolError:
        return None


def summarize(sequence: Sequence | SequenceListing) -> SequenceSummary:
    updated = sequence.date_updated.strftime("%Y-%m-%d") if sequence.date_updated else None
    if isinstance(sequence, SequenceListing):
        steps, span = sequence.steps, span_of_delays(sequence.delays)
    else:
        steps, span = len(sequence.steps), span_seconds(sequence.steps)
    return SequenceSummary(sequence.id, sequence.name, sequence.status, steps, span, updated)


def row_from_summary(
    summary: SequenceSummary | CachedRow,
    fetched_at: float,
    counts: dict[str, int | None] | None = None,
) -> Row:
    name = inert(summary.name)
    return Row(
        id=summary.id,
        name=name,
        key=name.casefold(),
        status=inert(summary.status),
        steps=summary.steps,
        span=summary.span,
        updated=summary.updated,
        fetched_at=fetched_at,
        counts=counts,
    )


def mark_changed(rows: list[Row], changed: frozenset[str]) -> list[Row]:
    """Mark the rows whose sequence changed since it was last looked at."""
    for row in rows:
        row.changed = row.id in changed
    return rows


class PagedSource:
    """What a feed pages through: a client (None while offline, or until the network is
    started), the cache, and the page size the server last accepted."""

    def __init__(
        self,
        client: CloseClient | None,
        cache: Cache,
        *,
        page_size: int = 100,
        offline: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.cache = cache
        self.limit = page_size
        self.forced_offline = offline
        self.clock = clock

    @property
    def can_fetch(self) -> bool:
        return not self.forced_offline

    def cached_page(self, skip: int) -> list[Any] | None:
        """The cache's page at `skip`, as rows (None: the cache has nothing there)."""
        raise NotImplementedError

    async def fetch_page(self, skip: int) -> FetchedPage:
        """The page at `skip` from the network, written to the cache."""
        raise NotImplementedError

    async def fetch_answer(self, skip: int) -> Any:
        """The network half of `fetch_page`: something with `has_more`, `limit` and a
        length, that `keep` makes into the page (a walk sends its next requests between)."""
        return await self.fetch_page(skip)

    async def keep(self, answer: Any) -> FetchedPage:
        """The rest of `fetch_page`, for what `fetch_answer` gave."""
        page: FetchedPage = answer
        return page

    def begin_pass(self) -> None:
        pass

    def finish_pass(self, total: int) -> int:
        return 0

    def known_total(self) -> int | None:
        """How many items the last complete pass counted, if that is known."""
        return None

    def width(self) -> int:
        """How many requests a walk may have in flight: what the rate limit allows."""
        return self.client.gate.width(MAX_PARALLEL) if self.client is not None else 1

    def per_window(self) -> int | None:
        """How many requests the rate limit's window takes, once an answer has said."""
        return self.client.gate.limit if self.client is not None else None


@dataclass(frozen=True, slots=True)
class _Answered:
    """A sequence page as it came, and the pass it was asked for in."""

    answer: ListAnswer | Page[SequenceListing]
    asked_in: tuple[int, float]

    @property
    def has_more(self) -> bool:
        return self.answer.has_more

    @property
    def limit(self) -> int:
        return self.answer.limit

    @property
    def next_skip(self) -> int:
        return self.answer.skip + self.answer.limit

    def __len__(self) -> int:
        return len(self.answer)


# `json.dumps(item)`'s text, from an encoder made once that does not look for cycles: a
# parsed answer cannot hold one, and the check costs a dictionary entry per object and list.
_ITEM_TEXT = json.JSONEncoder(check_circular=False).encode


def _read_sequences(
    answer: ListAnswer | Page[SequenceListing],
) -> tuple[Page[SequenceListing], list[SequenceSummary], tuple[str, ...]]:
    """A page's items read, summarized for the list and encoded for the cache: the CPU of a
    page, done on a thread so the event loop meanwhile sends and receives."""
    page = read_page(answer, SequenceListing.from_api) if isinstance(answer, ListAnswer) else answer
    return page, [summarize(s) for s in page.items], tuple(_ITEM_TEXT(raw) for raw in page.raw)


class SequenceSource(PagedSource):
    def __init__(self, client: CloseClient | None, cache: Cache, **options: Any) -> None:
        super().__init__(client, cache, **options)
        self._pass: tuple[int, float] | None = None
        self._written: set[str] = set()  # ids the current pass has stored
        self.prefetched: concurrent.futures.Future[Page[SequenceListing]] | None = None
        self._unsaved: dict[str, Stored] = {}

    # -- the list ---------------------------------------------------------------------------

    def cached_page(self, skip: int) -> list[Row] | None:
        found = self.cache.sequence_rows(skip, skip + self.limit)
        if not found:
            return None
        counts = self.cache.counts([r.id for r in found])
        rows = [row_from_summary(r, r.fetched_at, counts.get(r.id)) for r in found]
        return mark_changed(rows, self.cache.changed_ids())

    async def _list(self, skip: int) -> ListAnswer | Page[SequenceListing]:
        prefetched, self.prefetched = self.prefetched, None
        if skip == 0 and prefetched is not None:
            try:
                # Bounded as a request is: a thread stuck where no timeout reaches (a name
                # lookup that never returns) must not hold page 0 for ever.
                bound = self.client.deadline if self.client is not None else None
                early = await asyncio.wait_for(asyncio.wrap_future(prefetched), bound)
                if isinstance(prefetched, EarlyPage) and self.client is not None:
                    self.client.gate.observe(
                        prefetched.rate, prefetched.sent_at, answered_at=prefetched.answered_at
                    )
                return early
            except CloseTuiError:
                raise  # a refused key or a dead network: the same answer a request would get
            except Exception:
                log.warning("the early first-page request failed; asking again", exc_info=True)
        assert self.client is not None
        return await self.client.answer("sequence/", skip, self.limit)

    async def fetch_page(self, skip: int) -> FetchedPage:
        return await self.keep(await self.fetch_answer(skip))

    async def fetch_answer(self, skip: int) -> _Answered:
        # The pass is the one this page was asked for in, not the one current when it lands:
        # a page asked for before a refresh began a new pass must not count for that pass.
        if self._pass is None:
            self.begin_pass()
        asked_in = self._pass
        assert asked_in is not None
        answer = await self._list(skip)
        self.limit = answer.limit  # the server may have asked for a smaller page
        return _Answered(answer, asked_in)

    async def keep(self, answer: Any) -> FetchedPage:
        assert isinstance(answer, _Answered)
        asked_in, skip = answer.asked_in, answer.answer.skip
        now = self.clock()
        # The page read, with its runs by status if known, on a thread: another page's write
        # may hold the cache, and the loop meanwhile sends the next requests.
        page, summaries, texts, counts = await asyncio.to_thread(self._read_page, answer.answer)
        rows = [row_from_summary(s, now, counts.get(s.id)) for s in summaries]
        if asked_in != self._pass:
            # The current pass asks for it again: what that one writes is kept, not this.
            return FetchedPage(
                skip, rows, page.has_more, page.limit, page.problems, page, earlier_pass=True
            )
        # An item this pass has already stored keeps its first position: a repeat (shifted
        # offsets, or a server sending the same page again) must not move it further down.
        # Each item as JSON text once (`texts`): the cache stores it, and JSON output prints it.
        new = [
            (raw, text, summary)
            for raw, text, summary in zip(page.raw, texts, summaries, strict=True)
            if summary.id not in self._written
        ]
        self._written.update(summary.id for _, _, summary in new)
        saved, changed = await asyncio.to_thread(self._write_page, skip, new, asked_in[0], now)
        if not saved:
            # Not kept (a full disk, a read-only cache): shown all the same, details included.
            for raw, _, _ in new:
                self._unsaved[raw["id"]] = Stored(raw, now)
            while len(self._unsaved) > UNSAVED_MAX:
                del self._unsaved[next(iter(self._unsaved))]
        mark_changed(rows, changed)
        return FetchedPage(skip, rows, page.has_more, page.limit, page.problems, page, texts)

    def _read_page(
        self, answer: ListAnswer | Page[SequenceListing]
    ) -> tuple[Page[SequenceListing], list[SequenceSummary], tuple[str, ...], _RunCounts]:
        """`_read_sequences`, and the runs by status the cache knows for the page."""
        page, summaries, texts = _read_sequences(answer)
        return page, summaries, texts, self.cache.counts([s.id for s in summaries])

    def _write_page(
        self, skip: int, new: list[tuple[Any, str, SequenceSummary]], pass_id: int, now: float
    ) -> tuple[bool, frozenset[str]]:
        """The page's new items into the cache in one transaction, their versions noted
        first (the cached versions are what a change replaced); whether it was kept, and
        the sequences changed since last looked at."""
        saved = self.cache.put_sequence_page(
            skip,
            [text for _, text, _ in new],
            [summary for _, _, summary in new],
            pass_id,
            now,
            fetched=[raw for raw, _, _ in new],
        )
        return saved, self.cache.changed_ids()

    def begin_pass(self) -> None:
        """A new list pass (the first, or after a refresh): it may prune the cache only if
        every page of it is asked for after this, and lands before another pass begins."""
        self._pass = self.cache.new_pass() or (0, self.clock())
        self._written.clear()

    def resume_pass(self, number: int, started: float) -> None:
        """Continue a pass an interrupted `closetui sync` began, so it can still prove
        what was deleted upstream."""
        self._pass = (number, started)
        self._written.clear()

    def known_total(self) -> int | None:
        """How many sequences the last complete pass counted, if one ever finished: the
        walks use it to ask for that many pages at once."""
        text = self.cache.meta("complete_total")
        try:
            return int(text) if text is not None else None
        except ValueError:
            return None

    @property
    def current_pass(self) -> tuple[int, float] | None:
        return self._pass

    def finish_pass(self, total: int) -> int:
        """Every page from 0 to the end is fresh: rows the pass did not see are gone."""
        if self._pass is None:
            return 0
        number, started = self._pass
        return self.cache.finish_pass(number, started, total)

    # -- one sequence ----------------------------------------------------------------------

    def sequence(self, sequence_id: str) -> SequenceView | None:
        """The sequence as last fetched (from the list or the detail, whichever is newer),
        with the subscription counts only the detail fetch carries."""
        listed = self.cache.sequence(sequence_id) or self._unsaved.get(sequence_id)
        detail = self.cache.detail(sequence_id)
        in_detail = _parsed(detail)
        counts = in_detail.subscription_counts if in_detail is not None else None
        if (
            detail is not None
            and in_detail is not None
            and (listed is None or detail.fetched_at >= listed.fetched_at)
        ):
            return SequenceView(in_detail, detail.fetched_at, counts)
        in_list = _parsed(listed)
        if listed is None or in_list is None:
            return None
        return SequenceView(in_list, listed.fetched_at, counts)

    async def fetch_detail(self, sequence_id: str) -> SequenceView:
        """`GET /sequence/{id}/`: the one call that carries the subscription counts."""
        assert self.client is not None
        sequence, raw = await self.client.get_sequence(sequence_id)
        now = self.clock()
        await asyncio.to_thread(self.cache.note_versions, [raw], now)
        await asyncio.to_thread(self.cache.put_detail, sequence_id, raw, now)
        return SequenceView(sequence, now, sequence.subscription_counts)
