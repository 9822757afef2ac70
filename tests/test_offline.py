"""Offline-first: the cache makes the app start instantly and keep working without a network."""

from __future__ import annotations

import base64

from closetui.demo.data import SEED_ID
from tests.support.app import screen_text, settle, wait_until


async def _browse(app, pilot, pages: int) -> None:
    await settle(pilot)
    for _ in range(pages - 1):
        await pilot.press("end")
        await settle(pilot)


async def test_an_offline_start_shows_what_was_seen_online_with_zero_requests(make_app, server):
    online = make_app()
    async with online.run_test(size=(120, 35)) as pilot:
        await _browse(online, pilot, pages=3)
        seen_ids = online.main.sequences.ids()
        online.main.jump_to(seen_ids[150])
        await wait_until(pilot, lambda: online.main.detail.showing == seen_ids[150])
        await settle(pilot)
        seen_detail = online.main.detail.text
    assert len(seen_ids) == 300
    before = len(server.router.requests)

    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await _browse(offline, pilot, pages=4)  # the 4th End finds nothing more cached
        assert offline.main.sequences.ids() == seen_ids
        offline.main.jump_to(seen_ids[150])
        await wait_until(pilot, lambda: offline.main.detail.showing == seen_ids[150])
        await settle(pilot)
        text = screen_text(offline)
        assert "Offline (--offline)" in text
        assert "all 300 cached" in text
        detail = offline.main.detail.text
    assert len(server.router.requests) == before
    # Same sequence, same cadence; only the age label differs.
    strip = lambda t: [line for line in t.splitlines() if not line.startswith("Fetched")]  # noqa: E731
    assert strip(detail) == strip(seen_detail)
    assert "(cached)" in detail


async def test_a_warm_start_paints_cached_rows_before_any_answer(make_app, server):
    first = make_app()
    async with first.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
    server.faults.add("hang", seconds=5, times=None)  # the network answers nothing now
    warm = make_app()
    async with warm.run_test(size=(120, 35)) as pilot:
        await pilot.pause()
        text = screen_text(warm)
        assert "My Sequence" in text
        assert "cached just now" in text or "cached" in text
        server.faults.clear()


async def test_offline_with_nothing_cached_says_so(make_app):
    app = make_app(offline=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Nothing is cached for this account yet" in text
        assert "closetui sync" in text


async def test_losing_the_network_mid_session_is_a_banner_then_recovery(make_app, server):
    app = make_app(retry_delays=(0.05,))
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        server.faults.add("drop", times=None)
        await pilot.press("end")
        await settle(pilot)
        text = screen_text(app)
        assert "Offline: the network is unreachable" in text
        assert app.main.sequences.state.offline
        # Browsing what is loaded still works.
        await pilot.press("home", "down")
        assert app.main.sequence_list.cursor == 1
        assert app.main.detail.showing == app.main.sequences.in_order()[1].id
        server.faults.clear()
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.main.sequences.state.offline and app.main.sequences.loaded == 200:
                break

        await settle(pilot)
        assert not app.main.sequences.state.offline
        assert app.main.sequences.loaded == 200
        text = screen_text(app)
        assert "Back online" in text
        assert "Offline: the network" not in text


async def test_a_complete_pass_removes_what_was_deleted_upstream(make_app, server):
    async def full_pass(app, pilot):
        await settle(pilot)
        while not app.main.sequences.state.end:
            await pilot.press("end")
            await settle(pilot)

    server.router.org.size = 350  # four pages keep this quick
    first = make_app()
    async with first.run_test(size=(120, 35)) as pilot:
        await full_pass(first, pilot)
    victim = server.router.org.sequence_at(234)["id"]
    server.router.org.delete(victim)
    second = make_app()
    async with second.run_test(size=(120, 35)) as pilot:
        await full_pass(second, pilot)
        assert victim not in second.main.sequences.ids()
        assert second.main.sequences.state.complete
    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await full_pass(offline, pilot)
        assert victim not in offline.main.sequences.ids()
        assert offline.main.sequences.loaded == 349


async def test_the_key_appears_nowhere_under_the_cache_folder(make_app, server, tmp_path):
    key = "api_SECRET_key_for_cache_test_0123456789"
    server.router.api_key = key
    app = make_app(key=key)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert app.main.sequences.loaded == 200
    needles = [key.encode(), base64.b64encode(f"{key}:".encode()), key[4:20].encode()]
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, path
    assert SEED_ID.encode() in b"".join(p.read_bytes() for p in files)
