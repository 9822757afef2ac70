"""The headless paged list, without Textual: which page next, what it holds, its filter and
its order, and what its state says (in the words the UI builds from it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from closetui.errors import NetworkError, ServerError, SkipCeiling
from closetui.lists.paged import ListEvent, PagedList
from closetui.lists.rows import Order, Row
from closetui.lists.source import SEQUENCE_ORDERS, FetchedPage
from closetui.tui.words import ListKeys, list_words


def _row(i: int, status: str = "active") -> Row:
    return Row(f"seq_{i}", f"name {i}", f"name {i}", status, i % 7, 0, None, 0.0)


@dataclass
class FakeSource:
    """A list of `size` rows, pages of 10; `fail` maps a skip to the error its fetch raises;
    `hold` maps a skip to an event its fetch waits for."""

    size: int = 25
    limit: int = 10
    cached: dict[int, list[Row]] = field(default_factory=dict)
    fail: dict[int, Exception] = field(default_factory=dict)
    hold: dict[int, asyncio.Event] = field(default_factory=dict)
    can_fetch: bool = True
    asked: list[int] = field(default_factory=list)
    status_of: dict[int, str] = field(default_factory=dict)

    def cached_page(self, skip: int) -> list[Row] | None:
        return self.cached.get(skip)

    async def fetch_page(self, skip: int) -> FetchedPage:
        self.asked.append(skip)
        if skip in self.hold:
            await self.hold[skip].wait()
        if skip in self.fail:
            raise self.fail[skip]
        rows = [
            _row(i, self.status_of.get(i, "active"))
            for i in range(skip, min(skip + self.limit, self.size))
        ]
        return FetchedPage(skip, rows, skip + self.limit < self.size, self.limit)

    def begin_pass(self) -> None:
        pass

    def finish_pass(self, total: int) -> int:
        return 0

    def known_total(self) -> int | None:
        return None

    def width(self) -> int:
        return 2

    def per_window(self) -> int | None:
        return None

    async def fetch_answer(self, skip: int) -> FetchedPage:
        return await self.fetch_page(skip)

    async def keep(self, answer: FetchedPage) -> FetchedPage:
        return answer


class Harness:
    """A list with its background work run on this loop, and every event it sent."""

    def __init__(self, source: FakeSource, **options: object) -> None:
        self.source = source
        self.events: list[ListEvent] = []
        self.tasks: list[asyncio.Future[None]] = []
        self.list: PagedList[Row] = PagedList(
            source,  # type: ignore[arg-type]  # duck-typed like a PagedSource
            orders=SEQUENCE_ORDERS,
            retry_delays=(0.01,),
            **options,  # type: ignore[arg-type]
        )
        self.list.start(self._spawn, self.events.append)

    def _spawn(self, work, group: str) -> None:
        self.tasks.append(asyncio.ensure_future(work))

    async def run(self, rounds: int = 10, *, more: bool = True) -> None:
        """Want more (or not), and let every page asked for land, `rounds` times."""
        for _ in range(rounds):
            self.list.want(more=more)
            while self.tasks:
                task = self.tasks.pop(0)
                if self.list.state.offline:
                    task.cancel()  # the reconnect loop: not these tests' business
                    continue
                await task

    def words(self, plural: str = "sequences", keys: ListKeys | None = None):
        return list_words(self.list.state, plural=plural, keys=keys or ListKeys(), now=0)


async def test_the_list_says_loading_then_loaded_then_all():
    h = Harness(FakeSource())
    assert h.list.state.loading and h.words().line == "loading…"
    await h.tasks.pop(0)
    words = h.words()
    assert (words.line, words.subtitle) == ("", "10 loaded · more")
    assert h.list.count == 10 and h.list.row(0).id == "seq_0"
    await h.run()
    words = h.words()
    assert (words.line, words.subtitle) == ("", "all 25")
    assert h.list.state.complete and [e.kind for e in h.events].count("complete") == 1
    assert h.list.ids() == [f"seq_{i}" for i in range(25)]
    assert h.source.asked == [0, 10, 20]  # each page once


async def test_a_failed_page_says_retry_with_the_key_the_keymap_binds():
    source = FakeSource(fail={10: ServerError("Close had a server error (500)", status=500)})
    h = Harness(source)
    await h.run()
    assert isinstance(h.list.state.failed, ServerError)
    assert (h.words().line, h.words().role) == ("failed: r to retry", "error")
    assert h.words(keys=ListKeys(refresh="F5")).line == "failed: F5 to retry"
    source.fail = {}
    assert h.list.refresh_or_retry() == "retry"
    await h.run()
    assert h.list.state.failed is None and h.list.loaded == 25


async def test_a_dead_network_goes_offline_and_keeps_what_is_loaded():
    h = Harness(FakeSource(fail={10: NetworkError("Could not connect.")}))
    await h.run()
    state = h.list.state
    assert state.offline and state.failed is None and h.list.loaded == 10
    assert h.words().line == "offline: no more cached rows · r to retry"
    assert h.words(keys=ListKeys(refresh="ctrl+r")).line.endswith("ctrl+r to retry")


async def test_refresh_revalidates_every_loaded_page_from_the_first():
    h = Harness(FakeSource())
    await h.run()
    h.source.asked.clear()
    assert h.list.refresh_or_retry() == "refresh"
    await h.run(more=False)  # the view is not at the end: nothing past the last page
    assert sorted(h.source.asked) == [0, 10, 20] and h.list.state.complete


async def test_close_s_skip_ceiling_is_the_end_not_a_failure():
    h = Harness(FakeSource(size=50, fail={20: SkipCeiling(20, 20)}))
    await h.run()
    state = h.list.state
    assert state.capped and state.end and state.failed is None and not state.complete
    assert h.list.loaded == 20
    assert h.words().line.startswith("Close lists only the first 20 sequences")
    assert h.words().subtitle == "first 20 · Close's limit"


async def test_offline_with_nothing_cached_says_so():
    h = Harness(FakeSource(can_fetch=False))
    assert h.words("runs").line == "Nothing is cached for this yet."
    empty = Harness(FakeSource(size=0))
    await empty.run()
    assert empty.words("runs").line == "No runs."


async def test_a_filter_covers_the_whole_list_and_counts_its_matches():
    h = Harness(FakeSource(size=25))
    await h.run(rounds=1)
    h.list.set_filter("name 1")
    assert h.list.wants_all  # a filter must cover every page
    assert h.words().subtitle == "1 of 10 match · loading more…"  # name 1 of the first page
    await h.run()
    while h.list.search():
        pass
    assert [h.list.row(i).id for i in range(h.list.count)] == [
        "seq_1",
        *(f"seq_{i}" for i in range(10, 20)),
    ]
    assert h.words().subtitle == "11 of 25 match"
    h.list.set_filter("")
    assert h.list.count == 25 and not h.list.wants_all


async def test_a_page_landing_mid_filter_adds_its_matches_in_place():
    gate = asyncio.Event()
    h = Harness(FakeSource(size=30, hold={10: gate}))
    await h.tasks.pop(0)  # page 0
    h.list.set_filter("name 2")  # name 2, and later name 20..29
    h.list.want(more=True)
    assert [h.list.row(i).id for i in range(h.list.count)] == ["seq_2"]
    gate.set()
    await h.run()
    while h.list.search():
        pass
    assert [h.list.row(i).id for i in range(h.list.count)] == [
        "seq_2",
        *(f"seq_{i}" for i in range(20, 30)),
    ]


async def test_status_terms_filter_by_status():
    h = Harness(FakeSource(size=10, status_of={3: "paused", 7: "paused"}))
    await h.run()
    h.list.set_filter("status:paused")
    assert [h.list.row(i).id for i in range(h.list.count)] == ["seq_3", "seq_7"]


async def test_a_sort_orders_the_view_and_keeps_the_list_order_for_ties():
    h = Harness(FakeSource(size=25))
    await h.run()
    h.list.sort("steps", descending=True)
    assert h.list.sort_state is not None and h.list.sort_state.name == "steps"
    shown = [h.list.row(i) for i in range(h.list.count)]
    assert [r.steps for r in shown] == sorted((i % 7 for i in range(25)), reverse=True)
    sixes = [r.id for r in shown if r.steps == 6]
    assert sixes == ["seq_6", "seq_13", "seq_20"]  # equal rows keep the API's order
    assert h.list.index_of("seq_13") == 1
    h.list.sort(None)
    assert h.list.row(0).id == "seq_0"


async def test_a_sort_prepared_in_the_background_applies_when_ready():
    h = Harness(FakeSource(size=25))
    await h.run()
    assert await h.list.sort_in_background("steps", True)
    assert h.list.row(0).steps == 6
    # Another order asked for meanwhile wins: the first one's result is not applied.
    first = h.list.sort_in_background("name", False)
    assert h.list.state.sorting
    h.list.sort(None)
    assert not await first
    assert h.list.sort_state is None


async def test_rows_changed_in_place_are_seen_by_filter_and_sort():
    h = Harness(FakeSource(size=25))
    await h.run()
    h.list.sort("steps", descending=True)
    row = h.list.get("seq_0")
    assert row is not None and h.list.index_of("seq_0") == 21  # the last of the four 0s
    row.steps = 99
    before = h.list.version
    h.list.update([row])
    assert h.list.version > before
    assert h.list.row(0).id == "seq_0"


async def test_orders_say_which_way_a_person_wants_them_first():
    assert SEQUENCE_ORDERS["steps"].largest_first and SEQUENCE_ORDERS["span"].largest_first
    assert not SEQUENCE_ORDERS["name"].largest_first
    assert isinstance(SEQUENCE_ORDERS["errors"], Order)
