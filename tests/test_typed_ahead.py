"""Keys typed ahead: a key that arrives before the app has its client (the first moment of a
warm start, while httpx loads and the client is built) waits for it, and never fails.

The client is built off the UI thread by `closetui.connect.open_client`; the test holds that
builder on an event, so the key surely arrives before the network is there, then lets it go.
"""

from __future__ import annotations

import threading

from closetui import connect
from closetui.config.settings import ApiKey, Settings
from closetui.demo.data import DEMO_API_KEY
from closetui.tui.app import ClosetuiApp
from tests.support.app import screen_text, settle, wait_until
from tests.terminal import Tmux, app_env, closetui_argv, needs_tmux


def _settings(server, tmp_path) -> Settings:
    return Settings(
        base_url=server.base_url,
        api_key=ApiKey(DEMO_API_KEY),
        key_source="the CLOSE_API_KEY environment variable",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "logs",
        config_path=tmp_path / "config.toml",
        retry_backoff=0.01,
    )


async def test_s_typed_before_the_client_is_ready_waits_for_it(
    server, tmp_path, monkeypatch, record_property
):
    settings = _settings(server, tmp_path)
    # A first run fills the cache: the next start is a warm one, with rows before the network.
    warm = ClosetuiApp(settings)
    async with warm.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert warm.main.sequences.loaded == 100

    release = threading.Event()
    real_open = connect.open_client

    def held_open(*args, **kwargs):
        assert release.wait(10), "the test never let the client be built"
        return real_open(*args, **kwargs)

    monkeypatch.setattr(connect, "open_client", held_open)
    app = ClosetuiApp(settings)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await wait_until(pilot, lambda: "My Sequence" in screen_text(app))
        assert app.session is not None and not app.session.online  # surely ahead of it
        await pilot.press("s")
        await wait_until(pilot, lambda: "Subscriptions" in screen_text(app))
        assert "failed" not in screen_text(app)
        release.set()
        await wait_until(pilot, lambda: "all 15" in screen_text(app), timeout=15)
        await settle(pilot)
        text = screen_text(app)
        assert "failed: r to retry" not in text and "Traceback" not in text
        assert not any("Unexpected" in n.message for n in app.told)
        assert app.is_running
    record_property(
        "fault_matrix",
        (
            "s typed before the client is ready",
            "the runs list, loading, then all 15 runs",
            "carries on",
        ),
    )


@needs_tmux
def test_s_sent_at_launch_in_a_terminal_opens_the_runs(server, tmp_path, request):
    env = app_env(tmp_path)
    argv = closetui_argv("--base-url", server.base_url)
    first = Tmux(tmp_path, "warm")
    try:  # a warm start needs a cache
        first.start(argv, env).wait_for("100 loaded · more")
        first.keys("q")
        assert first.wait_ended(timeout=10) == 0
    finally:
        first.close()
    for attempt in range(3):
        term = Tmux(tmp_path, f"ahead{attempt}")
        try:
            term.start(argv, env)
            term.wait_for("My Sequence")  # the first frame, from the cache
            term.keys("s")  # at once: while the client is still being built
            screen = term.wait_for("all 15", timeout=20)
            assert "failed" not in screen and "Unexpected" not in screen
            term.keys("q", "q")
            assert term.wait_ended(timeout=10) == 0
        finally:
            term.close()
