"""The signals that end closetui from outside, and ending the process by one of them.

SIGTERM (a kill, a supervisor) and SIGHUP (the terminal, say an SSH session, went away) end a
command or the app the way `q` or Ctrl+C would: the terminal is restored and the cache
closed first. Then the process ends by that same signal, so that whoever started it (a shell,
a supervisor) sees which one it was.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

ENDING = (signal.SIGTERM, signal.SIGHUP)


def die_of(signum: int) -> None:
    """End the process by `signum`, as if nothing had caught it. Called once everything it
    held is restored and closed."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a terminal that hung up takes nothing
            stream.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    os._exit(128 + signum)  # only if the signal could not be delivered
