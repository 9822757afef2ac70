from __future__ import annotations

import copy
from datetime import UTC, datetime, time

import pytest

from closetui.close.models import EmailTemplate, Schedule, Sequence, Subscription, User
from closetui.close.ratelimit import parse_rate_limit, retry_after
from closetui.demo.data import EMAIL_TEMPLATES, SEED_SEQUENCE, SEED_TEMPLATE_ID, DemoOrg
from closetui.errors import ProtocolError


def test_the_seed_example_parses_exactly():
    seq = Sequence.from_api(copy.deepcopy(SEED_SEQUENCE))
    assert seq.id == "seq_3CtqAl6ynk4FbJmZIlCYAx"
    assert seq.name == "My Sequence"
    assert seq.schedule is None and seq.timezone == "US/Eastern"
    assert [(s.step_type, s.delay) for s in seq.steps] == [("email", 86400), ("call", 259200)]
    assert seq.steps[0].email_template_id == SEED_TEMPLATE_ID
    assert seq.steps[0].threading == "old_thread" and seq.steps[1].threading is None
    assert seq.steps[0].required is True and seq.steps[0].step_allowed_delay is None
    assert seq.date_created == datetime(2021, 11, 17, 20, 7, 11, 936158, tzinfo=UTC)


def test_unknown_fields_survive_at_every_level():
    raw = copy.deepcopy(SEED_SEQUENCE)
    raw["trigger_query"] = {"type": "and"}
    raw["steps"][1]["outcome_id"] = "outcome_1"
    seq = Sequence.from_api(raw)
    assert seq.extra == {"trigger_query": {"type": "and"}}
    assert seq.steps[1].extra["outcome_id"] == "outcome_1"
    demo = Sequence.from_api(DemoOrg().sequence_at(5))
    assert set(demo.extra) == {"allow_manual_enrollment", "owner_id"}


def test_missing_optional_fields_are_fine():
    seq = Sequence.from_api({"id": "seq_x"})
    assert (seq.name, seq.status, seq.steps, seq.schedule) == ("", "unknown", (), None)


def test_only_the_id_is_required():
    with pytest.raises(ProtocolError, match="'id'"):
        Sequence.from_api({**copy.deepcopy(SEED_SEQUENCE), "id": 5})
    with pytest.raises(ProtocolError, match="'id'"):
        Subscription.from_api({"status": "active"})


@pytest.mark.parametrize(
    ("patch", "field", "check"),
    [
        ({"name": 42}, "name", lambda s: s.name == "42"),
        ({"name": ["x"]}, "name", lambda s: s.name == "?"),
        ({"steps": "x"}, "steps", lambda s: s.steps == ()),
        ({"schedule": []}, "schedule", lambda s: s.schedule is None),
        ({"schedule": {"ranges": [{"weekday": "Mon"}]}}, "schedule", lambda s: s.schedule is None),
        ({"threading": None, "organization_id": 7}, "organization_id", lambda s: True),
        ({"date_updated": "yesterday"}, "date_updated", lambda s: s.date_updated is None),
    ],
)
def test_a_wrong_type_degrades_that_field_only(patch, field, check, caplog):
    raw = copy.deepcopy(SEED_SEQUENCE)
    raw.update(patch)
    seq = Sequence.from_api(raw)
    assert field in seq.degraded
    assert check(seq)
    untouched = Sequence.from_api(copy.deepcopy(SEED_SEQUENCE))
    for name in ("id", "name", "status", "timezone", "steps", "created_by_id"):
        if name != field and name not in patch:
            assert getattr(seq, name) == getattr(untouched, name), name


def test_a_wrong_type_inside_a_step_degrades_that_step_field():
    raw = copy.deepcopy(SEED_SEQUENCE)
    raw["steps"][1]["delay"] = "three days"
    raw["steps"][0]["email_template_id"] = {"id": "tmpl_x"}
    seq = Sequence.from_api(raw)
    assert len(seq.steps) == 2
    assert seq.steps[1].delay is None and "delay" in seq.steps[1].degraded
    assert seq.steps[0].email_template_id is None and seq.steps[0].delay == 86400


def test_a_step_that_is_not_an_object_is_left_out_and_said(caplog):
    raw = copy.deepcopy(SEED_SEQUENCE)
    raw["steps"].insert(1, "call them")
    seq = Sequence.from_api(raw)
    assert [s.step_type for s in seq.steps] == ["email", "call"] and seq.skipped_steps


def test_a_degraded_field_is_logged_once_with_the_id_and_never_the_value(caplog):
    import logging

    secret_value = "\x1b]52;c;SECRETVALUE\x07"
    with caplog.at_level(logging.WARNING, logger="closetui"):
        for n in range(5):
            raw = copy.deepcopy(SEED_SEQUENCE)
            raw["id"] = f"seq_{n}\x1b[31m"
            raw["timezone"] = {"zone": secret_value}
            raw["status"] = [secret_value]
            Sequence.from_api(raw)
    lines = [r.getMessage() for r in caplog.records]
    about_timezone = [line for line in lines if "'timezone'" in line]
    assert len(about_timezone) <= 1  # once per field per session (another test may log first)
    assert all("SECRETVALUE" not in line and "\x1b" not in line for line in lines)
    if about_timezone:
        assert "seq_" in about_timezone[0]


def test_dates_naive_or_with_offset_become_utc():
    template = EmailTemplate.from_api(EMAIL_TEMPLATES[SEED_TEMPLATE_ID])
    assert template.extra["date_created"].endswith("+00:00")
    sub = Subscription.from_api(
        {"id": "sub_1", "status": "active", "start_date": "2024-03-01T10:00:00+02:00"}
    )
    assert sub.start_date == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    garbled = Subscription.from_api({"id": "sub_1", "date_created": "yesterday"})
    assert garbled.date_created is None


def test_schedule_times_with_and_without_seconds():
    schedule = Schedule.from_api({"ranges": [{"weekday": 1, "start": "09:00", "end": "16:59:00"}]})
    assert schedule.ranges[0].start == time(9, 0) and schedule.ranges[0].end == time(16, 59)


def test_user_display_name_falls_back():
    assert (
        User.from_api({"id": "user_1", "first_name": "A", "last_name": "B"}).display_name == "A B"
    )
    assert User.from_api({"id": "user_1", "email": "a@b"}).display_name == "a@b"
    assert User.from_api({"id": "user_1"}).display_name == "user_1"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"ratelimit": "limit=100, remaining=50, reset=5"}, (100, 50, 5.0)),
        ({"ratelimit": "limit=100; remaining=100; reset=1"}, (100, 100, 1.0)),
        ({"ratelimit": "limit=60, remaining=0, reset=0.25"}, (60, 0, 0.25)),
        (
            {"ratelimit-limit": "40", "ratelimit-remaining": "3", "ratelimit-reset": "2.5"},
            (40, 3, 2.5),
        ),
        ({"ratelimit": "garbage"}, None),
        ({}, None),
    ],
)
def test_rate_limit_headers_in_every_form(headers, expected):
    info = parse_rate_limit(headers)
    assert (None if info is None else (info.limit, info.remaining, info.reset)) == expected


def test_retry_after():
    assert retry_after({"retry-after": "3"}) == 3.0
    assert retry_after({"retry-after": "soon"}) is None
