"""One person's runs across every sequence, as a lazily paged list on the same feed as the
others: `GET /sequence_subscription/?contact_id=…` (or `?lead_id=…`) paged through `_skip`.

Offline, the person's own cached pages come first; a person never looked up as such is
found in the cached runs of every sequence (`closetui sync --subscriptions` fills them).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from closetui.close.models import Subscription
from closetui.close.people import Contact, Person
from closetui.errors import ApiError, ProtocolError
from closetui.lists.rows import Order
from closetui.lists.runs import KIND as SEQUENCE_RUNS
from closetui.lists.runs import SubscriptionRow, cached_total, subscription_row
from closetui.lists.source import FetchedPage, PagedSource, SequenceSource
from closetui.names.lookups import CONTACT, Lookups
from closetui.names.people import PERSON_RUNS as KIND
from closetui.store.cache import Cache
from closetui.textsafe import inert

if TYPE_CHECKING:
    from closetui.close.client import CloseClient

SEQUENCE_LOOKUPS = 8  # sequence names fetched at once for a page of a person's runs


@dataclass(slots=True)
class PersonRunRow(SubscriptionRow):
    """A run in a person's list: the run's row, and the name of its sequence."""

    sequence_name: str = ""  # made inert; "" while not known

    def named(self, contact_name: str | None, lead_name: str | None) -> None:
        SubscriptionRow.named(self, contact_name, lead_name)
        self.key = f"{self.key} {self.sequence_name.casefold()}"

    def with_sequence(self, name: str | None) -> None:
        self.sequence_name = inert(name or "")
        self.named(self.contact_name, self.lead_name)


# The ways a person's runs can be sorted, by the names its columns know them by.
PERSON_ORDERS: dict[str, Order] = {
    "sequence": Order(lambda r: (r.sequence_name or r.subscription.sequence_id or "").casefold()),
    "status": Order(lambda r: r.status.casefold()),
    "reason": Order(lambda r: r.reason.casefold()),
    "sender": Order(lambda r: r.sender.casefold()),
    "started": Order(lambda r: r.started.lstrip("~"), largest_first=True),
    "updated": Order(lambda r: r.updated, largest_first=True),
}


def person_row(sub: Subscription, fetched_at: float, sequence_name: str | None) -> PersonRunRow:
    base = subscription_row(sub, fetched_at)
    fields = {name: getattr(base, name) for name in SubscriptionRow.__dataclass_fields__}
    row = PersonRunRow(**fields)
    row.with_sequence(sequence_name)
    return row


def _parse(items: list[Any]) -> list[Subscription]:
    found = []
    for item in items:
        try:
            found.append(Subscription.from_api(item))
        except ProtocolError:
            continue
    return found


class PersonSource(PagedSource):
    def __init__(
        self,
        client: CloseClient | None,
        cache: Cache,
        person: Person,
        sequences: SequenceSource,
        lookups: Lookups | None = None,
        **options: Any,
    ) -> None:
        super().__init__(client, cache, **options)
        self.lookups = lookups
        self.person = person
        self.sequences = sequences
        self.gone_sequences: set[str] = set()
        self.named_by_contact: dict[str, str] = {}  # sequence id -> name, as the contact says
        self._contact_read = False

    def sequence_name(self, sequence_id: str | None) -> str | None:
        if not sequence_id:
            return None
        view = self.sequences.sequence(sequence_id)
        if view is not None:
            return view.sequence.name
        return self.named_by_contact.get(sequence_id)

    def cached_items(self, skip: int) -> list[tuple[Any, float]] | None:
        """What the cache holds at `skip`, as Close sent it, each with when it was fetched:
        the person's own pages, else (at 0, offline) their runs in each sequence's cached
        pages, found by a scan of every cached run (about 0.5 s for 180,000)."""
        found = self.cache.page(KIND, self.person.owner, skip)
        if found is not None:
            raw, _, fetched_at = found
            return [(item, fetched_at) for item in raw]
        if skip != 0 or self.has_own_pages() or self.client is not None:
            return None  # online, Close answers: the scan below is for offline only
        seen: dict[str, tuple[Any, float]] = {}
        for item, fetched_at in self.cache.runs_where(
            [SEQUENCE_RUNS], self.person.field, self.person.id
        ):
            run_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(run_id, str) and run_id not in seen:
                seen[run_id] = (item, fetched_at)  # newest copy first
        return list(seen.values()) or None

    def has_own_pages(self) -> bool:
        """The person's runs were listed as such before (not only seen in sequences)."""
        return bool(self.cache.page_sizes(KIND, self.person.owner))

    def rows_of(self, items: list[tuple[Any, float]]) -> list[PersonRunRow]:
        """Rows for cached items; an item that cannot be read is left out."""
        rows = []
        for item, fetched_at in items:
            for sub in _parse([item]):
                rows.append(person_row(sub, fetched_at, self.sequence_name(sub.sequence_id)))
        return rows

    def cached_page(self, skip: int) -> list[PersonRunRow] | None:
        items = self.cached_items(skip)
        return self.rows_of(items) or None if items is not None else None

    def known_total(self) -> int | None:
        return cached_total(self.cache, KIND, self.person.owner, self.limit)

    async def fetch_page(self, skip: int) -> FetchedPage:
        assert self.client is not None
        person = self.person
        page = await self.client.list_person_subscriptions(
            person.field, person.id, skip, self.limit
        )
        self.limit = page.limit
        now = self.clock()
        await asyncio.to_thread(
            self.cache.put_page, KIND, person.owner, skip, page.raw, page.has_more, now
        )
        await self._name_sequences([s.sequence_id for s in page.items])
        rows = [person_row(s, now, self.sequence_name(s.sequence_id)) for s in page.items]
        return FetchedPage(skip, rows, page.has_more, page.limit, page.problems, page)

    async def _name_sequences(self, sequence_ids: list[str | None]) -> None:
        """Each sequence of the page the cache does not know, fetched once (a person is in
        a few sequences, not thousands); one that fails stays shown by its id."""
        missing = {
            s
            for s in sequence_ids
            if s and s not in self.gone_sequences and not self.sequence_name(s)
        }
        if missing and self.person.is_contact and not self._contact_read:
            await self._read_contact()  # its `subscriptions[]` name every sequence at once
            missing = {s for s in missing if not self.sequence_name(s)}
        gate = asyncio.Semaphore(SEQUENCE_LOOKUPS)

        async def one(sequence_id: str) -> None:
            async with gate:
                try:
                    await self.sequences.fetch_detail(sequence_id)
                except ApiError:
                    self.gone_sequences.add(sequence_id)

        await asyncio.gather(*(one(s) for s in missing))

    async def _read_contact(self) -> None:
        """`GET /contact/{id}/`: the documented contact lists its runs with each sequence's
        name (`subscriptions[].sequence_name`), one request for all of them. A contact that
        is gone, or an answer that cannot be read, leaves the sequences to be fetched."""
        assert self.client is not None
        self._contact_read = True
        try:
            contact = Contact.from_api(await self.client.get_raw("contact", self.person.id))
        except ApiError:
            return
        for run in contact.runs:
            if run.sequence_id and run.sequence_name:
                self.named_by_contact[run.sequence_id] = run.sequence_name
        if self.lookups is not None and contact.name:
            await self.lookups.remember_party(CONTACT, contact.id, contact.name)
