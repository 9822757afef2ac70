"""The person view in the app: from a run (`p`), from the palette (*Find a person…*), its runs
across sequences, a run's sequence opened from it, the lead in Close, offline, hostile text."""

from __future__ import annotations

import pytest

from closetui.demo import DemoOrg, FakeClose
from closetui.demo.data import DEMO_PEOPLE
from tests.support.app import screen_text, settle, wait_until

PAT, ALEX_NORTH, ALEX_CONTOSO, ROBIN, EVE = DEMO_PEOPLE


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(size=12))


def _screen(app) -> str:
    return type(app.screen).__name__


async def _pat_from_a_run(app, pilot) -> None:
    """The first sequence's runs, the cursor on Pat's, then `p`."""
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    rows = app.screen.table.rows
    at = next(i for i in range(rows.count) if rows.row(i).contact == PAT.email)
    app.screen.table.move_to(at)
    await pilot.press("p")
    await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
    await settle(pilot)


async def test_p_on_a_run_lists_that_persons_runs_in_every_sequence(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _pat_from_a_run(app, pilot)
        text = screen_text(app)
        assert "Pat Quinn · pat@example.com" in text
        for sequence in ("My Sequence", "Re-engagement — APAC", "Renewal reminder — SMB"):
            assert sequence in text
        assert "email bounced" in text and "meeting booked" in text
        assert "all 5" in text
        asked = server.router.requests_to("sequence_subscription/")
        assert any(r.query.get("contact_id") == PAT.contact_id for r in asked)


async def test_the_persons_list_filters_and_sorts_like_the_others(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _pat_from_a_run(app, pilot)
        rows = app.screen.pane.rows
        await pilot.press("slash", *"status:error,goal")
        await settle(pilot)
        assert rows.count == 2
        await pilot.press("ctrl+u", *"reason:meeting-booked")
        await settle(pilot)
        assert [rows.row(0).sequence_name] == ["Renewal reminder — SMB"]
        await pilot.press("escape")  # the filter goes; the list stays
        assert _screen(app) == "PersonScreen" and rows.count == 5
        await pilot.press("S")  # by sequence name, ascending
        await settle(pilot)
        names = [rows.row(i).sequence_name for i in range(rows.count)]
        assert names == sorted(names, key=str.casefold)


async def test_enter_shows_the_run_with_its_sequences_cadence_and_s_its_runs(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _pat_from_a_run(app, pilot)
        table = app.screen.table
        rows = table.rows
        at = next(i for i in range(rows.count) if rows.row(i).sequence_name != "My Sequence")
        table.move_to(at)
        name = rows.row(at).sequence_name
        await pilot.press("enter")
        await wait_until(pilot, lambda: _screen(app) == "RunScreen")
        text = screen_text(app)
        assert f"Sequence {name}" in text and "Cadence" in text
        assert "Reason    " in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await pilot.press("s")
        await wait_until(pilot, lambda: _screen(app) == "SubscriptionsScreen")
        await settle(pilot)
        assert (
            name in screen_text(app)
            and app.screen.sequence_id == rows.row(at).subscription.sequence_id
        )


async def test_o_opens_the_lead_in_close(make_app, monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _pat_from_a_run(app, pilot)
        await pilot.press("o")
        await pilot.pause()
        assert app.clipboard == f"https://app.close.com/lead/{PAT.lead_id}/"


async def _find(app, pilot, text: str) -> None:
    await settle(pilot)
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: _screen(app) == "CommandPalette")
    await pilot.press(*"Find a person")
    await wait_until(pilot, lambda: "Find a person…" in screen_text(app))
    await pilot.press("enter")
    await wait_until(pilot, lambda: "Type an email" in screen_text(app))
    await pilot.press(*text)
    await wait_until(pilot, lambda: "in the cache, then with Close" in screen_text(app))
    await pilot.press("enter")


async def test_find_a_person_in_the_palette_by_email(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _find(app, pilot, "pat@example.com")
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        assert "all 5" in screen_text(app)
        assert any(r.method == "POST" for r in server.router.requests_to("data/search/"))


async def test_several_matches_in_the_palette_ask_which(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _find(app, pilot, "Alex Morgan")
        await wait_until(pilot, lambda: _screen(app) == "PeopleScreen")
        text = screen_text(app)
        assert "2 people match" in text and "alex.morgan@contoso.example" in text
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        assert app.screen.person.id in (
            ALEX_NORTH.contact_id,
            ALEX_CONTOSO.contact_id,
        )


async def test_no_match_in_the_palette_says_so(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await _find(app, pilot, "nobody@nowhere.example")
        await wait_until(pilot, lambda: "No one matches" in screen_text(app))
        assert _screen(app) == "SequencesScreen"


async def test_offline_the_person_seen_before_is_there_marked_cached(make_app, server, tmp_path):
    online = make_app()
    async with online.run_test(size=(120, 35)) as pilot:
        await _pat_from_a_run(online, pilot)
    before = len(server.router.requests)
    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await _find(offline, pilot, "pat@example.com")
        await wait_until(pilot, lambda: _screen(offline) == "PersonScreen")
        await settle(pilot)
        text = screen_text(offline)
        assert "My Sequence" in text and "email bounced" in text
        assert "cached" in text
    assert len(server.router.requests) == before


async def test_a_deleted_contact_and_hostile_names_are_shown_inert(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _find(app, pilot, EVE.contact_id)
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        text = screen_text(app)
        assert "\x1b" not in text and "internal error" in text
        await pilot.press("escape")
        await _find(app, pilot, ROBIN.contact_id)
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: _screen(app) == "RunScreen")
        assert "deleted in Close" in screen_text(app)


async def test_a_contact_found_by_id_is_named_in_the_title_once_a_run_gives_its_name(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _find(app, pilot, PAT.contact_id)  # an id: no request, and no name yet
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        assert app.screen.person.name == "Pat Quinn"
        assert f"contact Pat Quinn · {PAT.contact_id}" in screen_text(app)


async def test_names_that_fail_to_arrive_are_said_once_and_the_ids_stay(make_app, server):
    # Both lists of runs say so: a person's list as a sequence's does.
    server.faults.add("status", path="contact/", status=403, times=None)
    server.faults.add("status", path="lead/", status=403, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await _find(app, pilot, PAT.contact_id)
        await wait_until(pilot, lambda: _screen(app) == "PersonScreen")
        await settle(pilot)
        assert app.screen.person.name == ""  # no name came, so the title keeps the id
        assert "Lookup failed" in screen_text(app)
        told = [n.message for n in app.told if n.title == "Lookup failed"]
        assert len(told) == 1 and "lead and contact names: failed" in told[0]
        await pilot.press("s")  # the same failure, on another list: not said again
        await wait_until(pilot, lambda: _screen(app) == "SubscriptionsScreen")
        await settle(pilot)
        assert [n.title for n in app.told].count("Lookup failed") == 1
