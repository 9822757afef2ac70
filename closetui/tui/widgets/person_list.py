"""One person's runs across sequences: which sequence, status, reason, sender, dates."""

from __future__ import annotations

from typing import ClassVar

from closetui.lists.person import PersonRunRow
from closetui.present.reasons import reason_words
from closetui.present.roles import status_role
from closetui.tui.widgets.paged_table import Column, PagedTable


def _sequence(row: PersonRunRow) -> tuple[str, str]:
    if row.sequence_name:
        return row.sequence_name, ""
    return row.subscription.sequence_id or "?", "dim"  # not in the cache, or gone


def _reason(row: PersonRunRow) -> tuple[str, str]:
    role = "warn" if row.status.casefold() == "error" else "dim"
    return (reason_words(row.reason) or "—"), role


class PersonRunList(PagedTable[PersonRunRow]):
    COLUMNS: ClassVar[list[Column]] = [
        Column(
            "Sequence",
            None,
            _sequence,
            order="sequence",
        ),
        Column(
            "Status",
            8,
            lambda r: (r.status, status_role(r.status)),
            min_table=30,
            order="status",
        ),
        Column("Reason", 20, _reason, min_table=50, order="reason"),
        Column(
            "Sender",
            16,
            lambda r: (r.sender, "dim"),
            min_table=96,  # below that, the sequence's name needs the room
            order="sender",
        ),
        Column(
            "Started",
            11,
            lambda r: (r.started, "dim"),
            min_table=60,
            order="started",
        ),
        Column(
            "Updated",
            10,
            lambda r: (r.updated, "dim"),
            min_table=84,
            order="updated",
        ),
    ]
