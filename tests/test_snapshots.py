"""Text snapshots of the main views: what a person sees, line by line.

A change to the screen fails here until the snapshot is regenerated on purpose:
    CLOSETUI_UPDATE_SNAPSHOTS=1 uv run pytest tests/test_snapshots.py
(and then regenerate screenshots/ with `uv run python tests/screenshots.py`).
"""

from __future__ import annotations

import pytest

from tests.support.app import screen_text, settle
from tests.support.snapshots import check_snapshot as _check


@pytest.mark.parametrize(
    ("name", "size", "keys"),
    [
        ("main-120x35", (120, 35), []),
        ("main-80x24", (80, 24), []),
        ("detail-80x24", (80, 24), ["enter"]),
        ("filter-120x35", (120, 35), ["slash", *"renewal"]),
        ("help-120x35", (120, 35), ["question_mark"]),
    ],
)
async def test_snapshot(make_app, name, size, keys):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        _check(name, screen_text(app))
