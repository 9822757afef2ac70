"""What changed between two versions of a sequence, in words a person reads.

"step 2: wait 3 days → 2 days", "step 4 added: Day 9 ✆ SMS 'SMS nudge #4'", "renamed 'Trial
push' → 'Trial expiring push'", "status active → paused": by step, never a JSON diff. Steps
are matched by their id where every step has one (so a step moved is a step moved, not two
changed), else by position. Every string from the API is made inert here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from closetui.close.models import Sequence, Step
from closetui.errors import ProtocolError
from closetui.names.known import Names
from closetui.present.cadence import (
    format_duration,
    required_label,
    schedule_summary,
    step_kind,
    threading_label,
    timeline,
)
from closetui.present.sheet import Line, Span, format_moment
from closetui.store.versions import Version
from closetui.textsafe import inert, truncate

ARROW = " → "


MAX_STEP_CHANGES = 50  # step changes listed for one version; the rest are counted


@dataclass(frozen=True, slots=True)
class Change:
    """One change the cache saw: the version before, the one after, and it in words."""

    sequence_id: str
    name: str  # the name after the change, inert
    seen_at: float  # when the cache first saw the new version
    updated_at: datetime | None  # the sequence's `date_updated` after the change
    updated_by_id: str | None
    updated_by: str | None  # that user's name, or the id while it is not known
    what: tuple[str, ...]  # the changes, one phrase each, inert
    before: Sequence
    after: Sequence

    def who_and_when(self) -> str:
        """`by Ana Lopez, 2026-12-01 14:05 UTC` (Close's update time, else when seen)."""
        moment = self.updated_at or datetime.fromtimestamp(self.seen_at, UTC)
        by = f"by {inert(self.updated_by)}, " if self.updated_by else ""
        return f"{by}{format_moment(moment)}"


def _quoted(text: str | None) -> str:
    return f"'{truncate(inert(text), 60)}'" if text else "none"


def _wait(seconds: int | None) -> str:
    if seconds is None:
        return "?"
    return "none" if seconds <= 0 else format_duration(seconds)


def _template(step: Step, names: Names) -> str | None:
    template_id = step.template_id
    if not template_id:
        return None
    info = names.templates.get(template_id)
    return info.name if info is not None and info.name else template_id


def _step_words(step: Step, day: int | None, names: Names) -> str:
    glyph, label = step_kind(step.step_type)
    words = f"Day {'?' if day is None else day} {glyph} {inert(label)}"
    template = _template(step, names)
    return f"{words} {_quoted(template)}" if template else words


def _matched(before: tuple[Step, ...], after: tuple[Step, ...]) -> bool:
    """Steps can be told apart by id: every one has an id, none twice."""
    ids = [s.id for s in (*before, *after)]
    return all(ids) and all(len({s.id for s in steps}) == len(steps) for steps in (before, after))


def _step_changes(n: int, old: Step, new: Step, names: Names) -> list[str]:
    out = []
    if old.step_type != new.step_type:
        was, now = step_kind(old.step_type), step_kind(new.step_type)
        out.append(f"step {n}: {was[0]} {inert(was[1])}{ARROW}{now[0]} {inert(now[1])}")
    if old.delay != new.delay:
        out.append(f"step {n}: wait {_wait(old.delay)}{ARROW}{_wait(new.delay)}")
    if old.template_id != new.template_id:
        was_t, now_t = _template(old, names), _template(new, names)
        out.append(f"template of step {n}: {_quoted(was_t)}{ARROW}{_quoted(now_t)}")
    if old.threading != new.threading:
        was_th = threading_label(old.threading) or "none"
        now_th = threading_label(new.threading) or "none"
        out.append(f"step {n}: {inert(was_th)}{ARROW}{inert(now_th)}")
    if old.required != new.required:
        was_r = required_label(old.required) or "unknown"
        now_r = required_label(new.required) or "unknown"
        out.append(f"step {n}: {was_r}{ARROW}{now_r}")
    if old.step_allowed_delay != new.step_allowed_delay:
        out.append(
            f"step {n}: allowed delay {_wait(old.step_allowed_delay)}{ARROW}"
            f"{_wait(new.step_allowed_delay)}"
        )
    return out


def _steps(before: Sequence, after: Sequence, names: Names) -> list[str]:
    old_rows, new_rows = timeline(before.steps), timeline(after.steps)
    out: list[str] = []
    if not _matched(before.steps, after.steps):
        for old, new in zip(old_rows, new_rows, strict=False):
            out += _step_changes(new.index, old.step, new.step, names)
        for new in new_rows[len(old_rows) :]:
            out.append(f"step {new.index} added: {_step_words(new.step, new.day, names)}")
        for old in old_rows[len(new_rows) :]:
            out.append(f"step {old.index} removed: {_step_words(old.step, old.day, names)}")
        return out
    old_by_id = {row.step.id: row for row in old_rows}
    new_ids = {row.step.id for row in new_rows}
    kept_old = [row.step.id for row in old_rows if row.step.id in new_ids]
    kept_new = [row.step.id for row in new_rows if row.step.id in old_by_id]
    for new in new_rows:
        match = old_by_id.get(new.step.id)
        if match is None:
            out.append(f"step {new.index} added: {_step_words(new.step, new.day, names)}")
            continue
        if kept_old.index(new.step.id) != kept_new.index(new.step.id):
            out.append(f"step {match.index} moved to {new.index}")
        out += _step_changes(new.index, match.step, new.step, names)
    for old in old_rows:
        if old.step.id not in new_ids:
            out.append(f"step {old.index} removed: {_step_words(old.step, old.day, names)}")
    return out


def describe(before: Sequence, after: Sequence, names: Names | None = None) -> list[str]:
    """What changed from `before` to `after`, one phrase each, in the order the detail
    shows them: the heading, then the steps."""
    names = names or Names()
    out = []
    if before.name != after.name:
        out.append(f"renamed {_quoted(before.name)}{ARROW}{_quoted(after.name)}")
    if before.status != after.status:
        out.append(f"status {inert(before.status)}{ARROW}{inert(after.status)}")
    if before.timezone != after.timezone:
        out.append(
            f"timezone {inert(before.timezone or 'none')}{ARROW}{inert(after.timezone or 'none')}"
        )
    if before.schedule != after.schedule:
        out.append(
            f"schedule {inert(schedule_summary(before.schedule))}{ARROW}"
            f"{inert(schedule_summary(after.schedule))}"
        )
    steps = _steps(before, after, names)
    if len(steps) > MAX_STEP_CHANGES:
        # A sequence of thousands of steps rewritten at once is said, not listed in full.
        rest = len(steps) - MAX_STEP_CHANGES
        steps = [*steps[:MAX_STEP_CHANGES], f"… and {rest:,} more step changes"]
    return out + steps


def parsed(version: Version) -> Sequence | None:
    """A kept version as a sequence (None: it no longer reads as one)."""
    try:
        return Sequence.from_api(version.data)
    except ProtocolError:
        return None


def change_of(before: Version, after: Version, names: Names | None = None) -> Change | None:
    names = names or Names()
    old, new = parsed(before), parsed(after)
    if old is None or new is None:
        return None
    what = describe(old, new, names)
    if not what:
        what = ["a change closetui does not show (for example in a field it keeps as is)"]
    return Change(
        sequence_id=new.id,
        name=inert(new.name),
        seen_at=after.first_seen,
        updated_at=new.date_updated,
        updated_by_id=new.updated_by_id,
        updated_by=names.user(new.updated_by_id),
        what=tuple(what),
        before=old,
        after=new,
    )


def changes(versions: Iterable[Version], names: Names | None = None) -> list[Change]:
    """The changes between a sequence's kept versions (given newest first), newest first."""
    kept = list(versions)
    found = []
    for after, before in itertools.pairwise(kept):
        change = change_of(before, after, names)
        if change is not None:
            found.append(change)
    return found


def latest_change(versions: Iterable[Version], names: Names | None = None) -> Line | None:
    """The line the detail shows under its header: the newest change the cache saw, with
    who made it and when (None: the cache has seen no change). One line, cut to fit."""
    found = changes(list(versions)[:2], names)
    if not found:
        return None
    change = found[0]
    more = f" (+{len(change.what) - 1} more)" if len(change.what) > 1 else ""
    return [
        Span("Changed   ", "label"),
        Span(truncate(change.what[0], 60) + more, "warn"),
        Span(f" · {change.who_and_when()} · h: history", "dim"),
    ]


def history_lines(versions: Iterable[Version], names: Names | None = None) -> list[Line]:
    """Every kept version, newest first, each with what changed from the one before it."""
    kept = list(versions)
    lines: list[Line] = []
    if len(kept) < 2:
        lines.append(
            [Span("No change seen yet: the cache keeps a version each time a fetch brings a "
                  "different one.", "dim")]
        )  # fmt: skip
    for i, version in enumerate(kept):
        lines += version_lines(version, kept[i + 1] if i + 1 < len(kept) else None, names, i)
    return lines


def version_lines(
    version: Version, earlier: Version | None, names: Names | None, index: int
) -> list[Line]:
    """A version's heading (`current`, or when it was replaced) and its changes."""
    names = names or Names()
    seen = format_moment(datetime.fromtimestamp(version.first_seen, UTC))
    state = (
        "current"
        if version.replaced_at is None
        else f"until {format_moment(datetime.fromtimestamp(version.replaced_at, UTC))}"
    )
    lines: list[Line] = [
        [],
        [Span(f"Version {index + 1}", "section"), Span(f"  seen {seen} · {state}", "dim")],
    ]
    if earlier is None:
        lines.append([Span("  the first version the cache saw", "dim")])
        return lines
    change = change_of(earlier, version, names)
    if change is None:
        lines.append([Span("  (this version or the one before cannot be read)", "warn")])
        return lines
    lines.append([Span(f"  {change.who_and_when()}", "dim")])
    lines += [[Span("  • ", "rail"), Span(what, "value")] for what in change.what]
    return lines
