"""In the runs list: marking runs, P/R/D asking for the typed count, the rows showing Close's
answer for each, the status line saying how to undo it, and nothing sent when changes are off."""

from __future__ import annotations

import json

import pytest

from closetui.close.client import CloseClient
from closetui.config.settings import ApiKey, Settings
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose
from closetui.tui.app import ClosetuiApp
from closetui.tui.screens.confirm import ConfirmScreen
from closetui.tui.widgets.subscription_list import MARK
from tests.support.app import screen_text, settle, wait_until

RUNS = 60  # "My Sequence" with 60 runs: three of them (17, 37, 57) in error


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg(subscriptions=RUNS))


@pytest.fixture
def server(router):
    with DemoServer(router) as running:
        yield running


@pytest.fixture
def make_app(server, tmp_path):
    def make(*, allow_changes: bool = True) -> ClosetuiApp:
        settings = Settings(
            base_url=server.base_url,
            api_key=ApiKey(DEMO_API_KEY),
            key_source="the CLOSE_API_KEY environment variable",
            cache_dir=tmp_path / "cache",
            log_dir=tmp_path / "logs",
            config_path=tmp_path / "config.toml",
            allow_changes=allow_changes,
        )
        client = CloseClient(server.base_url, api_key=DEMO_API_KEY, backoff=0.01)
        return ClosetuiApp(settings, client=client, retry_delays=(0.05, 0.1))

    return make


def puts(server) -> list:
    return [r for r in server.router.requests if r.method in ("PUT", "DELETE")]


def error_ids(router) -> list[str]:
    items, _ = router.org.subscriptions("seq_3CtqAl6ynk4FbJmZIlCYAx", 0, RUNS)
    return [i["id"] for i in items if i["status"] == "error"]


async def open_runs(pilot, text: str = "") -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    if text:
        await pilot.press("slash")
        for char in text:
            await pilot.press(char)
        await pilot.press("enter")
        await settle(pilot)


async def type_answer(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char)
    await pilot.press("enter")


async def test_three_errored_runs_marked_and_resumed(make_app, server, router):
    errored = error_ids(router)
    assert len(errored) == 3
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot, "status:error")
        screen = app.screen
        assert screen.runs.count == 3
        await pilot.press("A")
        await wait_until(pilot, lambda: "3 marked" in screen_text(app))
        await pilot.pause()
        shown = [ln.lstrip("│ ") for ln in screen_text(app).splitlines() if " error " in ln]
        assert len(shown) == 3 and all(ln.startswith(MARK) for ln in shown), shown
        await pilot.press("R")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Resume 3 runs of 'My Sequence' (3 error)?" in screen_text(app)
        await type_answer(pilot, "y")  # one key is not enough for three runs
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and puts(server) == []
        assert "'y' is not 3" in screen_text(app)
        await type_answer(pilot, "3")
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: "3 resumed" in screen_text(app))
        await settle(pilot)
        rows = [screen.runs.get(i) for i in errored]
        assert [r.status for r in rows if r] == ["active", "active", "active"]
        assert error_ids(router) == []  # Close (the demo) has them active too
        assert sorted(r.path for r in puts(server)) == sorted(
            f"sequence_subscription/{i}/" for i in errored
        )
        assert all(json.loads(r.body) == {"status": "active"} for r in puts(server))
        text = screen_text(app)
        assert "3 resumed · pause them with P" in text
        assert "3 no longer match the filter (Esc clears it)" in text
        await pilot.press("escape")  # the filter off: the rows, as Close answered
        await wait_until(pilot, lambda: screen.runs.count == RUNS)
        shown = [screen.runs.row(screen.runs.index_of(i)) for i in errored]
        assert [r.status for r in shown] == ["active"] * 3
        assert "marked" not in text  # what was done is unmarked


async def test_marks_one_by_one_and_the_rows_show_each_answer(make_app, server, router):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot)
        screen = app.screen
        rows = [screen.runs.row(i) for i in range(3)]
        assert [r.status for r in rows] == ["active", "active", "finished"]
        await pilot.press("space", "space", "space")  # each marks a run, then steps down
        await wait_until(pilot, lambda: "3 marked" in screen_text(app))
        lines = screen_text(app).splitlines()
        for row in rows:  # each marked row leads with the mark
            line = next(ln for ln in lines if row.contact[:20] in ln)
            assert line.lstrip("│ ").startswith(MARK), line
        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Pause 3 runs of 'My Sequence' (2 active, 1 finished)?" in screen_text(app)
        await type_answer(pilot, "3")
        await wait_until(pilot, lambda: "2 paused · 1 not changed" in screen_text(app))
        await settle(pilot)
        after = [screen.runs.get(r.id) for r in rows]
        # Close's answer for each: paused where it could, its refusal where it could not.
        assert [(r.status, r.reason) for r in after[:2]] == [("paused", "manual")] * 2
        assert after[2].status == "finished"
        assert after[2].reason.startswith("✗ Close refused the request: This subscription is")
        assert "1 marked" in screen_text(app)  # what failed stays marked, to try again
        assert "resume them with R" in screen_text(app)


async def test_escape_cancels_and_nothing_is_sent(make_app, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot)
        await pilot.press("space", "D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Remove 1 run of 'My Sequence'" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        # The line is the answer's callback's, drawn a frame after the dialog has gone.
        await wait_until(pilot, lambda: "cancelled, nothing was sent" in screen_text(app))
        assert puts(server) == []


async def test_without_allow_changes_the_keys_say_so_and_send_nothing(make_app, server):
    app = make_app(allow_changes=False)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot)
        await pilot.press("space", "P")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert "allow_changes = true" in app.screen.done_line.render().plain
        assert puts(server) == []


async def test_the_undo_key_is_the_one_the_keymap_binds(make_app, server, tmp_path):
    (tmp_path / "config.toml").write_text('[keymap]\n"subscriptions.resume" = "u"\n')
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot, "status:active")
        await pilot.press("P")  # the run under the cursor, with nothing marked
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await type_answer(pilot, "y")
        await wait_until(pilot, lambda: "1 paused · resume it with u" in screen_text(app))
        assert len(puts(server)) == 1


async def test_remove_shows_the_run_removed_and_the_cache_forgets_it(make_app, server, router):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await open_runs(pilot)
        screen = app.screen
        row = screen.table.current_row
        await pilot.press("space")
        await wait_until(pilot, lambda: "1 marked · P pause R resume D remove" in screen_text(app))
        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await type_answer(pilot, "y")
        await wait_until(pilot, lambda: "1 removed · to undo" in screen_text(app))
        assert screen.runs.get(row.id).status == "removed"
        assert [(r.method, r.path) for r in puts(server)] == [
            ("DELETE", f"sequence_subscription/{row.id}/")
        ]
        assert router.org.run(row.id) is None
        cached = app.session.subscriptions("seq_3CtqAl6ynk4FbJmZIlCYAx").cached_page(0)
        assert row.id not in {r.id for r in cached}
