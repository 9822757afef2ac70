"""Close's `_skip` ceiling: past the most a resource allows, Close answers 400 "The skip you set
is larger than the maximum skip for this resource (max_skip = N)". That is the end of what can
be listed, not a failure: the walks end there, `list` and `subscriptions` exit 0 with one line
on stderr, `sync` says so and prunes nothing, and the app says it in a permanent end line.

Everything runs against the demo server's `max_skip` over loopback: pages at a `_skip` up to
`max_skip` are answered, any further one is refused.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from closetui.cli import main
from closetui.close.paging import pages_in_order
from closetui.demo.data import DEMO_API_KEY, SEED_ID
from closetui.errors import SkipCeiling
from tests.support.app import screen_text, settle, wait_until

MAX_SKIP = 400


@pytest.fixture
def capped(server):
    """1,000 sequences, and Close's ceiling at a `_skip` of 400."""
    server.router.org.size = 1_000
    server.router.max_skip = MAX_SKIP
    return server


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _ids(server, count: int) -> list[str]:
    org = server.router.org
    return [org.sequence_at(i)["id"] for i in range(count)]


def _list_skips(server, path: str = "sequence/") -> list[int]:
    return [int(r.query["_skip"]) for r in server.router.requests_to(path)]


# -- the client --------------------------------------------------------------------------------


async def test_the_ceiling_is_its_own_error_and_is_not_retried(make_client, capped):
    client = make_client()
    with pytest.raises(SkipCeiling) as raised:
        await client.list_sequences(500, 100)
    assert (raised.value.skip, raised.value.max_skip) == (500, MAX_SKIP)
    assert raised.value.status == 400
    assert _list_skips(capped) == [500]  # asked once


@pytest.mark.parametrize(
    ("text", "max_skip"),
    [
        ("The skip you set is larger than the maximum skip for this resource "
         "(max_skip = 250000). Please refine your search query.", 250_000),
        ("Maximum  skip exceeded", None),  # other words, no figure
        ("max_skip=12", 12),
        ("max_skip = 99999999999999999999999999", None),  # no believable number
        ("max_skip = \x1b[31m7\x1b[0m", None),  # escape codes around it: no number read
    ],
)  # fmt: skip
async def test_the_ceiling_is_read_tolerantly(make_client, server, text, max_skip):
    server.faults.add("status", path="sequence/", status=400, text=text)
    with pytest.raises(SkipCeiling) as raised:
        await make_client().list_sequences(300, 100)
    assert (raised.value.skip, raised.value.max_skip) == (300, max_skip)
    assert "\x1b" not in raised.value.message


async def test_another_400_is_still_a_failure(make_client, server):
    server.faults.add("status", path="sequence/", status=400, text="Bad query: skip me")
    with pytest.raises(Exception) as raised:
        await make_client().list_sequences(0, 100)
    assert not isinstance(raised.value, SkipCeiling)


# -- the walk ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 2, 4, 16])
@pytest.mark.parametrize(("limit", "known"), [(100, None), (10, None), (100, 300), (10, 250)])
async def test_a_walk_ends_at_the_last_page_below_the_ceiling(
    make_client, capped, width, limit, known
):
    # Pages at a `_skip` up to 400 are answered: items 0 to 499 in pages of 100 (0 to 409 in
    # pages of 10). Probes go far past that and must come back to it, not end the walk early.
    client = make_client()
    pages = pages_in_order(
        lambda skip: client.list_sequences(skip, limit), known=known, width=width
    )
    got = [item.id for page in [p async for p in pages] for item in page.items]
    listable = MAX_SKIP + limit
    assert got == _ids(capped, listable)
    assert pages.ceiling is not None and pages.ceiling.skip == listable
    asked = _list_skips(capped)
    assert len(asked) == len(set(asked))  # no page twice
    # Every page that can be listed, the one at the ceiling, and at most two probes past it.
    assert len(asked) <= listable // limit + 3, sorted(asked)


class RoundTrips:
    """A fetch that counts the walk's round trips, the longest chain of requests each sent
    only once the one before had answered: what the walk's time is made of, whatever the
    machine's speed."""

    def __init__(self, fetch) -> None:
        self.fetch = fetch
        self.deepest = 0  # of the requests that have answered

    async def __call__(self, skip: int):
        depth = self.deepest + 1
        try:
            return await self.fetch(skip)
        finally:
            self.deepest = max(self.deepest, depth)


async def test_a_probe_that_meets_the_ceiling_narrows_the_search_and_the_walk_stays_wide(
    make_client, capped
):
    # 200 pages of 10 can be listed; the walk's probes pass the ceiling early on. Treated as a
    # failure, a probe would teach nothing and the rest would come one page per round trip.
    capped.router.org.size = 5_000
    capped.router.max_skip = 1_990
    capped.faults.latency = 0.01
    client = make_client()
    fetch = RoundTrips(lambda skip: client.list_sequences(skip, 10))
    pages = pages_in_order(fetch, width=16)
    assert sum([len(page) async for page in pages]) == 2_000
    assert pages.ceiling is not None
    assert len(_list_skips(capped)) <= 200 + 3
    assert fetch.deepest <= 40, (
        fetch.deepest
    )  # about 20 here; one page at a time after a probe: about 80


async def test_a_list_that_ends_before_the_ceiling_is_not_cut(make_client, capped):
    capped.router.org.size = 500  # its last page is at skip 400, the most Close allows
    client = make_client()
    pages = pages_in_order(lambda skip: client.list_sequences(skip, 100))
    assert sum([len(page) async for page in pages]) == 500
    assert pages.ceiling is None


# -- the commands ------------------------------------------------------------------------------


def test_list_prints_every_row_it_can_get_and_one_line_on_stderr(capsys, online, capped):
    capped.router.max_skip = None
    assert main(["list", *online]) == 0  # a complete pass first: 1,000 cached
    capsys.readouterr()
    capped.router.max_skip = MAX_SKIP
    assert main(["list", *online]) == 0
    out, err = capsys.readouterr()
    assert [line.split("\t")[0] for line in out.splitlines()] == _ids(capped, 500)
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Close lists only the first 500 sequences" in lines[0]
    assert "max_skip = 400" in lines[0] and "the output stops there" in lines[0]
    # The cut pass was not complete: the rows past the ceiling stay cached.
    assert main(["list", "--offline", *online]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1_000


def test_subscriptions_prints_every_run_it_can_get_and_one_line_on_stderr(capsys, online, capped):
    capped.router.org.big = 1_000  # the first sequence's runs
    assert main(["subscriptions", SEED_ID, *online, "--format", "jsonl"]) == 0
    out, err = capsys.readouterr()
    runs = [json.loads(line) for line in out.splitlines()]
    expected = capped.router.org.subscriptions(SEED_ID, 0, 500)[0]
    assert runs == expected  # the first 500 runs, in order, unchanged
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert f"Close lists only the first 500 runs of {SEED_ID}" in lines[0]


def test_the_stderr_line_is_inert(capsys, online, capped):
    hostile = "seq_\x1b]0;owned\x07"
    capped.router.max_skip = -1  # even the first page is past it
    assert main(["subscriptions", hostile, *online]) == 1  # no such sequence: said, inert
    out, err = capsys.readouterr()
    assert out == ""
    assert "No sequence seq_␛]0;owned␇ in this organization" in err
    assert "\x1b" not in err and "\x07" not in err and "␛]0;owned" in err


def test_sync_says_the_list_was_cut_and_prunes_nothing(capsys, online, capped):
    capped.router.max_skip = None
    assert main(["sync", *online]) == 0  # a complete pass: 1,000 cached
    capsys.readouterr()
    capped.router.max_skip = MAX_SKIP
    assert main(["sync", *online]) == 0
    out, err = capsys.readouterr()
    cut = [line for line in err.splitlines() if "Close lists only" in line]
    assert len(cut) == 1 and "first 500 sequences" in cut[0], err
    assert "Synced 1,000 sequences" in out and "removed upstream" not in out
    assert main(["list", "--offline", *online]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1_000
    # Over, not interrupted: the next sync starts from the first page, not at the ceiling.
    capped.router.reset_log()
    assert main(["sync", *online]) == 0
    assert min(_list_skips(capped)) == 0


# -- the app -----------------------------------------------------------------------------------

END_LINE = "Close lists only the first 500 sequences"


def _no_failure(app) -> None:
    text = screen_text(app)
    assert "failed" not in text and "r to retry" not in text
    assert not [n for n in app.told if n.severity == "error"]
    assert type(app.screen).__name__ in ("SequencesScreen", "SubscriptionsScreen")


async def _scroll_to_the_end(pilot, rows) -> None:
    for _ in range(20):  # a list that never ends is a failure, not a hang
        if rows.state.end:
            return
        await pilot.press("end")
        await settle(pilot)
    raise AssertionError("the list never came to an end")


async def test_the_sequence_list_ends_with_a_line_at_the_ceiling(make_app, capped, record_property):
    app = make_app()
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        rows = app.main.sequences
        await _scroll_to_the_end(pilot, rows)
        await settle(pilot)
        text = screen_text(app)
        assert END_LINE in text and "narrow with a filter, or see them in Close" in text
        assert "first 500 · Close's limit" in text
        assert app.main.sequences.loaded == 500
        _no_failure(app)
        # Permanent: more keys ask nothing more.
        asked = len(_list_skips(capped))
        for _ in range(3):
            await pilot.press("end", "pagedown")
            await settle(pilot)
        assert len(_list_skips(capped)) == asked
        assert _list_skips(capped).count(500) == 1
        # r asks again, once, as any page.
        await pilot.press("r")
        await settle(pilot)
        await _scroll_to_the_end(pilot, rows)
        await settle(pilot)
        assert _list_skips(capped).count(500) == 2
        assert END_LINE in screen_text(app)
        _no_failure(app)
        assert not rows.state.complete
        # Once Close lists further, r goes on to the real end, and the line goes.
        capped.router.max_skip = None
        await pilot.press("r")
        await settle(pilot)
        await _scroll_to_the_end(pilot, rows)
        await settle(pilot)
        text = screen_text(app)
        assert "all 1,000" in text and "Close lists only" not in text
        assert rows.state.complete
    record_property(
        "fault_matrix",
        ("_skip past max_skip (list)", "end line: Close lists only…", "r asks once more"),
    )


async def test_a_filter_walk_ends_the_same_way(make_app, capped):
    app = make_app()
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"sequence", "enter")
        await wait_until(pilot, lambda: app.main.sequences.state.end, timeout=15)
        await settle(pilot)
        text = screen_text(app)
        assert "of the first 500 match · Close's limit" in text
        assert app.main.sequences.loaded == 500
        await pilot.press("end")
        await settle(pilot)
        assert END_LINE in screen_text(app)
        _no_failure(app)


async def test_the_runs_list_ends_with_a_line_at_the_ceiling(make_app, capped):
    capped.router.org.big = 1_000  # the first sequence's runs
    app = make_app()
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        assert app.main.sequence_list.current_row.id == SEED_ID
        await pilot.press("s")
        await settle(pilot)
        rows = app.screen.runs
        await _scroll_to_the_end(pilot, rows)
        await settle(pilot)
        text = screen_text(app)
        assert (
            "Close lists only the first 500 runs of this sequence: narrow with a filter, "
            "or see them in Close"
        ) in text
        assert "first 500 · Close's limit" in text
        _no_failure(app)
        asked = _list_skips(capped, "sequence_subscription/")
        assert asked.count(500) == 1 and max(asked) == 500
        await pilot.press("end", "pagedown")
        await settle(pilot)
        assert _list_skips(capped, "sequence_subscription/") == asked


async def test_the_app_prunes_nothing_at_the_ceiling(make_app, capped, online, capsys):
    capped.router.max_skip = None
    # 1,000 cached by a complete pass (the command runs its own event loop: on a thread).
    assert await asyncio.to_thread(main, ["sync", *online]) == 0
    capsys.readouterr()
    capped.router.max_skip = MAX_SKIP
    capped.router.reset_log()
    app = make_app()
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        await _scroll_to_the_end(pilot, app.main.sequences)
        await settle(pilot)
        # The cached rows past the ceiling leave the view (revalidating them would only be
        # refused again, for ever), and stay in the cache.
        text = screen_text(app)
        assert END_LINE in text and "first 500 · Close's limit" in text
        assert app.main.sequences.loaded == 500
        assert _list_skips(capped).count(500) == 1
        assert not app.main.sequences.state.complete
        assert app.session.cache.sequence_count() == 1_000
        assert not [n for n in app.told if "removed upstream" in n.message]


async def test_a_reconnect_that_meets_the_ceiling_is_back_online_and_stops(make_app, capped):
    # The network drops at the page past the last one Close lists; when it is back, the
    # reconnect loop's page is refused by the ceiling: that is an answer, so the loop ends.
    capped.faults.add("drop", path="sequence/", query={"_skip": "500"}, times=4)
    app = make_app()
    async with app.run_test(size=(200, 40), notifications=True) as pilot:
        await settle(pilot)
        rows = app.main.sequences
        for _ in range(20):
            if rows.state.offline or rows.state.end:
                break
            await pilot.press("end")
            await settle(pilot)
        await wait_until(pilot, lambda: rows.state.capped and not rows.state.offline)
        await wait_until(pilot, lambda: not [w for w in app.workers if w.group == "reconnect"
                                             and not w.is_finished])  # fmt: skip
        await settle(pilot)
        assert END_LINE in screen_text(app)
        assert "Back online." in [n.message for n in app.told]
        _no_failure(app)
