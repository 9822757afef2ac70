"""One person's runs across sequences: which sequence, status, reason, sender, dates."""

from __future__ import annotations

from typing import ClassVar

from closetui.lists.person import PersonRunRow
from closetui.present.roles import status_role
from closetui.tui.widgets.paged_table import Column, PagedTable


def _sequence(row: PersonRunRow) -> tuple[str, str]:
    if row.sequence_name:
        return row.sequence_name, ""
    return row.subscription.sequence_id or "?", "dim"  # not in the cache, or gone


def _reason(row: PersonRunRow) -> tuple[str, str]:
    role = "warn" if row.status.casefold() == "error" else "dim"
    return (row.reason or "—"), role


class PersonRunList(PagedTable[PersonRunRow]):
    COLUMNS: ClassVar[list[Column]] = [
        Column(
            "Sequence",
            None,
            _sequence,
            sort_key=lambda r: (r.sequence_name or r.subscription.sequence_id or "").casefold(),
        ),
        Column(
            "Status",
            8,
            lambda r: (r.status, status_role(r.status)),
            min_table=30,
            sort_key=lambda r: r.status.casefold(),
        ),
        Column("Reason", 20, _reason, min_table=50, sort_key=lambda r: r.reason.casefold()),
        Column(
            "Sender",
            16,
            lambda r: (r.sender, "dim"),
            min_table=70,
            sort_key=lambda r: r.sender.casefold(),
        ),
        Column(
            "Started",
            11,
            lambda r: (r.started, "dim"),
            min_table=60,
            sort_key=lambda r: r.started.lstrip("~"),
            descending_first=True,
        ),
        Column(
            "Updated",
            10,
            lambda r: (r.updated, "dim"),
            min_table=84,
            sort_key=lambda r: r.updated,
            descending_first=True,
        ),
    ]
