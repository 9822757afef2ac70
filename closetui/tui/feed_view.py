"""Wires a Feed to what shows it: the table, its status line, the pane border's count, the filter.

The sequence list and the subscription list are two of these over the same classes.
"""

from __future__ import annotations

import time

from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input

from closetui.feed import Feed, FeedEvent
from closetui.sheet import format_age
from closetui.tui.widgets.paged_table import PagedTable


class FeedView:
    def __init__(
        self,
        *,
        table: PagedTable,
        feed: Feed,
        pane: Vertical,
        filter_input: Input,
        plural: str,
    ) -> None:
        self.table = table
        self.feed = feed
        self.pane = pane
        self.filter_input = filter_input
        self.plural = plural

    @property
    def rows(self):
        return self.feed.rows

    def pump(self) -> None:
        self.feed.pump(want_more=self.table.wants_more())
        self.update()

    def changed(self, event: FeedEvent) -> None:
        if event.kind == "rows":
            self.table.rows_changed()
        self.pump()

    def update(self) -> None:
        feed = self.feed
        table = self.table
        rows = feed.rows
        count = len(rows)
        if feed.fetching_next or (feed.hold_network and not feed.end and not count):
            table.set_status("loading…")
        elif feed.auth_failed is not None:
            table.set_status("the API key was refused", "error")
        elif feed.stopped:
            table.set_status(f"{feed.stopped} · r to try again", "warn")
        elif feed.next_failed is not None and not feed.offline:
            table.set_status("failed: r to retry", "error")
        elif feed.offline and not count:
            table.set_status("Nothing is cached for this yet.", "warn")
        elif feed.offline and not feed.end:
            table.set_status("offline: no more cached rows · r to retry", "warn")
        elif feed.end and not count:
            table.set_status(f"No {self.plural}.")
        else:
            table.set_status("")
        if rows.filter:
            more = "" if feed.end else " · loading more…"
            subtitle = f"{rows.visible_count:,} of {count:,} match{more}"
        elif feed.end:
            cached = " cached" if feed.offline and not feed.complete else ""
            subtitle = f"all {count:,}{cached}"
        else:
            subtitle = f"{count:,} loaded · more"
        oldest = feed.oldest_cached
        if oldest is not None:
            subtitle += f" · cached {format_age(time.time() - oldest)}"
        self.pane.border_subtitle = Content(subtitle)

    # -- the filter --------------------------------------------------------------------------

    def open_filter(self) -> None:
        self.filter_input.add_class("-active")
        self.filter_input.focus()

    def set_filter(self, text: str) -> None:
        text = text.strip()
        self.rows.set_filter(text)
        # While a filter is on, every remaining page loads so it covers the whole list.
        self.table.always_want_more = self.feed.want_all = bool(text)
        self.table.rows_changed()
        self.pump()

    def clear_filter(self) -> None:
        self.filter_input.value = ""
        self.filter_input.remove_class("-active")
        self.set_filter("")
        self.table.focus()

    def refresh_or_retry(self) -> str:
        """`r`: retry what failed, else refresh what is loaded. Says which, for a toast."""
        feed = self.feed
        if not feed.source.can_fetch:
            return "Offline (--offline): nothing to refresh from."
        if feed.failed or feed.offline or feed.auth_failed:
            feed.retry()
            self.update()
            return "Retrying…"
        feed.refresh()
        self.update()
        return "Refreshing from Close…"
