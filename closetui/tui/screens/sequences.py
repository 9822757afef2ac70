"""The main view: the sequence list, the detail pane beside it, and the keys between them.

The screen owns what it shows: its list pane (which owns the feed and its workers), the
detail and its debounced lookups, the banner and the top bar's state. The session (client,
cache, sources, lookups) is the app's.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from closetui.config.preferences import SPLITS, read_detail_layout
from closetui.config.tuning import LOOKUP_DELAY, NARROW, RECONNECT_DELAYS
from closetui.errors import ApiError, AuthError
from closetui.lists.paged import PagedList
from closetui.lists.rows import Row
from closetui.present.links import url_for
from closetui.present.sheet import CadenceView, Line, format_age, sequence_sheet
from closetui.session import Session
from closetui.store.cache import Cache
from closetui.textsafe import truncate
from closetui.tui.changes import ChangeMarks, latest_change_line
from closetui.tui.commands import SequenceProvider
from closetui.tui.handoff import copy_text, open_in_close
from closetui.tui.messages import DetailLookedUp, OrganizationKnown, RequestHeldUp, SettingChosen
from closetui.tui.text import inert_content
from closetui.tui.watch import Watch
from closetui.tui.widgets.detail import DetailPane
from closetui.tui.widgets.feed_pane import FeedPane
from closetui.tui.widgets.key_bar import KeyBar
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.sequence_list import SequenceList
from closetui.tui.widgets.topbar import TopBar
from closetui.tui.workers import spawn

if TYPE_CHECKING:  # httpx (through the client) loads once the first frame is drawn
    from closetui.close.client import ClientEvent


SPLIT_WORDS = {
    "balanced": "the list a little wider than the detail",
    "even": "list and detail alike",
    "detail": "the detail wider",
    "list": "the list wider",
}


class SequencesScreen(Screen[None]):
    # (Textual declares this without ClassVar, so it is assigned here as Textual's own are.)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/", id="list.filter"),
        # Refresh and copy are listed in `?` only: the footer keeps to 80 columns.
        Binding("r", "refresh", "Refresh", show=False, id="app.refresh"),
        Binding("y", "copy_id", "Copy id", show=False, id="detail.copy_id"),
        Binding(
            "s",
            "subscriptions",
            "Runs",
            tooltip="Runs: the sequence's subscriptions",
            id="detail.subscriptions",
        ),
        Binding("escape", "back", "Back", show=False, id="app.back"),
        Binding("o", "open_in_close", "Open in Close", show=False, id="detail.open"),
        # How the detail draws the cadence: from the list and from the detail alike.
        Binding("v", "detail_view('toggle_layout')", "Full/compact", show=False,
                id="detail.layout"),
        Binding("b", "detail_view('toggle_bodies')", "Bodies", show=False, id="detail.bodies"),
        Binding("w", "cycle_split", "Split", show=False, id="app.split"),
        Binding("h", "history", "History", show=False, id="detail.history"),
        Binding("W", "toggle_watch", "Watch", show=False, id="app.watch"),
    ]  # fmt: skip

    def __init__(
        self, session: Session, *, retry_delays: tuple[float, ...] = RECONNECT_DELAYS
    ) -> None:
        super().__init__()
        self.session = session
        self.retry_delays = retry_delays
        # What the cache has, on the first frame; the network is let in once it is drawn.
        self.sequences: PagedList[Row] = session.sequence_list(
            hold_network=not session.settings.offline, retry_delays=retry_delays
        )
        self.topbar = TopBar(id="topbar")
        self.banner = Static(id="banner")
        self.sequence_list = SequenceList(self.sequences, id="sequences")
        self.sequence_list.on_highlight = self._highlighted
        self.list_pane: FeedPane[Row] = FeedPane(
            self.sequence_list,
            plural="sequences",
            placeholder="filter by name (Esc clears)",
            title="Sequences",
            id="list-pane",
            filter_id="filter",
        )
        self.detail = DetailPane(id="detail")
        self._lookup_timer: Timer | None = None
        self._lookup_due: str | None = None
        self._held_up: ClientEvent | None = None
        self._org_asked = False
        self._detailed: set[str] = set()  # sequences whose detail was fetched in this run
        self._banner_text = ""
        self._collect_due = False
        self._jump_due: str | None = None  # a sequence to go to once it is loaded
        # The split is a class on the screen: set before it is mounted, since a class added
        # once it is up restyles every widget (a quarter of the start-up's own work).
        self._layout = read_detail_layout(session.settings.config_path)
        self._split = self._layout.split
        self.add_class(f"-split-{self._split}")
        # The same for the width's class, which Textual would add on the first resize (a
        # second restyle of every widget before the first frame).
        width = self.app.size.width
        self.add_class(max(b for b in self.HORIZONTAL_BREAKPOINTS if width >= b[0])[1])
        self.marks = ChangeMarks(session, self.sequences)
        self.watcher: Watch | None = None  # made on mount (its timer is the screen's)

    def compose(self) -> ComposeResult:
        yield self.topbar
        yield self.banner
        with Horizontal(id="main"):
            yield self.list_pane
            yield self.detail
        yield KeyBar()

    def on_mount(self) -> None:
        settings = self.session.settings
        for problem in self._layout.problems:
            self.notify(problem, title="Config", severity="warning", markup=False, timeout=15)
        cached = self.session.cache.meta("organization")
        self.topbar.profile = settings.profile
        self.topbar.set_organization("Demo" if settings.demo else (cached or "Close"))
        self.tell_cache_notices()
        self.sequence_list.focus()
        self.list_pane.start()
        self.watcher = Watch(
            settings.watch,
            self.set_interval,
            self._watched_panes,
            blocked=self._watch_blocked,
            on_change=self._update_state,
        )
        self._update_state()

    def on_screen_suspend(self) -> None:
        # Another screen opens: once back, what it held is garbage, to be collected before
        # the next freeze (a frozen cycle is never collected). Set here, not on resume, which
        # also comes with the first frame: a full collection there delayed the first rows.
        self._collect_due = True

    def _freeze_rows(self) -> None:
        """Rows live as long as the app: moving them out of the cyclic collector's reach keeps
        its full collections from stalling a keypress for tens of milliseconds once there are
        100,000 of them. gc.freeze() takes everything alive, so it waits while another screen
        is open, and collects first after one closed."""
        if self.app.screen is not self:
            return
        if self._collect_due:
            self._collect_due = False
            gc.collect()  # frozen rows are not scanned: this costs what was left behind
        gc.freeze()

    def network_started(self) -> None:
        """The app has connected the session: pages and lookups may now ask Close."""
        self.sequences.release_network()
        self.list_pane.pump()
        self._update_state()

    @property
    def busy(self) -> bool:
        """Work is under way or due: a page, a lookup, or a lookup waiting for the cursor to
        rest. (Tests and benchmarks wait for this to be false.)"""
        if self._lookup_due is not None:
            return True
        return any(w.group != "reconnect" and not w.is_finished for w in self.app.workers)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        spawn(self, work, "lookups")

    # -- the feed ----------------------------------------------------------------------------

    def on_feed_pane_changed(self, message: FeedPane.Changed) -> None:
        if message.pane is not self.list_pane:
            return
        event = message.event
        match event.kind:
            case "rows" if event.skip == 0 and not self.sequences.state.offline:
                self._after_first_page()
            case "offline":
                self.notify(
                    "The network is unreachable: showing cached data; retrying in the background.",
                    title="Offline",
                    severity="warning",
                    markup=False,
                )
            case "online":
                self.notify("Back online.", markup=False)
            case "auth" if isinstance(event.error, AuthError):
                self._show_auth_error(event.error)
            case "complete" if event.count:
                self.notify(f"{event.count:,} sequences were removed upstream.", markup=False)
        self._held_up = None
        self.tell_cache_notices()
        if self._jump_due is not None and event.kind in ("rows", "complete", "capped", "stopped"):
            self.jump_to(self._jump_due)
        if event.kind == "rows" and (news := self.marks.refresh()):
            self.notify(news, title="Changed", markup=False, timeout=10)
        if self.watcher is not None:
            self.watcher.settled()
        if event.kind == "rows":
            self._freeze_rows()  # (rows hold no cycles: replaced ones are still freed)
            current = self.sequence_list.current_row
            if current is not None and current.id == self.detail.showing:
                self.show_detail(current.id)  # its page was just refreshed
        self._update_state()

    def tell_cache_notices(self) -> None:
        for notice in self.session.cache.take_notices():
            self.notify(notice, title="Cache", severity="warning", markup=False, timeout=10)

    def _after_first_page(self) -> None:
        """What waits for the first page: the organization's name and the users' names."""
        if self._org_asked:
            return
        self._org_asked = True
        self._spawn(self._ask_organization())
        self._spawn(self._refresh_users())

    def _update_state(self) -> None:
        state = self.sequences.state
        self._update_banner()
        if self._held_up is not None:
            self.topbar.set_state(self._held_up.describe(), "busy")
        elif state.auth_failed is not None:
            self.topbar.set_state("key refused", "error")
        elif self.session.settings.offline:
            self.topbar.set_state("offline (--offline) · cached data", "offline")
        elif state.offline:
            self.topbar.set_state("offline · cached data · retrying", "offline")
        elif self.sequences.busy or not self.session.online:
            self.topbar.set_state("online · loading", "busy")
        else:
            self.topbar.set_state("online", "online")
        self.topbar.set_watch(self.watcher.describe() if self.watcher is not None else "")

    def _update_banner(self) -> None:
        state = self.sequences.state
        text = ""
        if state.offline:
            oldest = state.oldest_cached
            age = f" from {format_age(time.time() - oldest)}" if oldest is not None else ""
            if self.session.settings.offline:
                text = f"Offline (--offline): showing cached data{age}. No requests are made."
            else:
                refresh = self.list_pane.keys().refresh
                text = (
                    f"Offline: the network is unreachable. Showing cached data{age}; "
                    f"retrying in the background ({refresh} to retry now)."
                )
            if not state.loaded:
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
        self._update_state()

    async def _ask_organization(self) -> None:
        if self.session.settings.demo:
            self.post_message(OrganizationKnown("Demo"))
            return
        client = self.session.client
        if client is None:
            return
        try:
            me = await client.me()
        except ApiError as exc:
            self.session.lookups.failed("organization", exc)
            self._tell_lookup_failures()
            return
        if me.organizations:
            self.post_message(OrganizationKnown(me.organizations[0].name))

    def on_organization_known(self, message: OrganizationKnown) -> None:
        self.topbar.set_organization(message.name)
        cache = self.session.cache
        if cache.meta("organization") != message.name:
            cache.set_meta("organization", message.name)

    def _show_auth_error(self, error: AuthError) -> None:
        body = Content.assemble(
            inert_content(error.message),
            "\n\n",
            f"The key came from {self.session.settings.key_source}. Check that it is a "
            "current key of this organization, or create a new one in Close under Settings → "
            "Developer → API Keys.",
        )
        from closetui.tui.screens.message import MessageScreen

        self.app.push_screen(MessageScreen("The API key was refused", body))

    # -- the detail ----------------------------------------------------------------------------

    async def _refresh_users(self) -> None:
        ran = await self.session.lookups.refresh_users()
        self._tell_lookup_failures()
        if ran and self.detail.showing:
            self.show_detail(self.detail.showing)

    def _tell_lookup_failures(self) -> None:
        """A lookup that failed says so once per kind (a dead network excepted: the offline
        banner says that already); the id stays in place of the name."""
        for failure in self.session.lookups.untold_failures():
            if not failure.offline:
                self.notify(
                    failure.describe() + ": ids shown instead of names",
                    title="Lookup failed",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )

    def _highlighted(self, row: Row | None) -> None:
        sequence_id = row.id if row is not None else None
        self.show_detail(sequence_id)
        # Lookups wait until the cursor rests: holding a key down starts none of them.
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
        self._lookup_due = None
        if sequence_id is not None and self.session.source.can_fetch:
            self._lookup_due = sequence_id
            self._lookup_timer = self.set_timer(LOOKUP_DELAY, lambda: self._look_up(sequence_id))

    def _look_up(self, sequence_id: str) -> None:
        self._lookup_due = None
        current = self.sequence_list.current_row
        if current is None or current.id != sequence_id or self.session.client is None:
            return
        self._spawn(self._fetch_lookups(sequence_id))

    async def _fetch_lookups(self, sequence_id: str) -> None:
        source, lookups = self.session.source, self.session.lookups
        if sequence_id not in self._detailed:
            self._detailed.add(sequence_id)
            try:
                async with lookups.gate:
                    view = await source.fetch_detail(sequence_id)
            except ApiError as exc:
                self._detailed.discard(sequence_id)
                lookups.failed("subscription counts", exc)
            else:
                row = self.sequences.get(sequence_id)
                if row is not None and view.counts != row.counts:
                    row.counts = view.counts  # the list's columns show them from now on
                    self.sequences.update([row])
                    self.sequence_list.refresh()
        found = source.sequence(sequence_id)
        if found is not None:
            await lookups.look_up(found.sequence)
        self._tell_lookup_failures()
        self.post_message(DetailLookedUp(sequence_id))

    def on_detail_looked_up(self, message: DetailLookedUp) -> None:
        # A result for a sequence the cursor has left is dropped, not painted.
        if message.sequence_id == self.detail.showing:
            self.show_detail(message.sequence_id)

    def show_detail(self, sequence_id: str | None) -> None:
        detail = self.detail
        if sequence_id is None:
            detail.show_message("Nothing selected.")
            return
        found = self.session.source.sequence(sequence_id)
        if found is None:
            detail.show_message("This sequence's details are not available.")
            return
        lookups = self.session.lookups
        lookups.known(found.sequence)
        fresh = self.sequences.is_fresh(sequence_id) or sequence_id in self._detailed
        age = format_age(time.time() - found.fetched_at) + ("" if fresh else " (cached)")
        change = latest_change_line(self.session, sequence_id)

        def sheet(view: CadenceView) -> list[Line]:
            lines = sequence_sheet(
                found.sequence, lookups.names, fetched_age=age, counts=found.counts, view=view
            )
            if change is not None:
                lines[2:2] = [change]  # the latest change, under the name and status
            return lines

        detail.show_sheet(sheet, sequence_id)

    @on(PagedTable.WantsMore, "#sequences")
    def _wants_more(self) -> None:
        self._update_state()

    @on(PagedTable.Opened, "#sequences")
    def _opened(self) -> None:
        self.action_open_detail()

    # -- actions -------------------------------------------------------------------------------

    def action_open_detail(self) -> None:
        if self.focused is self.list_pane.filter_input:
            self.sequence_list.focus()
            return
        if self.sequence_list.current_row is None:
            return
        self.add_class("-show-detail")
        self.detail.focus()
        if self.marks.looked(self.sequence_list.current_row.id):
            self.sequence_list.refresh()

    def action_back(self) -> None:
        pane = self.list_pane
        if self.focused is pane.filter_input or (
            self.focused is self.sequence_list and self.sequences.filter
        ):
            pane.clear_filter()
            return
        self.remove_class("-show-detail")
        self.sequence_list.focus()

    def action_detail_view(self, change: str) -> None:
        if change == "toggle_layout":
            self.detail.action_toggle_layout()
        elif change == "toggle_bodies":
            self.detail.action_toggle_bodies()

    def action_cycle_split(self) -> None:
        """The list's and the detail's share of the width, kept like the theme."""
        split = SPLITS[(SPLITS.index(self._split) + 1) % len(SPLITS)]
        self._set_split(split)
        self.notify(f"Split: {SPLIT_WORDS[split]}", timeout=2, markup=False)
        self.post_message(SettingChosen("split", split))

    def _set_split(self, split: str) -> None:
        self.remove_class(f"-split-{self._split}")
        self._split = split
        self.add_class(f"-split-{split}")

    def action_filter(self) -> None:
        self.remove_class("-show-detail")
        self.list_pane.open_filter()

    def action_refresh(self) -> None:
        self._detailed.clear()
        self.notify(self.list_pane.refresh_or_retry(), markup=False, timeout=2)
        self._update_state()

    def action_subscriptions(self) -> None:
        row = self.sequence_list.current_row
        if row is None:
            return
        from closetui.tui.screens.subscriptions import SubscriptionsScreen, title_for

        self.app.push_screen(SubscriptionsScreen(self.session, row.id, title_for(row.name, row.id)))

    def action_history(self) -> None:
        row = self.sequence_list.current_row
        if row is None:
            return
        if self.marks.looked(row.id):
            self.sequence_list.refresh()
        from closetui.tui.screens.history import HistoryScreen
        from closetui.tui.screens.subscriptions import title_for

        self.app.push_screen(HistoryScreen(self.session, row.id, title_for(row.name, row.id)))

    def action_toggle_watch(self) -> None:
        if self.watcher is not None:
            self.notify(self.watcher.toggle(), markup=False, timeout=3)

    def _watched_panes(self) -> list[FeedPane[Any]]:
        """What a watch tick refreshes: the list, and the runs list when it is in front."""
        from closetui.tui.screens.subscriptions import SubscriptionsScreen

        panes: list[FeedPane[Any]] = [self.list_pane]
        if isinstance(self.app.screen, SubscriptionsScreen):
            panes.append(self.app.screen.pane)
        return panes

    def _watch_blocked(self) -> str | None:
        state = self.sequences.state
        if self.session.settings.offline:
            return "--offline"
        if state.offline:
            return "offline"  # the list's reconnect finds the network; the watch waits
        if state.auth_failed is not None:
            return "key refused"
        if not self.session.online:
            return "starting"
        return None

    def action_copy_id(self) -> None:
        row = self.sequence_list.current_row
        if row is not None:
            copy_text(self, row.id, f"the id of {truncate(row.name, 60)}")

    def action_open_in_close(self) -> None:
        row = self.sequence_list.current_row
        if row is not None:
            open_in_close(self, url_for(self.session.settings.sequence_url, row.id), "sequence")

    def help_sections(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [
            ("Sequence list", [*SequenceList.BINDINGS, *FeedPane.BINDINGS]),
            ("Detail pane", DetailPane.BINDINGS),
            # The app's palette binding is described for the footer ("palette"); here it
            # says what the palette holds.
            ("Everywhere", [*self.BINDINGS,
                            *(b for b in self.app.BINDINGS
                              if not (isinstance(b, Binding) and b.id == "app.palette")),
                            Binding("ctrl+p", "", "Commands, jump to sequence…",
                                    id="app.palette")]),
        ]  # fmt: skip

    @property
    def cache(self) -> Cache:
        return self.session.cache

    def jump_to(self, sequence_id: str) -> None:
        """The cursor to a sequence: at once when it is loaded; otherwise the rest of the
        list loads, and the cursor goes there when it comes."""
        if self.sequences.index_of(sequence_id) is None and self.sequences.filter:
            self.list_pane.clear_filter()
        index = self.sequences.index_of(sequence_id)
        if index is not None:
            self._jump_due = None
            self.remove_class("-show-detail")
            self.sequence_list.move_to(index)
            self.sequence_list.focus()
            return
        state = self.sequences.state
        if state.end:
            self._jump_due = None
            self.notify("That sequence is not in the list any more.", severity="warning",
                        markup=False)  # fmt: skip
            return
        if self._jump_due != sequence_id:
            self._jump_due = sequence_id
            self.notify("Loading the list to get there…", markup=False, timeout=3)
        self.list_pane.action_load_all()

    def action_jump(self) -> None:
        self.app.push_screen(
            CommandPalette(providers=[SequenceProvider], placeholder="Jump to sequence…")
        )

    def system_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand("Jump to sequence…", "Search every sequence by name", self.action_jump)
        yield SystemCommand(
            "Filter by name", "Show only sequences whose name matches", self.action_filter
        )
        yield SystemCommand(
            "Refresh", "Fetch the loaded pages again from Close", self.action_refresh
        )
        yield SystemCommand(
            "Copy sequence id", "Copy the selected sequence's id", self.action_copy_id
        )
        yield SystemCommand(
            "Open in Close",
            "The selected sequence in Close's web app (over SSH: show and copy the address)",
            self.action_open_in_close,
        )
        yield SystemCommand(
            "Runs", "The selected sequence's subscriptions", self.action_subscriptions
        )
        yield SystemCommand("History", "What changed in the selected sequence", self.action_history)
        yield SystemCommand("Watch", "Refresh the loaded pages on an interval (W)",
                            self.action_toggle_watch)  # fmt: skip
        yield SystemCommand("Sort…", "Cycle the list's order (or click a header)",
                            self.list_pane.action_cycle_sort)  # fmt: skip
        yield SystemCommand("Status…", "Cycle the status shown", self.list_pane.action_cycle_status)
        yield SystemCommand("Load all", "Every remaining page, so a sort covers the whole list",
                            self.list_pane.action_load_all)  # fmt: skip
        yield SystemCommand("Bodies", "Show or hide what each step says",
                            self.detail.action_toggle_bodies)  # fmt: skip
        yield SystemCommand("Full or compact cadence", "A line a step, or a line a detail",
                            self.detail.action_toggle_layout)  # fmt: skip
        yield SystemCommand("Split", "The list's and the detail's share of the width",
                            self.action_cycle_split)  # fmt: skip
