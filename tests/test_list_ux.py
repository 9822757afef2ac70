"""The lists as a person meets them: the words name the keys in force, a filter or a sort
starts at the first row, the runs filter shows what is typed, the palette finds sequences
not loaded yet, and the sort key cycles only through what is on screen."""

from __future__ import annotations

from textual.command import CommandPalette

from closetui.demo.data import FILTER_PROBE_NAME
from tests.support.app import screen_text, settle, wait_until


async def test_a_remapped_refresh_key_is_the_key_the_failure_line_names(
    make_app, server, isolated_env
):
    (isolated_env / "config.toml").write_text('[keymap]\n"app.refresh" = "f5"\n')
    server.router.org.size = 300
    server.faults.add("status", status=500, path="sequence/", query={"_skip": "100"}, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        text = screen_text(app)
        assert "failed: F5 to retry" in text
        assert "r to retry" not in text
        server.faults.clear()
        await pilot.press("f5")  # the key it named does what it said
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert "failed:" not in screen_text(app)
        assert app.main.sequences.loaded > 100


async def test_a_filter_puts_the_cursor_on_the_first_match(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for _ in range(11):
            await pilot.press("down")
        assert app.main.sequence_list.cursor == 11
        await pilot.press("slash", *"win-back", "enter")
        await settle(pilot)
        table = app.main.sequence_list
        first = app.main.sequences.row(0)
        assert "win-back" in first.key
        assert table.cursor == 0 and table.current_row is first
        assert table.scroll_y == 0
        assert app.main.detail.showing == first.id  # Enter would open the first match
        await pilot.press("enter")
        assert app.main.detail.showing == first.id


async def test_a_sort_puts_the_cursor_on_the_first_row(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for _ in range(40):
            await pilot.press("down")
        await pilot.press("S")  # by name
        await settle(pilot)
        table = app.main.sequence_list
        assert table.sort is not None and table.sort.column.title == "Name"
        assert table.cursor == 0 and table.scroll_y == 0
        names = [r.key for r in app.main.sequences.rows_between(0, 100)]
        assert names == sorted(names)
        assert app.main.detail.showing == app.main.sequences.row(0).id


async def test_the_runs_filter_box_shows_what_is_typed(make_app):
    for size in ((120, 35), (80, 24)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
            await pilot.press("slash", *"status:error")
            await settle(pilot)
            text = screen_text(app)
            assert "status:error" in text, size  # while typing, not only after Enter
            assert "match" in text


async def test_jump_to_sequence_finds_one_that_is_not_loaded_yet(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        probe = next(
            (r for r in app.main.sequences.in_order() if r.name == FILTER_PROBE_NAME), None
        )
        assert probe is None  # far past the first page
        app.main.action_jump()
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"zeppeli")
        # Not loaded, and not cached: the list loads on in the background (the palette says
        # so while it does); typing on searches it again.
        await wait_until(pilot, lambda: app.main.sequences.state.end, timeout=15)
        await pilot.press("n")
        await wait_until(pilot, lambda: FILTER_PROBE_NAME in screen_text(app), timeout=10)
        await pilot.press("enter")
        await settle(pilot)
        current = app.main.sequence_list.current_row
        assert current is not None and current.name == FILTER_PROBE_NAME


async def test_the_sort_key_cycles_only_through_columns_on_screen(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[2]
        seen = []
        for _ in range(30):
            await pilot.press("S")
            await settle(pilot)
            sort = app.main.sequence_list.sort
            if sort is None:
                break
            seen.append(sort.column.title)
        assert seen, "S sorts"
        assert all(title in header for title in seen), (seen, header)
        assert "Act" not in seen and "Pau" not in seen  # not on screen at 120 columns
