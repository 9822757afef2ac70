"""The line of keys at the bottom: what it names, and that a click on a key presses it."""

from __future__ import annotations

from closetui.tui.widgets.key_bar import KeyBar
from tests.support.app import screen_text, settle, wait_until


def _bottom_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def _click_on(pilot, app, words: str) -> None:
    """A click on the key that reads `words` (e.g. "s Runs"), where the line shows it."""
    line = _bottom_line(app)
    assert words in line, line
    await pilot.click(KeyBar, offset=(line.index(words) + 1, 0))


async def test_a_click_on_a_key_does_what_the_key_does(make_app):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "s Runs" in _bottom_line(app) and "^p palette" in _bottom_line(app)
        await _click_on(pilot, app, "s Runs")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SubscriptionsScreen")
        # The runs screen's own keys, Back among them.
        await wait_until(pilot, lambda: "esc Back" in _bottom_line(app))
        await _click_on(pilot, app, "esc Back")
        await wait_until(pilot, lambda: app.screen is app.main)
        await _click_on(pilot, app, "^p palette")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")


async def test_the_line_names_the_keys_a_keymap_moved(make_app, isolated_env):
    (isolated_env / "config.toml").write_text('[keymap]\n"detail.subscriptions" = "r"\n')
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        line = _bottom_line(app)
        assert "r Runs" in line and "s Runs" not in line, line
        await _click_on(pilot, app, "r Runs")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SubscriptionsScreen")


async def test_a_narrow_terminal_cuts_the_keys_and_keeps_the_palette(make_app):
    app = make_app()
    async with app.run_test(size=(50, 20)) as pilot:
        await settle(pilot)
        line = _bottom_line(app)
        assert len(line) <= 50
        assert line.rstrip().endswith("^p palette"), line
        assert "? Help" not in line  # the last keys do not fit
