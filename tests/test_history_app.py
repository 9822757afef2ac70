"""The history in the app: a sequence changed in Close since the last sync is marked in the
list (and found by `changed:`), announced once, its latest change is under the detail's
header, and `h` shows every kept version with what changed and its cadence as it was."""

from __future__ import annotations

import asyncio

import pytest

from closetui.cli import main
from closetui.demo import DemoOrg, FakeClose
from closetui.demo.data import DEMO_API_KEY, SEED_ID
from tests.support.app import screen_text, settle, wait_until

DAY = 86400


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(size=30))


@pytest.fixture
def synced(server, monkeypatch, capsys):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    assert main(["sync", "--base-url", server.base_url]) == 0
    capsys.readouterr()


def shorter_wait(item):
    item["steps"][1]["delay"] = 2 * DAY


async def test_a_changed_sequence_is_marked_announced_and_h_shows_it(make_app, router, synced):
    router.org.edit(SEED_ID, shorter_wait)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "Δ My Sequence" in screen_text(app))
        await wait_until(pilot, lambda: "1 sequence changed in" in screen_text(app))  # a toast
        text = screen_text(app)
        assert "Changed   step 2: wait 3 days → 2 days" in text  # under the detail's header
        assert text.count("Δ ") == 1  # nothing else changed

        await pilot.press("h")
        await wait_until(pilot, lambda: "versions kept" in screen_text(app))
        text = screen_text(app)
        assert "2 versions kept, newest first" in text
        assert "step 2: wait 3 days → 2 days" in text
        assert "Version 1: cadence as it was" in text and "2 steps over 3 days" in text
        await pilot.press("down")  # the earlier version's cadence, as it was
        await wait_until(pilot, lambda: "Version 2: cadence as it was" in screen_text(app))
        assert "2 steps over 4 days" in screen_text(app)

        await pilot.press("escape")
        await wait_until(pilot, lambda: "Sequences" in screen_text(app))
        assert "Δ My Sequence" not in screen_text(app)  # looked at: no longer marked

    # A restart: the history is still there, the mark stays gone.
    app = make_app(offline=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "Δ My Sequence" not in screen_text(app)
        await pilot.press("h")
        await wait_until(pilot, lambda: "versions kept" in screen_text(app))
        assert "step 2: wait 3 days → 2 days" in screen_text(app)


async def test_changed_filter_keeps_the_marked_sequences(make_app, router, synced):
    router.org.edit(SEED_ID, shorter_wait)
    other = router.org.sequence_at(7)["id"]
    router.org.edit(other, lambda item: item.update(name="Renamed in Close"))
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "Δ Renamed in Close" in screen_text(app))
        await pilot.press("slash", *"changed:", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Δ My Sequence" in text and "Δ Renamed in Close" in text
        assert app.screen.sequences.state.shown == 2
        assert text.count("Δ ") == 2


async def test_offline_the_marks_and_history_come_from_the_cache(make_app, router, synced, server):
    router.org.edit(SEED_ID, shorter_wait)
    assert await asyncio.to_thread(main, ["sync", "--base-url", server.base_url]) == 0
    router.reset_log()
    app = make_app(offline=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "Δ My Sequence" in screen_text(app)
        await pilot.press("h")
        await wait_until(pilot, lambda: "versions kept" in screen_text(app))
        assert "step 2: wait 3 days → 2 days" in screen_text(app)
    assert router.requests == []
