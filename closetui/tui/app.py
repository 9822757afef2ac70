"""The closetui app: the sequence list, the detail pane, and the keys between them.

Widgets never call the API or the cache: the app asks the source through workers, and the
feed reports back with FeedChanged messages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import time
from collections.abc import Coroutine, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from closetui.cache import Cache
from closetui.errors import AuthError, CloseTuiError
from closetui.feed import Feed
from closetui.logs import log
from closetui.lookups import Lookups
from closetui.models import Page, Sequence
from closetui.rows import Row, RowList
from closetui.settings import Settings
from closetui.sheet import format_age, sequence_sheet
from closetui.source import SequenceSource
from closetui.tui.commands import SequenceProvider
from closetui.tui.feed_view import FeedView
from closetui.tui.messages import DetailLookedUp, FeedChanged, OrganizationKnown, RequestHeldUp
from closetui.tui.screens.help import HelpScreen
from closetui.tui.screens.message import MessageScreen
from closetui.tui.screens.subscriptions import SubscriptionsScreen, title_for
from closetui.tui.text import plain
from closetui.tui.widgets.detail import DetailPane
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.sequence_list import SequenceList
from closetui.tui.widgets.topbar import TopBar

if TYPE_CHECKING:  # httpx (through the client) is imported once the first frame is drawn
    from closetui.api import ClientEvent, CloseClient

NARROW = 100  # below this many columns, one pane at a time
LOOKUP_DELAY = 0.15  # seconds the cursor must rest on a row before its lookups start


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
        Binding("s", "subscriptions", "Subscriptions", id="detail.subscriptions"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        client: CloseClient | None = None,
        retry_delays: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0),
        first_page: concurrent.futures.Future[Page[Sequence]] | None = None,
    ) -> None:
        super().__init__()
        self._first_page = first_page
        self.settings = settings
        self.client = client
        self.retry_delays = retry_delays
        self.cache: Cache | None = None
        self.source: SequenceSource | None = None
        self.view: FeedView | None = None
        self.lookups: Lookups | None = None
        self.sequence_rows = RowList()
        self._lookup_timer: Timer | None = None
        self.log_path: Path | None = None
        self.fatal_message = "unexpected error"
        self._held_up: ClientEvent | None = None
        self._org_asked = False
        self._detailed: set[str] = set()  # sequences whose detail was fetched in this run
        self._lookup_due: str | None = None
        self._closing = False
        self._banner_text = ""

    # -- building --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Kept as attributes: a query from the app searches the active screen, which is a
        # modal one while help or the palette is open.
        self.topbar = TopBar(id="topbar")
        self.sequence_list = SequenceList(self.sequence_rows, id="sequences")
        self.sequence_list.on_highlight = self._highlighted
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
        self.source = SequenceSource(
            None, self.cache, page_size=settings.page_size, offline=settings.offline
        )
        self.source.prefetched = self._first_page
        self.lookups = Lookups(None, self.cache)
        feed = Feed(
            self.source,
            rows=self.sequence_rows,
            spawn=self.spawn,
            on_event=lambda event: self.post_message(FeedChanged("sequences", event)),
            retry_delays=self.retry_delays,
            hold_network=not settings.offline,
        )
        self.view = FeedView(
            table=self.sequence_list,
            feed=feed,
            pane=self.list_pane,
            filter_input=self.filter_input,
            plural="sequences",
        )
        organization = "Demo" if settings.demo else (self.cache.meta("organization") or "")
        self.topbar.set_organization(organization or "Close")
        self._tell_cache_notices()
        self.sequence_list.focus()
        self.view.pump()  # what the cache has, on the first frame
        self._update_state()
        if not settings.offline:
            # The client (and httpx) is not needed for the first frame: start it after.
            self.call_after_refresh(self._start_network)

    @property
    def feed(self) -> Feed | None:
        return self.view.feed if self.view is not None else None

    def _start_network(self) -> None:
        assert self.source is not None and self.lookups is not None and self.view is not None
        if self.client is None:
            from closetui.connect import open_client

            try:
                self.client = open_client(self.settings)
            except CloseTuiError as exc:
                self.notify(exc.message, severity="error", markup=False)
                return
        self.client.on_event = self._client_event
        self.source.client = self.lookups.client = self.client
        self.view.feed.release_network()
        self.view.pump()
        self._update_state()

    async def on_unmount(self) -> None:
        self._closing = True
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        self.workers.cancel_all()
        if self.client is not None:
            await self.client.aclose()
        if self.cache is not None:
            self.cache.close()

    # -- workers and errors ----------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None], group: str) -> None:
        if self._closing:
            work.close()
            return
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
        if self.view is not None:
            self.view.pump()
            self._update_state()

    def on_feed_changed(self, message: FeedChanged) -> None:
        event = message.event
        assert self.feed is not None and self.view is not None
        if event.kind == "rows" and event.skip == 0 and not self.feed.offline:
            self._after_first_page()
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
        elif event.kind == "stopped":
            self.notify(event.notes[0], severity="warning", markup=False)
        elif event.kind == "complete" and event.count:
            self.notify(f"{event.count:,} sequences were removed upstream.", markup=False)
        self._held_up = None
        self._tell_cache_notices()
        self.view.changed(event)
        if event.kind == "rows":
            # Rows live as long as the app: moving them out of the cyclic collector's reach
            # keeps its full collections from stalling a keypress for tens of milliseconds
            # once there are 100,000 of them. (Rows hold no cycles: replaced ones are still
            # freed by reference counting.)
            gc.freeze()
        if event.kind == "rows":
            current = self.sequence_list.current_row
            if current is not None and current.id == self.detail.showing:
                self.show_detail(current.id)  # its page was just refreshed
        self._update_state()

    def _tell_cache_notices(self) -> None:
        if self.cache is not None:
            for notice in self.cache.take_notices():
                self.notify(notice, title="Cache", severity="warning", markup=False, timeout=10)

    def _after_first_page(self) -> None:
        """What waits for the first page: the organization's name and the users' names."""
        if self._org_asked:
            return
        self._org_asked = True
        self.spawn(self._ask_organization(), "lookups")
        self.spawn(self._refresh_users(), "lookups")

    def _update_state(self) -> None:
        feed = self.feed
        if feed is None:
            return
        self._update_banner()
        if self._held_up is not None:
            self.topbar.set_state(self._held_up.describe(), "busy")
        elif feed.auth_failed is not None:
            self.topbar.set_state("key refused", "error")
        elif self.settings.offline:
            self.topbar.set_state("offline (--offline) · cached data", "offline")
        elif feed.offline:
            self.topbar.set_state("offline · cached data · retrying", "offline")
        elif feed.loading or feed.hold_network:
            self.topbar.set_state("online · loading", "busy")
        else:
            self.topbar.set_state("online", "online")

    def _update_banner(self) -> None:
        feed = self.feed
        assert feed is not None
        text = ""
        if feed.offline:
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
        if text == self._banner_text:
            return  # each update is a layout pass; most calls change nothing
        self._banner_text = text
        self.banner.update(Content(text))
        self.banner.display = bool(text)

    def on_request_held_up(self, message: RequestHeldUp) -> None:
        self._held_up = message.event
        self._update_state()
        self.set_timer(message.event.seconds + 0.5, self._clear_held_up)

    def _clear_held_up(self) -> None:
        self._held_up = None
        if self.feed is not None:
            self._update_state()

    async def _ask_organization(self) -> None:
        if self.settings.demo:
            self.post_message(OrganizationKnown("Demo"))
            return
        if self.client is None:
            return
        try:
            me = await self.client.me()
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

    async def _refresh_users(self) -> None:
        if self.lookups is None:
            return
        try:
            ran = await self.lookups.refresh_users()
        except CloseTuiError:
            return
        if ran and self.detail.showing:
            self.show_detail(self.detail.showing)

    def _highlighted(self, row: Row | None) -> None:
        sequence_id = row.id if row is not None else None
        self.show_detail(sequence_id)
        # Lookups wait until the cursor rests: holding a key down starts none of them.
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        self._lookup_due = None
        if sequence_id is not None and self.source is not None and self.source.can_fetch:
            self._lookup_due = sequence_id
            self._lookup_timer = self.set_timer(LOOKUP_DELAY, lambda: self._look_up(sequence_id))

    @property
    def busy(self) -> bool:
        """Work is under way or due: a page, a lookup, or a lookup waiting for the cursor to
        rest. (Tests and benchmarks wait for this to be false.)"""
        if self._lookup_due is not None:
            return True
        return any(w.group != "reconnect" and not w.is_finished for w in self.workers)

    def _look_up(self, sequence_id: str) -> None:
        self._lookup_due = None
        current = self.sequence_list.current_row
        if current is None or current.id != sequence_id:
            return
        self.spawn(self._fetch_lookups(sequence_id), "lookups")

    async def _fetch_lookups(self, sequence_id: str) -> None:
        assert self.source is not None and self.lookups is not None
        if sequence_id not in self._detailed:
            self._detailed.add(sequence_id)
            try:
                async with self.lookups.gate:
                    await self.source.fetch_detail(sequence_id)
            except CloseTuiError:
                self._detailed.discard(sequence_id)
        found = self.source.sequence(sequence_id)
        if found is not None:
            await self.lookups.look_up(found.sequence)
        self.post_message(DetailLookedUp(sequence_id))

    def on_detail_looked_up(self, message: DetailLookedUp) -> None:
        # A result for a sequence the cursor has left is dropped, not painted.
        if message.sequence_id == self.detail.showing:
            self.show_detail(message.sequence_id)

    def show_detail(self, sequence_id: str | None) -> None:
        detail = self.detail
        if sequence_id is None or self.source is None or self.lookups is None:
            detail.show_message("Nothing selected.")
            return
        found = self.source.sequence(sequence_id)
        if found is None:
            detail.show_message("This sequence's details are not available.")
            return
        self.lookups.known(found.sequence)
        now = time.time()
        fresh = self.sequence_rows.is_fresh(sequence_id) or sequence_id in self._detailed
        age = format_age(now - found.fetched_at) + ("" if fresh else " (cached)")
        lines = sequence_sheet(
            found.sequence, self.lookups.names, fetched_age=age, counts=found.counts
        )
        detail.show_lines(lines, sequence_id)

    @on(PagedTable.Opened, "#sequences")
    def _opened(self) -> None:
        self.action_open_detail()

    # -- actions -------------------------------------------------------------------------------

    MAIN_SCREEN_ACTIONS = frozenset({"subscriptions", "copy_id", "filter", "refresh", "jump"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The list's keys belong to the list's screen; another screen has its own.
        return not (action in self.MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1)

    def action_open_detail(self) -> None:
        if self.focused is self.filter_input:
            self.sequence_list.focus()
            return
        if self.sequence_list.current_row is None:
            return
        self.screen.add_class("-show-detail")
        self.detail.focus()

    def action_back(self) -> None:
        assert self.view is not None
        if self.focused is self.filter_input or (
            self.focused is self.sequence_list and self.sequence_rows.filter
        ):
            self.view.clear_filter()
            return
        self.screen.remove_class("-show-detail")
        self.sequence_list.focus()

    def action_filter(self) -> None:
        assert self.view is not None
        self.screen.remove_class("-show-detail")
        self.view.open_filter()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self.view is not None:
            self.view.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.sequence_list.focus()

    def action_refresh(self) -> None:
        if self.view is None:
            return
        self._detailed.clear()
        self.notify(self.view.refresh_or_retry(), markup=False, timeout=2)
        self._update_state()

    def action_subscriptions(self) -> None:
        row = self.sequence_list.current_row
        if row is None:
            return
        self.push_screen(SubscriptionsScreen(row.id, title_for(row.name, row.id)))

    def action_copy_id(self) -> None:
        row = self.sequence_list.current_row
        if row is None:
            return
        self.copy_to_clipboard(row.id)
        self.notify(
            f"Copied {row.id} ({row.name[:60]}). Sent via OSC 52: if your terminal blocks "
            "clipboard access, copy it from here.",
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
            assert self.view is not None
            self.view.clear_filter()
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


def run_app(
    settings: Settings, first_page: concurrent.futures.Future[Page[Sequence]] | None = None
) -> int:
    from closetui.logs import setup_logging

    app = ClosetuiApp(settings, first_page=first_page)
    app.log_path = setup_logging(settings.log_dir)  # already set up by the CLI: returns its path
    result = app.run()
    return app.return_code if app.return_code is not None else (result or 0)
