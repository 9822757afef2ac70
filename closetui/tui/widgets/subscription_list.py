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
        Column("Contact", None, _contact, sort_key=lambda r: r.contact.casefold()),
        Column("Lead", 18, _lead, min_table=84, sort_key=lambda r: (r.lead_name or "").casefold()),
        Column(
            "Status",
            8,
            lambda r: (r.status, status_role(r.status)),
            min_table=30,
            sort_key=lambda r: r.status.casefold(),
        ),
        Column(
            "Reason",
            6,
            lambda r: (r.reason, "dim"),
            min_table=112,
            sort_key=lambda r: r.reason.casefold(),
        ),
        Column(
            "Sender",
            16,
            lambda r: (r.sender, "dim"),
            min_table=106,
            sort_key=lambda r: r.sender.casefold(),
        ),
        Column(
            "Started",
            11,
            lambda r: (r.started, "dim"),
            min_table=50,
            sort_key=lambda r: r.started.lstrip("~"),
            descending_first=True,
        ),
        Column(
            "Updated",
            10,
            lambda r: (r.updated, "dim"),
            min_table=100,
            sort_key=lambda r: r.updated,
            descending_first=True,
        ),
    ]
