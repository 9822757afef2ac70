"""A sequence's detail as styled lines: the heading and the cadence timeline.

One description, two renderers: the detail pane turns the lines into Textual `Content`, and
`closetui show` prints them as text. Each span carries a role (a style name), never markup,
and every string from the API goes through `inert()` first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from closetui.close.models import Sequence, Subscription
from closetui.names.known import Names, TemplateInfo
from closetui.present.cadence import (
    UNKNOWN_SPAN,
    format_duration,
    format_wait,
    required_label,
    schedule_summary,
    span_seconds,
    step_kind,
    threading_label,
    timeline,
)
from closetui.present.reasons import reason_advice, reason_words
from closetui.present.roles import status_role
from closetui.textsafe import inert, truncate

SUBSCRIPTION_STATUSES = ("active", "paused", "finished", "goal", "error")


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    role: str = ""


Line = list[Span]


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
        spans += [Span(" by ", "dim"), Span(inert(who), "value")]
    return spans


def heading(
    sequence: Sequence,
    names: Names,
    *,
    fetched_age: str | None = None,
    counts: Mapping[str, int | None] | None = None,
) -> list[Line]:
    lines: list[Line] = [
        [Span(inert(sequence.name) or "(no name)", "title")],
        [
            Span(inert(sequence.status), status_role(sequence.status)),
            Span(" · ", "dim"),
            Span(inert(sequence.id), "id"),
        ],
        [],
        _field(
            "Schedule",
            Span(
                inert(
                    schedule_summary(
                        sequence.schedule,
                        sequence.timezone,
                        unreadable="schedule" in sequence.degraded,
                    )
                ),
                "value",
            ),
        ),
        _field("Created", *_who(names, sequence.date_created, sequence.created_by_id)),
        _field("Updated", *_who(names, sequence.date_updated, sequence.updated_by_id)),
    ]
    if counts is not None:
        spans: list[Span] = []
        for status in SUBSCRIPTION_STATUSES:
            if spans:
                spans.append(Span("  ", "dim"))
            count = counts.get(status, 0)
            shown = "?" if count is None else f"{count:,}"
            spans += [Span(shown, "value"), Span(f" {status}", "dim")]
        lines.append(_field("Enrolled", *spans))
    if fetched_age:
        lines.append(_field("Fetched", Span(fetched_age, "dim")))
    return lines


def _template_lines(info: TemplateInfo, kind: str) -> list[Line]:
    bar = Span(" │   ", "rail")
    if info.missing:
        return [[bar, Span(f"template not found ({inert(info.id)})", "warn")]]
    if info.name is None:
        return [[bar, Span("template ", "dim"), Span(inert(info.id), "id")]]
    lines = [[bar, Span("template ", "dim"), Span(inert(info.name), "value")]]
    if info.detail:
        label = "subject  " if kind == "email" else "text     "
        lines.append([bar, Span(label, "dim"), Span(inert(info.detail), "value")])
    return lines


def cadence(sequence: Sequence, names: Names) -> list[Line]:
    rows = timeline(sequence.steps)
    unread: list[Line] = []
    if sequence.skipped_steps:
        unread = [[Span("Some steps could not be read and are not shown.", "warn")]]
    if not rows:
        return [[Span("Cadence", "section")], *unread, [Span("This sequence has no steps.", "dim")]]
    span = span_seconds(sequence.steps) or 0
    if span == UNKNOWN_SPAN:
        over = "over an unknown time (a delay could not be read)"
    else:
        over = f"over {format_duration(span)}" if span else "all on the day of enrollment"
    lines: list[Line] = [
        [
            Span("Cadence", "section"),
            Span(f"  {len(rows)} step{'s' if len(rows) != 1 else ''} {over}", "dim"),
        ],
        *unread,
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
            Span(f"Day {'?' if row.day is None else row.day:<3}", "day"),
            Span(
                f" {glyph} ",
                f"kind-{step.step_type}"
                if step.step_type in ("email", "call", "sms")
                else "kind-other",
            ),
            Span(inert(label), "kind"),
            Span(f"   step {row.index}", "dim"),
        ]
        required = "required ?" if "required" in step.degraded else required_label(step.required)
        if required:
            head += [Span(" · ", "dim"), Span(required, "dim" if step.required else "warn")]
        lines.append(head)
        template_id = step.template_id
        if template_id:
            info = names.templates.get(template_id) or TemplateInfo(template_id)
            lines += _template_lines(info, step.step_type)
        threading = threading_label(step.threading)
        if threading:
            lines.append([bar, Span("thread   ", "dim"), Span(inert(threading), "value")])
        if "step_allowed_delay" in step.degraded:
            lines.append([bar, Span("allowed delay ", "dim"), Span("?", "value")])
        elif step.step_allowed_delay:
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
    counts: Mapping[str, int | None] | None = None,
) -> list[Line]:
    names = names or Names()
    return [
        *heading(sequence, names, fetched_age=fetched_age, counts=counts),
        [],
        *cadence(sequence, names),
    ]


def plain(lines: list[Line]) -> str:
    return "\n".join("".join(span.text for span in line).rstrip() for line in lines)


def _reason_field(reason: str | None) -> Line:
    """The reason in words, its value beside them, and what it means where that is known."""
    if not reason:
        return _field("Reason", Span("—", "value"))
    words, advice = reason_words(reason), reason_advice(reason)
    spans = [Span(inert(words), "value")]
    if words != reason:
        spans.append(Span(f"  {inert(reason)}", "id"))
    if advice:
        spans.append(Span(f"  ({advice})", "dim"))
    return _field("Reason", *spans)


def run_sheet(
    sub: Subscription,
    names: Names,
    *,
    contact_name: str | None = None,
    lead_name: str | None = None,
    sequence: Sequence | None = None,
) -> list[Line]:
    """One run (subscription): every field Close sent, then its sequence's cadence. Close
    does not say which step a run is on, so no step is marked: a guess would mislead."""

    def who(name: str | None, fallback: str | None) -> list[Span]:
        if name == "":
            return [Span("deleted in Close", "warn"), Span(f"  {fallback or ''}", "id")]
        if name:
            return [Span(inert(name), "value"), Span(f"  {inert(fallback or '')}", "id")]
        return [Span(inert(fallback or "—"), "id")]

    assigned = ", ".join(inert(names.user(u) or u) for u in sub.calls_assigned_to) or "—"
    lines: list[Line] = [
        [Span(inert(contact_name or sub.contact_email or sub.contact_id or "?"), "title")],
        [
            Span(inert(sub.status), status_role(sub.status)),
            Span(" · ", "dim"),
            Span(inert(sub.id), "id"),
        ],
        [],
        _field("Contact", *who(contact_name, sub.contact_id)),
        _field("Email", Span(inert(sub.contact_email or "—"), "value")),
        _field("Lead", *who(lead_name, sub.lead_id)),
        _reason_field(sub.status_reason),
        _field(
            "Sender",
            Span(inert(sub.sender_name or "—"), "value"),
            Span(f"  {inert(sub.sender_email or '')}", "dim"),
        ),
        _field("Account", Span(inert(sub.sender_account_id or "—"), "id")),
        _field("Calls to", Span(assigned, "value")),
        _field(
            "Started",
            Span(format_moment(sub.start_date), "value")
            if sub.start_date
            else Span("not yet (Close sent no start date)", "dim"),
        ),
        _field("Created", *_who(names, sub.date_created, sub.created_by_id)),
        _field("Updated", *_who(names, sub.date_updated, sub.updated_by_id)),
    ]
    for key, value in sorted(sub.extra.items()):
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        shown = truncate(inert(shown), 200)
        lines.append([Span(inert(key), "label"), Span(": ", "dim"), Span(shown, "dim")])
    lines.append([])
    if sequence is None:
        lines.append([Span("The sequence is not in the cache: its cadence is not shown.", "dim")])
        return lines
    lines.append([Span("Sequence ", "section"), Span(inert(sequence.name), "value")])
    lines.append([Span("Close does not say which step this run is on.", "dim")])
    lines.append([])
    return lines + cadence(sequence, names)
