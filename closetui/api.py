"""CloseClient: the one way closetui talks to Close, on one httpx.AsyncClient.

It owns auth, the trailing slash, retries with backoff, rate limits, and turning every failure
into a typed error whose message a person can read and that never holds the key.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from closetui import __version__
from closetui.errors import (
    ApiError,
    AuthError,
    BadRequest,
    ConfigError,
    NetworkError,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
)
from closetui.models import (
    EmailTemplate,
    Page,
    Sequence,
    SmsTemplate,
    Subscription,
    User,
)
from closetui.ratelimit import RateGate, parse_rate_limit, retry_after
from closetui.urls import DEFAULT_BASE_URL, DEFAULT_PAGE_SIZE, check_base_url

RETRY_STATUSES = frozenset({502, 503, 504})
# What the detail shows of an email template. (The SMS template's reference lists no
# `_fields`, nor does the sequence's, whose detail call also carries the subscription counts.)
EMAIL_TEMPLATE_FIELDS = ("id", "name", "subject")
_LIMIT_TOO_LARGE = re.compile(r"max_limit\s*=\s*(\d+)")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class ClientEvent:
    """Something the person may want to know while a request is held up."""

    kind: str  # "rate_limited" or "retrying"
    seconds: float
    attempt: int
    reason: str

    def describe(self) -> str:
        seconds = max(1, round(self.seconds))
        if self.kind == "rate_limited":
            return f"rate limited, retrying in {seconds} s"
        return f"{self.reason}, retrying in {seconds} s"


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return text[:200] if text and "<" not in text[:1] else ""
    if isinstance(body, dict):
        if isinstance(body.get("error"), str):
            return body["error"]
        parts = [str(e) for e in body.get("errors") or [] if e]
        field_errors = body.get("field-errors")
        if isinstance(field_errors, dict):
            parts += [f"{k}: {v}" for k, v in field_errors.items()]
        return "; ".join(parts)
    return ""


def _describe_network(exc: Exception, host: str, timeout: httpx.Timeout) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connecting to {host} timed out"
    if isinstance(exc, httpx.TimeoutException):
        return f"{host} did not answer within {timeout.read:g} s"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection to {host} was dropped"
    return f"network error talking to {host}"


class CloseClient:
    """An async Close API client. Use as `async with CloseClient(...) as client:`."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        oauth_token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_rate_wait: float = 60.0,
        on_event: Callable[[ClientEvent], None] | None = None,
    ) -> None:
        if not api_key and not oauth_token:
            raise ConfigError("No API key given.")
        self.base_url = check_base_url(base_url)
        self.host = urlsplit(self.base_url).hostname or "the server"
        self._secret = api_key or oauth_token or ""
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_rate_wait = max_rate_wait
        self.on_event = on_event
        self.gate = RateGate()
        self._max_limit: dict[str, int] = {}
        if isinstance(timeout, httpx.Timeout):
            self.timeout = timeout
        else:
            self.timeout = httpx.Timeout(timeout or 20.0, connect=min(timeout or 5.0, 5.0))
        headers = {"User-Agent": f"closetui/{__version__}", "Accept": "application/json"}
        auth: httpx.Auth | None = None
        if api_key:
            auth = httpx.BasicAuth(api_key, "")
        else:
            headers["Authorization"] = f"Bearer {oauth_token}"
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            headers=headers,
            timeout=self.timeout,
            transport=transport,
            follow_redirects=True,
            max_redirects=5,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )

    def __repr__(self) -> str:
        return f"CloseClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> CloseClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _emit(self, event: ClientEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _backoff(self, attempt: int) -> float:
        return self.backoff * (2 ** (attempt - 1)) * random.uniform(0.5, 1.5)

    # -- the one request path -------------------------------------------------------------

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a path under the base URL and return its JSON, or raise a typed error."""
        path = path.lstrip("/")
        if not path.endswith("/"):
            path += "/"  # a slash-less path costs a redirect round trip
        retries = 0
        rate_waited = 0.0
        while True:
            while (gate_delay := self.gate.delay()) > 0:
                if rate_waited + gate_delay > self.max_rate_wait:
                    raise RateLimited(
                        f"Close's rate limit would need a wait of {gate_delay:.0f} s more; "
                        "gave up.",
                        status=429,
                    )
                self._emit(ClientEvent("rate_limited", gate_delay, 0, "rate limit reached"))
                rate_waited += await self.gate.wait()  # then look again: others woke too
            sent_at = self.gate.sent()
            try:
                response = await self._http.get(path, params=params)
            except BaseException as exc:
                self.gate.answered(sent_at)
                if isinstance(exc, httpx.TooManyRedirects):
                    raise ProtocolError(
                        f"{self.host} redirected too many times (a redirect loop) at /{path}"
                    ) from None
                if not isinstance(exc, httpx.TransportError | OSError):
                    raise
                reason = _describe_network(exc, self.host, self.timeout)
                if retries < self.max_retries:
                    retries += 1
                    delay = self._backoff(retries)
                    self._emit(ClientEvent("retrying", delay, retries, reason))
                    await asyncio.sleep(delay)
                    continue
                raise NetworkError(self._scrub(f"{reason[0].upper()}{reason[1:]}.")) from None
            self.gate.answered()
            self.gate.observe(parse_rate_limit(response.headers), sent_at)
            status = response.status_code
            if status == 429:
                info = parse_rate_limit(response.headers)
                delay = (info.reset if info and info.reset else None) or retry_after(
                    response.headers
                )
                delay = max(0.05, delay if delay is not None else 1.0)
                if rate_waited + delay > self.max_rate_wait:
                    raise RateLimited(
                        f"Close kept refusing with 429 Too Many Requests after {rate_waited:.0f} s "
                        "of waiting.",
                        status=429,
                    )
                self.gate.block_for(delay)
                continue
            if status in RETRY_STATUSES and retries < self.max_retries:
                retries += 1
                delay = self._backoff(retries)
                self._emit(ClientEvent("retrying", delay, retries, f"server error {status}"))
                await asyncio.sleep(delay)
                continue
            if status >= 400 or status < 200:
                raise self._error(response, path)
            try:
                return response.json()
            except ValueError:
                kind = response.headers.get("content-type", "no content type").split(";")[0]
                what = "an empty answer" if not response.content else f"something not JSON ({kind})"
                raise ProtocolError(f"{self.host} sent {what} for /{path}", status=status) from None

    def _error(self, response: httpx.Response, path: str) -> ApiError:
        status = response.status_code
        detail = self._scrub(_server_message(response))
        suffix = f": {detail}" if detail else ""
        if status == 401:
            return AuthError(f"Close refused the API key (401 Unauthorized){suffix}", status=status)
        if status in (402, 403):
            return AuthError(
                f"This key is not allowed to do that ({status}){suffix}", status=status
            )
        if status == 404:
            return NotFound(f"Not found: /{path}{suffix}", status=status)
        if status == 400:
            return BadRequest(f"Close refused the request{suffix or ' (400)'}", status=status)
        if status >= 500:
            return ServerError(f"Close had a server error ({status}){suffix}", status=status)
        return ServerError(f"Unexpected answer {status} from {self.host}{suffix}", status=status)

    # -- paging ---------------------------------------------------------------------------

    async def page(
        self,
        path: str,
        parse: Callable[[Any, str], _T],
        skip: int,
        limit: int,
        params: dict[str, Any] | None = None,
    ) -> Page[_T]:
        """One page of an offset-paged list; an item that cannot be read becomes a note in
        `problems` instead of failing the other items.

        A 400 saying the limit is above the resource's maximum makes it retry with the
        maximum (or half), and remember it for this path.
        """
        limit = min(limit, self._max_limit.get(path, limit))
        while True:
            query = dict(params or {})
            query.update({"_skip": skip, "_limit": limit})
            try:
                body = await self.get(path, query)
                break
            except BadRequest as exc:
                text = exc.message.lower()
                if "limit" not in text or "maximum" not in text or "skip" in text or limit <= 1:
                    raise
                match = _LIMIT_TOO_LARGE.search(exc.message)
                smaller = int(match.group(1)) if match else limit // 2
                if smaller >= limit:
                    smaller = limit // 2
                limit = max(1, smaller)
                self._max_limit[path] = limit
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise ProtocolError(f"{self.host} sent a list answer without a 'data' list for /{path}")
        has_more = body.get("has_more", False)
        if not isinstance(has_more, bool):
            raise ProtocolError(f"{self.host} sent 'has_more' that is not true or false")
        items: list[_T] = []
        raw: list[dict[str, Any]] = []
        problems: list[str] = []
        for i, item in enumerate(body["data"]):
            try:
                items.append(parse(item, f"item {skip + i} of /{path}"))
            except ProtocolError as exc:
                problems.append(exc.message)
                continue
            raw.append(item)
        return Page(tuple(items), tuple(raw), has_more, skip, limit, tuple(problems))

    # -- calls ----------------------------------------------------------------------------

    async def list_sequences(self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Page[Sequence]:
        return await self.page("sequence/", Sequence.from_api, skip, limit)

    async def get_sequence(self, sequence_id: str) -> tuple[Sequence, dict[str, Any]]:
        body = await self.get(f"sequence/{quote(sequence_id, safe='')}/")
        return Sequence.from_api(body), body

    async def list_subscriptions(
        self, sequence_id: str, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[Subscription]:
        return await self.page(
            "sequence_subscription/",
            Subscription.from_api,
            skip,
            limit,
            {"sequence_id": sequence_id},
        )

    async def list_users(self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Page[User]:
        return await self.page("user/", User.from_api, skip, limit)

    async def get_user(self, user_id: str) -> User:
        return User.from_api(await self.get(f"user/{quote(user_id, safe='')}/"))

    async def get_email_template(
        self, template_id: str, fields: tuple[str, ...] | None = EMAIL_TEMPLATE_FIELDS
    ) -> EmailTemplate:
        """`fields` narrows the answer (`_fields`, which this endpoint's reference lists) to
        what closetui shows; a server that ignores it sends the whole template, parsed alike."""
        params = {"_fields": ",".join(fields)} if fields else None
        body = await self.get(f"email_template/{quote(template_id, safe='')}/", params)
        return EmailTemplate.from_api(body)

    async def get_sms_template(self, template_id: str) -> SmsTemplate:
        return SmsTemplate.from_api(await self.get(f"sms_template/{quote(template_id, safe='')}/"))

    async def me(self) -> User:
        return User.from_api(await self.get("me/"))
