"""The terminal driver: Textual's, made to notice a terminal that has gone.

When the terminal vanishes (tmux's session killed, an SSH connection dropped, a window
closed), writing to it fails (EIO) or blocks for ever. Textual's writer thread then dies or
hangs with its queue full, and the app's shutdown blocks on `Queue.put` for ever: the
process outlives its terminal, with its files open. Here output is dropped once the
terminal is known to be gone (a write failed, the queue stayed full, or the terminal no
longer answers), the writer is never waited on without a bound, and whoever ends the app
is told (`on_gone`), so that a watchdog can end the process if shutdown still hangs.

Textual has no switch for this (its issues show the same family: #6690, an input thread
spinning at EOF; #3966, a thread keeping the process alive), hence the subclasses, checked
against the pinned Textual.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import termios
import threading
from collections.abc import Callable
from typing import IO

from textual.drivers import linux_driver
from textual.drivers._writer_thread import WriterThread
from textual.drivers.linux_driver import LinuxDriver

PUT_WAIT = 0.5  # seconds a frame may wait for room in the queue before the terminal is gone
WATCH_EVERY = 0.5  # seconds between checks that the terminal still answers


class TerminalGone:
    """Set once, by whichever part notices first; then output is dropped."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.listeners: list[Callable[[], None]] = []

    def set(self) -> None:
        if self.event.is_set():
            return
        self.event.set()
        for listener in self.listeners:
            with contextlib.suppress(Exception):
                listener()

    def is_set(self) -> bool:
        return self.event.is_set()


GONE = TerminalGone()


class _Writer(WriterThread):
    """Textual's writer thread, bounded: it drops output once the terminal is gone, and a
    write that fails ends it quietly instead of leaving the queue to fill."""

    def __init__(self, file: IO[str]) -> None:
        super().__init__(file)
        self._room: queue.Queue[str | None] = self._queue

    def write(self, text: str) -> None:
        if GONE.is_set():
            return
        try:
            self._room.put(text, timeout=PUT_WAIT)
        except queue.Full:
            GONE.set()  # nothing has been taken for half a second: nobody is reading

    def run(self) -> None:
        try:
            super().run()
        except (OSError, ValueError):  # EIO, EPIPE, a closed file: the terminal has gone
            GONE.set()
        while True:  # so that nothing waits on a queue nobody empties
            try:
                self._room.get_nowait()
            except queue.Empty:
                break

    def stop(self) -> None:
        try:
            self._room.put(None, timeout=0 if GONE.is_set() else PUT_WAIT)
        except queue.Full:
            GONE.set()
        self.join(timeout=0.2 if GONE.is_set() else 1.0)


class Driver(LinuxDriver):
    """The Linux driver with the bounded writer (and nothing else changed)."""

    def start_application_mode(self) -> None:
        # The driver builds its writer by this module-level name; only for this call.
        setattr(linux_driver, "WriterThread", _Writer)  # noqa: B010 (not exported)
        try:
            super().start_application_mode()  # type: ignore[no-untyped-call]
        finally:
            setattr(linux_driver, "WriterThread", WriterThread)  # noqa: B010

    def write(self, data: str) -> None:
        if not GONE.is_set():
            super().write(data)


def watch_terminal(fd: int | None = None) -> None:
    """A thread that marks the terminal gone once it no longer answers (a hung-up terminal
    fails every ioctl): Textual's input thread alone would spin at its EOF for ever."""
    if fd is None:
        try:
            fd = sys.__stdin__.fileno() if sys.__stdin__ is not None else 0
        except (OSError, ValueError):
            return
    if not os.isatty(fd):
        return

    def watch() -> None:
        while not GONE.event.wait(WATCH_EVERY):
            try:
                termios.tcgetattr(fd)
            except (termios.error, OSError):
                GONE.set()

    threading.Thread(target=watch, name="closetui-terminal-watch", daemon=True).start()
