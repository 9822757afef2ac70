"""The list's marks for what changed (`Δ`, and the `changed:` filter), the detail's line
about the latest change, and the once-only toasts about new changes and newly errored runs.

The history itself is the cache's (store/cache.py) and its words are present/history.py's;
this is where the main screen and the runs screen meet them, so that those screens only
call in.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from closetui.lists.paged import PagedList
from closetui.lists.rows import Row
from closetui.present.history import change_of, latest_change, parsed
from closetui.present.sheet import Line
from closetui.session import Session
from closetui.textsafe import inert, truncate

if TYPE_CHECKING:
    from closetui.store.versions import Version

TOLD_AT_ONCE = 3  # changes named in one toast; the rest are counted


def _named(session: Session, versions: list[Version]) -> None:
    for version in versions:
        sequence = parsed(version)
        if sequence is not None:
            session.lookups.known(sequence)


def latest_change_line(session: Session, sequence_id: str) -> Line | None:
    """The line the detail shows under its header (None: no change seen)."""
    versions = session.cache.versions(sequence_id, limit=2)
    if len(versions) < 2:
        return None
    _named(session, versions)
    return latest_change(versions, session.lookups.names)


class ChangeMarks:
    """Which sequences are marked as changed since they were last looked at, and which of
    those changes were already announced."""

    def __init__(self, session: Session, rows: PagedList[Row]) -> None:
        self.session = session
        self.rows = rows
        self.changed = session.cache.changed_ids()
        self.told = set(self.changed)  # what the cache knew at start is shown by the marks
        rows.changed_ids = self.changed

    def refresh(self) -> str | None:
        """After a page: the marks' ids again, and a toast's words for changes not yet
        announced (None: nothing new)."""
        self.changed = self.session.cache.changed_ids()
        self.rows.changed_ids = self.changed
        new = sorted(self.changed - self.told)
        if not new:
            return None
        self.told.update(new)
        said = []
        for sequence_id in new[:TOLD_AT_ONCE]:
            versions = self.session.cache.versions(sequence_id, limit=2)
            _named(self.session, versions)
            change = (
                change_of(versions[1], versions[0], self.session.lookups.names)
                if len(versions) == 2
                else None
            )
            if change is not None:
                said.append(f"{truncate(change.name, 40)}: {change.what[0]}")
        more = len(new) - len(said)
        if more > 0:
            said.append(f"and {more} more (filter changed: to see them)")
        plural = "s" if len(new) != 1 else ""
        return f"{len(new)} sequence{plural} changed in Close: " + "; ".join(said)

    def looked(self, sequence_id: str) -> bool:
        """The person has seen this sequence's latest change; True when a mark went."""
        if sequence_id not in self.changed:
            return False
        self.session.cache.mark_looked(sequence_id, time.time())
        self.changed = self.changed - {sequence_id}
        self.rows.changed_ids = self.changed
        row = self.rows.get(sequence_id)
        if row is not None and row.changed:
            row.changed = False
            self.rows.update([row])
        return True


class ErrorWatch:
    """Runs that errored since the runs list was first shown, said once each. What each run's
    status was is the list's to remember (its row store has every loaded run's, on disk):
    a fresh page's status changes come with its `statuses` event, so this holds nothing per
    run (a dict of every run's status was 170 MB at a million runs)."""

    def errored(self, changes: Iterable[tuple[Any, str | None]]) -> str | None:
        """What to say about the runs these changes put in error (None: nothing new)."""
        fresh = [
            row for row, before in changes if row.status.casefold() == "error" and before != "error"
        ]
        if not fresh:
            return None
        who = ", ".join(
            truncate(inert(str(row.subscription.contact_email or row.id)), 40) for row in fresh[:3]
        )
        more = f" and {len(fresh) - 3} more" if len(fresh) > 3 else ""
        plural = "s" if len(fresh) != 1 else ""
        return f"{len(fresh)} run{plural} newly errored: {who}{more}"
