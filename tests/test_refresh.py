"""`r` while pages are loading: a refresh starts a new pass, and a pass may prune the cache
only when it saw every page itself. Nothing the organization still has is ever lost."""

from __future__ import annotations

from tests.support.app import screen_text, settle, wait_until


def _asked_all(server) -> int:
    return len(server.router.requests_to("sequence/"))


def _asked(server, skip: int) -> int:
    return sum(r.query.get("_skip") == str(skip) for r in server.router.requests_to("sequence/"))


async def test_r_while_a_page_is_in_flight_loses_no_cached_row(make_app, server, record_property):
    server.router.org.size = 1000
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        while app.main.sequences.loaded < 500:
            await pilot.press("end")
            await settle(pilot)
        # The first pass is at page 500, and that page is slow to come; page 0 of the pass
        # that `r` starts is slower still, so page 500 of the old pass lands in between.
        server.faults.add("slow", path="sequence/", query={"_skip": "500"}, seconds=0.6)
        server.faults.add("slow", path="sequence/", query={"_skip": "0"}, seconds=1.2)
        await pilot.press("end")
        await wait_until(pilot, lambda: _asked(server, 500) == 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.main.sequences.busy, timeout=15)
        while not app.main.sequences.state.end:
            await pilot.press("end")
            await settle(pilot)
        await settle(pilot)
        assert app.main.sequences.state.complete
        assert "all 1,000" in screen_text(app)
        assert app.session.cache.sequence_count() == 1000
        assert _asked(server, 500) == 2  # asked again in the new pass
    record_property(
        "fault_matrix",
        ("r while a page is in flight", "all 1,000", "cache keeps all 1,000 rows"),
    )


async def test_r_again_and_again_while_loading_never_prunes(make_app, server):
    server.router.org.size = 600
    server.faults.latency = 0.05
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        # A filter loads every page in the background.
        app.main.list_pane.set_filter("zzz-no-such-name")
        asked = 0
        for _ in range(4):
            # r each time two pages of the pass (of six) have been asked for.
            await wait_until(pilot, lambda n=asked: _asked_all(server) >= n + 2)
            asked = _asked_all(server)
            await pilot.press("r")
        await settle(pilot)
        # Pages asked for before the last r are asked again in its pass: it completes alone.
        assert app.main.sequences.state.complete
        assert app.main.sequences.loaded == 600
        assert app.session.cache.sequence_count() == 600
