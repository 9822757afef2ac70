"""Triage: narrow a list by status, order it by any column, and see which sequences have
errored runs, without a request per row."""

from __future__ import annotations

import asyncio

from closetui.cli import main
from closetui.demo import DEMO_API_KEY
from tests.support.app import screen_text, settle, wait_until


async def test_the_status_key_narrows_over_pages_not_yet_loaded(make_app, server):
    server.router.org.size = 450
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert app.main.sequences.loaded == 100  # one page so far
        await pilot.press("f")  # all → active
        await settle(pilot)
        rows = app.main.sequences
        assert rows.loaded == 450  # the filter kept loading until it covered every page
        shown = rows.rows_between(0, 1000)
        assert shown and all(r.status == "active" for r in shown)
        assert app.main.list_pane.filter_input.value == "status:active"
        assert f"{len(shown):,} of 450 match" in screen_text(app)
        await pilot.press("f")  # → paused
        await settle(pilot)
        assert {r.status for r in rows.rows_between(0, 1000)} == {"paused"}
        for _ in range(10):  # on through the rest, and back to all
            await pilot.press("f")
            await settle(pilot)
            if not app.main.list_pane.filter_input.value:
                break
        assert rows.count == 450 and app.main.list_pane.filter_input.value == ""


async def test_the_filter_box_takes_status_terms_beside_text(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"status:paused renewal", "enter")
        await settle(pilot)
        shown = app.main.sequences.rows_between(0, 2000)
        assert shown
        assert all(r.status == "paused" and "renewal" in r.key for r in shown)


async def test_sorting_covers_loaded_rows_says_so_and_one_key_loads_the_rest(make_app, server):
    server.router.org.size = 350
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("S")  # Name ↑
        await settle(pilot)
        rows = app.main.sequences
        names = [r.key for r in rows.rows_between(0, 1000)]
        assert names == sorted(names)
        text = screen_text(app)
        assert "Name↑" in text and "of those loaded (L loads all)" in text
        await pilot.press("L")
        await settle(pilot)
        assert rows.loaded == 350
        names = [r.key for r in rows.rows_between(0, 1000)]
        assert names == sorted(names)  # rows that arrived later were put in their place
        assert "L loads all" not in screen_text(app)
        await pilot.press("S")  # Name ↓
        await settle(pilot)
        assert [r.key for r in rows.rows_between(0, 1000)] == sorted(names, reverse=True)
        # Through every column and back to Close's order with the same key.
        for _ in range(40):
            if app.main.sequence_list.sort is None:
                break
            await pilot.press("S")
        assert app.main.sequence_list.sort is None
        assert [r.id for r in rows.rows_between(0, 1000)] == rows.ids()


async def test_a_click_on_a_header_sorts_by_that_column(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        table = app.main.sequence_list
        x = screen_text(app).splitlines()[2].index("Steps")
        await pilot.click("#sequences", offset=(x + 2 - 1, 0))
        await settle(pilot)
        assert table.sort is not None and table.sort.column.title == "Steps"
        steps = [r.steps for r in app.main.sequences.rows_between(0, 100)]
        assert steps == sorted(steps, reverse=True)  # a count: the largest first
        assert "Steps↓" in screen_text(app).splitlines()[2]  # the title whole, with its arrow
        await pilot.click("#sequences", offset=(x + 2 - 1, 0))
        await settle(pilot)
        steps = [r.steps for r in app.main.sequences.rows_between(0, 100)]
        assert steps == sorted(steps)


async def test_error_counts_show_from_the_cache_with_no_request_per_row(
    make_app, server, monkeypatch, capsys
):
    server.router.org.size = 120
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    argv = ["sync", "--subscriptions", "--base-url", server.base_url]
    assert await asyncio.to_thread(main, argv) == 0  # a command runs its own event loop
    capsys.readouterr()
    server.router.reset_log()
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        details = [r for r in server.router.requests if r.path.startswith("sequence/seq_")]
        assert len(details) <= 1  # only the highlighted row's own detail, as before
        rows = app.main.sequences.in_order()
        assert all(r.counts is not None for r in rows)
        # Errors first: S cycles Name ↑, Name ↓, Status ↑, Status ↓, Err ↓.
        for _ in range(5):
            await pilot.press("S")
        await settle(pilot)
        assert app.main.sequence_list.sort.label == "Err ↓"
        errors = [r.counts["error"] for r in app.main.sequences.rows_between(0, 200)]
        assert errors == sorted(errors, reverse=True) and errors[0] > 0
        top = app.main.sequences.row(0)
        await pilot.press("home")  # the cursor kept its row through the sort: to the top
        await wait_until(pilot, lambda: app.main.detail.showing == top.id)
        assert f"{top.counts['error']:,} error" in " ".join(app.main.detail.text.split())


async def test_unknown_counts_show_a_dot_until_a_detail_visit_fills_them(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        lines = screen_text(app).splitlines()
        second = next(line for line in lines if line.startswith("│ Pricing page visitor"))
        assert " · " in second
        await pilot.press("down")
        await settle(pilot)  # the cursor rested: its detail (and counts) arrived
        row = app.main.sequences.row(1)
        assert row.counts is not None
        lines = screen_text(app).splitlines()
        second = next(line for line in lines if line.startswith("│ " + row.name[:20]))
        assert f" {row.counts['error']} " in second


def _big_sequence(app, server, at_least: int = 260):
    return next(
        r for r in app.main.sequences.in_order()
        if server.router.org.subscription_total(r.id) >= at_least
    )  # fmt: skip


async def test_names_of_leads_and_contacts_for_the_rows_on_screen_once_each(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.main.jump_to(_big_sequence(app, server).id)
        await pilot.press("s")
        await settle(pilot)
        parties = [r for r in server.router.requests if r.path.startswith(("lead/", "contact/"))]
        on_screen = app.screen.table.rows_on_screen()
        assert 0 < len(parties) <= 2 * len(on_screen)  # the rows in view, not the page of 100
        assert all(r.query == {"_fields": "id,display_name,name"} for r in parties)
        first = on_screen[0]
        assert first.contact_name and first.contact_name in screen_text(app)
        # A key held down (40 moves before the app is idle again) asks for the rows it
        # comes to rest on, and nothing for the rows it passed.
        before = len(server.router.requests)
        table = app.screen.table
        for _ in range(40):
            table.action_cursor_down()
        await settle(pilot)
        rest = {
            f"{kind}/{party}/"
            for row in table.rows_on_screen()
            for kind, party in (("lead", row.subscription.lead_id),
                                ("contact", row.subscription.contact_id))
        }  # fmt: skip
        asked = [r.path for r in server.router.requests[before:]]
        assert asked and set(asked) <= rest
        parties = [
            r.path for r in server.router.requests if r.path.startswith(("lead/", "contact/"))
        ]
        assert len(parties) == len(set(parties))  # never the same id twice
        await pilot.press("home")
        await settle(pilot)
        again = [r.path for r in server.router.requests if r.path.startswith(("lead/", "contact/"))]
        assert again == parties  # back where it was: known, no request


async def test_a_deleted_lead_says_so(make_app, server):
    app = make_app()
    async with app.run_test(size=(160, 60)) as pilot:
        await settle(pilot)
        app.main.jump_to(_big_sequence(app, server, 90).id)
        await pilot.press("s")
        await settle(pilot)
        # The demo's 8th run of every 53 belongs to a lead deleted since.
        assert "(deleted)" in screen_text(app)


async def test_o_over_ssh_shows_and_copies_the_address_and_opens_nothing(
    make_app, server, monkeypatch
):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    app = make_app()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        row = app.main.sequence_list.current_row
        url = f"https://app.close.com/sequences/{row.id}/"
        shown = [line for line in screen_text(app).splitlines() if line.startswith(url)]
        assert app.clipboard == url and shown and opened == []  # whole, to select by hand
        await pilot.press("escape")
        app.main.jump_to(_big_sequence(app, server, 90).id)
        await pilot.press("s")
        await settle(pilot)
        run = app.screen.table.current_row
        await pilot.press("o")
        await pilot.pause()
        assert app.clipboard == f"https://app.close.com/lead/{run.subscription.lead_id}/"
        await pilot.press("escape")
        await pilot.press("y")
        assert app.clipboard == run.subscription.contact_email
        await pilot.press("Y")
        assert app.clipboard == f"https://app.close.com/lead/{run.subscription.lead_id}/"
        assert opened == []


async def test_o_with_a_display_opens_the_browser(make_app, monkeypatch):
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    app = make_app()
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **_: opened.append(url))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
    assert opened == [f"https://app.close.com/sequences/{app.main.sequences.in_order()[0].id}/"]


async def test_enter_on_a_run_shows_every_field_and_the_cadence(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 45)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        run = app.screen.table.current_row
        await pilot.press("enter")
        await settle(pilot)
        text = " ".join(app.screen.detail.text.split())
        sub = run.subscription
        assert sub.id in text and (sub.contact_email or "") in text
        assert "Sender" in text and "Cadence" in text
        assert "Close does not say which step this run is on." in text
        assert "organization_id" in text  # fields closetui does not use are shown too
        await pilot.press("escape")
        assert type(app.screen).__name__ == "SubscriptionsScreen"
