"""Enter on a run: every field of the subscription, who it is for, and its sequence's
cadence. `o` opens its lead in Close; `y` copies the contact's email."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from closetui.lists.runs import SubscriptionRow
from closetui.present.links import LEAD_URL, url_for
from closetui.present.sheet import run_sheet
from closetui.session import Session
from closetui.tui.handoff import copy_text, open_in_close
from closetui.tui.messages import PersonWanted
from closetui.tui.widgets.detail import DetailPane
from closetui.tui.widgets.key_bar import KeyBar


class RunScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Back", id="run.back"),
        Binding("o", "open_lead", "Open lead", id="run.open"),
        Binding("y", "copy_email", "Copy email", id="run.copy_email"),
        Binding("p", "person", "Person", id="run.person"),  # tui/screens/person.py
        Binding("q", "app.quit", "Quit", id="run.quit"),
        Binding("v", "detail_view('toggle_layout')", "Full/compact", show=False,
                id="detail.layout"),
        Binding("b", "detail_view('toggle_bodies')", "Bodies", show=False, id="detail.bodies"),
    ]  # fmt: skip
    DEFAULT_CSS = """
    RunScreen #run-title { height: auto; padding: 0 1; background: $panel; }
    RunScreen #run { height: 1fr; border: round $primary; padding: 0 1; }
    """

    def __init__(self, session: Session, row: SubscriptionRow, title: Content) -> None:
        super().__init__()
        self.session = session
        self.row = row
        self._title = title
        self.detail = DetailPane(id="run")

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="run-title")
        yield self.detail
        yield KeyBar()

    def help_sections(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [("This run", [*self.BINDINGS, *DetailPane.BINDINGS, *self.app.BINDINGS])]

    def on_mount(self) -> None:
        sub = self.row.subscription
        view = self.session.source.sequence(sub.sequence_id) if sub.sequence_id else None
        self.detail.show_sheet(
            lambda cadence: run_sheet(
                sub,
                self.session.lookups.names,
                contact_name=self.row.contact_name,
                lead_name=self.row.lead_name,
                sequence=view.sequence if view is not None else None,
                view=cadence,
            ),
            sub.id,
        )
        self.detail.focus()

    def action_detail_view(self, change: str) -> None:
        if change == "toggle_layout":
            self.detail.action_toggle_layout()
        elif change == "toggle_bodies":
            self.detail.action_toggle_bodies()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss()

    def action_open_lead(self) -> None:
        lead_id = self.row.subscription.lead_id
        if not lead_id:
            self.notify("Close sent no lead for this run.", severity="warning", markup=False)
            return
        open_in_close(self, url_for(LEAD_URL, lead_id), "lead")

    def action_person(self) -> None:
        """`p`: this run's person, in every sequence."""
        self.post_message(PersonWanted(self.row))

    def action_copy_email(self) -> None:
        copy_text(self, self.row.subscription.contact_email or "", "the contact email")
