"""The app as a process in a real terminal (tmux): how it leaves the terminal, and how fast it
goes, when it is quit, killed, or hung up on while a request is stuck.

tmux keeps the pane after the process ends, so each test reads what the person is left with:
the alternate screen off, mouse tracking off, the cursor shown, and how the process ended.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import time

import pytest

from tests.terminal import Tmux, app_env, closetui_argv, needs_tmux

pytestmark = needs_tmux


@pytest.fixture
def term(tmp_path, request):
    tmux = Tmux(tmp_path, request.node.name[:20].replace("[", "-").replace("]", ""))
    yield tmux
    tmux.close()


def _wait_asked(server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.router.requests_to("sequence/"):
        assert time.monotonic() < deadline, "the first page was never asked for"
        time.sleep(0.02)  # another process's request: there is no worker to await


def _assert_terminal_restored(modes: dict[str, str]) -> None:
    assert modes["alternate"] == "0", "left in the alternate screen"
    assert set(modes["mouse"]) == {"0"}, f"mouse tracking left on ({modes['mouse']})"
    assert modes["cursor"] == "1", "cursor left hidden"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_restores_the_terminal_ends_by_that_signal_and_keeps_the_cache(
    term, server, tmp_path, signum, record_property
):
    term.start(closetui_argv("--base-url", server.base_url), app_env(tmp_path))
    term.wait_for("100 loaded · more")
    running = term.modes()
    # What the app set up, so that the checks below can fail.
    assert running["alternate"] == "1" and running["cursor"] == "0" and "1" in running["mouse"]
    began = time.monotonic()
    os.kill(term.pid, signum)
    code = term.wait_ended(timeout=10)
    took = time.monotonic() - began
    assert took < 5, f"took {took:.1f} s to end"
    _assert_terminal_restored(term.modes())
    assert code == -signum, f"ended with {code}"
    assert "Traceback" not in term.screen()
    files = list((tmp_path / "cache").glob("*.sqlite3"))
    assert len(files) == 1
    db = sqlite3.connect(files[0])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM sequences").fetchone()[0] == 100
    db.close()
    name = signal.Signals(signum).name
    record_property(
        "fault_matrix",
        (f"{name} to the app", "terminal restored, ended by " + name, "cache intact"),
    )


def test_q_ends_the_process_at_once_while_the_first_page_is_stuck(term, server, tmp_path):
    # No cache, so the first page is asked for while the app starts, and it never comes.
    server.faults.add("hang", path="sequence/", seconds=60, times=None)
    term.start(closetui_argv("--base-url", server.base_url), app_env(tmp_path))
    term.wait_for("loading")
    _wait_asked(server)  # the request is stuck on the server
    began = time.monotonic()
    term.keys("q")
    code = term.wait_ended(timeout=30)
    took = time.monotonic() - began
    assert took < 5, f"q took {took:.1f} s to end the process"  # it was 50-80 s
    assert code == 0
    _assert_terminal_restored(term.modes())
    assert "Traceback" not in term.screen()


def test_sigint_while_a_request_is_stuck_ends_quietly(term, server, tmp_path, record_property):
    server.faults.add("hang", path="sequence/", seconds=60, times=None)
    term.start(closetui_argv("--base-url", server.base_url), app_env(tmp_path))
    term.wait_for("loading")
    _wait_asked(server)
    os.kill(term.pid, signal.SIGINT)
    code = term.wait_ended(timeout=10)
    _assert_terminal_restored(term.modes())
    assert code == -signal.SIGINT, f"ended with {code}"
    assert "Traceback" not in term.screen()
    record_property(
        "fault_matrix",
        ("q or SIGINT, first page stuck", "the process ends at once", "no traceback"),
    )
