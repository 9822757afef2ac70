"""Names for ids: users (one paged pass over /user/) and templates (one request per distinct
template per run), cached for offline use, a few requests at a time."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from closetui.close.models import EmailTemplate, Sequence, SmsTemplate, User
from closetui.close.paging import walk
from closetui.errors import ApiError, NetworkError, NotFound, ProtocolError
from closetui.logs import log
from closetui.names.known import Names, TemplateInfo
from closetui.store.cache import Cache
from closetui.textsafe import inert

if TYPE_CHECKING:
    from closetui.close.client import CloseClient

USER = "user"
EMAIL_TEMPLATE = "email_template"
SMS_TEMPLATE = "sms_template"
LEAD = "lead"
CONTACT = "contact"
GONE = ""  # a lead or contact Close says does not exist (any more)
BODY_KEPT = 256 * 1024  # characters of a template's body kept in the cache: what is drawn


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def template_info(kind: str, template_id: str, data: object) -> TemplateInfo:
    """What the detail shows for a stored template; None stored means the API said 404."""
    if data is None:
        return TemplateInfo(template_id, missing=True)
    try:
        if kind == EMAIL_TEMPLATE:
            email = EmailTemplate.from_api(data)
            body = email.body if isinstance(data, dict) and "body" in data else None
            return TemplateInfo(template_id, email.name, email.subject, body=body, html=True)
        sms = SmsTemplate.from_api(data)
        text = sms.text if isinstance(data, dict) and "text" in data else None
        return TemplateInfo(template_id, sms.name, _first_line(sms.text), body=text)
    except ProtocolError:
        return TemplateInfo(template_id)


def templates_of(sequence: Sequence) -> list[tuple[str, str]]:
    """The distinct (kind, id) templates a sequence's steps use, in step order."""
    seen: dict[tuple[str, str], None] = {}
    for step in sequence.steps:
        if step.email_template_id:
            seen[(EMAIL_TEMPLATE, step.email_template_id)] = None
        if step.sms_template_id:
            seen[(SMS_TEMPLATE, step.sms_template_id)] = None
    return list(seen)


@dataclass(frozen=True, slots=True)
class LookupFailure:
    """A lookup that did not give its names: said once, in words, and logged."""

    what: str  # "users", "templates", "organization", "subscription counts"
    error: ApiError
    count: int = 1  # how many lookups of this kind failed so far

    @property
    def offline(self) -> bool:
        """A dead network, which the app's offline banner already says."""
        return isinstance(self.error, NetworkError)

    def describe(self) -> str:
        many = f" {self.count} times" if self.count > 1 else ""
        return inert(f"{self.what}: failed{many} ({self.error.message})")


PARTIES_KEPT = 20_000

_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(kept: dict[_K, _V], key: _K, value: _V) -> _V:
    """Put `key` in, forgetting the oldest half once there are more than PARTIES_KEPT."""
    kept[key] = value
    if len(kept) > PARTIES_KEPT:
        for old in list(itertools.islice(kept, PARTIES_KEPT // 2)):
            del kept[old]
    return value


class Lookups:
    def __init__(
        self,
        client: CloseClient | None,
        cache: Cache,
        *,
        parallel: int = 3,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.cache = cache
        self.clock = clock
        self.parallel = parallel
        self.users: dict[str, str] = {}
        self.templates: dict[str, TemplateInfo] = {}
        self._fetched: set[tuple[str, str]] = set()  # asked of the network in this run
        self._running: dict[tuple[str, str], asyncio.Future[TemplateInfo]] = {}
        self._gate: asyncio.Semaphore | None = None
        self.users_fetched_at: float | None = None
        self.users_fresh = False
        # Leads and contacts, for the runs on screen: remembered up to PARTIES_KEPT each, the
        # oldest forgotten first (the cache still has them), so a scroll through a million
        # runs costs what a scroll through a few thousand does.
        self.parties: dict[tuple[str, str], str] = {}  # (lead|contact, id) -> name or GONE
        self._not_cached: dict[tuple[str, str], None] = {}  # looked for in the cache, not there
        self.failures: dict[str, LookupFailure] = {}
        self._told: set[str] = set()
        for user_id, stored in cache.lookups(USER).items():
            self._remember_user(user_id, stored.data)
            self.users_fetched_at = max(self.users_fetched_at or 0, stored.fetched_at)

    @property
    def names(self) -> Names:
        return Names(users=self.users, templates=self.templates)

    def _remember_user(self, user_id: str, data: object) -> None:
        with contextlib.suppress(ProtocolError):
            self.users[user_id] = User.from_api(data).display_name

    # -- failures ----------------------------------------------------------------------------

    def failed(self, what: str, error: ApiError) -> LookupFailure:
        """Record a failed lookup; logged the first time for each kind."""
        before = self.failures.get(what)
        failure = LookupFailure(what, error, before.count + 1 if before else 1)
        self.failures[what] = failure
        if before is None:
            log.warning("lookup failed: %s", failure.describe())
        return failure

    def untold_failures(self) -> list[LookupFailure]:
        """Failures not yet shown to the person: each kind is said once per run."""
        fresh = [f for what, f in self.failures.items() if what not in self._told]
        self._told.update(f.what for f in fresh)
        return fresh

    @property
    def gate(self) -> asyncio.Semaphore:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.parallel)
        return self._gate

    # -- from the cache: instant -------------------------------------------------------------

    def known(self, sequence: Sequence) -> None:
        """Fill in what the cache knows about a sequence's templates."""
        for kind, template_id in templates_of(sequence):
            if template_id in self.templates:
                continue
            stored = self.cache.lookup(kind, template_id)
            if stored is not None:
                self.templates[template_id] = template_info(kind, template_id, stored.data)

    def missing(self, sequence: Sequence) -> list[tuple[str, str]]:
        """Templates of this sequence not yet asked of the network in this run."""
        return [key for key in templates_of(sequence) if key not in self._fetched]

    # -- from the network ------------------------------------------------------------------

    async def refresh_users(self, max_age: float | None = None) -> bool:
        """One paged pass over /user/, once per run (or not at all when the cached users
        are younger than `max_age` seconds). True when it ran."""
        if self.users_fresh or self.client is None:
            return False
        if (
            max_age is not None
            and self.users_fetched_at is not None
            and self.clock() - self.users_fetched_at < max_age
        ):
            return False
        self.users_fresh = True
        found: list[tuple[str, object]] = []
        client = self.client
        error: ApiError | None = None
        try:
            async with self.gate:
                async for page in walk(client.list_users, 100):
                    for user, raw in zip(page.items, page.raw, strict=True):
                        found.append((user.id, raw))
                    if page.problems:
                        self.failed("users", ProtocolError("; ".join(page.problems)))
        except ApiError as exc:
            error = exc  # what came before the failure is still worth keeping
        now = self.clock()
        await asyncio.to_thread(self.cache.put_lookups, USER, found, now)
        for user_id, data in found:
            self._remember_user(user_id, data)
        if error is not None:
            self.failed("users", error)
            return False
        self.users_fetched_at = now
        return True

    async def template(self, kind: str, template_id: str) -> TemplateInfo:
        """One request per distinct template per run, however many steps use it."""
        key = (kind, template_id)
        if key in self._running:
            return await self._running[key]
        if key in self._fetched or self.client is None:
            return self.templates.get(template_id, TemplateInfo(template_id))
        self._fetched.add(key)
        future: asyncio.Future[TemplateInfo] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            info = await self._fetch_template(kind, template_id)
            future.set_result(info)
            return info
        except BaseException as exc:
            self._fetched.discard(key)  # not known: a later look may try again
            if isinstance(exc, ApiError):
                self.failed("templates", exc)
            future.set_exception(exc)
            future.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            del self._running[key]

    async def _fetch_template(self, kind: str, template_id: str) -> TemplateInfo:
        assert self.client is not None
        get = (
            self.client.get_email_template
            if kind == EMAIL_TEMPLATE
            else self.client.get_sms_template
        )
        data: object
        async with self.gate:
            try:
                found = await get(template_id)
            except NotFound:
                data = None  # gone, or not visible to this key: remembered as such
            else:
                data = {
                    "id": found.id,
                    "name": found.name,
                    **(
                        {"subject": found.subject, "body": found.body[:BODY_KEPT]}
                        if isinstance(found, EmailTemplate)
                        else {"text": found.text[:BODY_KEPT]}
                    ),
                }
        await asyncio.to_thread(self.cache.put_lookups, kind, [(template_id, data)], self.clock())
        info = template_info(kind, template_id, data)
        self.templates[template_id] = info
        return info

    # -- leads and contacts: who a run is for ---------------------------------------------

    def party_name(self, kind: str, party_id: str | None) -> str | None:
        """A lead's or contact's name if known (from this run or the cache); GONE when Close
        said it does not exist; None when not known yet."""
        if not party_id:
            return None
        key = (kind, party_id)
        if key in self.parties:
            return self.parties[key]
        if key in self._not_cached:
            return None  # asked of the cache already: a cursor move asks again, not SQLite
        stored = self.cache.lookup(kind, party_id)
        if stored is None:
            _remember(self._not_cached, key, None)
            return None
        name = stored.data.get("name", "") if isinstance(stored.data, dict) else GONE
        return _remember(self.parties, key, name if isinstance(name, str) else GONE)

    def parties_missing(self, wanted: Iterable[tuple[str, str | None]]) -> list[tuple[str, str]]:
        """Of (kind, id) pairs, those neither known nor asked for in this run."""
        out: dict[tuple[str, str], None] = {}
        for kind, party_id in wanted:
            if (
                party_id
                and self.party_name(kind, party_id) is None
                and (kind, party_id) not in self._fetched
            ):
                out[(kind, party_id)] = None
        return list(out)

    async def look_up_parties(self, wanted: Iterable[tuple[str, str | None]]) -> int:
        """Names for the given leads and contacts: each id asked once per run, a few at a
        time, and cached; a failure is recorded in `failures`. Returns how many arrived."""
        missing = self.parties_missing(wanted)
        if not missing or self.client is None:
            return 0
        if len(self._fetched) > PARTIES_KEPT:
            self._fetched.clear()  # at worst an id far behind is asked for once more
        self._fetched.update(missing)
        client = self.client

        async def one(kind: str, party_id: str) -> tuple[str, str, str] | None:
            get = client.get_lead if kind == LEAD else client.get_contact
            async with self.gate:
                try:
                    return kind, party_id, (await get(party_id)).name
                except NotFound:
                    return kind, party_id, GONE
                except ApiError as exc:
                    self._fetched.discard((kind, party_id))
                    self.failed("lead and contact names", exc)
                    return None

        found = [r for r in await asyncio.gather(*(one(k, i) for k, i in missing)) if r]
        now = self.clock()
        for kind in (LEAD, CONTACT):
            items = [(i, {"id": i, "name": n} if n != GONE else None) for k, i, n in found
                     if k == kind]  # fmt: skip
            if items:
                await asyncio.to_thread(self.cache.put_lookups, kind, items, now)
        for kind, party_id, name in found:
            _remember(self.parties, (kind, party_id), name)
            self._not_cached.pop((kind, party_id), None)
        return len(found)

    def _has(self, template_id: str, bodies: bool) -> bool:
        info = self.templates.get(template_id)
        if info is None:
            return False
        return not bodies or info.missing or info.body is not None

    async def look_up(
        self, sequence: Sequence, *, prefer_cache: bool = False, bodies: bool = False
    ) -> None:
        """Every template of a sequence, a few at a time; a failure leaves the id showing and
        is recorded in `failures`. With `prefer_cache`, a template the cache already has is
        not asked for again (with `bodies`, unless the cache has it without its body)."""
        wanted: Iterable[tuple[str, str]] = self.missing(sequence)
        if prefer_cache:
            self.known(sequence)
            wanted = [(kind, tid) for kind, tid in wanted if not self._has(tid, bodies)]
        results = await asyncio.gather(
            *(self.template(kind, tid) for kind, tid in wanted), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ApiError):
                raise result
