"""`s`: the subscriptions of one sequence, lazily paged like the sequence list, with a filter.

Its list pane owns its feed and workers: closing the screen ends them, a reconnect loop too.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from closetui.session import Session
from closetui.subscriptions import SubscriptionRow
from closetui.tui.text import plain
from closetui.tui.widgets.feed_pane import FeedPane
from closetui.tui.widgets.subscription_list import SubscriptionList
from closetui.tuning import RECONNECT_DELAYS


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
    """

    def __init__(
        self,
        session: Session,
        sequence_id: str,
        title: Content,
        *,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
    ) -> None:
        super().__init__()
        self.session = session
        self.sequence_id = sequence_id
        self.retry_delays = retry_delays
        self._title = title
        self.table = SubscriptionList(id="subscriptions")
        self.pane: FeedPane[SubscriptionRow] = FeedPane(
            self.table,
            plural="subscriptions",
            placeholder="filter by contact or sender",
            title="Subscriptions",
            id="subscriptions-pane",
            filter_id="subscriptions-filter",
        )

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="subscriptions-title")
        yield self.pane
        yield Footer()

    def on_mount(self) -> None:
        self.table.focus()
        source = self.session.subscriptions(self.sequence_id)
        self.pane.start(source, retry_delays=self.retry_delays)

    def action_filter(self) -> None:
        self.pane.open_filter()

    def action_back(self) -> None:
        if self.focused is self.pane.filter_input or self.pane.rows.filter:
            self.pane.clear_filter()
            return
        self.dismiss()

    def action_refresh(self) -> None:
        self.notify(self.pane.refresh_or_retry(), markup=False, timeout=2)


def title_for(name: str, sequence_id: str) -> Content:
    return Content.assemble(plain(name), ("  ·  ", "$text-muted"), (sequence_id, "$text-muted"))
