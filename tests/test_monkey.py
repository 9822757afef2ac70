"""A monkey: a few thousand random keypresses and resizes against the demo organization with
faults switched on. The app must never crash, and its state must stay consistent."""

from __future__ import annotations

import random

from textual import events

from closetui.tui.screens.subscriptions import SubscriptionsScreen
from tests.support.app import settle

KEYS = {
    "up": None, "down": None, "j": "j", "k": "k", "pageup": None, "pagedown": None,
    "home": None, "end": None, "g": "g", "G": "G", "enter": "\r", "tab": "\t",
    "shift+tab": None, "escape": "\x1b", "slash": "/", "a": "a", "e": "e", "x": "x",
    "backspace": "\x7f", "r": "r", "y": "y", "s": "s", "question_mark": "?", "space": " ",
}  # fmt: skip
SIZES = [(40, 12), (60, 20), (80, 24), (100, 30), (120, 35), (200, 50)]
PRESSES = 2500


def _check(app) -> None:
    assert app.is_running
    tables = [app.main.sequence_list]
    if isinstance(app.screen, SubscriptionsScreen):
        tables.append(app.screen.table)
    for table in tables:
        count = table.rows.count
        assert 0 <= table.cursor < max(1, count), (table.cursor, count)
        ids = table.rows.ids()
        assert len(ids) == len(set(ids)), "a row appears twice"


async def test_random_keys_and_resizes_with_faults_on(make_app, server):
    rng = random.Random(20261126)
    server.faults.every_nth_429 = 11
    faults = [
        {"kind": "drop", "times": 2},
        {"kind": "status", "status": 502, "times": 3},
        {"kind": "status", "status": 500, "times": 1},
        {"kind": "malformed", "times": 1},
        {"kind": "duplicate_ids", "times": 2},
        {"kind": "insert_head", "times": 1},
        {"kind": "empty_page", "times": 1},
    ]
    app = make_app(timeout=0.5)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        for n in range(PRESSES):
            if n % 250 == 0:
                await pilot.resize_terminal(*rng.choice(SIZES))
            if n % 100 == 50:
                server.faults.add(**rng.choice(faults), path="sequence")
            key = rng.choice(list(KEYS))
            app._driver.send_message(events.Key(key, KEYS[key]))
            if n % 25 == 0:
                await pilot.pause()
            if n % 50 == 0:
                _check(app)
        server.faults.clear()
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        _check(app)
        assert app.return_code is None  # still running: nothing quit it, nothing crashed
