"""The screens own their work: closing a screen ends its pages and its reconnect loop."""

from __future__ import annotations

from tests.support.app import settle, wait_until


async def test_closing_the_subscriptions_screen_ends_its_reconnect_loop(make_app, server):
    # Every subscription request fails as a dead network would: the list goes offline and
    # retries in the background, quickly here.
    server.faults.add("drop", path="sequence_subscription/", times=None)
    app = make_app(retry_delays=(0.05, 0.1))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("s")
            await wait_until(
                pilot, lambda: len(server.router.requests_to("sequence_subscription/")) >= 2
            )
            await wait_until(
                pilot,
                lambda: any(w.group == "reconnect" and not w.is_finished for w in app.workers),
            )
            await pilot.press("escape")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "SequencesScreen")
        await wait_until(
            pilot,
            lambda: not any(w.group == "reconnect" and not w.is_finished for w in app.workers),
        )
        after = len(server.router.requests_to("sequence_subscription/"))
        await pilot.pause(0.6)  # a loop left running would ask again within 0.1 s
        assert len(server.router.requests_to("sequence_subscription/")) == after
        assert app.is_running


async def test_a_dismissed_screen_is_not_kept_alive_by_the_row_freeze(make_app):
    import weakref

    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        gone = weakref.ref(app.screen)
        app.main.sequences.refresh()  # pages land, and are frozen, while the screen is open
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        app.main.sequences.refresh()  # pages land and are frozen after the screen was dismissed
        await settle(pilot)
        assert gone() is None
