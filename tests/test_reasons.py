"""Why runs stopped, in words: every documented `status_reason`, the runs list's summary line
and its `reason:` filter terms, the run's detail, `closetui subscriptions --status error`."""

from __future__ import annotations

import pytest

from closetui.cli import main
from closetui.demo import DemoOrg
from closetui.demo.data import DEMO_API_KEY, SEED_ID
from closetui.present.reasons import REASONS, reason_advice, reason_summary, reason_words
from tests.support.app import screen_text, settle, wait_until
from tests.support.contract import load

DOCUMENTED = load("enums.json")["sequence_subscription.status_reason"]["enum"]
COMMON = ("email-bounced", "account-invalid", "send-as-error", "reply-received", "manual",
          "meeting-booked", "workflow-paused", "internal-error")  # fmt: skip


def test_every_documented_reason_has_words_of_its_own():
    assert set(REASONS) == set(DOCUMENTED) and len(DOCUMENTED) == 31
    words = [reason_words(r) for r in DOCUMENTED]
    assert len(set(words)) == 31 and all(
        w and w != r for w, r in zip(words, DOCUMENTED, strict=True)
    )
    assert reason_words("email-bounced") == "email bounced"
    assert all(reason_advice(r) for r in COMMON)
    assert "check it on the lead" in reason_advice("email-bounced")


def test_an_unknown_reason_is_shown_as_it_came_and_none_is_nothing():
    assert reason_words("quantum-flux") == "quantum-flux" and reason_advice("quantum-flux") == ""
    assert reason_words(None) == "" and reason_words("") == ""


def test_the_summary_counts_by_status_then_reason():
    counts = {("error", "email-bounced"): 7, ("error", "account-invalid"): 5,
              ("active", None): 40, ("paused", None): 2}  # fmt: skip
    assert reason_summary(counts, ("error", "paused")) == (
        "12 error: email bounced 7 · account invalid 5"
    )


def test_the_demo_gives_every_stopped_run_a_documented_reason_and_uses_them_all():
    org = DemoOrg()
    seen: set[str] = set()
    for position in range(300):
        sequence = org.sequence_at(position)
        assert sequence is not None
        runs, _ = org.subscriptions(sequence["id"], 0, 500)
        for run in runs:
            reason = run["status_reason"]
            if run["status"] == "active":
                assert reason is None
            elif run["status"] == "error":
                assert reason in DOCUMENTED
            else:
                assert reason is None or reason in DOCUMENTED
            seen.add(reason)
    assert set(DOCUMENTED) <= seen


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def test_subscriptions_with_status_error_show_the_reason_in_words(capsys, online):
    assert main(["subscriptions", SEED_ID, *online, "--status", "error", "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ID", "STATUS", "REASON"]
    assert len(lines) > 1 and all(" error " in line for line in lines[1:])
    assert any("email bounced" in line for line in lines[1:])
    assert main(["subscriptions", SEED_ID, *online, "--status", "error"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert {row[2] for row in rows} <= set(DOCUMENTED) and "email-bounced" in {r[2] for r in rows}


async def _runs_of_first_sequence(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


async def test_the_runs_list_says_why_runs_stopped(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _runs_of_first_sequence(app, pilot)
        counts = app.main.session.cache.run_reasons("subscriptions", SEED_ID)
        errors = sum(n for (status, _), n in counts.items() if status == "error")
        await wait_until(pilot, lambda: f"{errors} error:" in screen_text(app))
        line = next(t for t in screen_text(app).splitlines() if "Why runs stopped" in t)
        assert f"{errors} error: email bounced" in line


async def test_reason_terms_filter_the_runs_list(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _runs_of_first_sequence(app, pilot)
        rows = app.screen.pane.rows
        bounced = [r for r in rows.in_order() if r.subscription.status_reason == "email-bounced"]
        assert bounced
        await pilot.press("slash", *"reason:email-bounced")
        await settle(pilot)
        assert rows.count == len(bounced)
        assert f"{len(bounced)} of 15 match" in screen_text(app)
        other = sorted(
            {r.subscription.status_reason or "" for r in rows.in_order()} - {"", "email-bounced"}
        )[0]
        await pilot.press("ctrl+u", *f"reason:email-bounced,{other}")
        await settle(pilot)
        wanted = {"email-bounced", other}
        either = [r for r in rows.in_order() if r.subscription.status_reason in wanted]
        assert rows.count == len(either) > len(bounced)
        await pilot.press("ctrl+u", *"bounced")  # the words are searched as text too
        await settle(pilot)
        assert rows.count == len(bounced)


async def test_a_runs_detail_explains_its_reason(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await _runs_of_first_sequence(app, pilot)
        await pilot.press("slash", *"reason:email-bounced", "enter", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "Reason    email bounced  email-bounced  (the address bounced: check it" in text


async def test_a_long_runs_list_counts_its_first_pages_and_says_so(make_app, monkeypatch):
    import closetui.tui.widgets.reasons_line as reasons_line

    monkeypatch.setattr(reasons_line, "MOST_PAGES", 1)
    app = make_app(page_size=10)  # the seed's 15 runs are two pages
    async with app.run_test(size=(120, 35)) as pilot:
        await _runs_of_first_sequence(app, pilot)
        await wait_until(pilot, lambda: "(first 1 pages)" in screen_text(app))
        first = app.main.session.cache.run_reasons("subscriptions", SEED_ID, 0, 0)
        line = next(t for t in screen_text(app).splitlines() if "Why runs stopped" in t)
        errors = sum(n for (status, _), n in first.items() if status == "error")
        every = app.main.session.cache.run_reasons("subscriptions", SEED_ID)
        assert 0 < errors < sum(n for (status, _), n in every.items() if status == "error")
        assert f"{errors} error:" in line  # the first page's, not the whole list's
