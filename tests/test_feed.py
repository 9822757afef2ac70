"""The feed's own decisions, without Textual: which page next, and what the list says."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from closetui.errors import NetworkError, ServerError
from closetui.lists.feed import Feed, FeedEvent
from closetui.lists.rows import Row


def _row(i: int, status: str = "active") -> Row:
    return Row(f"seq_{i}", f"name {i}", f"name {i}", status, 1, 0, None, 0.0)


@dataclass
class FakePage:
    skip: int
    rows: list[Row]
    has_more: bool
    limit: int = 10
    problems: tuple[str, ...] = ()

    @property
    def next_skip(self) -> int:
        return self.skip + self.limit

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class FakeSource:
    """A list of `size` rows, pages of 10; `fail` maps a skip to the error its fetch raises."""

    size: int = 25
    limit: int = 10
    cached: dict[int, list[Row]] = field(default_factory=dict)
    fail: dict[int, Exception] = field(default_factory=dict)
    can_fetch: bool = True
    asked: list[int] = field(default_factory=list)

    def cached_page(self, skip: int) -> list[Row] | None:
        return self.cached.get(skip)

    async def fetch_page(self, skip: int) -> FakePage:
        self.asked.append(skip)
        if skip in self.fail:
            raise self.fail[skip]
        rows = [_row(i) for i in range(skip, min(skip + self.limit, self.size))]
        return FakePage(skip, rows, skip + self.limit < self.size, self.limit)

    def begin_pass(self) -> None:
        pass

    def finish_pass(self, total: int) -> int:
        return 0

    def known_total(self) -> int | None:
        return None

    def width(self) -> int:
        return 2


def _feed(source: FakeSource, **options: object) -> tuple[Feed, list[FeedEvent], list]:
    events: list[FeedEvent] = []
    tasks: list = []
    feed = Feed(
        source,
        spawn=lambda work, group: tasks.append(asyncio.ensure_future(work)),
        on_event=events.append,
        retry_delays=(0.01,),
        **options,
    )
    return feed, events, tasks


async def _run(feed: Feed, tasks: list, rounds: int = 10) -> None:
    for _ in range(rounds):
        feed.pump(want_more=True)
        while tasks:
            await tasks.pop(0)


async def test_the_list_says_loading_then_loaded_then_all():
    feed, events, tasks = _feed(FakeSource())
    feed.pump(want_more=True)
    assert feed.status("sequences", 0).line == "loading…"
    await tasks.pop(0)
    status = feed.status("sequences", 0)
    assert (status.line, status.subtitle) == ("", "10 loaded · more")
    await _run(feed, tasks)
    status = feed.status("sequences", 0)
    assert (status.line, status.subtitle) == ("", "all 25")
    assert feed.complete and [e.kind for e in events].count("complete") == 1


async def test_a_failed_page_says_retry_and_a_dead_network_goes_offline():
    source = FakeSource(fail={10: ServerError("Close had a server error (500)", status=500)})
    feed, _events, tasks = _feed(source)
    await _run(feed, tasks)
    assert feed.status("sequences", 0).line == "failed: r to retry"
    assert feed.status("sequences", 0).role == "error"
    source.fail = {10: NetworkError("Could not connect.")}
    feed.retry()
    while tasks:
        task = tasks.pop(0)
        if feed.offline:
            task.cancel()  # the reconnect loop: not this test's business
            continue
        await task
    assert feed.offline
    assert feed.status("sequences", 0).line == "offline: no more cached rows · r to retry"


async def test_the_filter_counts_matches_of_what_is_loaded():
    feed, _, tasks = _feed(FakeSource())
    await _run(feed, tasks, rounds=1)
    feed.rows.set_filter("name 1")
    assert feed.status("sequences", 0).subtitle == "1 of 10 match · loading more…"


async def test_nothing_at_all_says_so():
    feed, _, tasks = _feed(FakeSource(size=0))
    await _run(feed, tasks)
    assert feed.status("runs", 0).line == "No runs."
    offline, _, _ = _feed(FakeSource(can_fetch=False))
    offline.pump(want_more=True)
    assert offline.status("runs", 0).line == "Nothing is cached for this yet."
