"""The person's keymap and theme from the config file: applied, shown in `?`, reported when
they cannot be used, and the theme chosen in the palette kept for the next start without
touching the rest of the file."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette

from closetui.config.preferences import save_theme
from closetui.errors import ConfigError
from tests.support.app import screen_text, settle, wait_until

CONFIG = """\
# closetui, my way
page_size = 100   # the most Close allows

# keys
[keymap]
"list.down" = "n,down"
"app.help" = "H"
"""


def _help_line(app, binding_id: str) -> str:
    return next(line for line in screen_text(app).splitlines() if f"({binding_id})" in line)


async def test_the_keymap_moves_keys_and_help_shows_the_keys_in_force(make_app, isolated_env):
    (isolated_env / "config.toml").write_text(CONFIG)
    app = make_app()
    async with app.run_test(size=(120, 60)) as pilot:  # tall enough for the whole help
        await settle(pilot)
        rows = app.main.sequence_list
        await pilot.press("n", "n")
        assert rows.cursor == 2
        await pilot.press("j")  # replaced by the keymap
        assert rows.cursor == 2
        await pilot.press("question_mark")  # app.help is H now (h is the history's)
        await pilot.pause()
        assert app.screen is app.main
        await pilot.press("H")
        await wait_until(pilot, lambda: "(list.down)" in screen_text(app))
        assert "n ↓" in _help_line(app, "list.down")
        assert " H " in _help_line(app, "app.help")
        assert "↑ k" in _help_line(app, "list.up")  # not remapped: as before


async def test_bad_keymap_entries_are_one_line_each_and_the_app_starts(make_app, isolated_env):
    (isolated_env / "config.toml").write_text(
        '[keymap]\n"list.dwn" = "x"\n"list.up" = "ctrl+nope,k"\n"list.first" = 3\n'
        '"list.last" = "e"\n'
    )
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "My Sequence" in text  # the app is up, the rows are there
        assert "keymap: list.dwn is not a binding id" in text
        assert "keymap: list.up ignored: 'ctrl+nope' is not a key" in text
        assert "keymap: list.first ignored" in text
        assert "Traceback" not in text
        await pilot.press("down", "down", "k")  # list.up keeps its keys
        assert app.main.sequence_list.cursor == 1
        await pilot.press("e")  # the good entry applies
        await settle(pilot)
        assert app.main.sequence_list.cursor > 1


async def _choose_theme(pilot, name: str) -> None:
    """Ctrl+P, Theme, then the theme by name, as a person does."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*"Theme")
    await wait_until(pilot, lambda: "Change the current theme" in screen_text(app))
    await pilot.press("enter")
    await wait_until(pilot, lambda: "Search for themes" in screen_text(app))
    await pilot.press(*name)
    await wait_until(pilot, lambda: screen_text(app).count(name) >= 2)  # typed, and found
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.theme == name)


async def test_the_theme_chosen_is_saved_keeping_the_config_as_written(make_app, isolated_env):
    config = isolated_env / "config.toml"
    config.write_text(
        CONFIG.replace("page_size = 100", 'theme = "nord"  # for now\npage_size = 100')
    )
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        await _choose_theme(pilot, "gruvbox")
    assert config.read_text() == CONFIG.replace(
        "page_size = 100", 'theme = "gruvbox"  # for now\npage_size = 100'
    )
    assert make_app(offline=True).theme == "gruvbox"  # the next start's theme


def test_a_first_theme_goes_among_the_top_level_settings(isolated_env):
    config = isolated_env / "config.toml"
    config.write_text(CONFIG)
    save_theme(config, "dracula")
    assert config.read_text() == CONFIG.replace(
        "the most Close allows\n", 'the most Close allows\ntheme = "dracula"\n'
    )
    only_tables = "# keys\n[keymap]\n"
    config.write_text(only_tables)
    save_theme(config, "nord")
    assert config.read_text() == 'theme = "nord"\n\n' + only_tables
    config.unlink()
    save_theme(config, "nord")  # no config file yet: one is made, readable by you alone
    assert config.read_text() == 'theme = "nord"\n'
    assert config.stat().st_mode & 0o777 == 0o600


def test_a_theme_that_cannot_be_placed_safely_is_not_written(isolated_env):
    config = isolated_env / "config.toml"
    tricky = 'theme = "nord"\ntheme_note = """\ntheme = "not this one"\n"""\n'
    config.write_text(tricky)
    save_theme(config, "gruvbox")  # the real line is the first one: fine
    assert config.read_text() == tricky.replace('"nord"', '"gruvbox"')
    # A line that looks like a table inside a string: the edit would change the string, so
    # nothing is written and the person is told where to put it.
    odd = 'notes = """\n[not a table]\n"""\n'
    config.write_text(odd)
    with pytest.raises(ConfigError, match='put theme = "gruvbox" in'):
        save_theme(config, "gruvbox")
    assert config.read_text() == odd


async def test_an_unknown_theme_is_one_line_and_the_default(make_app, isolated_env):
    (isolated_env / "config.toml").write_text('theme = "no-such-theme"\n')
    app = make_app()
    default = app.theme
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == default == "textual-dark"
        assert "'no-such-theme' is not one closetui knows" in screen_text(app)


def _colours(app) -> set[str]:
    return set(re.findall(r'fill="(#[0-9a-f]+)"', app.export_screenshot().lower()))


async def test_the_configured_theme_colours_the_first_frame(make_app, isolated_env):
    """The app leaves out Textual's second parse of the CSS at start-up only when no theme
    came from the config: a configured one colours the first frame as it does once chosen."""
    app = make_app(offline=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        default = _colours(app)
        app.theme = "nord"
        await settle(pilot)
        chosen = _colours(app)
    (isolated_env / "config.toml").write_text('theme = "nord"\n')
    app = make_app(offline=True)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert _colours(app) == chosen != default
