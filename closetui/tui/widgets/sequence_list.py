"""The sequence list: name, status, steps, span and last update, one line per sequence."""

from __future__ import annotations

from typing import ClassVar

from closetui.cadence import format_span
from closetui.roles import status_role
from closetui.rows import Row
from closetui.tui.widgets.paged_table import Column, PagedTable


class SequenceList(PagedTable[Row]):
    COLUMNS: ClassVar[list[Column]] = [
        Column("Name", None, lambda r: (r.name or "(no name)", "" if r.name else "dim")),
        Column("Status", 7, lambda r: (r.status, status_role(r.status)), min_table=30),
        Column("Steps", 5, lambda r: (str(r.steps), ""), align_right=True, min_table=40),
        Column("Span", 5, lambda r: (format_span(r.span), "dim"), align_right=True, min_table=48),
        Column("Updated", 10, lambda r: (r.updated or "—", "dim"), min_table=64),
    ]
