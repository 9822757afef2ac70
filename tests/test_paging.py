"""How many list requests a walk makes: `closetui list` and `sync` against the demo server
over loopback, counted in the server's own request log.

A cold walk (nothing cached) asks at most one page past the end for a list of up to three
pages and at most two at any size; after a complete pass, a repeat costs exactly the pages
the list has (one more when it grew past a page boundary); the first `has_more: false` ends
the walk, and what the rate gate still holds back is never sent.
"""

from __future__ import annotations

import math

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _list(online, capsys, *extra: str) -> list[str]:
    assert main(["list", *online, *extra]) == 0
    return capsys.readouterr().out.splitlines()


def _asked(server) -> list[int]:
    """The `_skip` of every list request since the log was last reset."""
    return [int(r.query["_skip"]) for r in server.router.requests_to("sequence/")]


@pytest.mark.parametrize("pages", [1, 2, 3])
def test_a_cold_walk_of_up_to_three_pages_asks_at_most_one_past_the_end(
    online, server, capsys, pages
):
    size = pages * 100 - 40
    server.router.org.size = size
    assert len(_list(online, capsys)) == size
    asked = _asked(server)
    assert sorted(set(asked)) == sorted(asked)  # no page twice
    assert set(range(0, size, 100)) <= set(asked)
    assert len([s for s in asked if s >= size]) <= 1


def test_a_cold_walk_of_any_size_asks_at_most_two_past_the_end(online, server, capsys):
    # Pages of 10 make long lists cheap.
    for pages in (4, 5, 9, 17, 33, 64, 65, 100):
        server.router.org.size = size = pages * 10 - 3
        server.router.reset_log()
        lines = _list(online, capsys, "--page-size", "10")
        assert len(lines) == size
        asked = _asked(server)
        past = [s for s in asked if s >= size]
        assert len(past) <= 2, (pages, sorted(asked))
        assert len(asked) == len(set(asked))
        # Each size on its own cold cache: forget the pass this one completed.
        main(["cache", "clear", "--yes", *online])
        capsys.readouterr()


def test_after_a_complete_pass_a_repeat_costs_exactly_its_pages(online, server, capsys):
    server.router.org.size = 1_000
    _list(online, capsys)
    server.router.reset_log()
    assert len(_list(online, capsys)) == 1_000
    assert sorted(_asked(server)) == list(range(0, 1_000, 100))

    server.router.reset_log()
    assert main(["sync", *online]) == 0
    capsys.readouterr()
    assert sorted(_asked(server)) == list(range(0, 1_000, 100))


@pytest.mark.parametrize(
    ("before", "after", "requests"),
    [
        (1_000, 1_100, 11),  # grown by one page: the page after the planned ones, no probe
        (1_000, 1_050, 11),  # grown past a page boundary
        (950, 990, 10),  # grown within its last page: nothing more
        (1_000, 900, 10),  # shrunk by a page: the planned page past the end is the one extra
        (1_000, 950, 10),  # shrunk within a page
    ],
)
def test_a_walk_after_a_pass_when_the_list_changed(online, server, capsys, before, after, requests):
    server.router.org.size = before
    _list(online, capsys)
    server.router.org.size = after
    server.router.reset_log()
    assert len(_list(online, capsys)) == after
    asked = _asked(server)
    # Exactly the pages it has now, plus, when it shrank, a planned page past the new end
    # unless the end's answer came back before that page had gone out.
    assert math.ceil(after / 100) <= len(asked) <= requests
    assert len(asked) == len(set(asked))


def test_the_walk_ends_at_the_first_has_more_false_without_waiting_for_what_is_in_flight(
    online, server, capsys
):
    server.router.org.size = 1_000
    _list(online, capsys)  # the cache now expects ten pages
    server.router.org.size = 250
    # A page past the new end hangs, however often it is asked for: a walk that waited for
    # it would fail once its retries ran out.
    hang = server.faults.add("hang", path="sequence/", query={"_skip": "600"}, times=None)
    hang.seconds = 120
    server.router.reset_log()
    assert len(_list(online, capsys)) == 250
    assert hang.hits == 1  # it was asked for, once, and never answered


def test_what_the_rate_gate_holds_back_is_never_sent_once_the_end_is_known(online, server, capsys):
    server.router.org.size = 1_000
    _list(online, capsys)
    server.router.org.size = 250
    # Four requests in a long window: the first page and three of the nine planned ones go,
    # the other six wait at the gate, and the end (page 2) cancels them there.
    server.faults.rate_limit = 4
    server.faults.rate_window = 60.0
    server.router.reset_log()
    assert len(_list(online, capsys)) == 250
    assert len(_asked(server)) == 4
    assert 429 not in server.router.statuses


def test_a_server_that_repeats_its_first_page_for_ever_stops_the_walk(online, server, capsys):
    server.faults.add("same_page", path="sequence/", times=None, after=1)
    assert main(["list", *online]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 100  # the first page, once
    assert "brought nothing new" in err and "stopped" in err
    # The first page, three that brought nothing, and what was in flight beside them.
    assert len(_asked(server)) <= 10
    server.router.reset_log()
    assert main(["sync", *online]) == 1
    assert "brought nothing new" in capsys.readouterr().err
    assert len(_asked(server)) <= 10


def test_the_ids_a_walk_has_seen_fit_in_a_few_megabytes_and_a_repeat_is_always_caught():
    from closetui.close.paging import SeenIds

    seen = SeenIds()
    ids = [f"sub_{n:022d}" for n in range(600_000)]  # past one filter's share
    new = sum(seen.add(i) for i in ids)
    assert new > len(ids) * 0.99  # a new id is rarely taken for a seen one
    assert not any(seen.add(i) for i in ids[::997])  # a repeat never passes for new
    assert sum(len(f) for f in seen._filters) <= 2 * 2**20


async def test_a_reader_slower_than_the_network_has_its_next_pages_asked_ahead_within_a_bound():
    """A million runs into the app's list: the reader takes each page slower than the
    network answers. The walk holds a bounded number of pages, and those it asks for are
    the reader's next ones, not only pages far ahead while the reader's own page goes out
    alone when it gets there."""
    import asyncio
    from dataclasses import dataclass

    from closetui.close.paging import MAX_PARALLEL, pages_in_order

    @dataclass
    class Item:
        id: str

    @dataclass
    class FakePage:
        skip: int
        items: list[Item]
        has_more: bool
        limit: int = 10

        @property
        def next_skip(self) -> int:
            return self.skip + self.limit

        def __len__(self) -> int:
            return len(self.items)

    pages, asked, taken = 400, [], [0]
    held_most = 0

    async def fetch(skip: int) -> FakePage:
        nonlocal held_most
        asked.append(skip)
        held_most = max(held_most, len(asked) - taken[0])
        await asyncio.sleep(0)  # the network answers at the next turn of the loop
        index = skip // 10
        return FakePage(skip, [Item(f"i{index}.{n}") for n in range(10)], index < pages - 1)

    alone = 0  # pages not asked for before the reader came to want them
    walk = pages_in_order(fetch)
    async for page in walk:
        taken[0] += 1
        following = page.skip + 10
        if page.has_more and following not in asked:
            alone += 1
        for _ in range(20):  # reading the page takes twenty turns of the loop
            await asyncio.sleep(0)
    assert taken[0] == pages
    assert sorted(asked) == list(range(0, pages * 10, 10))  # every page, once, none past
    assert held_most <= 4 * MAX_PARALLEL + 2  # held or in flight: bounded, not the list
    assert alone <= 2, alone
