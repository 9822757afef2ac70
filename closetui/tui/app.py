"""The closetui app: the sequence list, the detail pane, and the keys between them.

Widgets never call the API or the cache: the app asks the source through workers, and the
feed reports back with FeedChanged messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from closetui.api import ClientEvent, CloseClient
from closetui.cache import Cache
from closetui.connect import open_client
from closetui.errors import AuthError, CloseTuiError
from closetui.feed import Feed
from closetui.logs import log
from closetui.rows import RowList
from closetui.settings import Settings
from closetui.sheet import Names, format_age, sequence_sheet
from closetui.source import SequenceSource
from closetui.tui.commands import SequenceProvider
from closetui.tui.messages import FeedChanged, OrganizationKnown, RequestHeldUp
from closetui.tui.screens.help import HelpScreen
from closetui.tui.screens.message import MessageScreen
from closetui.tui.text import plain
from closetui.tui.widgets.detail import DetailPane
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.sequence_list import SequenceList
from closetui.tui.widgets.topbar import TopBar

NARROW = 100  # below this many columns, one pane at a time


class ClosetuiApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "closetui"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (NARROW, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("slash", "filter", "Filter", key_display="/", id="list.filter"),
        Binding("r", "refresh", "Refresh", id="app.refresh"),
        Binding("y", "copy_id", "Copy id", id="detail.copy_id"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client: CloseClient | None = None,
        retry_delays: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0),
    ) -> None:
        super().__init__()
        self.settings = settings
        self._client = client
        self._retry_delays = retry_delays
        self.cache: Cache | None = None
        self.source: SequenceSource | None = None
        self.feed: Feed | None = None
        self.sequence_rows = RowList()
        self.names = Names()
        self.log_path: Path | None = None
        self.fatal_message = "unexpected error"
        self._held_up: ClientEvent | None = None
        self._org_asked = False

    # -- building --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Kept as attributes: a query from the app searches the active screen, which is a
        # modal one while help or the palette is open.
        self.topbar = TopBar(id="topbar")
        self.sequence_list = SequenceList(self.sequence_rows, id="sequences")
        self.filter_input = Input(placeholder="filter by name (Esc clears)", id="filter")
        self.detail = DetailPane(id="detail")
        self.list_pane = Vertical(self.sequence_list, self.filter_input, id="list-pane")
        self.list_pane.border_title = "Sequences"
        self.banner = Static(id="banner")
        yield self.topbar
        yield self.banner
        with Horizontal(id="main"):
            yield self.list_pane
            yield self.detail
        yield Footer()

    def on_mount(self) -> None:
        settings = self.settings
        self.cache = Cache.open(settings.cache_dir, settings.account)
        if self._client is None and not settings.offline:
            try:
                self._client = open_client(settings, on_event=self._client_event)
            except CloseTuiError as exc:
                self.notify(exc.message, severity="error", markup=False)
        elif self._client is not None:
            self._client.on_event = self._client_event
        self.source = SequenceSource(
            self._client, self.cache, page_size=settings.page_size, offline=settings.offline
        )
        self.feed = Feed(
            self.source,
            rows=self.sequence_rows,
            spawn=self._spawn,
            on_event=lambda event: self.post_message(FeedChanged("sequences", event)),
            retry_delays=self._retry_delays,
        )
        organization = "Demo" if settings.demo else (self.cache.meta("organization") or "")
        self.topbar.set_organization(organization or "Close")
        self.topbar.set_state(
            "offline (--offline)" if self.feed.offline else "connecting…",
            "offline" if self.feed.offline else "busy",
        )
        for notice in self.cache.take_notices():
            self.notify(notice, severity="warning", markup=False, timeout=10)
        self.sequence_list.focus()
        self.feed.pump(want_more=True)
        self._update_status()

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        if self.cache is not None:
            self.cache.close()

    # -- workers and errors ----------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> None:
        self.run_worker(self._guard(work), group=group, exit_on_error=False)

    async def _guard(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("unexpected error in a background task")
            where = f" (details in {self.log_path})" if self.log_path else ""
            self.notify(f"Unexpected error{where}", severity="error", markup=False)

    def _client_event(self, event: ClientEvent) -> None:
        self.post_message(RequestHeldUp(event))

    def _handle_exception(self, error: Exception) -> None:
        log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
        where = f"; details in {self.log_path}" if self.log_path else ""
        self.fatal_message = f"unexpected error{where}"
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would print a traceback with local variables; one line is enough, and the
        # log file has the rest.
        self.bell()
        self._exit_renderables.append(Text(f"closetui: {self.fatal_message}"))
        self._close_messages_no_wait()

    # -- the feed ----------------------------------------------------------------------------

    @on(PagedTable.WantsMore, "#sequences")
    def _wants_more(self) -> None:
        if self.feed is not None:
            self.feed.pump(want_more=True)
            self._update_status()

    def on_feed_changed(self, message: FeedChanged) -> None:
        event = message.event
        feed = self.feed
        assert feed is not None
        table = self.sequence_list
        if event.kind == "rows":
            table.rows_changed()
            current = table.current_row
            if current is not None and current.id == self.detail.showing:
                self.show_detail(current.id)  # its page was just refreshed
            if not self._org_asked and event.skip == 0 and not feed.offline:
                self._org_asked = True
                self._ask_organization()
        elif event.kind == "failed" and event.error is not None:
            self.notify(event.error.message, title="Page failed", severity="error", markup=False)
        elif event.kind == "offline":
            self.notify(
                "The network is unreachable: showing cached data; retrying in the background.",
                title="Offline",
                severity="warning",
                markup=False,
            )
        elif event.kind == "online":
            self.notify("Back online.", markup=False)
        elif event.kind == "auth" and isinstance(event.error, AuthError):
            self._show_auth_error(event.error)
        elif event.kind == "problems":
            count = len(event.notes)
            self.notify(
                f"{count} item{'s' if count != 1 else ''} could not be read: {event.notes[0]}",
                severity="warning",
                markup=False,
            )
        elif event.kind == "complete" and event.count:
            self.notify(f"{event.count:,} sequences were removed upstream.", markup=False)
        self._held_up = None
        self._update_status()
        feed.pump(want_more=table.wants_more())

    def _update_status(self) -> None:
        feed = self.feed
        if feed is None:
            return
        table = self.sequence_list
        rows = self.sequence_rows
        if feed.fetching_next:
            table.set_status("loading…")
        elif feed.next_failed is not None and not feed.offline:
            table.set_status("failed: r to retry", "error")
        elif feed.offline and not len(rows):
            table.set_status("Nothing is cached for this account yet.", "warn")
        elif feed.offline and not feed.end:
            table.set_status("offline: no more cached rows · r to retry", "warn")
        elif feed.end and not len(rows):
            table.set_status("No sequences.")
        else:
            table.set_status("")
        count = len(rows)
        if rows.filter:
            more = "" if feed.end else " · loading more…"
            subtitle = f"{rows.visible_count:,} of {count:,} match{more}"
        elif feed.end and not feed.offline and feed.complete:
            subtitle = f"all {count:,}"
        elif feed.end:
            subtitle = f"all {count:,} cached" if not feed.complete else f"all {count:,}"
        else:
            subtitle = f"{count:,} loaded · more"
        oldest = feed.oldest_cached
        if oldest is not None:
            subtitle += f" · cached {format_age(time.time() - oldest)}"
        self.list_pane.border_subtitle = Content(subtitle)
        self._update_state()

    def _update_state(self) -> None:
        feed = self.feed
        assert feed is not None
        self._update_banner()
        if self._held_up is not None:
            self.topbar.set_state(self._held_up.describe(), "busy")
        elif feed.auth_failed is not None:
            self.topbar.set_state("key refused", "error")
        elif self.settings.offline:
            self.topbar.set_state("offline (--offline) · cached data", "offline")
        elif feed.offline:
            self.topbar.set_state("offline · cached data · retrying", "offline")
        elif feed.loading:
            self.topbar.set_state("online · loading", "busy")
        else:
            self.topbar.set_state("online", "online")

    def _update_banner(self) -> None:
        feed = self.feed
        assert feed is not None
        if not feed.offline:
            self.banner.display = False
            return
        oldest = feed.oldest_cached
        age = f" from {format_age(time.time() - oldest)}" if oldest is not None else ""
        if self.settings.offline:
            text = f"Offline (--offline): showing cached data{age}. No requests are made."
        else:
            text = (
                f"Offline: the network is unreachable. Showing cached data{age}; "
                "retrying in the background (r to retry now)."
            )
        if not len(self.sequence_rows):
            text += " Nothing is cached for this account yet: run closetui online (or "
            text += "closetui sync) first."
        self.banner.update(Content(text))
        self.banner.display = True

    def on_request_held_up(self, message: RequestHeldUp) -> None:
        self._held_up = message.event
        self._update_state()
        self.set_timer(message.event.seconds + 0.5, self._clear_held_up)

    def _clear_held_up(self) -> None:
        self._held_up = None
        if self.feed is not None:
            self._update_state()

    @work(group="lookups", exit_on_error=False)
    async def _ask_organization(self) -> None:
        if self.settings.demo:
            self.post_message(OrganizationKnown("Demo"))
            return
        if self._client is None:
            return
        try:
            me = await self._client.me()
        except CloseTuiError:
            return
        if me.organizations:
            self.post_message(OrganizationKnown(me.organizations[0].name))

    def on_organization_known(self, message: OrganizationKnown) -> None:
        self.topbar.set_organization(message.name)
        if self.cache is not None and self.cache.meta("organization") != message.name:
            self.cache.set_meta("organization", message.name)

    def _show_auth_error(self, error: AuthError) -> None:
        body = Content.assemble(
            plain(error.message),
            "\n\n",
            f"The key came from {self.settings.key_source}. Check that it is a current key "
            "of this organization, or create a new one in Close under Settings → Developer → "
            "API Keys.",
        )
        self.push_screen(MessageScreen("The API key was refused", body))

    # -- the detail ----------------------------------------------------------------------------

    @on(PagedTable.Highlighted, "#sequences")
    def _highlighted(self, message: PagedTable.Highlighted) -> None:
        self.show_detail(message.row.id if message.row is not None else None)

    def show_detail(self, sequence_id: str | None) -> None:
        detail = self.detail
        if sequence_id is None or self.source is None:
            detail.show_text(Content("Nothing selected."))
            return
        found = self.source.sequence(sequence_id)
        if found is None:
            detail.show_text(Content("This sequence's details are not available."))
            return
        sequence, fetched_at = found
        fresh = self.sequence_rows.is_fresh(sequence_id)
        age = format_age(time.time() - fetched_at) + ("" if fresh else " (cached)")
        detail.show_lines(sequence_sheet(sequence, self.names, fetched_age=age), sequence_id)

    @on(PagedTable.Opened, "#sequences")
    def _opened(self) -> None:
        self.action_open_detail()

    # -- actions -------------------------------------------------------------------------------

    def action_open_detail(self) -> None:
        if self.focused is self.filter_input:
            self.sequence_list.focus()
            return
        if self.sequence_list.current_row is None:
            return
        self.screen.add_class("-show-detail")
        self.detail.focus()

    def action_back(self) -> None:
        filter_input = self.filter_input
        if self.focused is filter_input or (
            self.focused is self.sequence_list and self.sequence_rows.filter
        ):
            self._clear_filter()
            return
        self.screen.remove_class("-show-detail")
        self.sequence_list.focus()

    def action_filter(self) -> None:
        filter_input = self.filter_input
        filter_input.add_class("-active")
        self.screen.remove_class("-show-detail")
        filter_input.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.sequence_list.focus()

    def _apply_filter(self, text: str) -> None:
        table = self.sequence_list
        self.sequence_rows.set_filter(text.strip())
        # While a filter is on, every remaining page loads so it covers every sequence.
        table.always_want_more = bool(text.strip())
        table.rows_changed()
        if self.feed is not None:
            self.feed.pump(want_more=table.wants_more())
        self._update_status()

    def _clear_filter(self) -> None:
        filter_input = self.filter_input
        filter_input.value = ""
        filter_input.remove_class("-active")
        self._apply_filter("")
        self.sequence_list.focus()

    def action_refresh(self) -> None:
        feed = self.feed
        if feed is None:
            return
        if self.settings.offline:
            self.notify("Offline (--offline): nothing to refresh from.", markup=False)
            return
        if feed.failed or feed.offline or feed.auth_failed:
            feed.retry()
        else:
            feed.refresh()
            self.notify("Refreshing from Close…", markup=False, timeout=2)
        self._update_status()

    def action_copy_id(self) -> None:
        row = self.sequence_list.current_row
        if row is None:
            return
        self.copy_to_clipboard(row.id)
        self.notify(
            f"Copied {row.id} (via OSC 52: if your terminal blocks clipboard access, copy it "
            "from here)",
            title="Copied",
            markup=False,
        )

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [
            ("Sequence list", SequenceList.BINDINGS),
            ("Detail pane", DetailPane.BINDINGS),
            ("Everywhere", [*self.BINDINGS, Binding("ctrl+p", "", "Commands, jump to sequence…",
                                                     id="app.palette")]),
        ]  # fmt: skip

    def jump_to(self, sequence_id: str) -> None:
        if self.sequence_rows.visible_index_of(sequence_id) is None and self.sequence_rows.filter:
            self._clear_filter()
        index = self.sequence_rows.visible_index_of(sequence_id)
        if index is not None:
            self.sequence_list.move_to(index)
            self.sequence_list.focus()

    def action_jump(self) -> None:
        self.push_screen(
            CommandPalette(providers=[SequenceProvider], placeholder="Jump to sequence…")
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Jump to sequence…", "Search the loaded sequences by name", self.action_jump
        )
        yield SystemCommand(
            "Filter by name", "Show only sequences whose name matches", self.action_filter
        )
        yield SystemCommand(
            "Refresh", "Fetch the loaded pages again from Close", self.action_refresh
        )
        yield SystemCommand(
            "Copy sequence id", "Copy the selected sequence's id", self.action_copy_id
        )
        yield SystemCommand("Keys", "Show every key", self.action_help)
        yield from super().get_system_commands(screen)


def run_app(settings: Settings) -> int:
    from closetui.logs import setup_logging

    app = ClosetuiApp(settings)
    app.log_path = setup_logging(settings.log_dir)  # already set up by the CLI: returns its path
    result = app.run()
    return app.return_code if app.return_code is not None else (result or 0)
