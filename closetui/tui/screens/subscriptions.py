"""`s`: the subscriptions of one sequence, lazily paged like the sequence list, with a filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from closetui.feed import Feed
from closetui.subscriptions import SubscriptionSource
from closetui.textsafe import visible
from closetui.tui.feed_view import FeedView
from closetui.tui.messages import FeedChanged
from closetui.tui.text import plain
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.subscription_list import SubscriptionList

if TYPE_CHECKING:
    from closetui.tui.app import ClosetuiApp


class SubscriptionsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="subscriptions.back"),
        Binding("slash", "filter", "Filter", key_display="/", id="subscriptions.filter"),
        Binding("r", "refresh", "Refresh", id="subscriptions.refresh"),
        Binding("q", "app.quit", "Quit", id="subscriptions.quit"),
    ]
    DEFAULT_CSS = """
    SubscriptionsScreen #subscriptions-title { height: auto; padding: 0 1; background: $panel; }
    SubscriptionsScreen #subscriptions-pane { height: 1fr; border: round $primary; }
    SubscriptionsScreen #subscriptions { height: 1fr; }
    SubscriptionsScreen #subscriptions-filter { display: none; height: 1; border: none;
        padding: 0 1; background: $boost; }
    SubscriptionsScreen #subscriptions-filter.-active { display: block; }
    """

    def __init__(self, sequence_id: str, title: Content) -> None:
        super().__init__()
        self.sequence_id = sequence_id
        self._title = title
        self.table = SubscriptionList(id="subscriptions")
        self.filter_input = Input(
            placeholder="filter by contact or sender", id="subscriptions-filter"
        )
        self.pane = Vertical(self.table, self.filter_input, id="subscriptions-pane")
        self.pane.border_title = "Subscriptions"
        self.view: FeedView | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="subscriptions-title")
        yield self.pane
        yield Footer()

    def on_mount(self) -> None:
        app: ClosetuiApp = self.app  # type: ignore[assignment]
        assert app.cache is not None
        source = SubscriptionSource(
            app.client,
            app.cache,
            self.sequence_id,
            page_size=app.settings.page_size,
            offline=app.settings.offline,
        )
        feed = Feed(
            source,
            rows=self.table.rows,
            spawn=app.spawn,
            on_event=lambda event: self.post_message(FeedChanged("subscriptions", event)),
            retry_delays=app.retry_delays,
        )
        self.view = FeedView(
            table=self.table,
            feed=feed,
            pane=self.pane,
            filter_input=self.filter_input,
            plural="subscriptions",
        )
        self.table.focus()
        self.view.pump()

    def on_feed_changed(self, message: FeedChanged) -> None:
        assert self.view is not None
        message.stop()
        event = message.event
        if event.kind == "failed" and event.error is not None:
            self.notify(event.error.message, title="Page failed", severity="error", markup=False)
        self.view.changed(event)

    @on(PagedTable.WantsMore, "#subscriptions")
    def _wants_more(self) -> None:
        if self.view is not None:
            self.view.pump()

    @on(Input.Changed, "#subscriptions-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self.view is not None:
            self.view.set_filter(event.value)

    @on(Input.Submitted, "#subscriptions-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_filter(self) -> None:
        if self.view is not None:
            self.view.open_filter()

    def action_back(self) -> None:
        if self.view is not None and (self.focused is self.filter_input or self.view.rows.filter):
            self.view.clear_filter()
            return
        self.dismiss()

    def action_refresh(self) -> None:
        if self.view is not None:
            self.notify(self.view.refresh_or_retry(), markup=False, timeout=2)


def title_for(name: str, sequence_id: str) -> Content:
    return Content.assemble(
        plain(name), ("  ·  ", "$text-muted"), (visible(sequence_id), "$text-muted")
    )
