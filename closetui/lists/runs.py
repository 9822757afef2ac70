"""A sequence's subscriptions as a lazily paged list, on the same feed as the sequence list."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from closetui.close.models import Subscription
from closetui.errors import ProtocolError
from closetui.lists.query import reason_mark
from closetui.lists.rows import Order
from closetui.lists.source import FetchedPage, PagedSource
from closetui.present.reasons import reason_words
from closetui.store.cache import Cache
from closetui.textsafe import inert

if TYPE_CHECKING:
    from closetui.close.client import CloseClient

KIND = "subscriptions"


@dataclass(slots=True)
class SubscriptionRow:
    id: str
    key: str  # what the filter searches: contact, sender and names, casefolded
    contact: str  # the email (or the contact's id), made inert
    status: str
    reason: str  # Close's value (`email-bounced`); shown through `present.reasons.reason_words`
    sender: str
    started: str
    updated: str
    fetched_at: float
    subscription: Subscription  # every field, for the run's own screen
    contact_name: str | None = None  # looked up for the rows on screen; made inert
    lead_name: str | None = None  # None: not known yet; "" when Close says it is gone

    def named(self, contact_name: str | None, lead_name: str | None) -> None:
        """Names arrived: shown, and searchable by the filter from now on."""
        self.contact_name = inert(contact_name) if contact_name is not None else None
        self.lead_name = inert(lead_name) if lead_name is not None else None
        extra = " ".join(n for n in (self.contact_name, self.lead_name) if n)
        self.key = run_key(self.contact, self.sender, extra, self.subscription.status_reason)


# The ways a runs list can be sorted, by the names its columns know them by.
RUN_ORDERS: dict[str, Order] = {
    "contact": Order(lambda r: r.contact.casefold()),
    "lead": Order(lambda r: (r.lead_name or "").casefold()),
    "status": Order(lambda r: r.status.casefold()),
    "reason": Order(lambda r: r.reason.casefold()),
    "sender": Order(lambda r: r.sender.casefold()),
    "started": Order(lambda r: r.started.lstrip("~"), largest_first=True),
    "updated": Order(lambda r: r.updated, largest_first=True),
}


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else "—"


def started(sub: Subscription) -> str:
    """When the run started. Close's own example has `start_date: null`; then the day the
    run was created stands in, marked with `~` so it is not read as a start."""
    if sub.start_date is not None:
        return _day(sub.start_date)
    if sub.date_created is not None:
        return "~" + _day(sub.date_created)
    return "—"


def run_key(contact: str, sender: str, extra: str, reason: str | None) -> str:
    """What the filter searches: contact, sender, names and the reason in words, and the
    reason's value marked for `reason:` terms."""
    mark = reason_mark(inert(reason)) if reason else ""
    return f"{contact} {sender} {extra} {reason_words(inert(reason or ''))}{mark}".casefold()


def subscription_row(sub: Subscription, fetched_at: float) -> SubscriptionRow:
    contact = inert(sub.contact_email or sub.contact_id or "?")
    sender = inert(sub.sender_name or sub.sender_email or "—")
    return SubscriptionRow(
        id=sub.id,
        key=run_key(contact, sender, "", sub.status_reason),
        contact=contact,
        status=inert(sub.status),
        reason=inert(sub.status_reason or ""),  # Close's value; `reason_words` says it
        sender=sender,
        started=started(sub),
        updated=_day(sub.date_updated),
        fetched_at=fetched_at,
        subscription=sub,
    )


def cached_total(cache: Cache, kind: str, owner: str, limit: int) -> int | None:
    """How many runs a list's cached pages hold, when they run to the list's end without a
    gap (what lies in a gap is not known)."""
    total, expected = 0, 0
    for skip, count, has_more in cache.page_sizes(kind, owner):
        if skip != expected:
            return None
        total += count
        if not has_more:
            return total
        if not count:
            return None
        expected = skip + limit
    return None


class SubscriptionSource(PagedSource):
    def __init__(
        self,
        client: CloseClient | None,
        cache: Cache,
        sequence_id: str,
        *,
        keep_sent: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(client, cache, **options)
        self.sequence_id = sequence_id
        # Whether a fetched page keeps what Close sent (the commands write it out unchanged).
        # The app's list does not read it: the rows are all it keeps, and a walk holds the
        # pages it has read ahead, so the parsed answers would double what they cost.
        self.keep_sent = keep_sent

    def cached_page(self, skip: int) -> list[SubscriptionRow] | None:
        found = self.cache.page(KIND, self.sequence_id, skip)
        if found is None:
            return None
        raw, _, fetched_at = found
        rows = []
        for item in raw:
            try:
                rows.append(subscription_row(Subscription.from_api(item), fetched_at))
            except ProtocolError:
                continue
        return rows or None

    def known_total(self) -> int | None:
        return cached_total(self.cache, KIND, self.sequence_id, self.limit)

    async def fetch_page(self, skip: int) -> FetchedPage:
        assert self.client is not None
        page = await self.client.list_subscriptions(self.sequence_id, skip, self.limit)
        self.limit = page.limit
        now = self.clock()
        await asyncio.to_thread(
            self.cache.put_page, KIND, self.sequence_id, skip, page.raw, page.has_more, now
        )
        rows = [subscription_row(sub, now) for sub in page.items]
        sent = page if self.keep_sent else None
        return FetchedPage(skip, rows, page.has_more, page.limit, page.problems, sent)
