"""A paged list, its filter and its status line: the one way every list is shown.

The pane runs its list's page requests and reconnect loop as its own workers, so they end
when the pane is unmounted (a dismissed runs screen leaves no loop behind). The list
(`lists.paged.PagedList`) holds every piece of state; the pane draws it, saying it in words
(`tui/words.py`) with the keys the keymap binds. Every list event is handled here first,
then bubbles to the screen as `FeedPane.Changed` for what only that screen knows (the
banner, the organization, a refused key).
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

from closetui.lists.paged import ListEvent, PagedList
from closetui.lists.query import status_of, with_status
from closetui.lists.rows import KeyedRow
from closetui.tui.keymap import key_in_force
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.words import ListKeys, list_words, refresh_words
from closetui.tui.workers import spawn

R = TypeVar("R", bound=KeyedRow)


KNOWN_STATUSES = ("active", "paused", "error", "finished", "goal", "draft")


class FeedPane(Vertical, Generic[R]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "cycle_status", "Status", id="list.status"),
        Binding("S", "cycle_sort", "Sort", id="list.sort"),
        Binding("L", "load_all", "Load all", show=False, id="list.load_all"),
    ]
    # Input's own `:focus` rule brings its border back, which in one line hides the text
    # typed: the focused box keeps no border either.
    DEFAULT_CSS = """
    FeedPane > PagedTable { height: 1fr; }
    FeedPane > Input.feed-filter, FeedPane > Input.feed-filter:focus {
        display: none; height: 1; border: none; padding: 0 1; background: $boost;
    }
    FeedPane > Input.feed-filter.-active { display: block; }
    """

    class Changed(Message):
        """Something happened to the pane's pages: rows arrived, a page failed, offline."""

        def __init__(self, pane: FeedPane[Any], event: ListEvent) -> None:
            super().__init__()
            self.pane = pane
            self.event = event

        @property
        def control(self) -> FeedPane[Any]:
            return self.pane

        def can_replace(self, message: Message) -> bool:
            # Rows arriving faster than frames: a later "rows" stands for this one (the
            # first page's, which the screen waits for, is never dropped).
            return (
                isinstance(message, FeedPane.Changed)
                and message.pane is self.pane
                and self.event.kind == message.event.kind == "rows"
                and self.event.skip != 0
            )

    def __init__(
        self,
        table: PagedTable[R],
        *,
        plural: str,
        placeholder: str,
        title: str,
        refresh_binding: tuple[str, str] = ("app.refresh", "r"),
        noun: str | None = None,
        offline_empty: str | None = None,
        id: str | None = None,
        filter_id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.table = table
        self.plural = plural
        self.noun = noun  # what the list holds in the end line's words, if not `plural`
        self.offline_empty = offline_empty  # offline, nothing ever cached: what to say
        self.refresh_binding = refresh_binding  # (id, default key) of the screen's refresh
        self.filter_input = Input(placeholder=placeholder, id=filter_id, classes="feed-filter")
        self.border_title = title
        self._started = False
        self._search_due = False
        self._told_store = False

    def compose(self) -> ComposeResult:
        yield self.table
        yield self.filter_input

    # -- the list ----------------------------------------------------------------------------

    @property
    def rows(self) -> PagedList[R]:
        return self.table.rows

    def start(self) -> None:
        """Page the list into the table, from its first page (cached pages at once)."""
        self._started = True
        self.rows.start(self._spawn, self._changed)
        self.update()

    def on_unmount(self) -> None:
        self.rows.close()  # the list's file goes with it

    def _changed(self, event: ListEvent) -> None:
        self.post_message(FeedPane.Changed(self, event))

    def _spawn(self, work: Coroutine[Any, Any, None], group: str) -> None:
        spawn(self, work, group)

    def pump(self) -> None:
        """Ask the list for what the view wants now, and say where the list stands."""
        if not self._started:
            return
        self.rows.want(more=self.table.wants_more())
        self.update()

    @on(PagedTable.WantsMore)
    def _wants_more(self) -> None:
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

    def keys(self) -> ListKeys:
        """The keys the list's words name: those the keymap binds now."""
        keymap: dict[str, str] = getattr(self.app, "keys_in_force", {})
        refresh_id, refresh_key = self.refresh_binding
        return ListKeys(
            refresh=key_in_force(keymap, refresh_id, refresh_key),
            load_all=key_in_force(keymap, "list.load_all", "L"),
        )

    def update(self) -> None:
        sort = self.table.sort
        words = list_words(
            self.rows.state,
            plural=self.plural,
            keys=self.keys(),
            now=time.time(),
            noun=self.noun,
            sort_label=sort.label if sort is not None else None,
            offline_empty=self.offline_empty,
        )
        self.table.set_status(words.line, words.role)
        self.border_subtitle = Content(words.subtitle)

    def refresh_or_retry(self) -> str:
        """`r`: retry what failed, else refresh what is loaded. Says which, for a toast."""
        did = self.rows.refresh_or_retry()
        self.update()
        return refresh_words(did)

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
        self.update()
        if message.pending is not None:
            return  # said when it is ready
        sort = message.sort
        self.notify(f"Sorted by {sort.label}" if sort else "In Close's order", timeout=1.5)

    def action_load_all(self) -> None:
        """Every remaining page, so that a sort covers the whole list."""
        self.rows.load_all()
        self.pump()

    # -- the filter --------------------------------------------------------------------------

    @property
    def filter_open(self) -> bool:
        return self.filter_input.has_focus or bool(self.rows.filter)

    def open_filter(self) -> None:
        self.filter_input.add_class("-active")
        self.filter_input.focus()

    def set_filter(self, text: str) -> None:
        """Narrow the list; the cursor goes to the first match, the view to the top."""
        before = self.rows.filter
        self.rows.set_filter(text)
        if self.rows.filter == before:
            return
        self._search_later()
        self.table.rows_changed(to_top=True)
        self.pump()

    def _search_later(self) -> None:
        """The rest of a long list's search, a step at a time, with the loop free between
        steps: the first matches are on screen at once, and keys are taken meanwhile."""
        if self.rows.state.searching and not self._search_due:
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
        if self._started:
            self.set_filter(event.value)

    @on(Input.Submitted)
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()
