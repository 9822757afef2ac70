"""Steps -> timeline rows, and the arithmetic and wording around them. Pure functions.

Close gives each step a `delay` in seconds after the previous step (the first step: after
enrollment). A step's day is the whole number of days since enrollment, so the seed example
(email after 86400 s, call 259200 s later) reads: email on day 1, wait 3 days, call on day 4.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time

from closetui.close.models import Schedule, Step

MINUTE, HOUR, DAY = 60, 3600, 86400
WEEKDAYS = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}
STEP_KINDS = {
    "email": ("✉", "Email"),
    "call": ("☎", "Call"),
    "sms": ("✆", "SMS"),
    "task": ("☑", "Task"),
}
THREADING = {"old_thread": "reply in thread", "new_thread": "new thread"}


def format_duration(seconds: int) -> str:
    """`3 days`, `1 day 4 h`, `2 h 30 min`, `45 min`, `30 s`: the two largest units."""
    seconds = max(0, int(seconds))
    if seconds == 0:
        return "0 s"
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes, secs = divmod(rest, MINUTE)
    parts = []
    if days:
        parts.append(f"{days} day" + ("s" if days != 1 else ""))
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs and not days and not hours:
        parts.append(f"{secs} s")
    return " ".join(parts[:2])


def format_wait(seconds: int | None) -> str:
    """The gap shown between two steps; None when the server's delay could not be read."""
    if seconds is None:
        return "wait ? (the server sent no readable delay)"
    return "same day" if seconds <= 0 else f"wait {format_duration(seconds)}"


def readable_name(name: str) -> str:
    """An API name as words: `update_lead` → `Update lead`, `createOpportunity` →
    `Create opportunity`."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    words = " ".join(words.split()).lower()
    return words[:1].upper() + words[1:] if words else "unknown"


def step_kind(step_type: str) -> tuple[str, str]:
    """Glyph and label; a type closetui does not know is shown by its own name, as words."""
    return STEP_KINDS.get(step_type, ("◆", readable_name(step_type or "unknown")))


def short_duration(seconds: int | None) -> str:
    """The compact cadence's gap column: `+3d`, `+1d4h`, `+2h30`, `+45m`, `+0`, `+?`."""
    if seconds is None:
        return "+?"
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, DAY)
    hours, rest = divmod(rest, HOUR)
    minutes = rest // MINUTE
    if days:
        return f"+{days}d{hours}h" if hours else f"+{days}d"
    if hours:
        return f"+{hours}h{minutes:02d}" if minutes else f"+{hours}h"
    if minutes:
        return f"+{minutes}m"
    return "+0" if seconds == 0 else f"+{seconds}s"


def threading_label(threading: str | None) -> str | None:
    if threading is None:
        return None
    return THREADING.get(threading, threading)


def required_label(required: bool | None) -> str | None:
    if required is None:
        return None
    return "required" if required else "optional"


UNKNOWN_SPAN = -1  # a step's delay could not be read, so neither can the span


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One step on the cadence: its number, the wait before it and its day."""

    index: int  # 1-based step number
    step: Step
    wait: int | None  # seconds since the previous step (or enrollment); None: unreadable
    offset: int | None  # seconds since enrollment; None once any delay before was unreadable

    @property
    def day(self) -> int | None:
        return None if self.offset is None else self.offset // DAY


def offsets(delays: Iterable[int | None]) -> list[int | None]:
    """Cumulative seconds since enrollment for each delay; unknown from the first unreadable
    delay on, since every later day depends on it."""
    total: int | None = 0
    out: list[int | None] = []
    for delay in delays:
        total = None if total is None or delay is None else total + max(0, delay)
        out.append(total)
    return out


def timeline(steps: Iterable[Step]) -> list[TimelineRow]:
    steps = list(steps)
    return [
        TimelineRow(i + 1, step, None if step.delay is None else max(0, step.delay), offset)
        for i, (step, offset) in enumerate(zip(steps, offsets(s.delay for s in steps), strict=True))
    ]


def span_seconds(steps: Iterable[Step]) -> int | None:
    """Seconds from enrollment to the last step; None with no steps, UNKNOWN_SPAN when a
    delay could not be read."""
    return span_of_delays(s.delay for s in steps)


def span_of_delays(delays: Iterable[int | None]) -> int | None:
    """`span_seconds` from the steps' delays alone."""
    total = offsets(delays)
    if not total:
        return None
    return UNKNOWN_SPAN if total[-1] is None else total[-1]


def format_span(seconds: int | None) -> str:
    """The list's span column: whole days, `<1 d` for a same-day sequence with waits."""
    if seconds is None:
        return "—"
    if seconds == UNKNOWN_SPAN:
        return "?"
    if 0 < seconds < DAY:
        return "<1 d"
    return f"{seconds // DAY} d"


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _day_runs(days: list[int]) -> str:
    """[1,2,3,4,5] -> Mon–Fri; [1,3,5] -> Mon, Wed, Fri; [6,7] -> Sat–Sun."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        names = [WEEKDAYS.get(d, f"day {d}") for d in run]
        parts.append(f"{names[0]}–{names[-1]}" if len(run) > 1 else names[0])
    return ", ".join(parts)


def schedule_summary(
    schedule: Schedule | None, timezone: str | None = None, *, unreadable: bool = False
) -> str:
    """`Mon–Fri 09:00–16:59 America/Los_Angeles`; `any time` when there is no schedule;
    days with different hours listed group by group (`Mon 08:30–12:00; Wed 13:00–17:00`)."""
    zone = f" {timezone}" if timezone else ""
    return "; ".join(schedule_parts(schedule, unreadable=unreadable)) + zone


def schedule_parts(schedule: Schedule | None, *, unreadable: bool = False) -> list[str]:
    """The sending window as its groups of days, each with its hours (`Mon–Fri 09:00–16:59`):
    the units a schedule wraps between."""
    if unreadable:
        return ["? (the server sent a schedule closetui cannot read)"]
    if schedule is None:
        return ["any time"]
    if not schedule.ranges:
        return ["no sending window"]
    by_day: dict[int, list[tuple[time, time]]] = {}
    for window in schedule.ranges:
        weekday = 7 if window.weekday == 0 else window.weekday  # Sunday as 0 or 7
        by_day.setdefault(weekday, []).append((window.start, window.end))
    groups: dict[tuple[tuple[time, time], ...], list[int]] = {}
    for day, day_windows in by_day.items():
        groups.setdefault(tuple(sorted(day_windows)), []).append(day)
    parts = []
    for group, days in sorted(groups.items(), key=lambda item: min(item[1])):
        hours = ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in group)
        label = "every day" if sorted(days) == list(range(1, 8)) else _day_runs(days)
        parts.append(f"{label} {hours}")
    return parts
