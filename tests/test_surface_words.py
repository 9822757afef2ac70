"""The app says what it means: help that keeps each id beside its words and can be searched,
one `q` and one "Keys", offline runs that say they were never fetched, the copy fallback
shown unbroken, toasts that hide no count, the person first in the runs list at 80x24, and
colour's meanings kept in 16 colours and without colour."""

from __future__ import annotations

import pytest

from tests.support.app import screen_looks, screen_text, settle, wait_until
from tests.support.snapshots import check_snapshot


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


def _row(app, *needles: str, colors: int = 16) -> tuple[str, str]:
    return next(
        (text, looks)
        for text, looks in screen_looks(app, colors)
        if all(n in text for n in needles)
    )


def _cell_after(text: str, word: str) -> int:
    """Where the first glyph after `word` (and the spaces after it) is."""
    at = text.index(word) + len(word)
    while text[at] == " ":
        at += 1
    return at


@pytest.mark.parametrize("colors", [16, 0])
async def test_err_counts_and_the_error_status_stand_out_without_colour(make_app, colors):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("down")  # the seed's row (Err 2) off the cursor
        await settle(pilot)
        text, looks = _row(app, "My Sequence", "active", colors=colors)
        at = _cell_after(text, "active")
        assert text[at] == "2" and looks[at].isupper()  # bold: the errors
        text, looks = _row(app, "Re-engagement — APAC", "paused", colors=colors)
        at = _cell_after(text, "paused")
        assert text[at] == "·" and not looks[at].isupper()  # unknown: plain
        await pilot.press("up", "s")
        await settle(pilot)
        await pilot.press("G")  # the cursor to the last run, away from the first rows
        await settle(pilot)
        runs = [(t, lk) for t, lk in screen_looks(app, colors) if " error " in t]
        plain = [(t, lk) for t, lk in screen_looks(app, colors) if " finished " in t]
        assert runs and plain
        for text, looks in runs[:1] + plain[:1]:
            at = text.index(" error ") + 1 if " error " in text else text.index(" finished ") + 1
            assert looks[at].isupper() == (" error " in text), (text, looks)


async def test_a_16_colour_snapshot_of_the_list_and_the_runs(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        main = screen_looks(app)
        await pilot.press("up", "s")
        await settle(pilot)
        runs = screen_looks(app)
    lines = [
        "# each line, then how it looks in 16 colours: k r g y b m c w (d: default), UPPER = bold"
    ]
    for text, looks in [*main, ("", ""), *runs]:
        lines += [text.rstrip(), looks.rstrip()]
    check_snapshot("looks-16colors-120x35", "\n".join(lines))


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_offline_runs_never_fetched_say_so_and_how_to_get_them(make_app, size):
    online = make_app()
    async with online.run_test(size=(120, 35)) as pilot:
        await settle(pilot)  # the first page and the seed's detail are cached; no runs
    app = make_app(offline=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await wait_until(pilot, lambda: "Never fetched" in screen_text(app))
        text = screen_text(app)
        assert "Never fetched: open these runs once online to read them offline." in text
        assert "Nothing is cached for this yet" not in text
        assert "all 0 cached" not in text and "none cached" in text


async def test_the_runs_list_at_80x24_gives_the_person_the_room(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await wait_until(pilot, lambda: "Sami Hale · " in screen_text(app))
        await settle(pilot)
        # The name and the email whole; the lesser columns gave way.
        assert "Sami Hale · sami.hale@soylent.example" in screen_text(app)
        header = next(line for line in screen_text(app).splitlines() if "Contact" in line)
        assert "Sender" not in header and "Status" in header
    wide = make_app()
    async with wide.run_test(size=(120, 35)) as pilot:  # room for every column
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        header = next(line for line in screen_text(wide).splitlines() if "Contact" in line)
        assert header.split("│")[1].split() == [
            "Contact", "Lead", "Status", "Reason", "Sender", "Started", "Updated",
        ]  # fmt: skip


def _border_line(app) -> str:
    return [line for line in screen_text(app).splitlines() if line.startswith("╰")][-1]


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_a_copy_toast_shows_the_id_whole_and_hides_no_count(make_app, size):
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        border = _border_line(app)
        assert "100 loaded · more" in border
        await pilot.press("y")
        row = app.main.sequence_list.current_row
        await wait_until(pilot, lambda: f"Copied {row.id}" in screen_text(app))
        assert _border_line(app) == border  # the counts are still there to read


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_a_long_address_copied_is_shown_whole_to_select(make_app, monkeypatch, size):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")  # no browser
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("y")  # a toast first: it must not cover the address
        await pilot.press("o")
        row = app.main.sequence_list.current_row
        url = f"https://app.close.com/sequences/{row.id}/"
        # From the left edge, alone on its line: a terminal's selection takes just it.
        await wait_until(pilot, lambda: f"\n{url}" in screen_text(app))
        (line,) = [ln for ln in screen_text(app).splitlines() if url in ln]
        assert line.rstrip() == url
        assert app.clipboard == url
        await pilot.press("escape")
        await wait_until(pilot, lambda: url not in screen_text(app))
        await pilot.press("s")
        await settle(pilot)
        run = app.screen.table.current_row
        await pilot.press("Y")  # the lead's address: 76 characters, too long for a toast
        lead = f"https://app.close.com/lead/{run.subscription.lead_id}/"
        await wait_until(pilot, lambda: f"\n{lead}" in screen_text(app))
        assert app.clipboard == lead
        assert "Copied the lead URL" in screen_text(app)


async def test_the_app_offline_without_a_key_opens_the_one_cached_account(
    make_app, isolated_env, monkeypatch
):
    from closetui.config.offline import choose_cached_account
    from closetui.config.settings import load_settings
    from closetui.tui.app import ClosetuiApp

    online = make_app()
    async with online.run_test(size=(120, 35)) as pilot:
        await settle(pilot)  # a page of sequences cached, under the key's account
    monkeypatch.setenv("CLOSETUI_CACHE_DIR", str(isolated_env / "cache"))
    settings = choose_cached_account(load_settings(offline=True, need_key=False))
    assert settings.api_key is None
    app = ClosetuiApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "My Sequence" in text and "Offline (--offline)" in text


async def test_a_snapshot_of_the_runs_help_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: "(list.up)" in screen_text(app))
        # The help's first line is drawn before the rest of the screen is laid out: the
        # snapshot is of the screen once nothing is left to do.
        await settle(pilot)
        check_snapshot("help-runs-80x24", screen_text(app))
