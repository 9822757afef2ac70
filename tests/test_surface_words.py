"""The app says what it means: help that keeps each id beside its words and can be searched,
one `q` and one "Keys", offline runs that say they were never fetched, the copy fallback
shown unbroken, toasts that hide no count, the person first in the runs list at 80x24, and
colour's meanings kept in 16 colours and without colour."""

from __future__ import annotations

from tests.support.app import screen_text, settle, wait_until


def _lines_with(app, needle: str) -> list[str]:
    return [line for line in screen_text(app).splitlines() if needle in line]


async def test_help_keeps_each_id_beside_its_words_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark", "slash", *"subscriptions")
        await wait_until(pilot, lambda: "(detail.subscriptions)" in screen_text(app))
        (line,) = _lines_with(app, "(detail.subscriptions)")
        # Wrapped under the words (column 26 of the screen), never back to the border.
        assert line.index("(detail.subscriptions)") >= 20
        words = _lines_with(app, "Runs: the sequence")
        assert words and words[0].index("Runs") == line.index("(detail.subscriptions)")


async def test_slash_in_help_searches_and_esc_ends_the_search_then_closes(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "(list.filter)" in screen_text(app))
        assert "(list.up)" in screen_text(app)
        await pilot.press("slash", *"copy")
        await wait_until(pilot, lambda: "(list.up)" not in screen_text(app))
        assert "(detail.copy_id)" in screen_text(app)
        assert "Sequence list" not in screen_text(app)  # a section with no match goes too
        await pilot.press(*"zzz")
        await wait_until(pilot, lambda: "No key matches." in screen_text(app))
        await pilot.press("escape")  # the search ends, help stays
        await wait_until(pilot, lambda: "(list.up)" in screen_text(app))
        assert "(detail.copy_id)" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: "(list.up)" not in screen_text(app))
        assert app.screen is app.main


async def test_the_runs_help_lists_quit_once_with_both_ids(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("question_mark", "slash", *"quit")
        await wait_until(pilot, lambda: "(subscriptions.quit" in screen_text(app))
        quits = [line for line in _lines_with(app, "Quit") if ".quit" in line]  # not the footer
        assert len(quits) == 1
        assert "(subscriptions.quit, app.quit)" in quits[0]


async def test_the_palette_offers_keys_once(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"keys")
        await wait_until(pilot, lambda: "Show every key" in screen_text(app))
        assert not _lines_with(app, "Show help for the focused widget")
        assert len(_lines_with(app, "Show every key")) == 1
