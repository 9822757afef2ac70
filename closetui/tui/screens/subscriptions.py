"""`s`: the subscriptions of one sequence, lazily paged like the sequence list, with a filter.

Its list pane owns its feed and workers: closing the screen ends them, a reconnect loop too.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from closetui.config.tuning import RECONNECT_DELAYS
from closetui.lists.actions import (
    ACTIONS,
    REMOVED,
    Action,
    Outcome,
    Target,
    already_so,
    apply,
    left_alone,
    question,
    refusal,
    summary,
)
from closetui.lists.paged import PagedList
from closetui.lists.runs import KIND, SubscriptionRow, subscription_row
from closetui.present.links import LEAD_URL, url_for
from closetui.session import Session
from closetui.textsafe import inert
from closetui.tui.changes import ErrorWatch
from closetui.tui.handoff import copy_text, open_in_close
from closetui.tui.keymap import key_in_force
from closetui.tui.messages import PersonWanted
from closetui.tui.run_names import RunNames
from closetui.tui.screens.confirm import ConfirmScreen
from closetui.tui.screens.run import RunScreen
from closetui.tui.text import inert_content
from closetui.tui.widgets.feed_pane import FeedPane
from closetui.tui.widgets.key_bar import KeyBar
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.reasons_line import ReasonsLine
from closetui.tui.widgets.subscription_list import SubscriptionList
from closetui.tui.workers import spawn

# Offline, runs that were never fetched: said so, and how they come to be cached.
OFFLINE_EMPTY = "Never fetched: open these runs once online to read them offline."


class SubscriptionsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="subscriptions.back"),
        Binding("slash", "filter", "Filter", key_display="/", id="subscriptions.filter"),
        Binding("p", "person", "Person", id="subscriptions.person"),  # tui/screens/person.py
        Binding("o", "open_lead", "Open lead", id="subscriptions.open"),
        Binding("y", "copy_email", "Copy email", show=False, id="subscriptions.copy_email"),
        Binding("Y", "copy_lead_url", "Copy lead URL", show=False, id="subscriptions.copy_lead"),
        Binding("r", "refresh", "Refresh", show=False, id="subscriptions.refresh"),
        Binding("q", "app.quit", "Quit", id="subscriptions.quit"),
        # Changes to Close: only with allow_changes, and each asks first (see ConfirmScreen).
        # (Not in the footer, which is full: the border names them once runs are marked.)
        Binding(
            "P",
            "change('pause')",
            "Pause",
            show=False,
            tooltip="Pause: the marked runs, or the cursor's (asks first)",
            id="subscriptions.pause",
        ),
        Binding(
            "R",
            "change('resume')",
            "Resume",
            show=False,
            tooltip="Resume (paused or errored): the marked runs, or the cursor's (asks first)",
            id="subscriptions.resume",
        ),
        Binding(
            "D",
            "change('unsubscribe')",
            "Remove",
            show=False,
            tooltip="Remove from the sequence: the marked runs, or the cursor's (asks first)",
            id="subscriptions.remove",
        ),
    ]
    DEFAULT_CSS = """
    SubscriptionsScreen #subscriptions-title { height: auto; padding: 0 1; background: $panel; }
    SubscriptionsScreen #subscriptions-pane { height: 1fr; border: round $primary; }
    SubscriptionsScreen #subscriptions-done { height: auto; padding: 0 1; display: none; }
    SubscriptionsScreen #subscriptions-done.-shown { display: block; }
    SubscriptionsScreen #subscriptions-done.-error { color: $text-error; }
    """
    # Which binding undoes each change, for the status line's "resume them with R".
    UNDO_IDS: ClassVar[dict[str, str]] = {
        "pause": "subscriptions.pause",
        "resume": "subscriptions.resume",
    }

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
        # Opened before the app has connected (a key typed ahead at start-up): the cached
        # pages now, Close's once `network_started` says the client is there.
        self._waiting = not session.online and not session.settings.offline
        self.runs: PagedList[SubscriptionRow] = session.runs_list(
            sequence_id, retry_delays=retry_delays, hold_network=self._waiting
        )
        self.table = SubscriptionList(self.runs, id="subscriptions")
        # Who each run is for: names for the rows on screen, once the cursor rests.
        self.names = RunNames(self, session, self.runs, self.table)
        self.table.on_highlight = self.names.follow
        self.reasons = ReasonsLine(session.cache, KIND, sequence_id, id="subscriptions-reasons")
        self.errors = ErrorWatch()  # runs newly errored, said once
        self.done_line = Static("", id="subscriptions-done")  # what the last change did
        self.changing = False  # a change is on its way to Close
        self.pane: FeedPane[SubscriptionRow] = FeedPane(
            self.table,
            plural="subscriptions",
            placeholder="filter by contact or sender",
            title="Subscriptions",
            refresh_binding=("subscriptions.refresh", "r"),
            noun="runs of this sequence",  # "Close lists only the first N runs of this …"
            offline_empty=OFFLINE_EMPTY,
            id="subscriptions-pane",
            filter_id="subscriptions-filter",
        )

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="subscriptions-title")
        yield self.reasons  # why runs stopped: tui/widgets/reasons_line.py
        yield self.pane
        yield self.done_line
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.focus()
        self.pane.start()
        self._marks_changed()

    def network_started(self) -> None:
        """The app has connected the session: a list opened before that may ask Close now."""
        if self._waiting:
            self._waiting = False
            self.runs.source.client = self.session.client
            self.runs.release_network()
            self.pane.pump()

    @property
    def names_due(self) -> bool:
        """A names lookup waits for the cursor to rest (the app's `busy` reads this)."""
        return self.names.due

    def on_feed_pane_changed(self, message: FeedPane.Changed) -> None:
        if message.event.kind == "rows":
            self.names.follow()
            self.reasons.count_later()
        elif message.event.kind == "statuses" and (
            news := self.errors.errored(message.event.changes)
        ):
            self.notify(news, title="Runs", severity="warning", markup=False, timeout=10)

    # -- over to Close ----------------------------------------------------------------------

    def action_open_lead(self) -> None:
        row = self.table.current_row
        lead_id = row.subscription.lead_id if row is not None else None
        if not lead_id:
            self.notify("No lead for this row.", severity="warning", markup=False)
            return
        open_in_close(self, url_for(LEAD_URL, lead_id), "lead")

    def action_copy_email(self) -> None:
        row = self.table.current_row
        copy_text(self, row.subscription.contact_email or "" if row else "", "the contact email")

    def action_copy_lead_url(self) -> None:
        row = self.table.current_row
        lead_id = row.subscription.lead_id if row is not None else None
        copy_text(self, url_for(LEAD_URL, lead_id) if lead_id else "", "the lead URL")

    @on(PagedTable.Opened, "#subscriptions")
    def _opened(self, message: PagedTable.Opened) -> None:
        row = message.row
        if isinstance(row, SubscriptionRow):
            title = Content.assemble(
                self._title, ("  ·  run ", "$text-muted"), inert_content(row.id)
            )
            self.app.push_screen(RunScreen(self.session, row, title))

    def action_person(self) -> None:
        """`p`: the run's person, in every sequence."""
        self.post_message(PersonWanted(self.table.current_row))

    def help_sections(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [
            # The moves it inherits, less the keys the list binds itself (its space marks).
            (
                "Runs",
                [
                    *_less_keys_of(PagedTable.BINDINGS, SubscriptionList.BINDINGS),
                    *SubscriptionList.BINDINGS,
                    *FeedPane.BINDINGS,
                ],
            ),
            ("This screen", [*self.BINDINGS, *self.app.BINDINGS]),
        ]

    def action_filter(self) -> None:
        self.pane.open_filter()

    def action_back(self) -> None:
        if self.changing:
            # Leaving would cancel the sends still to go, and what Close applied would not
            # reach the log or the cache: the screen stays until Close has answered.
            self.notify("A change is on its way to Close: back once it has answered.",
                        markup=False)  # fmt: skip
            return
        if len(self.table.marks) and self.focused is not self.pane.filter_input:
            self.table.marks.clear()  # marks go first, then the filter, then the screen
            self._marks_changed()
            return
        if self.focused is self.pane.filter_input or self.runs.filter:
            self.pane.clear_filter()
            return
        self.dismiss()

    def action_refresh(self) -> None:
        self.notify(self.pane.refresh_or_retry(), markup=False, timeout=2)

    # -- changes: the marked runs (or the one under the cursor) paused, resumed or removed ---

    def _key_for(self, binding_id: str) -> str:
        """The key that does `binding_id` now: the keymap's, if it moved it."""
        keymap: dict[str, str] = getattr(self.app, "keys_in_force", {})
        bindings = [*self.BINDINGS, *SubscriptionList.BINDINGS]
        default = next(
            (b.key for b in bindings if isinstance(b, Binding) and b.id == binding_id), ""
        )
        return key_in_force(keymap, binding_id, default)

    def _undo_words(self, action: Action, count: int) -> str:
        them = "it" if count == 1 else "them"
        if action.undo is None:
            return f"to undo, subscribe {them} again in Close"
        return f"{action.undo} {them} with {self._key_for(self.UNDO_IDS[action.undo])}"

    def on_subscription_list_marks_changed(self, message: SubscriptionList.MarksChanged) -> None:
        self._marks_changed()

    def _marks_changed(self) -> None:
        self.table.redraw()  # the marks column, on every row drawn
        count = len(self.table.marks)
        if not count:
            marks = f" · {self._key_for('runs.mark')} marks runs to change"
            self.pane.border_title = "Subscriptions" + (
                marks if self.session.settings.allow_changes else ""
            )
            return
        keys = " ".join(
            f"{self._key_for(f'subscriptions.{what}')} {what}"
            for what in ("pause", "resume", "remove")
        )
        self.pane.border_title = f"Subscriptions · {count:,} marked · {keys}"

    def _say(self, text: str, *, error: bool = False) -> None:
        """The status line under the list: what the last change did, and how to undo it."""
        self.done_line.update(Content(text))
        self.done_line.set_class(True, "-shown")
        self.done_line.set_class(error, "-error")

    def _sequence_name(self) -> str | None:
        stored = self.session.cache.sequence(self.sequence_id)
        name = (
            stored.data.get("name")
            if stored is not None and isinstance(stored.data, dict)
            else None
        )
        return name if isinstance(name, str) else None

    def action_change(self, name: str) -> None:
        action = ACTIONS[name]
        settings = self.session.settings
        if not settings.allow_changes:
            self._say(refusal(settings, action), error=True)
            self.notify(refusal(settings, action), severity="warning", markup=False)
            return
        if self.session.client is None:
            self._say(f"{action.verb}: offline, nothing can be sent.", error=True)
            return
        if self.changing:
            self.notify("A change is still on its way to Close.", markup=False)
            return
        rows = self.table.marked_rows()
        if not rows and self.table.current_row is not None:
            rows = [self.table.current_row]
        rows = [r for r in rows if r.status != REMOVED]
        if not rows:
            self.notify("No runs to change: mark some with space.", markup=False)
            return
        targets = [Target(r.id, r.subscription.status, self.sequence_id) for r in rows]
        targets, already = already_so(action, targets)
        if not targets:
            self._say(f"{action.verb}: nothing to change; {left_alone(action, already)}.")
            return
        words = question(action, targets, self._sequence_name())
        if already:
            words += f" ({left_alone(action, already)}.)"

        def answered(go: bool | None) -> None:
            if go:
                self.changing = True
                self._say(f"{action.verb}: sending {len(targets):,}…")
                spawn(self, self._send(action, targets), "changes")
            else:
                self._say(f"{action.verb}: cancelled, nothing was sent.")

        self.app.push_screen(ConfirmScreen(words, len(targets)), callback=answered)

    async def _send(self, action: Action, targets: list[Target]) -> None:
        client = self.session.client
        assert client is not None
        try:
            outcomes = await apply(client, self.session.cache, action, targets, self._answered)
        finally:
            self.changing = False
        done = [o for o in outcomes if o.ok]
        failed = [o for o in outcomes if not o.ok]
        for outcome in done:
            if outcome.id in self.table.marks:
                self.table.marks.toggle(outcome.id)  # what failed stays marked, to try again
        self._marks_changed()
        line = summary(action, outcomes)
        if done:
            line += f" · {self._undo_words(action, len(done))}"
        gone = sum(1 for o in done if self.runs.index_of(o.id) is None)
        if gone and self.runs.filter:
            # A run that no longer matches the filter (resumed out of `status:error`) leaves
            # the view, as any row does: say so, or it would look lost.
            line += f" · {gone:,} no longer match the filter (Esc clears it)"
        if failed:
            line += f" · {failed[0].id}: {failed[0].reason} (what failed stays marked)"
        self._say(line, error=bool(failed))
        self.notify(line, severity="warning" if failed else "information", markup=False)

    def _answered(self, outcome: Outcome) -> None:
        """Close answered for one run: its row shows the answer at once, in place."""
        row = self.runs.get(outcome.id)
        if row is None:
            return
        if outcome.ok and outcome.answer is not None:
            fresh = subscription_row(outcome.answer, time.time())
            row.status, row.reason, row.updated = fresh.status, fresh.reason, fresh.updated
            row.started, row.subscription = fresh.started, fresh.subscription
        elif outcome.ok:
            row.status, row.reason = REMOVED, ""
        else:
            row.reason = f"✗ {outcome.reason}"
        self.runs.update([row])
        self.table.refresh()


def _less_keys_of(
    inherited: Iterable[BindingType], own: Iterable[BindingType]
) -> list[BindingType]:
    """Inherited bindings without the keys a subclass binds to something else, as help
    should list them (Textual gives the key to the subclass's binding)."""
    taken = {k for b in own if isinstance(b, Binding) for k in b.key.split(",")}
    kept: list[BindingType] = []
    for binding in inherited:
        if not isinstance(binding, Binding):
            continue
        keys = [k for k in binding.key.split(",") if k not in taken]
        if keys:
            kept.append(dataclasses.replace(binding, key=",".join(keys)))
    return kept


def title_for(name: str, sequence_id: str) -> Content:
    return Content.assemble(
        inert_content(name), ("  ·  ", "$text-muted"), (inert(sequence_id), "$text-muted")
    )
