"""A lookup that fails says so, once, in the app, in `show` and in `sync`'s summary; what
was fetched is still saved; nothing is swallowed."""

from __future__ import annotations

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY, SEED_ID, SEED_TEMPLATE_ID
from tests.support.app import screen_text, settle


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def test_sync_reports_a_failed_users_pass_exits_1_and_keeps_the_rest(capsys, online, server):
    server.router.org.size = 150
    server.faults.add("status", path="user/", status=500, times=None)
    assert main(["sync", *online]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("Synced 150 sequences, 0 users,")
    assert "users: failed (Close had a server error (500)" in captured.err
    assert main(["list", "--offline", *online]) == 0  # saved before the users pass failed
    assert len(capsys.readouterr().out.splitlines()) == 150


def test_sync_reports_failed_templates_and_counts_with_their_count(capsys, online, server):
    server.router.org.size = 40
    server.faults.add("status", path="email_template/", status=403, times=None)
    server.faults.add("status", path="sequence/seq_", status=500, times=None)
    assert main(["sync", *online, "--subscriptions"]) == 1
    err = capsys.readouterr().err
    assert "templates: failed" in err and "times (This key is not allowed" in err
    assert "subscription counts: failed" in err


def test_a_documented_user_list_of_odd_shape_still_gives_names(capsys, online, server):
    # One user with fields of the wrong type: that user's odd fields degrade, the pass holds.
    from closetui.demo import router as router_module

    odd = [dict(u) for u in router_module.USERS]
    odd[0]["organizations"] = {"not": "a list"}
    odd[0]["image"] = 12
    odd[1]["last_name"] = ["Ramani"]
    import unittest.mock

    with unittest.mock.patch.object(router_module, "USERS", odd):
        assert main(["sync", *online]) == 0
        assert main(["show", SEED_ID, *online]) == 0
    out = capsys.readouterr().out
    assert "12 users" in out
    assert "by Ava Adler" in out and "by Ben ?" in out


def test_show_says_when_the_users_pass_failed_and_shows_ids(capsys, online, server):
    server.faults.add("status", path="user/", status=502, times=None)
    assert main(["show", SEED_ID, *online]) == 0
    captured = capsys.readouterr()
    assert "users: failed" in captured.err
    # (the id is too long for the line, and wraps to the next as a whole)
    assert "by user_N6KhMpzHRCYQHdn4gRNIFNN5JExnsrprKA6ekxM63XA" in " ".join(captured.out.split())


async def test_the_app_says_once_when_a_lookup_fails(make_app, server):
    server.faults.add("status", path="user/", status=500, times=None)
    server.faults.add("status", path="email_template/", status=500, times=None)
    server.faults.add("status", path="me/", status=500, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        await pilot.press("up", "up", "up")
        await settle(pilot)
        text = screen_text(app)
        toasts = [n.message for n in app.told]
    assert sum("users: failed" in m for m in toasts) == 1
    assert sum("templates: failed" in m for m in toasts) == 1  # once, however many failed
    assert any("organization: failed" in m for m in toasts)
    assert "Lookup failed" in text
    assert SEED_TEMPLATE_ID in "".join(app.main.detail.text.split())  # the id shows instead


async def test_a_sequences_runs_say_when_their_names_fail_to_arrive(make_app, server):
    server.faults.add("status", path="contact/", status=403, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "SubscriptionsScreen"
        told = [n.message for n in app.told if n.title == "Lookup failed"]
        assert len(told) == 1 and "lead and contact names: failed" in told[0]
        assert app.screen.table.current_row.contact_name is None  # the contact's email shows
