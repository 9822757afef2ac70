"""Who each run on screen is for: lead and contact names for the rows in view, for the screens
that list runs (a sequence's, `screens/subscriptions.py`; a person's, `screens/person.py`).

What the cache knows shows at once; Close is asked only once the cursor rests (`LOOKUP_DELAY`),
so a key held down asks nothing for the rows it passes, and only for the rows in view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.timer import Timer
from textual.widget import Widget

from closetui.config.tuning import LOOKUP_DELAY
from closetui.lists.paged import PagedList
from closetui.lists.runs import SubscriptionRow
from closetui.names.lookups import CONTACT, LEAD
from closetui.session import Session
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.workers import spawn

Run = TypeVar("Run", bound=SubscriptionRow)


class RunNames(Generic[Run]):
    """The names of one screen's runs list. The screen owns the timer and the worker (both
    end with it); this owns when they run and what they fill in."""

    def __init__(
        self,
        screen: Widget,
        session: Session,
        runs: PagedList[Run],
        table: PagedTable[Run],
        *,
        contact_found: Callable[[str], None] | None = None,
    ) -> None:
        self.screen = screen
        self.session = session
        self.runs = runs
        self.table = table
        self.contact_found = contact_found  # given the first contact name a fill finds
        self.due = False  # a lookup waits for the cursor to rest (the app's `busy` reads it)
        self._timer: Timer | None = None
        self._filled: tuple[int, int] | None = None  # (list version, top row) last filled

    def follow(self, row: Run | None = None) -> None:
        """Names for the rows on screen, when other rows came into view or the rows changed:
        a cursor step within the screen costs nothing here. (`row`: as the table's
        `on_highlight` gives it; which rows are in view is what counts.)"""
        view = (self.runs.version, int(self.table.scroll_y))
        if view == self._filled:
            return
        self.fill()  # what the cache knows shows at once
        # Read again: a fill that changed rows moved the list's version on.
        self._filled = (self.runs.version, int(self.table.scroll_y))
        if self._timer is not None:
            self._timer.stop()
        self.due = self.session.client is not None
        if self.due:
            self._timer = self.screen.set_timer(LOOKUP_DELAY, self._start_lookup)

    def fill(self) -> None:
        """The names already known (this run's, the cache's) put on the rows in view."""
        lookups = self.session.lookups
        changed: list[Run] = []
        contact: str | None = None
        for row in self.table.rows_on_screen():
            sub = row.subscription
            names = (lookups.party_name(CONTACT, sub.contact_id),
                     lookups.party_name(LEAD, sub.lead_id))  # fmt: skip
            if names != (row.contact_name, row.lead_name):
                row.named(*names)
                changed.append(row)
            contact = contact or names[0]
        if changed:
            self.runs.update(changed)  # kept, and found by the filter, from now on
            self.table.refresh()
        if contact and self.contact_found is not None:
            self.contact_found(contact)

    async def look_up(self) -> None:
        """Close asked for the names of the rows in view that neither this run nor the cache
        knows; a failure is said once per kind (a dead network excepted: the offline banner
        says that already), and the ids stay in place of the names."""
        lookups = self.session.lookups
        wanted: list[tuple[str, str | None]] = []
        for row in self.table.rows_on_screen():
            wanted += [(CONTACT, row.subscription.contact_id), (LEAD, row.subscription.lead_id)]
        await lookups.look_up_parties(wanted)
        self.fill()
        for failure in lookups.untold_failures():
            if not failure.offline:
                self.screen.notify(failure.describe(), title="Lookup failed",
                                   severity="warning", markup=False)  # fmt: skip

    def _start_lookup(self) -> None:
        self.due = False
        spawn(self.screen, self.look_up(), "lookups")
