"""One person's runs in every sequence: from a run (`p` in the runs list or on a run), or from
the palette (*Find a person…*: an email, a name or an id).

A paged, filterable, sortable list on the same pane, feed and row store as the others. Enter
on a run shows it with its sequence's cadence (fetched first when the cache does not have the
sequence); `s` opens the sequence's runs; `o` opens the lead in Close.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from closetui.close.people import Person
from closetui.config.tuning import RECONNECT_DELAYS
from closetui.errors import ApiError
from closetui.lists.paged import PagedList
from closetui.lists.person import PersonRunRow
from closetui.names.lookups import CONTACT
from closetui.names.people import resolve
from closetui.present.links import LEAD_URL, url_for
from closetui.session import Session
from closetui.textsafe import inert
from closetui.tui.handoff import copy_text, open_in_close
from closetui.tui.run_names import RunNames
from closetui.tui.screens.run import RunScreen
from closetui.tui.screens.subscriptions import SubscriptionsScreen, title_for
from closetui.tui.text import inert_content
from closetui.tui.widgets.feed_pane import FeedPane
from closetui.tui.widgets.key_bar import KeyBar
from closetui.tui.widgets.paged_table import PagedTable
from closetui.tui.widgets.person_list import PersonRunList
from closetui.tui.workers import spawn


def person_of_run(row: PersonRunRow | object) -> Person | None:
    """Whom a run in a list is for: its contact, else its lead."""
    from closetui.lists.runs import SubscriptionRow

    if not isinstance(row, SubscriptionRow):
        return None
    sub = row.subscription
    if sub.contact_id:
        return Person(
            "contact_id", sub.contact_id, row.contact_name or "", sub.contact_email or "",
            sub.lead_id,
        )  # fmt: skip
    if sub.lead_id:
        return Person("lead_id", sub.lead_id, row.lead_name or "", lead_id=sub.lead_id)
    return None


def open_person_of(node: Widget | App[Any], session: Session, row: object) -> None:
    """The person of a run (the row under the cursor, or a run's own screen)."""
    person = person_of_run(row)
    if person is None:
        node.notify("Close sent no contact or lead for this run.", severity="warning",
                    markup=False)  # fmt: skip
        return
    node.app.push_screen(PersonScreen(session, person))


class PersonScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="person.back"),
        Binding("slash", "filter", "Filter", key_display="/", id="person.filter"),
        Binding("s", "sequence_runs", "Sequence's runs", id="person.sequence"),
        Binding("o", "open_lead", "Open lead", id="person.open"),
        Binding("y", "copy_email", "Copy email", show=False, id="person.copy_email"),
        Binding("r", "refresh", "Refresh", show=False, id="person.refresh"),
        Binding("q", "app.quit", "Quit", id="person.quit"),
    ]
    DEFAULT_CSS = """
    PersonScreen #person-title { height: auto; padding: 0 1; background: $panel; }
    PersonScreen #person-pane { height: 1fr; border: round $primary; }
    """

    def __init__(
        self,
        session: Session,
        person: Person,
        *,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
    ) -> None:
        super().__init__()
        self.session = session
        self.person = person
        self.retry_delays = retry_delays
        self.runs: PagedList[PersonRunRow] = session.person_list(person, retry_delays=retry_delays)
        self.table = PersonRunList(self.runs, id="person-runs")
        # Who each run is for: names for the rows on screen, once the cursor rests.
        self.names = RunNames(
            self, session, self.runs, self.table, contact_found=self._named_person
        )
        self.table.on_highlight = self.names.follow
        self.opening = False  # a run's sequence is being fetched before it is shown
        self.pane: FeedPane[PersonRunRow] = FeedPane(
            self.table,
            plural="runs",
            placeholder="filter by sequence, reason or sender; status: and reason: terms",
            title="Runs in every sequence",
            refresh_binding=("person.refresh", "r"),
            noun="runs of this person",
            id="person-pane",
            filter_id="person-filter",
        )

    @property
    def title_content(self) -> Content:
        kind = "contact" if self.person.is_contact else "lead"
        return Content.assemble((f"{kind} ", "$text-muted"), inert_content(self.person.label()))

    def compose(self) -> ComposeResult:
        yield Static(self.title_content, id="person-title")
        yield self.pane
        yield KeyBar()

    def on_mount(self) -> None:
        self.table.focus()
        self.pane.start()

    def help_sections(self) -> list[tuple[str, Iterable[BindingType]]]:
        return [
            ("Runs", [*PersonRunList.BINDINGS, *FeedPane.BINDINGS]),
            ("This screen", [*self.BINDINGS, *self.app.BINDINGS]),
        ]

    # -- who each run is for, and the person's name -----------------------------------------

    @property
    def names_due(self) -> bool:
        """A names lookup waits for the cursor to rest (the app's `busy` reads this)."""
        return self.names.due

    def on_feed_pane_changed(self, message: FeedPane.Changed) -> None:
        if message.event.kind == "rows":
            self.names.follow()

    def _named_person(self, name: str) -> None:
        """A contact opened by id alone, named in the title once a run gives its name."""
        p = self.person
        if p.name or not p.is_contact:
            return
        self.person = Person(p.field, p.id, name, p.email, p.lead_id)
        self.query_one("#person-title", Static).update(self.title_content)

    # -- a run, its sequence, and Close -----------------------------------------------------

    @on(PagedTable.Opened, "#person-runs")
    def _opened(self, message: PagedTable.Opened) -> None:
        row = message.row
        if isinstance(row, PersonRunRow):
            self.opening = True
            spawn(self, self._open_run(row), "open")

    async def _open_run(self, row: PersonRunRow) -> None:
        """The run with its sequence's cadence: the sequence fetched first if the cache does
        not have it (and the network is there)."""
        try:
            sequence_id = row.subscription.sequence_id
            source = self.session.source
            if sequence_id and source.sequence(sequence_id) is None and source.client:
                try:
                    await source.fetch_detail(sequence_id)
                except ApiError as exc:
                    self.notify(exc.message, title="Sequence not loaded", severity="warning",
                                markup=False)  # fmt: skip
            view = source.sequence(sequence_id) if sequence_id else None
            name = view.sequence.name if view is not None else (sequence_id or "?")
            if not row.sequence_name and view is not None:
                row.with_sequence(view.sequence.name)
                self.runs.update([row])
                self.table.refresh()
            title = Content.assemble(
                title_for(name, sequence_id or "?"),
                ("  ·  run ", "$text-muted"),
                inert_content(row.id),
            )
            self.app.push_screen(RunScreen(self.session, row, title))
        finally:
            self.opening = False

    def action_sequence_runs(self) -> None:
        row = self.table.current_row
        sequence_id = row.subscription.sequence_id if row is not None else None
        if row is None or not sequence_id:
            self.notify("No sequence for this row.", severity="warning", markup=False)
            return
        title = title_for(row.sequence_name or sequence_id, sequence_id)
        self.app.push_screen(SubscriptionsScreen(self.session, sequence_id, title))

    def action_open_lead(self) -> None:
        row = self.table.current_row
        lead_id = (row.subscription.lead_id if row is not None else None) or self.person.lead_id
        if not lead_id:
            self.notify("No lead for this person.", severity="warning", markup=False)
            return
        open_in_close(self, url_for(LEAD_URL, lead_id), "lead")

    def action_copy_email(self) -> None:
        row = self.table.current_row
        email = (row.subscription.contact_email if row is not None else None) or self.person.email
        copy_text(self, email or "", "contact email")

    def action_filter(self) -> None:
        self.pane.open_filter()

    def action_back(self) -> None:
        if self.focused is self.pane.filter_input or self.runs.filter:
            self.pane.clear_filter()
            return
        self.dismiss()

    def action_refresh(self) -> None:
        self.notify(self.pane.refresh_or_retry(), markup=False, timeout=2)


class PeopleScreen(ModalScreen[Person | None]):
    """Several people match what was typed: choose one (Esc: none)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_none", "Back", id="people.back"),
    ]
    DEFAULT_CSS = """
    PeopleScreen { align: center middle; }
    PeopleScreen > #people { width: 90%; max-width: 100; height: auto; max-height: 80%;
        border: round $primary; }
    """

    def __init__(self, text: str, people: list[Person]) -> None:
        super().__init__()
        self.text = text
        self.people = people

    def compose(self) -> ComposeResult:
        options = [Option(inert_content(p.label()), id=str(i)) for i, p in enumerate(self.people)]
        chooser = OptionList(*options, id="people")
        chooser.border_title = f"{len(self.people)} people match {inert(self.text)!r}: choose one"
        yield chooser

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(self.people[int(message.option.id or 0)])

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


async def find_person(node: Widget | App[Any], session: Session, text: str) -> None:
    """Resolve what was typed and open that person's runs; several: ask; none: say so."""
    text = text.strip()
    if not text:
        return
    found = await resolve(text, session.cache, session.lookups, session.client)
    for notice in found.notices:
        node.notify(notice, title="Search", severity="warning", markup=False)
    if not found.people:
        where = "in Close" if found.asked_close else "in the cache"
        node.notify(f"No one matches {inert(text)!r} {where}.", severity="warning", markup=False)
        return
    app = node.app
    if len(found.people) == 1:
        app.push_screen(PersonScreen(session, found.people[0]))
        return

    def chosen(person: Person | None) -> None:
        if person is not None:
            app.push_screen(PersonScreen(session, person))

    app.push_screen(PeopleScreen(text, found.people), chosen)


class PersonProvider(Provider):
    """*Find a person…*: what is typed (an email, a name, an id) as one hit, and the names
    the cache knows that contain it."""

    def _session(self) -> Session | None:
        session = getattr(self.app, "session", None)
        return session if isinstance(session, Session) else None

    def _find(self, text: str) -> Callable[[], None]:
        def run() -> None:
            session = self._session()
            if session is not None:
                spawn(self.app, find_person(self.app, session, text), "find person")

        return run

    def _open(self, person: Person) -> Callable[[], None]:
        def run() -> None:
            session = self._session()
            if session is not None:
                self.app.push_screen(PersonScreen(session, person))

        return run

    async def discover(self) -> Hits:
        yield DiscoveryHit(
            Content("Type an email, a name, or a cont_… / lead_… id"),
            lambda: None,
            text="find a person",
        )

    async def search(self, query: str) -> Hits:
        text = query.strip()
        session = self._session()
        if not text or session is None:
            return
        shown = inert(text)
        yield Hit(1.0, Content.assemble(("Find ", "bold"), shown), self._find(text),
                  text=f"Find {shown}", help="in the cache, then with Close's search")  # fmt: skip
        if "@" in text or Person.of_id(text) is not None:
            return
        for contact_id, name in session.cache.lookups_named(CONTACT, text, limit=10):
            person = Person("contact_id", contact_id, name=name)
            label = inert(name)
            yield Hit(0.8, Content(label), self._open(person), text=label,
                      help=escape(inert(contact_id)))  # fmt: skip


def owners() -> tuple[type[DOMNode], ...]:
    """The classes whose bindings the person view adds, for the keymap's check."""
    return (PersonScreen, PeopleScreen, PersonRunList)
