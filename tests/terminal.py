"""A real terminal for tests: tmux, on its own server socket, running one closetui process.

The process runs under a small keeper that outlives it in the same pane (tmux clears the
cursor flag of a pane whose process has died), so a test can read what a person would be
left with: whether the terminal is still in the alternate screen, whether mouse tracking is
on and the cursor hidden, and how the process ended (its exit status, or minus its signal).
"""

from __future__ import annotations

import contextlib
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from closetui.demo.data import DEMO_API_KEY

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

MODES = {
    "alternate": "#{alternate_on}",
    "mouse": "#{mouse_any_flag}#{mouse_standard_flag}#{mouse_button_flag}#{mouse_all_flag}",
    "cursor": "#{cursor_flag}",
}


# Runs the command as a child, writes its pid, then its return code, and stays.
KEEPER = """
import pathlib, subprocess, sys, time
where = pathlib.Path(sys.argv[1])
child = subprocess.Popen(sys.argv[2:])
where.joinpath("pid").write_text(str(child.pid))
where.joinpath("code").write_text(str(child.wait()))
time.sleep(600)
"""


class Tmux:
    def __init__(self, tmp_path: Path, name: str) -> None:
        self.socket = f"closetui-{name}-{os.getpid()}-{time.monotonic_ns()}"
        self.config = tmp_path / f"{name}.tmux.conf"
        self.config.write_text("set -g default-terminal tmux-256color\n")
        self.where = tmp_path / f"{name}.process"
        self.where.mkdir()
        self.keeper = 0  # the pid of the pane's first process, once started

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def start(self, argv: list[str], env: Mapping[str, str], size: tuple[int, int] = (100, 30)):
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        keeper = [sys.executable, "-c", KEEPER, str(self.where), *argv]
        command = f"exec env {assignments} {shlex.join(keeper)}"
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.config), "new-session", "-d", "-s",
             "app", "-x", str(size[0]), "-y", str(size[1]), command],
            check=True,
        )  # fmt: skip
        # The keeper leads the pane's process group, and the app is in it: close() can end
        # them even before the keeper has written the app's pid.
        self.keeper = int(self._tmux("display-message", "-p", "-t", "app", "#{pane_pid}") or 0)
        return self

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "app")

    def modes(self) -> dict[str, str]:
        values = self._tmux("display-message", "-p", "-t", "app", "|".join(MODES.values()))
        return dict(zip(MODES, values.rstrip("\n").split("|"), strict=True))

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "app", *keys)

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if needle in screen:
                return screen
            time.sleep(0.05)  # polling a real terminal: there is no worker to await
        raise AssertionError(f"{needle!r} never appeared on screen:\n{self.screen()}")

    @property
    def pid(self) -> int:
        path = self.where / "pid"
        deadline = time.monotonic() + 10
        while not path.exists() or not path.read_text():
            assert time.monotonic() < deadline, "the process did not start"
            time.sleep(0.02)
        return int(path.read_text())

    def wait_ended(self, timeout: float) -> int:
        """The process's return code (minus the signal that ended it), once it has ended."""
        path = self.where / "code"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and path.read_text():
                return int(path.read_text())
            time.sleep(0.02)
        raise AssertionError(f"the process was still running after {timeout} s:\n{self.screen()}")

    def hang_up(self) -> None:
        """The terminal vanishes: tmux's server and its ptys are gone (as an SSH connection
        dropping, or a terminal window closed, would do)."""
        self._tmux("kill-server")

    def close(self) -> None:
        self.hang_up()
        # A process hung up on may still be ending (or hang while it does): it must not
        # outlive the test, idle, with its terminal gone, whether or not the test got as far
        # as reading its pid.
        path = self.where / "pid"
        if path.exists() and path.read_text():
            end_process(int(path.read_text()))
        if self.keeper:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.keeper, signal.SIGKILL)
            self.keeper = 0


def ended_within(pid: int, seconds: float) -> float | None:
    """How long `pid` took to end, waiting at most `seconds` (None: it had not). The wait is
    on the process itself, a pidfd that reads ready once it has ended: a zombie nobody has
    reaped yet has ended, it holds nothing."""
    began = time.monotonic()
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return 0.0
    try:
        ready, _, _ = select.select([handle], [], [], seconds)
    finally:
        os.close(handle)
    return time.monotonic() - began if ready else None


def end_process(pid: int, grace: float = 2.0) -> None:
    """Make sure `pid` (a process a test started) has ended: it gets `grace` seconds to end
    by itself, then SIGKILL."""
    if ended_within(pid, grace) is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def app_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What closetui runs with in a test's terminal: the demo's key, the test's own folders
    and config file, quick retries."""
    return {
        "CLOSE_API_KEY": DEMO_API_KEY,
        "CLOSETUI_CACHE_DIR": str(tmp_path / "cache"),
        "CLOSETUI_LOG_DIR": str(tmp_path / "logs"),
        "CLOSETUI_CONFIG": str(tmp_path / "config.toml"),
        "CLOSETUI_RETRY_BACKOFF": "0.01",
        **extra,
    }


def closetui_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "closetui", *args]
