"""The browser, through run_test and pilot, against the demo server over loopback."""

from __future__ import annotations

from closetui.demo.data import FILTER_PROBE_NAME, HOSTILE_NAMES, SEED_ID
from closetui.textsafe import inert
from tests.support.app import screen_text, settle, wait_until


def _list_skips(server) -> list[str]:
    return [r.query["_skip"] for r in server.router.requests_to("sequence/")]


async def test_start_up_shows_rows_after_exactly_one_list_request(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "My Sequence" in text and "Pricing page visitor — Enter" in text
        assert _list_skips(server) == ["0"]
        assert server.router.requests[0].path == "sequence/"  # nothing before the first page
        assert "100 loaded · more" in text


async def test_the_first_page_asked_for_while_starting_is_not_asked_for_again(make_app, server):
    app = make_app(early_first_page=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "My Sequence" in screen_text(app)
        assert _list_skips(server) == ["0"]
        assert app.main.sequences.is_fresh(app.main.sequences.in_order()[0].id)


async def test_a_refused_key_on_the_early_first_page_is_reported_as_usual(make_app):
    app = make_app(key="api_refused_early", early_first_page=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "API key was refused" in screen_text(app)


async def test_the_next_page_is_fetched_only_near_the_end(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("pagedown", "pagedown")  # row 58: 42 rows more than one screen left
        await settle(pilot)
        assert app.main.sequence_list.cursor == 58
        assert _list_skips(server) == ["0"]
        await pilot.press(*["down"] * 12)  # row 70: within one screen (30 rows) of row 100
        await settle(pilot)
        assert _list_skips(server) == ["0", "100"]
        assert app.main.sequences.loaded == 200


async def test_end_repeatedly_reaches_every_row_once(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        for _ in range(30):
            if app.main.sequences.state.end:
                break
            await pilot.press("end")
            await settle(pilot)
        ids = app.main.sequences.ids()
        assert len(ids) == len(set(ids)) == server.router.org.count
        assert _list_skips(server) == [str(n) for n in range(0, 1500, 100)]
        assert "all 1,500" in screen_text(app)
        await pilot.press("home")
        assert app.main.sequence_list.cursor == 0


async def test_the_seed_sequence_reads_day_1_email_wait_3_days_day_4_call(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        detail = app.main.detail.text
        assert SEED_ID in detail
        # The compact cadence: a line a step, the wait before it in the gap column.
        day1 = detail.index("Day 1 +1d")
        day4 = detail.index("Day 4 +3d")
        assert day1 < day4
        assert "Email ↩" in detail[day1:day4] and "↩ reply in thread" in detail[:day1]
        assert "Call" in detail[day4:]
        assert "any time US/Eastern" in detail


async def test_a_filter_finds_a_sequence_on_a_page_not_yet_loaded(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert FILTER_PROBE_NAME not in [r.name for r in app.main.sequences.in_order()]
        await pilot.press("slash", *"zeppelin")
        await settle(pilot)
        text = screen_text(app)
        assert FILTER_PROBE_NAME in text
        assert "1 of 1,500 match" in text
        await pilot.press("enter")  # back to the list, filter kept
        assert app.main.detail.showing == app.main.sequence_list.current_row.id
        assert FILTER_PROBE_NAME in app.main.detail.text
        await pilot.press("escape")  # clears the filter
        assert app.main.sequences.count == 1500
    # The rest of the list came through the walk `closetui list` uses: no page twice, at
    # most two past the end.
    asked = [int(r.query["_skip"]) for r in server.router.requests_to("sequence/")]
    assert len(asked) == len(set(asked))
    assert set(range(0, 1500, 100)) <= set(asked)
    assert len([s for s in asked if s >= 1500]) <= 2


async def test_a_server_repeating_its_first_page_stops_paging_and_the_idle_app_asks_nothing(
    make_app, server
):
    server.faults.add("same_page", path="sequence/", times=None, after=1)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("end")
            await settle(pilot)
        text = screen_text(app)
        assert "stopped: 3 pages brought nothing new · r to try again" in text
        assert app.main.sequences.loaded == 100
        asked = len(server.router.requests_to("sequence/"))
        assert asked <= 4
        # Idle: nothing running, nothing due; keys and a filter ask for nothing more.
        assert not app.busy
        await pilot.press("up", "end", "slash", *"zz", "escape")
        await settle(pilot)
        assert len(server.router.requests_to("sequence/")) == asked
        assert not app.busy


async def test_hostile_names_appear_literally(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("pagedown", "pagedown")  # rows 29 to 58 on screen
        await settle(pilot)
        text = screen_text(app)
        for name in ("[bold]x[/]", "[/]", "[@click=app.quit]q[/]", "[link=https://example.com]x"):
            assert name in text
        assert "␛[31mRed ANSI␛[0m" in text
        assert "\x1b" not in text
        app.main.jump_to(
            app.main.sequences.in_order()[42].id
        )  # onto [@click=app.quit]q[/]: nothing runs
        await pilot.pause()
        assert app.main.detail.text.startswith("[@click=app.quit]q[/]")
        assert app.is_running
        for name in HOSTILE_NAMES:
            assert inert(name) in [r.name for r in app.main.sequences.in_order()]


async def test_a_429_is_survived_with_the_message_shown(make_app, server):
    server.faults.add("status", status=429, retry_after=1.0, query={"_skip": "100"})
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await wait_until(pilot, lambda: "rate limited, retrying in 1 s" in screen_text(app))
        await settle(pilot)
        assert app.main.sequences.loaded == 200


async def test_a_failed_page_says_r_to_retry_and_r_retries(make_app, server):
    server.faults.add("status", status=500, query={"_skip": "100"})
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert "failed: r to retry" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert app.main.sequences.loaded == 200
        assert "failed" not in screen_text(app)


async def test_80x24_shows_one_pane_at_a_time(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "My Sequence" in text and "Cadence" not in text
        await pilot.press("enter")
        text = screen_text(app)
        assert "Cadence" in text and "Pricing page visitor" not in text
        await pilot.press("escape")
        assert "Pricing page visitor" in screen_text(app)


async def test_wide_screen_tab_moves_to_the_detail_and_back(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert app.focused is app.main.detail
        await pilot.press("escape")
        assert app.focused is app.main.sequence_list


async def test_copy_shows_what_was_copied(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == SEED_ID
        assert f"Copied {SEED_ID}" in screen_text(app)


async def test_help_lists_every_key(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for needle in ("Filter", "Refresh", "Copy id", "Quit", "list.filter", "detail.copy_id"):
            assert needle in text
        await pilot.press("escape")
        assert "list.filter" not in screen_text(app)


async def test_palette_jumps_to_a_sequence_by_name(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        app.main.action_jump()
        await pilot.pause()
        await pilot.press(*"click=app")
        await pilot.pause(0.3)
        assert "[@click=app.quit]q[/]" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.main.sequence_list.current_row.name == "[@click=app.quit]q[/]"
        assert app.is_running


async def test_a_refused_key_names_its_source(make_app):
    app = make_app(key="api_wrong_key_for_test")
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "API key was refused" in text
        assert "CLOSE_API_KEY environment variable" in text
        assert "api_wrong_key_for_test" not in text
