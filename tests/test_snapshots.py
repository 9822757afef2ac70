"""Text snapshots of the main views: what a person sees, line by line.

A change to the screen fails here until the snapshot is regenerated on purpose:
    CLOSETUI_UPDATE_SNAPSHOTS=1 uv run pytest tests/test_snapshots.py
(and then regenerate screenshots/ with `uv run python tests/screenshots.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.app import screen_text, settle

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _check(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    if os.environ.get("CLOSETUI_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("CLOSETUI_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; check it in")
    assert text == path.read_text(encoding="utf-8"), f"screen differs from {path.name}"


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
