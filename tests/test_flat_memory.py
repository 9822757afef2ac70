"""A list longer than what memory keeps: scrolled end to end and back, every row comes back
from the list's store, in order, once; with a read-only cache too; and the filter covers what
memory no longer holds."""

from __future__ import annotations

import pytest

import closetui.lists.rows
from tests.support.app import screen_text, settle


@pytest.fixture
def small_memory(monkeypatch):
    """Memory keeps two pages: any list of a few hundred rows is longer than that."""
    monkeypatch.setattr(closetui.lists.rows, "SLOTS_KEPT", 2)
    monkeypatch.setattr(closetui.lists.rows, "BLOCKS_KEPT", 2)


def _served(server, sequence_id: str) -> list[str]:
    total = server.router.org.subscription_total(sequence_id)
    items, _ = server.router.org.subscriptions(sequence_id, 0, total)
    return [item["id"] for item in items]


def _big(app, server, at_least: int = 400):
    return next(
        r for r in app.main.sequences.in_order()
        if server.router.org.subscription_total(r.id) >= at_least
    )  # fmt: skip


async def _scroll_through(pilot, table) -> tuple[list[str], list[str]]:
    """Page down to the end of the list (loading as it goes), then page up to the top,
    noting the rows on screen at each stop, as a person reading every row would."""
    down: list[str] = []
    for _ in range(200):
        down += [r.id for r in table.rows_on_screen() if r.id not in down[-200:]]
        await pilot.press("pagedown")
        await settle(pilot)
        if table.cursor == table.rows.count - 1 and "loading" not in table._status[0]:
            down += [r.id for r in table.rows_on_screen() if r.id not in down[-200:]]
            break
    up: list[str] = []
    for _ in range(200):
        up = [r.id for r in table.rows_on_screen() if r.id not in up[:200]] + up
        if table.cursor == 0:
            break
        await pilot.press("pageup")
        await settle(pilot)
    return down, up


@pytest.mark.parametrize("read_only", [False, True], ids=["cache", "read-only cache"])
async def test_runs_scrolled_end_to_end_and_back_come_back_whole(
    make_app, server, small_memory, read_only
):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        sequence = _big(app, server)
        if read_only:
            app.session.cache._db.execute("PRAGMA query_only=ON")  # nothing new is kept
        app.main.jump_to(sequence.id)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.table
        down, up = await _scroll_through(pilot, table)
        served = _served(server, sequence.id)
        assert len(served) > 2 * 100  # longer than the two pages memory keeps
        assert down == served  # in order, no duplicate, no gap
        assert up == served  # and back, from the store
        assert table.rows.loaded == len(served)
        if read_only:
            assert app.session.cache.read_only
        assert "Traceback" not in screen_text(app)


async def test_the_filter_finds_rows_memory_no_longer_holds(make_app, server, small_memory):
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        sequence = _big(app, server)
        app.main.jump_to(sequence.id)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("L")  # every page: the first ones are out of memory by the end
        await settle(pilot)
        items, _ = server.router.org.subscriptions(sequence.id, 0, 10_000)
        first = items[1]["contact_email"]
        await pilot.press("slash")
        for char in first:
            await pilot.press(char)
        await settle(pilot)
        table = app.screen.table
        shown = [r.id for r in table.rows.rows_between(0, 100)]
        expected = [i["id"] for i in items if first.casefold() in (i["contact_email"] or "")]
        assert shown[: len(expected)] == expected
        assert items[1]["id"] in [r.id for r in table.rows_on_screen()]
        assert "match" in str(app.screen.pane.border_subtitle)
