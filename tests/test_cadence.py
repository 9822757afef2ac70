from __future__ import annotations

from datetime import time

import pytest

from closetui.close.models import Schedule, ScheduleRange, Sequence, Step
from closetui.demo.data import SEED_SEQUENCE
from closetui.present.cadence import (
    format_duration,
    format_span,
    format_wait,
    offsets,
    schedule_summary,
    span_seconds,
    step_kind,
    timeline,
)
from closetui.present.sheet import CadenceView, plain, sequence_sheet


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (30, "30 s"),
        (45 * 60, "45 min"),
        (2 * 3600 + 30 * 60, "2 h 30 min"),
        (86400, "1 day"),
        (3 * 86400, "3 days"),
        (86400 + 4 * 3600, "1 day 4 h"),
        (2 * 86400 + 5, "2 days"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_waits():
    assert format_wait(0) == "same day"
    assert format_wait(3 * 86400) == "wait 3 days"
    assert format_wait(9000) == "wait 2 h 30 min"


def _steps(*delays: int) -> list[Step]:
    return [Step(id=f"s{i}", step_type="email", delay=d) for i, d in enumerate(delays)]


def test_offsets_accumulate_and_days_count_from_enrollment():
    assert offsets([86400, 259200]) == [86400, 345600]
    rows = timeline(_steps(86400, 259200))
    assert [(r.day, r.wait) for r in rows] == [(1, 86400), (4, 259200)]
    assert [r.day for r in timeline(_steps(0, 3600, 86400))] == [0, 0, 1]


def test_span():
    assert span_seconds(_steps(86400, 259200)) == 345600
    assert span_seconds([]) is None
    assert [format_span(s) for s in (None, 0, 3600, 4 * 86400)] == ["—", "0 d", "<1 d", "4 d"]


def test_step_kinds_known_and_unknown():
    assert step_kind("email")[1] == "Email"
    assert step_kind("call")[1] == "Call"
    assert step_kind("sms")[1] == "SMS"
    assert step_kind("linkedin_task") == ("◆", "Linkedin task")  # its own name, as words


def _schedule(*ranges: tuple[int, str, str]) -> Schedule:
    return Schedule(
        tuple(ScheduleRange(d, time.fromisoformat(a), time.fromisoformat(b)) for d, a, b in ranges)
    )


def test_schedule_summaries():
    weekdays = _schedule(*[(d, "09:00", "16:59") for d in range(1, 6)])
    assert schedule_summary(weekdays, "America/Los_Angeles") == (
        "Mon–Fri 09:00–16:59 America/Los_Angeles"
    )
    every = _schedule(*[(d, "07:00", "21:00") for d in range(1, 8)])
    assert schedule_summary(every) == "every day 07:00–21:00"
    irregular = _schedule((1, "08:30:00", "12:00:00"), (3, "13:00", "17:00"), (5, "09:00", "11:30"))
    assert schedule_summary(irregular) == "Mon 08:30–12:00; Wed 13:00–17:00; Fri 09:00–11:30"
    same_hours = _schedule((1, "09:00", "17:00"), (3, "09:00", "17:00"), (6, "10:00", "12:00"))
    assert schedule_summary(same_hours) == "Mon, Wed 09:00–17:00; Sat 10:00–12:00"
    split_day = _schedule((2, "09:00", "12:00"), (2, "13:00", "17:00"))
    assert schedule_summary(split_day) == "Tue 09:00–12:00, 13:00–17:00"
    assert schedule_summary(None, "US/Eastern") == "any time US/Eastern"
    assert schedule_summary(_schedule((0, "09:00", "10:00"))) == "Sun 09:00–10:00"


def test_the_seed_sheet_reads_email_day_1_wait_3_days_call_day_4():
    text = plain(sequence_sheet(Sequence.from_api(SEED_SEQUENCE), view=CadenceView(full=True)))
    lines = [line.strip(" │") for line in text.splitlines() if line.strip(" │")]
    email = next(i for i, line in enumerate(lines) if "Day 1" in line)
    wait = lines.index("wait 3 days")
    call = next(i for i, line in enumerate(lines) if "Day 4" in line)
    assert "Email" in lines[email] and "Call" in lines[call]
    assert email < wait < call
    assert [line for line in lines[wait:] if line.startswith("wait")] == ["wait 3 days"]
    assert lines[email + 1 : wait] == [
        "template tmpl_RWEWdJWfSb0eZ6F1QUGEqGULmHGNenS4gSuw29DNkEJ",
        "thread   reply in thread",
    ]
    assert "2 steps over 4 days" in text


def test_a_sequence_without_steps_says_so():
    text = plain(sequence_sheet(Sequence.from_api({"id": "seq_x", "name": "Empty"})))
    assert "This sequence has no steps." in text


def test_every_style_role_has_a_look_in_the_app_and_on_the_command_line():
    from closetui.commands.output import ANSI
    from closetui.present.roles import ROLES, status_role
    from closetui.tui.widgets.detail import DetailPane

    assert set(ANSI) == set(ROLES)
    css = DetailPane.DEFAULT_CSS
    assert all(f".detail--{role} " in css for role in ROLES)
    assert {status_role(s) for s in ("active", "paused", "error", "goal", "draft")} <= set(ROLES)
