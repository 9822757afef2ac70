"""One session with one Close account: the cache, the client (none while offline, or until
the app starts its network after the first frame), and the sources and lookups on them. The
commands and the app build it the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from closetui.config.settings import Settings
from closetui.config.tuning import RECONNECT_DELAYS
from closetui.demo import HISTORY_SEEDED
from closetui.lists.source import SEQUENCE_ORDERS, SequenceSource
from closetui.names.lookups import Lookups
from closetui.store.cache import Cache

# The paged lists (the app's), a sequence's runs and a person's runs (`who`, the person
# view) are imported when first asked for: `closetui list` uses none of them, and each
# command pays for its imports in start-up time.
if TYPE_CHECKING:
    from closetui.close.client import ClientEvent, CloseClient
    from closetui.close.people import Person
    from closetui.lists.paged import PagedList
    from closetui.lists.person import PersonRunRow, PersonSource
    from closetui.lists.rows import Row
    from closetui.lists.runs import SubscriptionRow, SubscriptionSource


@dataclass
class Session:
    """One account's cache, sources and lookups, and its client once connected."""

    settings: Settings
    cache: Cache
    source: SequenceSource
    lookups: Lookups
    client: CloseClient | None = None
    rate_waits: int = 0  # requests held back for the rate limit, for a summary
    _listeners: list[Callable[[ClientEvent], None]] = field(default_factory=list)

    @classmethod
    def open(cls, settings: Settings) -> Session:
        """The cache and the sources on it, with no network yet: `connect()` adds it."""
        cache = Cache.open(settings.cache_dir, settings.account)
        cache.history_bounds = (settings.history_per_sequence, settings.history_total)
        if settings.demo and not cache.meta(HISTORY_SEEDED):  # a first run has changes to show
            from closetui.demo.history import seed

            seed(cache)
        source = SequenceSource(None, cache, page_size=settings.page_size, offline=settings.offline)
        return cls(settings, cache, source, Lookups(None, cache))

    @property
    def online(self) -> bool:
        return self.client is not None

    def connect(self, client: CloseClient | None = None) -> CloseClient:
        """The network: the given client, or one built from the settings (importing httpx,
        which the app keeps off its first frame)."""
        if client is None:
            from closetui.connect import open_client

            client = open_client(self.settings)
        client.on_event = self._client_event
        self.client = self.source.client = self.lookups.client = client
        return client

    def on_client_event(self, listener: Callable[[ClientEvent], None]) -> None:
        self._listeners.append(listener)

    def _client_event(self, event: ClientEvent) -> None:
        if event.kind == "rate_limited":
            self.rate_waits += 1
        for listener in self._listeners:
            listener(event)

    def subscriptions(self, sequence_id: str, *, keep_sent: bool = True) -> SubscriptionSource:
        """A sequence's runs; `keep_sent`: each fetched page keeps the answer as sent (for
        output that writes it unchanged)."""
        from closetui.lists.runs import SubscriptionSource

        return SubscriptionSource(
            self.client,
            self.cache,
            sequence_id,
            keep_sent=keep_sent,
            page_size=self.settings.page_size,
            offline=self.settings.offline,
        )

    def person_runs(self, person: Person) -> PersonSource:
        """One person's runs across every sequence."""
        from closetui.lists.person import PersonSource

        return PersonSource(
            self.client,
            self.cache,
            person,
            self.source,
            self.lookups,
            page_size=self.settings.page_size,
            offline=self.settings.offline,
        )

    def person_list(
        self, person: Person, *, retry_delays: tuple[float, ...] = RECONNECT_DELAYS
    ) -> PagedList[PersonRunRow]:
        """One person's runs across every sequence, as one paged list."""
        from closetui.lists.paged import PagedList
        from closetui.lists.person import PERSON_ORDERS

        return PagedList(self.person_runs(person), orders=PERSON_ORDERS, retry_delays=retry_delays)

    def parallel(self) -> int:
        """How many requests to have in flight at once: what the source's walks use."""
        return self.source.width()

    def sequence_list(
        self, *, hold_network: bool = False, retry_delays: tuple[float, ...] = RECONNECT_DELAYS
    ) -> PagedList[Row]:
        """The organization's sequences as one paged list, on the session's source."""
        from closetui.lists.paged import PagedList

        return PagedList(
            self.source,
            orders=SEQUENCE_ORDERS,
            hold_network=hold_network,
            retry_delays=retry_delays,
        )

    def runs_list(
        self,
        sequence_id: str,
        *,
        retry_delays: tuple[float, ...] = RECONNECT_DELAYS,
        hold_network: bool = False,
    ) -> PagedList[SubscriptionRow]:
        """A sequence's runs as one paged list (cached pages only while `hold_network`)."""
        from closetui.lists.paged import PagedList
        from closetui.lists.runs import RUN_ORDERS

        return PagedList(
            self.subscriptions(sequence_id, keep_sent=False),
            orders=RUN_ORDERS,
            retry_delays=retry_delays,
            hold_network=hold_network,
        )

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
        self.cache.close()
