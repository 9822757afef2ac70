"""`--watch DURATION` (or `watch` in the config, or `W`): the loaded pages, and an open runs
list, refreshed every DURATION through the same walk and rate gate as `r`.

Never while offline (it waits: the feed's own reconnect brings the network back), never while
a refresh is still under way, never faster than the floor (settings.watch_floor). Without
watching the app still makes no request while idle. What a refresh brings that is new (a
sequence changed, a run that errored) is announced once, by the screens, not silently
swapped in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from closetui.config.settings import WATCH_FLOOR, watch_floor
from closetui.present.cadence import format_duration

if TYPE_CHECKING:
    from textual.timer import Timer

    from closetui.tui.widgets.feed_pane import FeedPane

DEFAULT_INTERVAL = 300.0  # what `W` watches at when no interval was given


def _idle(pane: FeedPane[Any]) -> bool:
    """A pane on screen with no page in flight (a refresh asked of a list not yet started
    is dropped by the list, harmlessly)."""
    return pane.is_mounted and not pane.rows.busy


def interval_words(seconds: float) -> str:
    """`5 min`, `90 s`; a test's fraction of a second as itself (`0.2 s`)."""
    return format_duration(int(seconds)) if seconds >= 1 else f"{seconds:g} s"


class Watch:
    """The timer, and what the top bar says about it. `panes` names the panes to refresh on
    each tick (the list, and the runs list when one is open)."""

    def __init__(
        self,
        interval: float | None,
        set_interval: Callable[[float, Callable[[], None]], Timer],
        panes: Callable[[], list[FeedPane[Any]]],
        *,
        blocked: Callable[[], str | None],
        on_change: Callable[[], None],
    ) -> None:
        self.interval = max(interval or DEFAULT_INTERVAL, watch_floor())
        self.on = interval is not None
        self._set_interval = set_interval
        self._panes = panes
        self._blocked = blocked  # why a tick cannot refresh now (offline), or None
        self._on_change = on_change
        self._timer: Timer | None = None
        self.last: float | None = None  # when the last watched refresh finished
        self.ticks = 0  # refreshes started by the watch
        self.waiting: str | None = None  # why the last tick did not refresh
        self._pending: list[FeedPane[Any]] = []
        if self.on:
            self._start()

    def _start(self) -> None:
        self._timer = self._set_interval(self.interval, self.tick)

    def toggle(self) -> str:
        """`W`: watch or stop watching; the words for a toast."""
        self.on = not self.on
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.on:
            self._start()
            self._on_change()
            return (
                f"Watching: the loaded pages refresh every {format_duration(int(self.interval))}."
            )
        self.waiting = None
        self._on_change()
        return "Stopped watching: nothing is asked of Close until you press r."

    def tick(self) -> None:
        if not self.on:
            return
        why = self._blocked()
        if why is not None:
            self.waiting = why
            self._on_change()
            return
        self.waiting = None
        panes = [pane for pane in self._panes() if _idle(pane)]
        if not panes:
            return  # the last refresh is still under way: no second walk on top of it
        for pane in panes:
            pane.refresh_or_retry()
        self.ticks += 1
        self._pending = panes
        self._on_change()

    def settled(self) -> None:
        """A feed moved: a watched refresh whose walks have all landed is the last one."""
        if self._pending and all(_idle(pane) for pane in self._pending):
            self._pending = []
            self.last = time.time()

    def describe(self) -> str:
        """For the top bar: `watch 5 min · 14:02:10`, or why it waits."""
        if not self.on:
            return ""
        words = f"watch {interval_words(self.interval)}"
        if self.waiting:
            return f"{words} · paused: {self.waiting}"
        if self.last is not None:
            return f"{words} · refreshed {datetime.fromtimestamp(self.last).strftime('%H:%M:%S')}"
        return words


__all__ = ["DEFAULT_INTERVAL", "WATCH_FLOOR", "Watch"]
