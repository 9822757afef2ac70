"""The objects closetui shows, parsed from Close's JSON.

Parsing follows one rule: parse what the app uses and keep the rest raw. Only `id` is
required; an object without one is refused with a ProtocolError (a list skips and counts
it). Any other field of an unexpected type or value degrades that field alone: it becomes its
raw text (a number where text was expected) or unknown (shown as "?"), its name goes into the
object's `degraded` set so that renderers can say so, and a warning naming the field and the
object's id (never the value) is logged once per field per session. Unknown fields are kept in
`extra`, so nothing the API sends is lost.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, Generic, TypeVar

from closetui.errors import ProtocolError
from closetui.logs import log
from closetui.textsafe import inert, truncate

_T = TypeVar("_T")
_M = TypeVar("_M")
UNREADABLE = "?"  # what a degraded text field shows when it has no raw text to show


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_datetime(value: str) -> datetime | None:
    """Close sends sequences' dates naive (presumably UTC) and templates' with +00:00.
    Both become aware UTC datetimes; text that is not a date gives None."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    try:
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 with a positive offset, and the like
        return None


def parse_time(value: str) -> time | None:
    """Schedule times come as HH:MM and sometimes HH:MM:SS."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


_reported: set[tuple[str, str]] = set()
_reported_lock = threading.Lock()


def _report(kind: str, object_id: str, name: str, want: str, got: str) -> None:
    """One warning per (kind of object, field) per session: a server that sends one odd
    field sends it in every object, and the log should say so once, not ten thousand times.
    The value itself is never logged: it may hold anything."""
    with _reported_lock:
        if (kind, name) in _reported:
            return
        _reported.add((kind, name))
    log.warning(
        "%s %s: field %r should be %s, got %s; shown as unknown (later ones not logged)",
        kind,
        truncate(inert(object_id), 80),
        name,
        want,
        got,
    )


def _raw_text(value: Any) -> str:
    """A scalar of the wrong type, as the text it would read as; anything else, unknown."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        try:
            return json.dumps(value)
        except ValueError:
            return UNREADABLE
    return UNREADABLE


class _Reader:
    """Reads the fields of one JSON object. Every reader returns a usable value: a field of
    the wrong shape is recorded in `degraded` and reported, never raised."""

    def __init__(self, data: Any, kind: str, where: str, *, require_id: bool = True) -> None:
        if not isinstance(data, dict):
            raise ProtocolError(f"{where} should be an object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.kind = kind
        self.seen: set[str] = {"id"}
        self.degraded: set[str] = set()
        object_id = data.get("id")
        if not isinstance(object_id, str) or not object_id:
            if require_id:
                raise ProtocolError(
                    f"{where}: field 'id' should be non-empty text, got {_kind(object_id)}"
                )
            object_id = ""
        self.id = object_id

    def _get(self, name: str) -> Any:
        self.seen.add(name)
        return self.data.get(name)

    def degrade(self, name: str, want: str, got: str) -> None:
        self.degraded.add(name)
        _report(self.kind, self.id, name, want, got)

    def text(self, name: str, default: str = "") -> str:
        """Text to show; a number or boolean shows as its raw text, anything else as "?"."""
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value
        self.degrade(name, "text", _kind(value))
        return _raw_text(value)

    def opt_text(self, name: str) -> str | None:
        value = self._get(name)
        if value is None or isinstance(value, str):
            return value
        self.degrade(name, "text or null", _kind(value))
        return _raw_text(value)

    def opt_id(self, name: str) -> str | None:
        """An id to look up or link to: anything but text is unknown, since a made-up id
        would be asked for."""
        value = self._get(name)
        if value is None or isinstance(value, str):
            return value or None
        self.degrade(name, "an id or null", _kind(value))
        return None

    def opt_int(self, name: str) -> int | None:
        value = self._get(name)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or value != value
            or value in (float("inf"), float("-inf"))
        ):
            self.degrade(name, "a finite number", _kind(value))
            return None
        return int(value)

    def opt_bool(self, name: str) -> bool | None:
        value = self._get(name)
        if value is None or isinstance(value, bool):
            return value
        self.degrade(name, "true or false", _kind(value))
        return None

    def opt_datetime(self, name: str) -> datetime | None:
        value = self._get(name)
        if value is None or value == "":
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            got = "text that is not a date" if isinstance(value, str) else _kind(value)
            self.degrade(name, "a date", got)
        return parsed

    def opt_dict(self, name: str) -> dict[str, Any] | None:
        value = self._get(name)
        if value is None or isinstance(value, dict):
            return value
        self.degrade(name, "an object", _kind(value))
        return None

    def items(self, name: str) -> list[Any]:
        value = self._get(name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.degrade(name, "a list", _kind(value))
        return []

    def extra(self) -> dict[str, Any]:
        """Fields closetui does not know: kept, so nothing the API sends is lost."""
        return {k: v for k, v in self.data.items() if k not in self.seen}

    def finish(self, obj: _M) -> _M:
        object.__setattr__(obj, "extra", self.extra())
        object.__setattr__(obj, "degraded", frozenset(self.degraded))
        return obj


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a sequence, as Close sends it, read defensively."""

    id: str
    step_type: str
    delay: int | None  # None: the server sent something that is not a number of seconds
    email_template_id: str | None = None
    sms_template_id: str | None = None
    threading: str | None = None
    required: bool | None = None
    step_allowed_delay: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @property
    def template_id(self) -> str | None:
        return self.email_template_id or self.sms_template_id

    @classmethod
    def from_api(cls, data: Any, where: str = "step") -> Step:
        r = _Reader(data, "step", where, require_id=False)
        delay = r.opt_int("delay")
        return r.finish(
            cls(
                id=r.id,
                step_type=r.text("step_type") or "unknown",
                delay=None if delay is None and "delay" in r.degraded else max(0, delay or 0),
                email_template_id=r.opt_id("email_template_id"),
                sms_template_id=r.opt_id("sms_template_id"),
                threading=r.opt_text("threading"),
                required=r.opt_bool("required"),
                step_allowed_delay=r.opt_int("step_allowed_delay"),
            )
        )


@dataclass(frozen=True, slots=True)
class ScheduleRange:
    """A weekday's sending hours."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a sequence sends: its weekday ranges."""

    ranges: tuple[ScheduleRange, ...]

    @classmethod
    def parse(cls, data: Any) -> Schedule | None:
        """The sending window, or None when any part of it cannot be read: half a window
        would say the sequence sends when it does not."""
        if not isinstance(data, dict) or not isinstance(data.get("ranges", []), list):
            return None
        ranges = []
        for raw in data.get("ranges") or []:
            if not isinstance(raw, dict):
                return None
            weekday = raw.get("weekday")
            if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 7:
                return None
            start = parse_time(raw["start"]) if isinstance(raw.get("start"), str) else None
            end = parse_time(raw["end"]) if isinstance(raw.get("end"), str) else None
            if start is None or end is None:
                return None
            ranges.append(ScheduleRange(weekday, start, end))
        return cls(tuple(ranges))

    @classmethod
    def from_api(cls, data: Any) -> Schedule:
        schedule = cls.parse(data)
        if schedule is None:
            raise ProtocolError("the schedule should be {'ranges': [{weekday, start, end}]}")
        return schedule


def _steps(r: _Reader, where: str) -> tuple[Step, ...]:
    steps = []
    for i, raw in enumerate(r.items("steps")):
        try:
            steps.append(Step.from_api(raw, f"{where}.steps[{i}]"))
        except ProtocolError:
            r.degrade("steps", "a list of objects", f"{_kind(raw)} at position {i}")
    return tuple(steps)


def _counts(r: _Reader, name: str) -> dict[str, int | None] | None:
    raw = r.opt_dict(name)
    if raw is None:
        return None
    counts: dict[str, int | None] = {}
    for key, value in raw.items():
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            counts[str(key)] = value
        else:
            counts[str(key)] = None
            r.degrade(name, "whole numbers", _kind(value))
    return counts


@dataclass(frozen=True, slots=True)
class Sequence:
    """A sequence in full: its steps, schedule, timezone and counts."""

    id: str
    name: str
    status: str
    timezone: str | None
    schedule: Schedule | None  # None: no window, or (with "schedule" degraded) unreadable
    steps: tuple[Step, ...]
    organization_id: str | None = None
    created_by_id: str | None = None
    updated_by_id: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    # Only on the single-sequence fetch; a count the server garbled is None.
    subscription_counts: dict[str, int | None] | None = field(
        default=None, compare=False, hash=False
    )
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @property
    def skipped_steps(self) -> bool:
        return "steps" in self.degraded

    @classmethod
    def from_api(cls, data: Any, where: str = "sequence") -> Sequence:
        r = _Reader(data, "sequence", where)
        schedule_raw = r._get("schedule")
        schedule = None
        if schedule_raw is not None:
            schedule = Schedule.parse(schedule_raw)
            if schedule is None:
                r.degrade("schedule", "{'ranges': [...]} or null", _kind(schedule_raw))
        return r.finish(
            cls(
                id=r.id,
                name=r.text("name"),
                status=r.text("status") or "unknown",
                timezone=r.opt_text("timezone"),
                schedule=schedule,
                steps=_steps(r, where),
                organization_id=r.opt_id("organization_id"),
                created_by_id=r.opt_id("created_by_id"),
                updated_by_id=r.opt_id("updated_by_id"),
                date_created=r.opt_datetime("date_created"),
                date_updated=r.opt_datetime("date_updated"),
                subscription_counts=_counts(r, "subscription_counts_by_status"),
            )
        )


def _step_delay(raw: dict[str, Any]) -> int | None:
    """A step's delay as `Step.from_api` reads it (missing: 0; unreadable: None, reported),
    without building the step."""
    value = raw.get("delay")
    if value is None:
        return 0
    if type(value) is int:  # what Close sends (a bool is not one): no further checks
        return max(0, value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or value != value
        or value in (float("inf"), float("-inf"))
    ):
        step_id = raw.get("id")
        _report("step", step_id if isinstance(step_id, str) else "", "delay",
                "a finite number", _kind(value))  # fmt: skip
        return None
    return max(0, int(value))


@dataclass(frozen=True, slots=True)
class SequenceListing:
    """What the list shows of a sequence, read from a list answer without building its
    steps, schedule and the rest: those are read from the kept JSON when it is opened
    (`Sequence.from_api`). The fields it has read the same as `Sequence.from_api` does."""

    id: str
    name: str
    status: str
    steps: int  # the steps `Sequence.from_api` would keep (objects)
    delays: tuple[int | None, ...]
    date_updated: datetime | None

    @classmethod
    def from_api(cls, data: Any, where: str = "sequence") -> SequenceListing:
        r = _Reader(data, "sequence", where)
        delays: list[int | None] = []
        for i, raw in enumerate(r.items("steps")):
            if not isinstance(raw, dict):
                r.degrade("steps", "a list of objects", f"{_kind(raw)} at position {i}")
                continue
            delay = raw.get("delay")  # a whole number of seconds, as Close sends it: at once
            delays.append(max(0, delay) if type(delay) is int else _step_delay(raw))
        return cls(
            id=r.id,
            name=r.text("name"),
            status=r.text("status") or "unknown",
            steps=len(delays),
            delays=tuple(delays),
            date_updated=r.opt_datetime("date_updated"),
        )


def _ids(r: _Reader, name: str) -> tuple[str, ...]:
    values = r.items(name)
    ids = tuple(v for v in values if isinstance(v, str))
    if len(ids) != len(values):
        r.degrade(name, "a list of ids", "other values in the list")
    return ids


@dataclass(frozen=True, slots=True)
class Subscription:
    """A run: one contact in one sequence, its status and why it stopped."""

    id: str
    sequence_id: str | None
    status: str
    contact_id: str | None = None
    lead_id: str | None = None
    contact_email: str | None = None
    status_reason: str | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    sender_account_id: str | None = None
    calls_assigned_to: tuple[str, ...] = ()
    start_date: datetime | None = None  # null in Close's own example: not started yet
    date_created: datetime | None = None
    date_updated: datetime | None = None
    created_by_id: str | None = None
    updated_by_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "subscription") -> Subscription:
        r = _Reader(data, "subscription", where)
        return r.finish(
            cls(
                id=r.id,
                sequence_id=r.opt_id("sequence_id"),
                status=r.text("status") or "unknown",
                contact_id=r.opt_id("contact_id"),
                lead_id=r.opt_id("lead_id"),
                contact_email=r.opt_text("contact_email"),
                status_reason=r.opt_text("status_reason"),
                sender_name=r.opt_text("sender_name"),
                sender_email=r.opt_text("sender_email"),
                sender_account_id=r.opt_id("sender_account_id"),
                calls_assigned_to=_ids(r, "calls_assigned_to"),
                start_date=r.opt_datetime("start_date"),
                date_created=r.opt_datetime("date_created"),
                date_updated=r.opt_datetime("date_updated"),
                created_by_id=r.opt_id("created_by_id"),
                updated_by_id=r.opt_id("updated_by_id"),
            )
        )


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization the key belongs to."""

    id: str
    name: str = ""  # only `/me/` carries organization objects; `/user/` has bare ids


def _organizations(r: _Reader) -> tuple[Organization, ...]:
    """`/user/` lists organization ids; `/me/` lists organization objects. Both read."""
    found = []
    for raw in r.items("organizations"):
        if isinstance(raw, str) and raw:
            found.append(Organization(raw))
        elif isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
            name = raw.get("name")
            found.append(Organization(raw["id"], name if isinstance(name, str) else ""))
        else:
            r.degrade("organizations", "ids or organization objects", _kind(raw))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class User:
    """A user of the organization (a run's sender, a version's author)."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    organizations: tuple[Organization, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email or self.id

    @classmethod
    def from_api(cls, data: Any, where: str = "user") -> User:
        r = _Reader(data, "user", where)
        return r.finish(
            cls(
                id=r.id,
                first_name=r.text("first_name"),
                last_name=r.text("last_name"),
                email=r.text("email"),
                organizations=_organizations(r),
            )
        )


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    """An email template: its name, subject and body."""

    id: str
    name: str
    subject: str = ""
    body: str = ""
    is_shared: bool | None = None
    is_archived: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "email template") -> EmailTemplate:
        r = _Reader(data, "email template", where)
        return r.finish(
            cls(
                id=r.id,
                name=r.text("name"),
                subject=r.text("subject"),
                body=r.text("body"),
                is_shared=r.opt_bool("is_shared"),
                is_archived=r.opt_bool("is_archived"),
            )
        )


@dataclass(frozen=True, slots=True)
class SmsTemplate:
    """An SMS template: its name and text."""

    id: str
    name: str
    text: str = ""
    status: str | None = None  # documented: active | archived
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "sms template") -> SmsTemplate:
        r = _Reader(data, "sms template", where)
        return r.finish(
            cls(
                id=r.id,
                name=r.text("name"),
                text=r.text("text"),
                status=r.opt_text("status"),
            )
        )


@dataclass(frozen=True, slots=True)
class Party:
    """A lead or a contact, as far as a run's row needs it: its name."""

    id: str
    name: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "lead or contact") -> Party:
        r = _Reader(data, "lead or contact", where)
        name = r.text("display_name") or r.text("name")
        return r.finish(cls(id=r.id, name=name))


@dataclass(frozen=True, slots=True)
class Page(Generic[_T]):
    """One answer of an offset-paged endpoint. `raw` is what the API sent for each item,
    unchanged, so JSON output and the cache keep every field."""

    items: tuple[_T, ...]
    raw: tuple[Mapping[str, Any], ...]
    has_more: bool
    skip: int
    limit: int
    problems: tuple[str, ...] = ()

    @property
    def next_skip(self) -> int:
        return self.skip + self.limit

    def __len__(self) -> int:
        return len(self.items)
