"""A paged list, its filter and its status line: the one way both lists are shown.

The pane owns its Feed and runs the Feed's page requests and reconnect loop as its own
workers, so they end when the pane is unmounted (a dismissed subscriptions screen leaves no
loop behind). What the list says about itself is decided by `Feed.status()`; the pane only
draws it. Every feed event is handled here first, then bubbles to the screen as
`FeedPane.Changed` for what only that screen knows (the banner, the organization, a refused
key).
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any, ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input

from closetui.config.tuning import RECONNECT_DELAYS
from closetui.lists.feed import Feed, FeedEvent, PageSource
from closetui.lists.query import status_of, with_status
from closetui.lists.rows import KeyedRow, RowList
from closetui.tui.widgets.paged_table import PagedTable, Sort
from closetui.tui.workers import spawn

R = TypeVar("R", bound=KeyedRow)


KNOWN_STATUSES = ("active", "paused", "error", "finished", "goal", "draft")


class FeedPane(Vertical, Generic[R]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_status", "Status", id="list.status"),
        Binding("S", "cycle_sort", "Sort", id="list.sort"),
        Binding("L", "load_all", "Load all", show=False, id="list.load_all"),
    ]
    DEFAULT_CSS = """
    FeedPane > PagedTable { height: 1fr; }
    FeedPane > .feed-filter {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FeedPane > .feed-filter.-active { display: block; }
    """

    class Changed(Message):
        """Something happened to the pane's pages: rows arrived, a page failed, offline."""

        def __init__(self, pane: FeedPane[Any], event: FeedEvent) -> None:
            super().__init__()
            self.pane = pane
            self.event = event

        @property
        def control(self) -> FeedPane[Any]:
            return self.pane

    def __init__(
        self,
        table: PagedTable[R],
        *,
        plural: str,
        placeholder: str,
        title: str,
        id: str | None = None,
        filter_id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.table = table
        self.plural = plural
        self.filter_input = Input(placeholder=placeholder, id=filter_id, classes="feed-filter")
        self.border_title = title
        self._feed: Feed | None = None
        self._load_all = False  # `L`: every page, whatever the filter says
        self._search_due = False
        self._told_store = False

    def compose(self) -> ComposeResult:
        yield self.table
        yield self.filter_input

    # -- the feed ----------------------------------------------------------------------------

    def start(
        self,
        source: PageSource,
        *,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
        hold_network: bool = False,
    ) -> Feed:
        """Page `source` into the table, from its first page (cached pages at once)."""
        self._feed = Feed(
            source,
            rows=self.table.rows,
            spawn=self._spawn,
            on_event=self._changed,
            retry_delays=retry_delays,
            hold_network=hold_network,
        )
        self.pump()
        return self._feed

    def on_unmount(self) -> None:
        self.rows.close()  # the list's file goes with it

    def _changed(self, event: FeedEvent) -> None:
        self.post_message(FeedPane.Changed(self, event))

    @property
    def feed(self) -> Feed:
        if self._feed is None:
            raise RuntimeError("the pane's feed is started on mount")
        return self._feed

    @property
    def rows(self) -> RowList[R]:
        return self.table.rows

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> None:
        spawn(self, work, group)

    def pump(self) -> None:
        """Ask the feed for what the view wants now, and say where the list stands."""
        self.feed.pump(want_more=self.table.wants_more())
        self.update()

    @on(PagedTable.WantsMore)
    def _wants_more(self) -> None:
        if self._feed is not None:
            self.pump()  # and the message goes on up: the screen may say "loading"

    def on_feed_pane_changed(self, message: FeedPane.Changed) -> None:
        if message.pane is not self:
            return
        event = message.event
        match event.kind:
            case "failed" if event.error is not None:
                self.notify(
                    event.error.message, title="Page failed", severity="error", markup=False
                )
            case "problems":
                count = len(event.notes)
                self.notify(
                    f"{count} item{'s' if count != 1 else ''} could not be read: {event.notes[0]}",
                    severity="warning",
                    markup=False,
                )
            case "stopped":
                self.notify(event.notes[0], severity="warning", markup=False)
            case "rows":
                self.table.rows_changed()
                self._search_later()
                if self.rows.notice and not self._told_store:
                    self._told_store = True
                    self.notify(self.rows.notice, severity="warning", markup=False)
        self.pump()

    def update(self) -> None:
        feed = self.feed
        status = feed.status(self.plural, time.time())  # which state wins is the feed's call
        self.table.set_status(status.line, status.role)
        subtitle = status.subtitle
        sort = self.table.sort
        if sort is not None:
            subtitle += f" · by {sort.label}"
            if not feed.end:
                subtitle += " of those loaded (L loads all)"
        self.border_subtitle = Content(subtitle)

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

    # -- narrowing and ordering ------------------------------------------------------------

    def statuses(self) -> list[str]:
        """The statuses present in what is loaded: the usual ones first, others by name."""
        present = self.rows.statuses()
        usual = [s for s in KNOWN_STATUSES if s in present]
        return usual + sorted(present - set(usual), key=str.casefold)

    def action_cycle_status(self) -> None:
        """all → active → paused → … → all, as a `status:` term in the filter box."""
        order = self.statuses()
        current = status_of(self.filter_input.value)
        at = order.index(current) if current in order else -1
        following = order[at + 1] if at + 1 < len(order) else None
        text = with_status(self.filter_input.value, following)
        self.filter_input.set_class(bool(text), "-active")
        self.filter_input.value = text  # Input.Changed applies it
        self.set_filter(text)
        self.notify(f"Status: {following or 'all'}", markup=False, timeout=1.5)

    def action_cycle_sort(self) -> None:
        self.table.set_sort(self.table.next_sort())

    def on_paged_table_sort_changed(self, message: PagedTable.SortChanged) -> None:
        sort: Sort | None = message.sort
        self.update()
        self.notify(f"Sorted by {sort.label}" if sort else "In Close's order", timeout=1.5)

    def action_load_all(self) -> None:
        """Every remaining page, so that a sort covers the whole list."""
        self._load_all = True
        self.table.always_want_more = self.feed.want_all = True
        self.pump()

    # -- the filter --------------------------------------------------------------------------

    @property
    def filter_open(self) -> bool:
        return self.filter_input.has_focus or bool(self.rows.filter)

    def open_filter(self) -> None:
        self.filter_input.add_class("-active")
        self.filter_input.focus()

    def set_filter(self, text: str) -> None:
        text = text.strip()
        self.rows.set_filter(text)
        self._search_later()
        # While a filter is on, every remaining page loads so it covers the whole list.
        wanted = bool(text) or self._load_all
        # Every page, through the same ramped walk `closetui list` uses.
        self.table.always_want_more = self.feed.want_all = wanted
        self.table.rows_changed()
        self.pump()

    def _search_later(self) -> None:
        """The rest of a long list's search, a step at a time, with the loop free between
        steps: the first matches are on screen at once, and keys are taken meanwhile."""
        if self.rows.searching and not self._search_due:
            self._search_due = True
            self.set_timer(0.001, self._search_step)

    @property
    def search_due(self) -> bool:
        """A filter's search has steps still to run."""
        return self._search_due

    def _search_step(self) -> None:
        self._search_due = False
        if not self.is_attached:
            return
        self.rows.search()
        self.table.rows_changed()
        self.update()
        self._search_later()

    def clear_filter(self) -> None:
        self.filter_input.value = ""
        self.filter_input.remove_class("-active")
        self.set_filter("")
        self.table.focus()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._feed is not None:
            self.set_filter(event.value)

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()
