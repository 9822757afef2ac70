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
from typing import Any

from closetui.close.models import Sequence, Step, Subscription
from closetui.names.known import Names, TemplateInfo
from closetui.present.age import format_age as format_age  # (from here too, as before)
from closetui.present.cadence import (
    UNKNOWN_SPAN,
    format_duration,
    format_wait,
    required_label,
    schedule_parts,
    short_duration,
    span_seconds,
    step_kind,
    threading_label,
    timeline,
)
from closetui.present.reasons import reason_advice, reason_words
from closetui.present.roles import chip_role, status_role
from closetui.present.spans import ClippedLine as ClippedLine  # (from here too, as before)
from closetui.present.spans import Line as Line
from closetui.present.spans import Span as Span
from closetui.present.spans import with_variables
from closetui.textsafe import inert, truncate

SUBSCRIPTION_STATUSES = ("active", "paused", "finished", "goal", "error")
TITLE_CHARS = 200  # of a name drawn as the title; a longer one ends with …
BODY_LINES = 20  # lines of one body the detail pane draws before "… N more lines"
# Step fields every step has: the rest of an unknown kind's fields are what it does.
_COMMON_STEP_FIELDS = frozenset(
    {"created_by_id", "updated_by_id", "date_created", "date_updated", "organization_id"}
)
_ASSIGNEE_FIELDS = ("assigned_to_id", "assigned_to", "assignee_id", "user_id")


@dataclass(frozen=True, slots=True)
class CadenceView:
    """How the cadence is drawn: compact (one line a step) or full (today's timeline), with
    or without what each step says, and how many lines of a body (None: all)."""

    full: bool = False
    bodies: bool = False
    body_limit: int | None = BODY_LINES


def format_moment(moment: datetime | None) -> str:
    if moment is None:
        return "unknown"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _field(label: str, *spans: Span) -> Line:
    return [Span(f"{label:<10}", "label"), *spans]


def _who(names: Names, moment: datetime | None, user_id: str | None) -> list[Span]:
    spans = [Span(format_moment(moment), "value", whole=True)]
    who = names.user(user_id)
    if who:
        spans += [Span(" by ", "dim"), Span(inert(who), "value", whole=True)]
    return spans


def _schedule_spans(sequence: Sequence) -> list[Span]:
    """The schedule's groups of days, each whole, and the timezone, whole: it wraps between
    them, never inside `Mon 08:30–12:00`."""
    parts = schedule_parts(sequence.schedule, unreadable="schedule" in sequence.degraded)
    spans: list[Span] = []
    for n, part in enumerate(parts):
        if n:
            spans.append(Span("; ", "dim"))
        spans.append(Span(inert(part), "value", whole=True))
    if sequence.timezone:
        spans += [Span(" ", "value"), Span(inert(sequence.timezone), "value", whole=True)]
    return spans


def _count_spans(counts: Mapping[str, int | None]) -> list[Span]:
    """`5 active  2 paused …`: each count with its status, whole, so a line wraps between
    pairs and never leaves a number above the status it counts."""
    spans: list[Span] = []
    for status in SUBSCRIPTION_STATUSES:
        if spans:
            spans.append(Span("  ", "dim"))
        count = counts.get(status, 0)
        shown = "?" if count is None else f"{count:,}"
        spans += [Span(shown, "value", whole=True), Span(f" {status}", "dim", whole=True)]
    return spans


def heading(
    sequence: Sequence,
    names: Names,
    *,
    fetched_age: str | None = None,
    counts: Mapping[str, int | None] | None = None,
) -> list[Line]:
    """The name alone on the title line (wrapping at its words, as one unit), then its status
    as a chip beside the id, so no word of a name reads as a status."""
    status = inert(sequence.status) or "?"
    lines: list[Line] = [
        [Span(truncate(inert(sequence.name), TITLE_CHARS) or "(no name)", "title")],
        [
            Span(f" {status} ", chip_role(sequence.status), whole=True),
            Span("  ", "dim"),
            Span(inert(sequence.id), "id", whole=True),
        ],
        [],
        _field("Schedule", *_schedule_spans(sequence)),
        _field("Created", *_who(names, sequence.date_created, sequence.created_by_id)),
        _field("Updated", *_who(names, sequence.date_updated, sequence.updated_by_id)),
    ]
    if counts is not None:
        lines.append(_field("Enrolled", *_count_spans(counts)))
    if fetched_age:
        lines.append(_field("Fetched", Span(fetched_age, "dim")))
    return lines


# -- what a step says --------------------------------------------------------------------------


def _fields_of(step: Step) -> list[tuple[str, str]]:
    """An unknown kind's own fields (what it does), as (readable name, value) pairs."""
    out = []
    for key, value in step.extra.items():
        if key in _COMMON_STEP_FIELDS or value is None or value == "" or value == []:
            continue
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        out.append((inert(truncate(key, 40)), inert(truncate(shown, 200))))
    return out


def _assignee(step: Step, names: Names) -> str | None:
    for key in _ASSIGNEE_FIELDS:
        value = step.extra.get(key)
        if isinstance(value, str) and value:
            return inert(names.user(value) or value)
    return None


def _says(step: Step, names: Names, calls_to: str | None = None) -> list[Span]:
    """The compact line's last column: what the step sends or does."""
    template_id = step.template_id
    if template_id:
        info = names.templates.get(template_id) or TemplateInfo(template_id)
        if info.missing:
            return [Span(f"template not found ({inert(info.id)})", "warn")]
        if info.name is None:
            return [Span(inert(info.id), "id")]
        if step.step_type == "sms" and info.detail:
            return [Span("“", "dim"), *with_variables(inert(info.detail)), Span("”", "dim")]
        spans = [Span(inert(info.name), "value")]
        if info.detail:
            spans += [Span(" · ", "dim"), *with_variables(inert(info.detail), "dim")]
        return spans
    assignee = _assignee(step, names) or (calls_to if step.step_type == "call" else None)
    if assignee:
        return [Span("to ", "dim"), Span(assignee, "value")]
    said: list[Span] = []
    for key, value in _fields_of(step):
        if said:
            said.append(Span(", ", "dim"))
        said += [Span(f"{key} ", "dim"), Span(value, "value")]
    return said


def _marks(step: Step) -> list[Span]:
    marks: list[str] = []
    if step.threading == "old_thread":
        marks.append("↩")
    elif step.threading not in (None, "new_thread"):
        marks.append(f"thread {inert(step.threading)}")
    if "required" in step.degraded:
        marks.append("req?")
    elif step.required is False:
        marks.append("opt")
    if "step_allowed_delay" in step.degraded:
        marks.append("⏱?")
    elif step.step_allowed_delay:
        marks.append("⏱" + short_duration(step.step_allowed_delay).lstrip("+"))
    return [Span(" " + " ".join(marks), "mark")] if marks else []


def _legend(steps: list[Step]) -> Line:
    """What the marks mean, for the marks this sequence uses."""
    found = []
    if any(s.threading == "old_thread" for s in steps):
        found.append("↩ reply in thread")
    if any(s.required is False for s in steps):
        found.append("opt optional")
    if any(s.step_allowed_delay or "step_allowed_delay" in s.degraded for s in steps):
        found.append("⏱ allowed delay")
    line: Line = []
    for item in found:
        if line:
            line.append(Span(" · ", "dim"))
        line.append(Span(item, "dim", whole=True))
    return line


def _body_of(step: Step, names: Names, view: CadenceView, bar: list[Span]) -> list[Line]:
    """A step's body under it: the template's text, capped at the view's limit."""
    template_id = step.template_id
    if not template_id:
        return []
    info = names.templates.get(template_id)
    if info is not None and info.missing:
        return []
    if info is None or info.body is None:
        return [[*bar, Span("(its text is not known yet: it comes with the template)", "dim")]]
    # (html.parser loads with the first body drawn, not with the first frame)
    from closetui.present.body import body_lines, html_body, text_body

    body = html_body(info.body) if info.html else text_body(info.body)
    lines, more = body_lines(body, view.body_limit)
    if not lines:
        return [[*bar, Span("(empty)", "dim")]]
    out = [[*bar, *line] if line else [*bar[:-1], Span(bar[-1].text.rstrip(), "rail")]
           for line in lines]  # fmt: skip
    if more or body.cut:
        said = f"… {more:,} more line{'s' if more != 1 else ''}" if more else "… (cut: too long)"
        out.append([*bar, Span(said, "dim")])
    return out


# -- the cadence ---------------------------------------------------------------------------------


def _summary(sequence: Sequence, count: int) -> Line:
    span = span_seconds(sequence.steps) or 0
    if span == UNKNOWN_SPAN:
        over = "over an unknown time (a delay could not be read)"
    else:
        over = f"over {format_duration(span)}" if span else "all on the day of enrollment"
    return [
        Span("Cadence", "section"),
        Span(f"  {count} step{'s' if count != 1 else ''} {over}", "dim"),
    ]


def _kind_role(step_type: str) -> str:
    return f"kind-{step_type}" if step_type in ("email", "call", "sms") else "kind-other"


def compact_cadence(
    sequence: Sequence, names: Names, view: CadenceView, calls_to: str | None = None
) -> list[Line]:
    """One line a step: its day, the wait before it, its kind, short marks (reply in thread,
    optional, allowed delay) and what it sends. With `view.bodies`, each step's text below."""
    rows = timeline(sequence.steps)
    days = ["?" if row.day is None else str(row.day) for row in rows]
    day_width = max((len(d) for d in days), default=1)
    gaps = [short_duration(row.wait) for row in rows]
    gap_width = max((len(g) for g in gaps), default=2)
    labels = [step_kind(row.step.step_type)[1] for row in rows]
    # Kinds line up to the common ones' width; a longer one (Update lead) pushes its line on.
    label_width = min(max((len(inert(label)) for label in labels), default=0), 5)
    lines: list[Line] = []
    legend = _legend([row.step for row in rows])
    if legend:
        lines.append(legend)
    bar = [Span("    ", "rail"), Span("│ ", "rail")]
    for row, day, gap, label in zip(rows, days, gaps, labels, strict=True):
        step = row.step
        glyph, _ = step_kind(step.step_type)
        shown = inert(label)
        line = ClippedLine(
            [
                Span(f"Day {day:<{day_width}}", "day"),
                Span(f" {gap:>{gap_width}} ", "wait"),
                Span(f" {glyph} ", _kind_role(step.step_type)),
                Span(shown, "kind"),
                Span(" " * max(0, label_width - len(shown)), "kind"),
                *_marks(step),
            ]
        )
        says = _says(step, names, calls_to)
        if says:
            line += [Span("  ", "dim"), *says]
        lines.append(line)
        if view.bodies:
            lines += _body_of(step, names, view, bar)
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
        lines.append([bar, Span(label, "dim"), *with_variables(inert(info.detail))])
    return lines


def full_cadence(
    sequence: Sequence, names: Names, view: CadenceView, calls_to: str | None = None
) -> list[Line]:
    """The timeline: a step's lines (template, subject, thread, allowed delay) and the wait
    before it, each a line of its own."""
    rows = timeline(sequence.steps)
    lines: list[Line] = [[], [Span(" ○ ", "rail"), Span("Enrollment", "dim")]]
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
            Span(f" {glyph} ", _kind_role(step.step_type)),
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
        assignee = _assignee(step, names) or (calls_to if step.step_type == "call" else None)
        if assignee:
            lines.append([bar, Span("assigned ", "dim"), Span(assignee, "value", whole=True)])
        if step.step_type not in ("email", "call", "sms"):
            for key, value in _fields_of(step):
                lines.append([bar, Span(f"{key} ", "dim"), Span(value, "value")])
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
        if view.bodies:
            lines += _body_of(step, names, view, [bar, Span("┆ ", "rail")])
    return lines


def cadence(
    sequence: Sequence,
    names: Names,
    view: CadenceView | None = None,
    *,
    calls_to: str | None = None,
) -> list[Line]:
    """The cadence in the view's layout; `calls_to`: who a run's calls go to, for call steps
    that name no one themselves."""
    view = view or CadenceView()
    rows = timeline(sequence.steps)
    unread: list[Line] = []
    if sequence.skipped_steps:
        unread = [[Span("Some steps could not be read and are not shown.", "warn")]]
    if not rows:
        return [[Span("Cadence", "section")], *unread, [Span("This sequence has no steps.", "dim")]]
    drawn = full_cadence if view.full else compact_cadence
    return [_summary(sequence, len(rows)), *unread, *drawn(sequence, names, view, calls_to)]


def sequence_sheet(
    sequence: Sequence,
    names: Names | None = None,
    *,
    fetched_age: str | None = None,
    counts: Mapping[str, int | None] | None = None,
    view: CadenceView | None = None,
) -> list[Line]:
    names = names or Names()
    return [
        *heading(sequence, names, fetched_age=fetched_age, counts=counts),
        [],
        *cadence(sequence, names, view),
    ]


def step_bodies(sequence: Sequence, names: Names) -> list[dict[str, Any]]:
    """What each step says, for `show --format json --bodies`: the text as drawn (no tags,
    inert), a line per line."""
    from closetui.present.body import html_body, text_body

    out: list[dict[str, Any]] = []
    for row in timeline(sequence.steps):
        template_id = row.step.template_id
        info = names.templates.get(template_id) if template_id else None
        text: str | None = None
        if info is not None and info.body is not None:
            body = html_body(info.body) if info.html else text_body(info.body)
            text = "\n".join("".join(span.text for span in line) for line in body.lines)
        out.append(
            {
                "step": row.index,
                "step_id": row.step.id,
                "template_id": template_id,
                "missing": bool(info and info.missing),
                "body_text": text,
            }
        )
    return out


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
    view: CadenceView | None = None,
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
    calls_to = ", ".join(inert(names.user(u) or u) for u in sub.calls_assigned_to) or None
    return lines + cadence(sequence, names, view, calls_to=calls_to)
