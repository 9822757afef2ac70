"""A sequence's subscriptions: contact, status, reason, sender, start and last update."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType

from closetui.lists.marks import Marks
from closetui.lists.paged import PagedList
from closetui.lists.runs import SubscriptionRow
from closetui.present.roles import status_role
from closetui.tui.widgets.paged_table import Column, PagedTable

MARK = "●"


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
    """The runs, and the ones marked to act on (`space`, `A`): a mark column leads each row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Out of the footer (80 columns hold no more); the border names it where changes are on.
        Binding(
            "space",
            "toggle_mark",
            "Mark",
            show=False,
            tooltip="Mark the run to change (or unmark it), and step down",
            id="runs.mark",
        ),
        Binding(
            "A",
            "mark_all",
            "Mark all",
            show=False,
            tooltip="Mark every run the filter shows; again, unmark them",
            id="runs.mark_all",
        ),
    ]
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

    def __init__(self, rows: PagedList[SubscriptionRow], **kwargs: Any) -> None:
        self.marks = Marks()
        # The mark column reads this list's marks, so it is made per list.
        self.COLUMNS = [Column("", 1, self._mark_cell), *SubscriptionList.COLUMNS]  # type: ignore[misc]
        super().__init__(rows, **kwargs)

    def _mark_cell(self, row: SubscriptionRow) -> tuple[str, str]:
        return (MARK, "warn") if row.id in self.marks else (" ", "")

    def action_toggle_mark(self) -> None:
        """Mark the run under the cursor (or unmark it), and step to the next one."""
        row = self.current_row
        if row is None:
            return
        self.marks.toggle(row.id)
        self.post_message(self.MarksChanged(self, None))
        self.redraw()
        self.move_to(self.cursor + 1)

    def action_mark_all(self) -> None:
        """Every row the filter shows (all of them without one); again, none of them."""
        self.marks.mark_all(self._visible_ids())
        self.post_message(self.MarksChanged(self, None))
        self.redraw()

    def _visible_ids(self) -> list[str]:
        """The ids of every row the view shows, read a block at a time (only ids are kept)."""
        if not self.rows.filter:
            return self.rows.ids()
        ids: list[str] = []
        for start in range(0, self.rows.count, 1000):
            ids += [r.id for r in self.rows.rows_between(start, start + 1000)]
        return ids

    def marked_rows(self) -> list[SubscriptionRow]:
        """The marked rows still in the list, in the order they were marked."""
        found = (self.rows.get(row_id) for row_id in self.marks)
        return [row for row in found if row is not None]

    class MarksChanged(PagedTable._RowMessage):
        """A run was marked or unmarked: the border says how many are."""
