"""A terminal that vanishes ends the process: tmux's session is killed (as an SSH connection
dropping, or a terminal window closed, would) at several moments, many times over, and the
process must be gone within 2 s each time, never left running with its files open.

Before the fix, Textual's shutdown blocked for ever on its full output queue once the
terminal could no longer be written (`WriterThread.write` → `Queue.put`).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.terminal import Tmux, app_env, closetui_argv, ended_within, needs_tmux

pytestmark = needs_tmux

GONE_WITHIN = 2.0


def _kill_at(tmp_path: Path, moment: str, attempt: int) -> float | None:
    """Start closetui in tmux, kill the whole tmux server at `moment`; how long the process
    then took to end by itself (None: it had not within GONE_WITHIN)."""
    where = tmp_path / f"{moment}-{attempt}"
    where.mkdir()
    latency = "1.5" if moment == "during a page load" else "0"
    env = app_env(where, CLOSETUI_DEMO_LATENCY=latency, CLOSETUI_DEMO_SUBSCRIPTIONS="30000")
    term = Tmux(where, f"v{attempt}")
    try:
        term.start(closetui_argv("--demo"), env)
        pid = term.pid
        if moment == "right after the first frame":
            term.wait_for("My Sequence")
        elif moment == "during a page load":
            term.wait_for("My Sequence")
            term.keys("end")  # the next page takes 1.5 s to come
        elif moment == "during a sort":
            term.wait_for("100 loaded · more")
            term.keys("s")
            term.wait_for("loaded", timeout=30)
            term.keys("S", "S")  # a sort of the runs loaded so far, then another
        term.hang_up()  # the terminal vanishes: tmux's server and its ptys are gone
        return ended_within(pid, GONE_WITHIN)
    finally:
        term.close()  # whatever happened, nothing the test started stays behind


MOMENTS = ["before the first frame", "right after the first frame", "during a page load",
           "during a sort"]  # fmt: skip


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_vanished_terminal_ends_the_process(tmp_path, moment, record_property):
    tries = 4
    # The tries run side by side, each in its own tmux server: each waits mostly on its
    # process (starting, then ending once hung up on), not on the machine.
    with ThreadPoolExecutor(tries) as pool:
        took = list(pool.map(lambda n: _kill_at(tmp_path, moment, n), range(tries)))
    assert all(t is not None for t in took), f"outlived its terminal: {took}"
    slowest = max(t for t in took if t is not None)
    record_property(
        "fault_matrix",
        (
            f"terminal killed {moment} (x{tries})",
            f"process gone within {slowest:.1f} s",
            "nothing left running",
        ),
    )


def test_a_shutdown_that_hangs_is_ended_by_the_watchdog(tmp_path):
    """Whatever else blocks the way out (here a queue nobody empties, as Textual's was), the
    process ends within the grace period, saying which signal ended the app (128 + it)."""
    import signal
    import subprocess
    import sys

    script = (
        "import queue, signal\n"
        "from closetui.signals import arm_watchdog\n"
        "arm_watchdog(lambda: None, lambda: signal.SIGHUP)\n"
        "full = queue.Queue(1); full.put(1); full.put(2)\n"  # blocks for ever
    )
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], timeout=10, check=False)
    assert done.returncode == 128 + signal.SIGHUP
    assert time.monotonic() - began < GONE_WITHIN + 1.0  # the grace, and Python's start-up
