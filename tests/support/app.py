"""Watching the app as a person would: what the screen shows, and waiting for it to settle
or to change, without sleeping on a guess."""

from __future__ import annotations

import time


def screen_text(app) -> str:
    """What the terminal shows, as text: the compositor's lines for the active screen."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot, rounds: int = 200) -> None:
    """Wait until every page request and lookup has landed and every message is handled.
    No sleeps: it awaits the workers themselves (and the lookup delay's timer)."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "reconnect" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
            continue
        await pilot.pause()
        if app.busy:
            await pilot.pause(0.01)  # a lookup waits for the cursor to rest: its timer is due
            continue
        return
    raise AssertionError("the app did not settle")


async def wait_until(pilot, predicate, timeout: float = 5.0) -> None:
    """Wait for something the person would see, checking after each frame."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the screen to change")
        await pilot.pause(0.02)
