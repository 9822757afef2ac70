"""A sequence's detail as styled lines: the heading and the cadence timeline.

One description, two renderers: the detail pane turns the lines into Textual `Content`, and
`closetui show` prints them as text. Each span carries a role (a style name), never markup,
and every string from the API goes through `visible()` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from closetui.cadence import (
    format_duration,
    format_wait,
    required_label,
    schedule_summary,
    span_seconds,
    step_kind,
    threading_label,
    timeline,
)
from closetui.models import Sequence
from closetui.textsafe import visible

SUBSCRIPTION_STATUSES = ("active", "paused", "finished", "goal", "error")


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    role: str = ""


Line = list[Span]


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    """What the detail shows for a template: found (name, a second line) or not found."""

    id: str
    name: str | None = None
    detail: str | None = None  # an email's subject, an SMS's first line
    missing: bool = False


@dataclass
class Names:
    """Names known for ids. Empty until the lookups arrive; an unknown id shows as itself."""

    users: Mapping[str, str] = field(default_factory=dict)
    templates: Mapping[str, TemplateInfo] = field(default_factory=dict)

    def user(self, user_id: str | None) -> str | None:
        if not user_id:
            return None
        return self.users.get(user_id, user_id)


def format_moment(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_age(seconds: float) -> str:
    """`just now`, `5 min ago`, `3 h ago`, `2 days ago`."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def _field(label: str, *spans: Span) -> Line:
    return [Span(f"{label:<10}", "label"), *spans]


def _who(names: Names, moment: datetime | None, user_id: str | None) -> list[Span]:
    spans = [Span(format_moment(moment), "value")]
    who = names.user(user_id)
    if who:
        spans += [Span(" by ", "dim"), Span(visible(who), "value")]
    return spans


def status_role(status: str) -> str:
    return {"active": "status-active", "paused": "status-paused"}.get(status, "status-other")


def heading(
    sequence: Sequence,
    names: Names,
    *,
    fetched_age: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> list[Line]:
    lines: list[Line] = [
        [Span(visible(sequence.name) or "(no name)", "title")],
        [
            Span(visible(sequence.status), status_role(sequence.status)),
            Span(" · ", "dim"),
            Span(visible(sequence.id), "id"),
        ],
        [],
        _field(
            "Schedule",
            Span(visible(schedule_summary(sequence.schedule, sequence.timezone)), "value"),
        ),
        _field("Created", *_who(names, sequence.date_created, sequence.created_by_id)),
        _field("Updated", *_who(names, sequence.date_updated, sequence.updated_by_id)),
    ]
    if counts is not None:
        spans: list[Span] = []
        for status in SUBSCRIPTION_STATUSES:
            if spans:
                spans.append(Span("  ", "dim"))
            spans += [Span(f"{counts.get(status, 0):,}", "value"), Span(f" {status}", "dim")]
        lines.append(_field("Enrolled", *spans))
    if fetched_age:
        lines.append(_field("Fetched", Span(fetched_age, "dim")))
    return lines


def _template_lines(info: TemplateInfo, kind: str) -> list[Line]:
    bar = Span(" │   ", "rail")
    if info.missing:
        return [[bar, Span(f"template not found ({visible(info.id)})", "warn")]]
    if info.name is None:
        return [[bar, Span("template ", "dim"), Span(visible(info.id), "id")]]
    lines = [[bar, Span("template ", "dim"), Span(visible(info.name), "value")]]
    if info.detail:
        label = "subject  " if kind == "email" else "text     "
        lines.append([bar, Span(label, "dim"), Span(visible(info.detail), "value")])
    return lines


def cadence(sequence: Sequence, names: Names) -> list[Line]:
    rows = timeline(sequence.steps)
    if not rows:
        return [[Span("Cadence", "section")], [Span("This sequence has no steps.", "dim")]]
    span = span_seconds(sequence.steps) or 0
    over = f"over {format_duration(span)}" if span else "all on the day of enrollment"
    lines: list[Line] = [
        [
            Span("Cadence", "section"),
            Span(f"  {len(rows)} step{'s' if len(rows) != 1 else ''} {over}", "dim"),
        ],
        [],
        [Span(" ○ ", "rail"), Span("Enrollment", "dim")],
    ]
    bar = Span(" │   ", "rail")
    for row in rows:
        step = row.step
        lines.append([Span(" │", "rail")])
        lines.append([bar, Span(format_wait(row.wait), "wait")])
        lines.append([Span(" │", "rail")])
        glyph, label = step_kind(step.step_type)
        head = [
            Span(" ● ", "rail"),
            Span(f"Day {row.day:<3}", "day"),
            Span(
                f" {glyph} ",
                f"kind-{step.step_type}"
                if step.step_type in ("email", "call", "sms")
                else "kind-other",
            ),
            Span(visible(label), "kind"),
            Span(f"   step {row.index}", "dim"),
        ]
        required = required_label(step.required)
        if required:
            head += [Span(" · ", "dim"), Span(required, "dim" if step.required else "warn")]
        lines.append(head)
        template_id = step.template_id
        if template_id:
            info = names.templates.get(template_id) or TemplateInfo(template_id)
            lines += _template_lines(info, step.step_type)
        threading = threading_label(step.threading)
        if threading:
            lines.append([bar, Span("thread   ", "dim"), Span(visible(threading), "value")])
        if step.step_allowed_delay:
            lines.append(
                [
                    bar,
                    Span("allowed delay ", "dim"),
                    Span(format_duration(step.step_allowed_delay), "value"),
                ]
            )
    return lines


def sequence_sheet(
    sequence: Sequence,
    names: Names | None = None,
    *,
    fetched_age: str | None = None,
    counts: Mapping[str, int] | None = None,
) -> list[Line]:
    names = names or Names()
    return [
        *heading(sequence, names, fetched_age=fetched_age, counts=counts),
        [],
        *cadence(sequence, names),
    ]


def plain(lines: list[Line]) -> str:
    return "\n".join("".join(span.text for span in line).rstrip() for line in lines)
