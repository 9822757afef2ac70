"""`--watch`: the loaded pages refresh on an interval, through the walk and rate gate `r`
uses, never while offline, and the top bar says when they last did. Driven over loopback with
a short interval (CLOSETUI_WATCH_FLOOR lowers the 30 s floor for tests), waiting on what
the screen shows, not on sleeps."""

from __future__ import annotations

import dataclasses

import pytest

from closetui.cli import main
from closetui.config.settings import load_settings
from closetui.demo import DemoOrg, FakeClose
from closetui.demo.data import SEED_ID
from tests.support.app import screen_text, settle, wait_until

DAY = 86400


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(size=30))


@pytest.fixture(autouse=True)
def short_floor(monkeypatch):
    monkeypatch.setenv("CLOSETUI_WATCH_FLOOR", "0.1")


def watching(app, seconds: float):
    app.settings = dataclasses.replace(app.settings, watch=seconds)
    return app


def list_requests(router: FakeClose) -> int:
    return len(router.requests_to("sequence/"))


async def test_watch_refreshes_on_its_interval_and_announces_a_change(make_app, router):
    app = watching(make_app(), 0.2)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        # Not settle(): with a watch ticking, there is always a walk under way or due, and
        # settle would chase them (for a minute and more on a busy machine). A refresh that
        # has finished is the condition; it implies the start-up's has.
        screen = app.screen
        await wait_until(pilot, lambda: "refreshed" in screen_text(app))
        assert "watch 0.2 s · refreshed" in screen_text(app).splitlines()[0]
        before = list_requests(router)
        router.org.edit(SEED_ID, lambda item: item["steps"][1].update(delay=2 * DAY))
        # No key pressed: the next tick brings the change, marked and said once.
        await wait_until(pilot, lambda: "Δ My Sequence" in screen_text(app))
        await wait_until(pilot, lambda: "1 sequence changed in" in screen_text(app))
        assert list_requests(router) > before
        ticks = screen.watcher.ticks
        await wait_until(pilot, lambda: screen.watcher.ticks >= ticks + 2)
        assert "Δ My Sequence" in screen_text(app)  # still marked until looked at


async def test_shift_w_toggles_watching(make_app, router):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "watch" not in screen_text(app).splitlines()[0]
        await pilot.press("W")
        await wait_until(pilot, lambda: "watch 5 min" in screen_text(app).splitlines()[0])
        await pilot.press("W")
        await wait_until(pilot, lambda: "watch" not in screen_text(app).splitlines()[0])


async def test_watch_never_asks_while_offline(make_app, router):
    app = watching(make_app(offline=True), 0.1)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "paused: --offline" in screen_text(app))
        assert app.screen.watcher.ticks == 0
    assert router.requests == []


async def test_watch_waits_for_the_network_and_resumes(make_app, router, server):
    app = watching(make_app(retry_delays=(0.2, 0.4)), 0.1)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.screen  # a tick refreshes only a list at rest: start-up is over
        await wait_until(pilot, lambda: screen.watcher.ticks >= 1)
        server.faults.add("drop", times=None)  # the network goes
        await wait_until(pilot, lambda: "paused: offline" in screen_text(app), 10)
        ticks = screen.watcher.ticks
        await wait_until(pilot, lambda: screen.watcher.waiting is not None)
        assert screen.watcher.ticks == ticks  # no refresh of its own while offline
        server.faults.clear()  # it comes back: the feed's reconnect finds it
        await wait_until(pilot, lambda: screen.watcher.ticks > ticks, 10)
        await wait_until(pilot, lambda: "refreshed" in screen_text(app), 10)


async def test_watch_keeps_within_the_rate_limit(make_app, router, server):
    server.faults.rate_limit = 4
    server.faults.rate_window = 0.5
    app = watching(make_app(page_size=10), 0.1)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = app.screen
        # What the watch asks, once the start-up's requests (the first page, the users, the
        # templates) have taught the gate the limit: a tick refreshes only a list at rest.
        # (Not settle(): every 0.1 s a walk is under way or due, and settle chased them for
        # 200 rounds, a minute and more on a busy machine, then failed.)
        await wait_until(pilot, lambda: screen.watcher.ticks >= 1, 20)
        router.reset_log()
        ticks = screen.watcher.ticks
        await wait_until(pilot, lambda: screen.watcher.ticks >= ticks + 5, 30)
    assert list_requests(router) >= 5  # every refresh asked again
    assert 429 not in router.statuses


def test_the_interval_has_a_floor_and_a_clear_message(monkeypatch, capsys):
    monkeypatch.delenv("CLOSETUI_WATCH_FLOOR")
    assert load_settings(demo=True, watch="1s").watch == 30.0
    assert load_settings(demo=True, watch="2m").watch == 120.0
    assert load_settings(demo=True, watch="off").watch is None
    assert load_settings(demo=True).watch is None
    assert main(["--demo", "--watch", "soon", "list"]) == 2
    assert "watch interval must be a duration" in capsys.readouterr().err


def test_the_config_can_ask_for_watching(isolated_env, monkeypatch):
    monkeypatch.delenv("CLOSETUI_WATCH_FLOOR")
    (isolated_env / "config.toml").write_text('watch = "90s"\n')
    assert load_settings(demo=True).watch == 90.0


async def test_watch_refreshes_an_open_runs_list_and_announces_a_newly_errored_run(
    make_app, router
):
    app = watching(make_app(), 0.2)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.main.watcher.ticks >= 1)  # the list is at rest
        await pilot.press("s")  # the runs of My Sequence
        await wait_until(pilot, lambda: "Subscriptions" in screen_text(app))
        watcher = app.main.watcher
        ticks = watcher.ticks
        await wait_until(pilot, lambda: watcher.ticks >= ticks + 1)  # it has seen the runs
        runs, _ = router.org.subscriptions(SEED_ID, 0, 100)
        j = next(i for i, run in enumerate(runs) if run["status"] != "error")
        email = runs[j]["contact_email"]
        before = len(router.requests_to("sequence_subscription/"))
        router.org.edit_run(SEED_ID, j, lambda run: run.update(status="error"))
        await wait_until(pilot, lambda: "1 run newly errored" in screen_text(app), 10)
        assert email[:20] in screen_text(app)
        assert len(router.requests_to("sequence_subscription/")) > before


async def test_a_run_in_error_is_told_once_and_runs_already_in_error_never(make_app, router):
    app = watching(make_app(), 0.2)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")  # the runs of My Sequence, some of them in error already
        await wait_until(pilot, lambda: "Subscriptions" in screen_text(app))
        watcher = app.main.watcher
        ticks = watcher.ticks
        await wait_until(pilot, lambda: watcher.ticks >= ticks + 2)  # refreshed, twice
        runs, _ = router.org.subscriptions(SEED_ID, 0, 100)
        assert any(run["status"] == "error" for run in runs)
        assert "newly errored" not in screen_text(app)
        j = next(i for i, run in enumerate(runs) if run["status"] != "error")
        router.org.edit_run(SEED_ID, j, lambda run: run.update(status="error"))
        await wait_until(pilot, lambda: "1 run newly errored" in screen_text(app), 10)
        ticks = watcher.ticks
        await wait_until(pilot, lambda: watcher.ticks >= ticks + 2)  # still in error
        assert screen_text(app).count("newly errored") == 1  # the toast stays 10 s: one
