"""Named profiles in the config file: chosen by --profile, CLOSETUI_PROFILE or default_profile,
listed by `closetui profiles`, never showing a key."""

from __future__ import annotations

import sqlite3

import pytest
from textual.command import CommandPalette

from closetui.cli import main
from closetui.config.settings import load_settings
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose
from closetui.store.cache import Cache
from tests.support.app import screen_text, settle, wait_until

SIDE_SECRET = "api_side_profile_secret_never_shown"


@pytest.fixture
def big_server():
    with DemoServer(FakeClose(DemoOrg(12))) as running:
        yield running


@pytest.fixture
def small_server():
    with DemoServer(FakeClose(DemoOrg(7))) as running:
        yield running


@pytest.fixture
def two_profiles(isolated_env, big_server, small_server):
    """`big` is an organization of 12 sequences, `small` one of 7, each its own key file;
    `side` has its key inline and an unreachable base URL."""
    key = isolated_env / "work.key"
    key.write_text(DEMO_API_KEY + "\n")
    config = isolated_env / "config.toml"
    config.write_text(
        f"""# my accounts
[profiles.big]
api_key_file = "{key}"
base_url = "{big_server.base_url}"

[profiles.small]  # the side project
api_key_file = "{key}"
base_url = "{small_server.base_url}"
page_size = 3

[profiles.side]
api_key = "{SIDE_SECRET}"
base_url = "http://127.0.0.1:9/api/v1/"
"""
    )
    return config


def _listed(capsys, *argv: str) -> int:
    assert main(list(argv)) == 0
    return len(capsys.readouterr().out.splitlines())


def test_profile_chosen_by_option_env_and_default(capsys, two_profiles, monkeypatch):
    assert _listed(capsys, "list", "--profile", "small") == 7
    assert _listed(capsys, "--profile", "big", "list") == 12
    monkeypatch.setenv("CLOSETUI_PROFILE", "small")
    assert _listed(capsys, "list") == 7
    assert _listed(capsys, "list", "--profile", "big") == 12  # the option beats the env
    monkeypatch.delenv("CLOSETUI_PROFILE")
    two_profiles.write_text('default_profile = "small"\n' + two_profiles.read_text())
    assert _listed(capsys, "list") == 7


def test_a_profile_key_beats_the_environment_and_its_page_size_applies(
    capsys, two_profiles, small_server, monkeypatch
):
    monkeypatch.setenv("CLOSE_API_KEY", "api_wrong_env_key")
    assert _listed(capsys, "list", "--profile", "small") == 7
    limits = {r.query["_limit"] for r in small_server.router.requests_to("sequence/")}
    assert limits == {"3"}  # the profile's page_size


def test_each_profile_has_its_own_cache(two_profiles):
    big = load_settings(profile="big")
    small = load_settings(profile="small")
    assert big.profile == "big" and small.profile == "small"
    assert big.account != small.account


def test_an_unknown_profile_exits_2_listing_the_known_ones(capsys, two_profiles, monkeypatch):
    assert main(["list", "--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Unknown profile 'nope'" in err and "big, side, small" in err
    monkeypatch.setenv("CLOSETUI_PROFILE", "gone")
    assert main(["show", "seq_x"]) == 2
    assert "'gone' (from CLOSETUI_PROFILE)" in capsys.readouterr().err
    assert main(["profiles"]) == 2
    assert "Known profiles: big, side, small" in capsys.readouterr().err
    assert main(["profiles", "--names"]) == 0  # (what completion asks: never in the way)


def test_an_unknown_profile_with_no_profiles_says_how_to_add_one(capsys):
    assert main(["list", "--profile", "work"]) == 2
    assert "add a [profiles.work] table" in capsys.readouterr().err


def test_a_misspelt_profile_setting_is_one_clear_line(capsys, isolated_env):
    (isolated_env / "config.toml").write_text('[profiles.work]\napi_keyfile = "~/k"\n')
    assert main(["list", "--profile", "work"]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'api_keyfile'" in err and "Traceback" not in err


def test_profiles_lists_accounts_and_key_sources_never_keys(capsys, two_profiles, monkeypatch):
    assert main(["sync", "--profile", "small"]) == 0
    # The organization's name is what the app learnt from /me/ on an earlier run.
    small = load_settings(profile="small")
    cache = Cache.open(small.cache_dir, small.account)
    cache.set_meta("organization", "Small Org")
    cache.close()
    capsys.readouterr()
    monkeypatch.setenv("CLOSETUI_PROFILE", "small")
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    rows = {line.lstrip("* ").split()[0]: line for line in out.splitlines()[1:4]}
    assert rows["small"].startswith("*") and "Small Org" in rows["small"]
    assert "work.key ([profiles.small])" in rows["small"] and "never" not in rows["small"]
    assert "api_key in [profiles.side]" in rows["side"] and "never" in rows["side"]
    assert SIDE_SECRET not in out and DEMO_API_KEY not in out
    assert main(["profiles", "--names"]) == 0
    assert capsys.readouterr().out == "big\nside\nsmall\n"


def test_profiles_says_which_may_change_runs_in_close(capsys, two_profiles):
    two_profiles.write_text(two_profiles.read_text() + "allow_changes = true\n")  # (side's)
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[-1] == "changes"
    rows = {line.lstrip("* ").split()[0]: line.split()[-1] for line in lines[1:4]}
    assert rows == {"big": "off", "side": "allowed", "small": "off"}
    assert "allow_changes = true" in out  # the footer says how to turn them on


def test_doctor_says_whether_runs_may_be_changed(capsys, two_profiles):
    def changes_line(profile: str) -> str:
        main(["doctor", "--offline", "--profile", profile])
        out = capsys.readouterr().out
        return next(line for line in out.splitlines() if "changes to Close" in line)

    assert "off: pause, resume and remove are refused" in changes_line("side")
    two_profiles.write_text(two_profiles.read_text() + "allow_changes = true\n")  # (side's)
    assert "allowed: " in changes_line("side")
    assert "off: " in changes_line("big")


def test_profiles_with_none_defined_shows_an_example(capsys):
    assert main(["profiles"]) == 0
    assert "[profiles.work]" in capsys.readouterr().out


async def test_switch_account_in_the_app_without_a_restart(
    make_app, two_profiles, server, small_server
):
    # The app starts on the demo server (no profile), then switches to `small`.
    app = make_app()  # the demo organization, by CLOSE_API_KEY: no profile
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        old_session, old_screen = app.session, app.main
        assert "100 loaded · more" in screen_text(app)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Switch")
        await wait_until(pilot, lambda: "Open another profile" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Switch account…" in screen_text(app))
        await wait_until(pilot, lambda: "[profiles.small]" in screen_text(app))
        assert SIDE_SECRET not in screen_text(app)
        await pilot.press(*"small", "enter")
        await wait_until(pilot, lambda: app.main is not old_screen)
        await settle(pilot)
        text = screen_text(app)
        assert "closetui  ·  small  ·  Demo" in text  # the header names the profile
        assert "all 7" in text
        # The old session is closed and its work has ended: it asks its server nothing more.
        assert old_session.client is not None and old_session.client._http.is_closed
        with pytest.raises(sqlite3.ProgrammingError):
            old_session.cache._db.execute("SELECT 1")
        assert not old_screen.is_attached
        asked = len(server.router.requests)
        await pilot.press("down", "r", "end")
        await settle(pilot)
        assert len(server.router.requests) == asked
        assert small_server.router.requests_to("sequence/")


async def test_switching_to_a_profile_that_cannot_be_used_says_why_and_stays(
    make_app, two_profiles, isolated_env
):
    two_profiles.write_text(
        two_profiles.read_text() + '\n[profiles.lost]\napi_key_file = "/nonexistent/key"\n'
    )
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        before = app.main
        app.switch_profile("lost")
        await settle(pilot)
        assert app.main is before and app.session is before.session
        assert "does not exist" in screen_text(app)


async def test_switching_ends_the_old_accounts_reconnect_loop(make_app, two_profiles, server):
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        server.faults.add("drop", times=None)
        await pilot.press("r")  # the refresh fails: offline, retrying in the background
        await wait_until(
            pilot,
            lambda: any(w.group == "reconnect" and not w.is_finished for w in app.workers),
            timeout=15,  # the client's own retries come first
        )
        retrying = [w for w in app.workers if w.group == "reconnect" and not w.is_finished]
        assert retrying
        app.switch_profile("small")
        await settle(pilot)
        assert "all 7" in screen_text(app)
        assert all(worker.is_finished for worker in retrying)
