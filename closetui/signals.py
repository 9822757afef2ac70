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
import threading
from collections.abc import Callable
from typing import Any

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


# Seconds an ending app may take to restore the terminal and close what it holds before
# the watchdog ends the process anyway (a shutdown that finishes is far quicker).
SHUTDOWN_GRACE = 1.5
_armed = threading.Lock()
_timer: threading.Timer | None = None


def arm_watchdog(
    restore: Callable[[], None], ended_by: Callable[[], int | None], grace: float = SHUTDOWN_GRACE
) -> None:
    """From the moment the app starts to end: if the process is still here `grace` seconds
    later (its shutdown blocked on a terminal that has gone), restore what can be restored
    without blocking and end it: with 128 + the signal that ended the app, else status 1.
    Armed once; a daemon timer, so a shutdown that finishes is not held up by it."""
    global _timer
    if not _armed.acquire(blocking=False):
        return

    def fire() -> None:
        with contextlib.suppress(Exception):
            restore()
        signum = ended_by()
        # A signal's disposition can be reset only from the main thread, which is the one
        # stuck: the shell's convention for "ended by a signal" instead.
        os._exit(128 + signum if signum is not None else 1)

    timer = threading.Timer(grace, fire)
    timer.daemon = True
    timer.name = "closetui-watchdog"
    _timer = timer
    timer.start()


def disarm_watchdog() -> None:
    """Shutdown finished in time: what follows (the exit status, a last line) is left to
    run however long it takes, and a later ending may arm the watchdog again."""
    global _timer
    if _timer is not None:
        _timer.cancel()
        _timer = None
        _armed.release()


# What Textual sets up in a terminal, undone: the alternate screen, mouse tracking (every
# mode), bracketed paste, focus events, the Kitty keyboard protocol; the cursor shown.
RESTORE_TERMINAL = (
    "\x1b[<u\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?2004l"
    "\x1b[?1004l\x1b[?1049l\x1b[?25h"
)


def restore_terminal(out_fd: int, in_fd: int, attrs: list[Any] | None) -> None:
    """The terminal as it was, without ever blocking: the escape codes written with
    O_NONBLOCK (dropped if the terminal takes nothing), the saved termios modes set back."""
    import termios

    with contextlib.suppress(OSError):
        # Non-blocking for this one write only: the flag is on the terminal's open file,
        # which the shell shares, and a shell left with it would fail on EAGAIN.
        os.set_blocking(out_fd, False)
        try:
            os.write(out_fd, RESTORE_TERMINAL.encode())
        finally:
            os.set_blocking(out_fd, True)
    if attrs is not None:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(in_fd, termios.TCSANOW, attrs)
