"""The sequence list: name, status, runs by status when known, steps, span and last update."""

from __future__ import annotations

from typing import ClassVar

from closetui.lists.rows import Row
from closetui.present.cadence import format_span
from closetui.present.roles import status_role
from closetui.tui.widgets.paged_table import Column, PagedTable

UNKNOWN = "·"  # a count the cache does not know yet (no detail fetched, no sync)
CHANGED_MARK = "Δ "  # before the name: changed since last looked at (h shows what changed)


def _name_cell(row: Row) -> tuple[str, str]:
    name = row.name or "(no name)"
    if row.changed:
        return CHANGED_MARK + name, "warn"
    return name, "" if row.name else "dim"


def short_count(count: int) -> str:
    """A count in at most five cells: 9,999, then 50k, then 1.2M."""
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}M"


def _count(row: Row, status: str) -> int | None:
    return row.counts.get(status) if row.counts else None


def _count_column(title: str, status: str, role: str, min_table: int, order: str) -> Column:
    def cell(row: Row) -> tuple[str, str]:
        count = _count(row, status)
        if count is None:
            return UNKNOWN, "dim"
        return short_count(count), role if count else "dim"

    return Column(title, 5, cell, align_right=True, min_table=min_table, order=order)


class SequenceList(PagedTable[Row]):
    COLUMNS: ClassVar[list[Column]] = [
        Column(
            "Name",
            None,
            _name_cell,
            order="name",
        ),
        Column(
            "Status",
            7,
            lambda r: (r.status, status_role(r.status)),
            min_table=30,
            order="status",
        ),
        _count_column("Err", "error", "error", 46, "errors"),
        _count_column("Act", "active", "good", 84, "active"),
        _count_column("Pau", "paused", "warn", 92, "paused"),
        Column(
            "Steps",
            6,  # room for "Steps↓" when sorted by it
            lambda r: (str(r.steps), ""),
            align_right=True,
            min_table=40,
            order="steps",
        ),
        Column(
            "Span",
            5,
            lambda r: (format_span(r.span), "dim"),
            align_right=True,
            min_table=56,
            order="span",
        ),
        Column(
            "Updated",
            10,
            lambda r: (r.updated or "—", "dim"),
            min_table=64,
            order="updated",
        ),
    ]
