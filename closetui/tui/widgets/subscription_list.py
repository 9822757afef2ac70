"""A sequence's subscriptions: contact, status, reason, sender, start and last update."""

from __future__ import annotations

from typing import ClassVar

from closetui.roles import status_role
from closetui.subscriptions import SubscriptionRow
from closetui.tui.widgets.paged_table import Column, PagedTable


class SubscriptionList(PagedTable[SubscriptionRow]):
    OPENS = False
    COLUMNS: ClassVar[list[Column]] = [
        Column("Contact", None, lambda r: (r.contact, "")),
        Column("Status", 8, lambda r: (r.status, status_role(r.status)), min_table=30),
        Column("Reason", 6, lambda r: (r.reason, "dim"), min_table=70),
        Column("Sender", 16, lambda r: (r.sender, "dim"), min_table=56),
        Column("Started", 11, lambda r: (r.started, "dim"), min_table=44),
        Column("Updated", 10, lambda r: (r.updated, "dim"), min_table=84),
    ]
