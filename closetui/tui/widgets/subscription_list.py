"""A sequence's subscriptions: contact, status, reason, sender, start and last update."""

from __future__ import annotations

from typing import ClassVar

from closetui.lists.runs import SubscriptionRow
from closetui.present.roles import status_role
from closetui.tui.widgets.paged_table import Column, PagedTable


def _contact(row: SubscriptionRow) -> tuple[str, str]:
    if row.contact_name:
        return f"{row.contact_name} · {row.contact}", ""
    return row.contact, ""


def _lead(row: SubscriptionRow) -> tuple[str, str]:
    if row.lead_name is None:
        return "·", "dim"  # not looked up yet
    if not row.lead_name:
        return "(deleted)", "warn"
    return row.lead_name, ""


class SubscriptionList(PagedTable[SubscriptionRow]):
    # The person comes first: a narrow table keeps the contact's name and email whole and
    # gives up the sender, reason and dates before it (each `min_table` is where it appears).
    COLUMNS: ClassVar[list[Column]] = [
        Column("Contact", None, _contact, order="contact"),
        Column("Lead", 18, _lead, min_table=84, order="lead"),
        Column(
            "Status",
            8,
            lambda r: (r.status, status_role(r.status)),
            min_table=30,
            order="status",
        ),
        Column(
            "Reason",
            6,
            lambda r: (r.reason, "dim"),
            min_table=112,
            order="reason",
        ),
        Column(
            "Sender",
            16,
            lambda r: (r.sender, "dim"),
            min_table=106,
            order="sender",
        ),
        Column(
            "Started",
            11,
            lambda r: (r.started, "dim"),
            min_table=50,
            order="started",
        ),
        Column(
            "Updated",
            10,
            lambda r: (r.updated, "dim"),
            min_table=100,
            order="updated",
        ),
    ]
