"""Names instead of ids: users, templates and subscriptions, never in the way."""

from __future__ import annotations

from closetui.close.models import Sequence
from closetui.demo.data import MISSING_TEMPLATE_ID, SEED_ID, SEED_TEMPLATE_ID
from closetui.names.lookups import templates_of
from tests.support.app import screen_text, settle, wait_until


def _paths(server, prefix: str) -> list[str]:
    return [r.path for r in server.router.requests if r.path.startswith(prefix)]


async def test_the_seed_shows_template_name_subject_creator_and_counts(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        detail = app.main.detail.text
        assert "by Ava Adler" in detail and "by Ben Brooks" in detail
        # The compact cadence: the template's name and subject on the step's line.
        assert "Intro: quick question · Quick question about" in detail
        assert "5 active  2 paused  5 finished" in detail


async def test_one_users_pass_and_one_request_per_distinct_template(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        wanted = set()
        for index in range(12):
            row = app.main.sequences.in_order()[index]
            app.main.jump_to(row.id)
            await settle(pilot)
            sequence = app.session.source.sequence(row.id).sequence
            wanted |= {tid for _, tid in templates_of(sequence)}
        for index in (3, 0, 7):  # coming back costs nothing
            app.main.jump_to(app.main.sequences.in_order()[index].id)
            await settle(pilot)
    templates = _paths(server, "email_template/") + _paths(server, "sms_template/")
    assert len(templates) == len(set(templates)) == len(wanted)
    assert _paths(server, "user/") == ["user/"]  # 12 users: one page, one pass
    details = _paths(server, "sequence/seq_")
    assert len(details) == len(set(details)) == 12


async def test_holding_a_key_down_starts_no_burst_of_lookups(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        before = len(server.router.requests)
        # A held key: 50 moves arrive faster than the lookup delay (each one still repaints
        # the detail from the cache).
        for _ in range(50):
            app.main.sequence_list.action_cursor_down()
        await settle(pilot)
        lookups = [r.path for r in server.router.requests[before:] if r.path != "sequence/"]
        last = app.main.sequence_list.current_row.id
        assert app.main.sequence_list.cursor == 50
        assert [p for p in lookups if p.startswith("sequence/seq_")] == [f"sequence/{last}/"]
        assert last in app.main.detail.text


async def test_a_missing_template_says_not_found(make_app, server):
    org = server.router.org
    index = next(
        i
        for i in range(1, 1500)
        if any(
            s.get("email_template_id") == MISSING_TEMPLATE_ID for s in org.sequence_at(i)["steps"]
        )
    )
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        while app.main.sequences.loaded <= index:
            await pilot.press("end")
            await settle(pilot)
        app.main.jump_to(org.sequence_at(index)["id"])
        await settle(pilot)
        assert f"template not found ({MISSING_TEMPLATE_ID})" in app.main.detail.text
        assert app.is_running


async def test_names_and_counts_show_offline(make_app, server):
    online = make_app()
    async with online.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        detail = offline.main.detail.text
        assert SEED_ID in detail
        assert "by Ava Adler" in detail
        assert "Intro: quick question · " in detail
        assert "5 active  2 paused" in detail


async def test_subscriptions_page_through_skip_like_the_list(make_app, server):
    org = server.router.org
    index = next(
        i for i in range(1, 100) if org.subscription_total(org.sequence_at(i)["id"]) == 420
    )
    sequence_id = org.sequence_at(index)["id"]
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        app.main.jump_to(sequence_id)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        subs = server.router.requests_to("sequence_subscription/")
        assert [(r.query["sequence_id"], r.query["_skip"]) for r in subs] == [(sequence_id, "0")]
        text = screen_text(app)
        assert "Subscriptions" in text and "100 loaded · more" in text
        await pilot.press("end")
        await settle(pilot)
        subs = server.router.requests_to("sequence_subscription/")
        assert [r.query["_skip"] for r in subs] == ["0", "100"]
        # Its own filter.
        first = app.screen.runs.in_order()[0].contact
        await pilot.press("slash", *first[:12])
        await settle(pilot)
        assert app.screen.runs.count >= 1
        assert all(first[:12].casefold() in r.key for r in app.screen.runs.rows_between(0, 500))
        # The filter brought the rest through the walk: each page once, at most one past
        # the end of its three.
        skips = [int(r.query["_skip"]) for r in server.router.requests_to("sequence_subscription/")]
        assert len(skips) == len(set(skips)) and set(range(0, 420, 100)) <= set(skips)
        assert len([s for s in skips if s >= 420]) <= 1
        await pilot.press("escape", "escape")
        assert app.screen is not None and app.main.sequence_list.current_row.id == sequence_id

    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        offline.main.jump_to(sequence_id)
        await pilot.press("s")
        await settle(pilot)
        assert offline.screen.runs.loaded == 100  # lazily, from the cache too
        await pilot.press("end")
        await settle(pilot)
        assert offline.screen.runs.loaded == 200
        assert first in [r.contact for r in offline.screen.runs.in_order()]


def test_templates_of_a_sequence_are_distinct_and_ordered():
    raw = {
        "id": "seq_x",
        "steps": [
            {"id": "a", "step_type": "email", "email_template_id": "tmpl_1"},
            {"id": "b", "step_type": "sms", "sms_template_id": "smstmpl_1"},
            {"id": "c", "step_type": "email", "email_template_id": "tmpl_1"},
        ],
    }
    assert templates_of(Sequence.from_api(raw)) == [
        ("email_template", "tmpl_1"),
        ("sms_template", "smstmpl_1"),
    ]


async def test_a_lookup_for_a_row_the_cursor_left_is_not_painted(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        server.faults.latency = 0.3
        first, second = app.main.sequences.in_order()[5].id, app.main.sequences.in_order()[6].id
        app.main.jump_to(first)
        # The cursor rests: its lookups start, and take 0.3 s to answer.
        await wait_until(
            pilot, lambda: f"sequence/{first}/" in [r.path for r in server.router.requests]
        )
        app.main.jump_to(second)  # moves on before they answer
        server.faults.latency = 0
        await settle(pilot)
        assert app.main.detail.showing == second
        assert second in app.main.detail.text and first not in app.main.detail.text


async def test_template_lookups_ask_only_for_the_fields_they_show(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        asked = server.router.requests_to(f"email_template/{SEED_TEMPLATE_ID}/")
        assert [r.query.get("_fields") for r in asked] == ["id,name,subject,body"]
        assert "Intro: quick question · " in app.main.detail.text
        # Narrowed: the answer carried the body (for `b`) and nothing else it does not show.
        sizes = [n for path, n in server.router.body_bytes if path.startswith("email_template/")]
        assert sizes and max(sizes) < 1500
        # SMS templates and the sequence's own detail go without it: their reference does not
        # list `_fields`.
        others = [r for r in server.router.requests if not r.path.startswith("email_template/")]
        assert not any("_fields" in r.query for r in others)


async def test_a_server_that_ignores_fields_is_parsed_all_the_same(make_app, server):
    server.faults.ignore_fields = True
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert (
            server.router.requests_to(f"email_template/{SEED_TEMPLATE_ID}/")[0].query["_fields"]
            == "id,name,subject,body"
        )
        assert "Intro: quick question · " in app.main.detail.text
        sizes = [n for path, n in server.router.body_bytes if path.startswith("email_template/")]
        assert max(sizes) > 1500  # the whole template came
    # What was stored is what the detail shows, whichever answer came.
    offline = make_app(offline=True)
    async with offline.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "Intro: quick question · " in offline.main.detail.text
