"""The objects closetui shows, parsed from Close's JSON.

Parsing is tolerant where the API is loose (missing optional fields, unknown fields, nulls,
naive or offset dates) and strict where a wrong type would make the object meaningless: then
it raises ProtocolError naming the field, never KeyError or TypeError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, Generic, TypeVar

from closetui.errors import ProtocolError

_T = TypeVar("_T")


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
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_time(value: str) -> time | None:
    """Schedule times come as HH:MM and sometimes HH:MM:SS."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


class _Reader:
    """Reads the fields of one JSON object, naming the field in every error."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ProtocolError(f"{where} should be an object, got {_kind(data)}")
        self.data: dict[str, Any] = data
        self.where = where
        self.seen: set[str] = set()

    def _get(self, name: str) -> Any:
        self.seen.add(name)
        return self.data.get(name)

    def _wrong(self, name: str, want: str, value: Any) -> ProtocolError:
        return ProtocolError(f"{self.where}: field '{name}' should be {want}, got {_kind(value)}")

    def required_str(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value:
            raise self._wrong(name, "non-empty text", value)
        return value

    def str(self, name: str, default: str = "") -> str:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._wrong(name, "text", value)
        return value

    def opt_str(self, name: str) -> str | None:
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._wrong(name, "text or null", value)
        return value

    def opt_int(self, name: str) -> int | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._wrong(name, "a number", value)
        if value != value or value in (float("inf"), float("-inf")):
            raise self._wrong(name, "a finite number", value)
        return int(value)

    def opt_bool(self, name: str) -> bool | None:
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self._wrong(name, "true or false", value)
        return value

    def opt_datetime(self, name: str) -> datetime | None:
        value = self.opt_str(name)
        return parse_datetime(value) if value else None

    def opt_dict(self, name: str) -> dict[str, Any] | None:
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self._wrong(name, "an object", value)
        return value

    def list(self, name: str) -> list[Any]:
        value = self._get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._wrong(name, "a list", value)
        return value

    def extra(self) -> dict[str, Any]:
        """Fields closetui does not know: kept, so nothing the API sends is lost."""
        return {k: v for k, v in self.data.items() if k not in self.seen}


def _items(values: Iterable[Any], where: str, parse: Any) -> tuple[Any, ...]:
    return tuple(parse(value, f"{where}[{i}]") for i, value in enumerate(values))


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    step_type: str
    delay: int
    email_template_id: str | None = None
    sms_template_id: str | None = None
    threading: str | None = None
    required: bool | None = None
    step_allowed_delay: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def template_id(self) -> str | None:
        return self.email_template_id or self.sms_template_id

    @classmethod
    def from_api(cls, data: Any, where: str = "step") -> Step:
        r = _Reader(data, where)
        step = cls(
            id=r.required_str("id"),
            step_type=r.str("step_type") or "unknown",
            delay=max(0, r.opt_int("delay") or 0),
            email_template_id=r.opt_str("email_template_id"),
            sms_template_id=r.opt_str("sms_template_id"),
            threading=r.opt_str("threading"),
            required=r.opt_bool("required"),
            step_allowed_delay=r.opt_int("step_allowed_delay"),
        )
        object.__setattr__(step, "extra", r.extra())
        return step


@dataclass(frozen=True, slots=True)
class ScheduleRange:
    weekday: int
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Schedule:
    ranges: tuple[ScheduleRange, ...]

    @classmethod
    def from_api(cls, data: Any, where: str = "schedule") -> Schedule:
        r = _Reader(data, where)
        ranges = []
        for i, raw in enumerate(r.list("ranges")):
            rr = _Reader(raw, f"{where}.ranges[{i}]")
            weekday = rr.opt_int("weekday")
            if weekday is None:
                raise ProtocolError(f"{rr.where}: field 'weekday' is missing")
            start = parse_time(rr.str("start"))
            end = parse_time(rr.str("end"))
            if start is None or end is None:
                raise ProtocolError(f"{rr.where}: 'start' and 'end' should be times like 09:00")
            ranges.append(ScheduleRange(weekday, start, end))
        return cls(tuple(ranges))


@dataclass(frozen=True, slots=True)
class Sequence:
    id: str
    name: str
    status: str
    timezone: str | None
    schedule: Schedule | None
    steps: tuple[Step, ...]
    organization_id: str | None = None
    created_by_id: str | None = None
    updated_by_id: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    subscription_counts: dict[str, int] | None = field(default=None, compare=False, hash=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "sequence") -> Sequence:
        r = _Reader(data, where)
        schedule_raw = r.opt_dict("schedule")
        counts_raw = r.opt_dict("subscription_counts_by_status")
        counts = None
        if counts_raw is not None:
            cr = _Reader(counts_raw, f"{where}.subscription_counts_by_status")
            counts = {key: cr.opt_int(key) or 0 for key in counts_raw}
        sequence = cls(
            id=r.required_str("id"),
            name=r.str("name"),
            status=r.str("status") or "unknown",
            timezone=r.opt_str("timezone"),
            schedule=Schedule.from_api(schedule_raw, f"{where}.schedule") if schedule_raw else None,
            steps=_items(r.list("steps"), f"{where}.steps", Step.from_api),
            organization_id=r.opt_str("organization_id"),
            created_by_id=r.opt_str("created_by_id"),
            updated_by_id=r.opt_str("updated_by_id"),
            date_created=r.opt_datetime("date_created"),
            date_updated=r.opt_datetime("date_updated"),
            subscription_counts=counts,
        )
        object.__setattr__(sequence, "extra", r.extra())
        return sequence


@dataclass(frozen=True, slots=True)
class Subscription:
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
    start_date: datetime | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    created_by_id: str | None = None
    updated_by_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "subscription") -> Subscription:
        r = _Reader(data, where)
        assigned = r.list("calls_assigned_to")
        if not all(isinstance(a, str) for a in assigned):
            raise ProtocolError(f"{where}: field 'calls_assigned_to' should be a list of ids")
        subscription = cls(
            id=r.required_str("id"),
            sequence_id=r.opt_str("sequence_id"),
            status=r.str("status") or "unknown",
            contact_id=r.opt_str("contact_id"),
            lead_id=r.opt_str("lead_id"),
            contact_email=r.opt_str("contact_email"),
            status_reason=r.opt_str("status_reason"),
            sender_name=r.opt_str("sender_name"),
            sender_email=r.opt_str("sender_email"),
            sender_account_id=r.opt_str("sender_account_id"),
            calls_assigned_to=tuple(assigned),
            start_date=r.opt_datetime("start_date"),
            date_created=r.opt_datetime("date_created"),
            date_updated=r.opt_datetime("date_updated"),
            created_by_id=r.opt_str("created_by_id"),
            updated_by_id=r.opt_str("updated_by_id"),
        )
        object.__setattr__(subscription, "extra", r.extra())
        return subscription


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class User:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    organizations: tuple[Organization, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email or self.id

    @classmethod
    def from_api(cls, data: Any, where: str = "user") -> User:
        r = _Reader(data, where)
        orgs = []
        for i, raw in enumerate(r.list("organizations")):
            o = _Reader(raw, f"{where}.organizations[{i}]")
            orgs.append(Organization(id=o.required_str("id"), name=o.str("name")))
        user = cls(
            id=r.required_str("id"),
            first_name=r.str("first_name"),
            last_name=r.str("last_name"),
            email=r.str("email"),
            organizations=tuple(orgs),
        )
        object.__setattr__(user, "extra", r.extra())
        return user


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    id: str
    name: str
    subject: str = ""
    body: str = ""
    is_shared: bool | None = None
    is_archived: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "email template") -> EmailTemplate:
        r = _Reader(data, where)
        template = cls(
            id=r.required_str("id"),
            name=r.str("name"),
            subject=r.str("subject"),
            body=r.str("body"),
            is_shared=r.opt_bool("is_shared"),
            is_archived=r.opt_bool("is_archived"),
        )
        object.__setattr__(template, "extra", r.extra())
        return template


@dataclass(frozen=True, slots=True)
class SmsTemplate:
    id: str
    name: str
    text: str = ""
    status: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "sms template") -> SmsTemplate:
        r = _Reader(data, where)
        template = cls(
            id=r.required_str("id"),
            name=r.str("name"),
            text=r.str("text"),
            status=r.opt_str("status"),
        )
        object.__setattr__(template, "extra", r.extra())
        return template


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
