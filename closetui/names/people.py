"""Who "Pat" is: a contact id, a lead id, an email address or a name, resolved to the people
(contacts, or a lead) whose runs can be listed.

An id is taken as it is. An email or a name is looked for in the cache first (every cached
run carries `contact_email`; contact names looked up before are kept), then, online, through
Close's Advanced Filtering search (`POST /data/search/`). A search that fails or answers in a
shape closetui does not read leaves the cache's answer, with a notice saying so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from closetui.close.people import Person
from closetui.errors import ApiError
from closetui.names.lookups import CONTACT, GONE, Lookups
from closetui.store.cache import Cache

if TYPE_CHECKING:
    from closetui.close.client import CloseClient

PERSON_RUNS = "person_runs"  # the cache's pages of a person's runs (lists/person.py)
SEQUENCE_RUNS = "subscriptions"  # the cache's pages of a sequence's runs (lists/runs.py)
MAX_PEOPLE = 50  # more matches than this are not a person but a crowd: say to narrow it


@dataclass
class Resolution:
    people: list[Person]
    notices: list[str] = field(default_factory=list)
    asked_close: bool = False  # Close's search answered, and its answer is in `people`


def _from_cache(cache: Cache, text: str) -> dict[str, Person]:
    found: dict[str, Person] = {}
    if "@" in text:
        for raw, _ in cache.runs_where(
            [SEQUENCE_RUNS, PERSON_RUNS], "contact_email", text, limit=500
        ):
            contact_id = raw.get("contact_id") if isinstance(raw, dict) else None
            if isinstance(contact_id, str) and contact_id and contact_id not in found:
                lead_id = raw.get("lead_id")
                email = raw.get("contact_email")
                found[contact_id] = Person(
                    "contact_id",
                    contact_id,
                    email=email if isinstance(email, str) else text,
                    lead_id=lead_id if isinstance(lead_id, str) else None,
                )
    else:
        for contact_id, name in cache.lookups_named(CONTACT, text, limit=MAX_PEOPLE + 1):
            found.setdefault(contact_id, Person("contact_id", contact_id, name=name))
    return found


def _with_name(person: Person, lookups: Lookups) -> Person:
    if person.name:
        return person
    kind = CONTACT if person.is_contact else "lead"
    name = lookups.party_name(kind, person.id)
    if name and name != GONE:
        return Person(person.field, person.id, name, person.email, person.lead_id)
    return person


async def resolve(
    text: str, cache: Cache, lookups: Lookups, client: CloseClient | None
) -> Resolution:
    """The people `text` names. No request is made for an id, nor while offline."""
    text = text.strip()
    by_id = Person.of_id(text)
    if by_id is not None:
        return Resolution([_with_name(by_id, lookups)])
    found = await asyncio.to_thread(_from_cache, cache, text)  # a scan of the cached runs
    notices: list[str] = []
    asked = False
    if client is not None:
        try:
            hits = await client.search_contacts(text)
        except ApiError as exc:
            hits = None
            notices.append(f"Close's search failed ({exc.message}): showing who the cache knows.")
        else:
            if hits is None:
                notices.append(
                    "Close's search answered in a shape closetui does not read: showing who "
                    "the cache knows."
                )
        if hits is not None:
            asked = True
            for hit in hits:
                email = next(
                    (e for e in hit.emails if e.casefold() == text.casefold()),
                    hit.emails[0] if hit.emails else "",
                )
                known = found.get(hit.contact_id)
                found[hit.contact_id] = Person(
                    "contact_id",
                    hit.contact_id,
                    name=hit.name or (known.name if known else ""),
                    email=email or (known.email if known else ""),
                    lead_id=hit.lead_id or (known.lead_id if known else None),
                )
    people = [_with_name(p, lookups) for p in found.values()]
    return Resolution(people[: MAX_PEOPLE + 1], notices, asked)
