"""Contacts and leads as the person view reads them (`GET /contact/{id}/`, `GET /lead/{id}/`,
the documented schemas `Contact`, `BasicSubscriptionInfoForContact` and `Lead`), and the answer
of Close's Advanced Filtering search (`POST /data/search/`), read tolerantly: its response
shape is not among the documented examples, so anything unexpected is `None`, not an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from closetui.close.models import _Reader
from closetui.textsafe import inert

CONTACT_PREFIX = "cont_"
LEAD_PREFIX = "lead_"


@dataclass(frozen=True, slots=True)
class Person:
    """Whom a list of runs is for: a contact or a lead, by id, with what is known of them."""

    field: str  # "contact_id" or "lead_id": the filter Close takes
    id: str
    name: str = ""
    email: str = ""
    lead_id: str | None = None

    @classmethod
    def of_id(cls, person_id: str) -> Person | None:
        if person_id.startswith(CONTACT_PREFIX):
            return cls("contact_id", person_id)
        if person_id.startswith(LEAD_PREFIX):
            return cls("lead_id", person_id, lead_id=person_id)
        return None

    @property
    def is_contact(self) -> bool:
        return self.field == "contact_id"

    @property
    def owner(self) -> str:
        """The key the person's cached pages are kept under."""
        return f"{self.field}:{self.id}"

    def label(self) -> str:
        """Name, email and id, as known; made inert."""
        parts = [p for p in (self.name, self.email) if p]
        return inert(" · ".join([*parts, self.id]))


@dataclass(frozen=True, slots=True)
class ContactRun:
    """One item of a contact's `subscriptions[]`: a run as the contact lists it."""

    subscription_id: str
    sequence_id: str | None
    sequence_name: str
    status: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    name: str  # display_name, else name; "" when Close has neither
    lead_id: str | None = None
    emails: tuple[str, ...] = ()
    title: str | None = None
    runs: tuple[ContactRun, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "contact") -> Contact:
        r = _Reader(data, "contact", where)
        emails = []
        for item in r.items("emails"):
            address = item.get("email") if isinstance(item, dict) else None
            if isinstance(address, str) and address:
                emails.append(address)
            else:
                r.degrade("emails", "objects with an email", "another value")
        runs = []
        for item in r.items("subscriptions"):
            run = _contact_run(item)
            if run is None:
                r.degrade("subscriptions", "subscription objects", "another value")
            else:
                runs.append(run)
        return r.finish(
            cls(
                id=r.id,
                name=r.text("display_name") or r.text("name"),
                lead_id=r.opt_id("lead_id"),
                emails=tuple(emails),
                title=r.opt_text("title"),
                runs=tuple(runs),
            )
        )


def _contact_run(item: Any) -> ContactRun | None:
    if not isinstance(item, dict) or not isinstance(item.get("subscription_id"), str):
        return None

    def text(name: str) -> str | None:
        value = item.get(name)
        return value if isinstance(value, str) else None

    return ContactRun(
        subscription_id=item["subscription_id"],
        sequence_id=text("sequence_id"),
        sequence_name=text("sequence_name") or "",
        status=text("subscription_status") or "unknown",
        reason=text("subscription_status_reason"),
    )


@dataclass(frozen=True, slots=True)
class Lead:
    id: str
    name: str  # display_name, else name
    html_url: str | None = None
    contact_ids: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    degraded: frozenset[str] = field(default=frozenset(), compare=False, hash=False, repr=False)

    @classmethod
    def from_api(cls, data: Any, where: str = "lead") -> Lead:
        r = _Reader(data, "lead", where)
        ids = [c for c in r.items("contact_ids") if isinstance(c, str) and c]
        for contact in r.items("contacts"):
            if (
                isinstance(contact, dict)
                and isinstance(contact.get("id"), str)
                and contact["id"] not in ids
            ):
                ids.append(contact["id"])
        return r.finish(
            cls(
                id=r.id,
                name=r.text("display_name") or r.text("name"),
                html_url=r.opt_text("html_url"),
                contact_ids=tuple(ids),
            )
        )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A contact the search found: its id, and what the answer said of it."""

    contact_id: str
    name: str = ""
    lead_id: str | None = None
    emails: tuple[str, ...] = ()


def search_body(text: str, limit: int = 25) -> dict[str, Any]:
    """The Advanced Filtering query for contacts whose email is `text` (when it looks like
    one) or whose name has its words. Shape as Close's tutorial shows it (`and`,
    `object_type`, `field_condition` on a `regular_field`, a `text` condition); the email
    test through `has_related` on `contact_email`, `_limit` and `_fields` are as integrations
    use them, not from Close's own examples."""
    contact = {"type": "object_type", "object_type": "contact"}
    if "@" in text:
        condition: dict[str, Any] = {
            "type": "has_related",
            "this_object_type": "contact",
            "related_object_type": "contact_email",
            "related_query": {
                "type": "field_condition",
                "field": {
                    "type": "regular_field",
                    "object_type": "contact_email",
                    "field_name": "email",
                },
                "condition": {"type": "text", "mode": "phrase", "value": text},
            },
        }
    else:
        condition = {
            "type": "field_condition",
            "field": {"type": "regular_field", "object_type": "contact", "field_name": "name"},
            "condition": {"type": "text", "mode": "full_words", "value": text},
        }
    return {
        "query": {"type": "and", "queries": [contact, condition]},
        "_limit": limit,
        "_fields": {"contact": ["id", "display_name", "name", "lead_id", "emails"]},
    }


def parse_search(body: Any) -> list[SearchHit] | None:
    """The contacts of a search answer `{"data": [{"id": "cont_…", …}, …], …}`; None when
    the answer is not that shape at all. Items that are not contacts (another object type,
    no id) are skipped."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    hits = []
    for item in body["data"]:
        if not isinstance(item, dict):
            continue
        kind = item.get("__object_type")
        contact_id = item.get("id")
        if kind not in (None, "contact") or not isinstance(contact_id, str):
            continue
        if not contact_id.startswith(CONTACT_PREFIX):
            continue
        name = item.get("display_name") or item.get("name")
        lead_id = item.get("lead_id")
        emails = tuple(
            e["email"]
            for e in item.get("emails") or []
            if isinstance(e, dict) and isinstance(e.get("email"), str)
        ) if isinstance(item.get("emails"), list) else ()  # fmt: skip
        hits.append(
            SearchHit(
                contact_id,
                name if isinstance(name, str) else "",
                lead_id if isinstance(lead_id, str) and lead_id else None,
                emails,
            )
        )
    return hits
