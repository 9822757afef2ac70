"""CloseClient: the one way closetui talks to Close, on one httpx.AsyncClient.

It owns auth, the trailing slash, retries with backoff, rate limits, and turning every failure
into a typed error whose message a person can read and that never holds the key.
"""

from __future__ import annotations

import asyncio
import random
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from closetui.close.headers import common_headers
from closetui.close.models import (
    EmailTemplate,
    Page,
    Party,
    Sequence,
    SequenceListing,
    SmsTemplate,
    Subscription,
    User,
)
from closetui.close.paging import ListAnswer, read_page
from closetui.close.people import SearchHit, parse_search, search_body
from closetui.close.ratelimit import RateGate, parse_rate_limit, retry_after
from closetui.close.scrub import secret_pattern
from closetui.close.trace import Trace, TracingTransport
from closetui.close.urls import DEFAULT_BASE_URL, DEFAULT_PAGE_SIZE, check_base_url
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
    SkipCeiling,
    TlsFailed,
    TooSlow,
)
from closetui.textsafe import parse_json

RETRY_STATUSES = frozenset({502, 503, 504})
# Only the name: Close's lead and contact objects are large, and `_fields` narrows them.
PARTY_FIELDS = {"_fields": "id,display_name,name"}
# What the detail shows of an email template, its body included (shown with `b`, and kept
# for offline use). (The SMS template's reference lists no `_fields`, nor does the
# sequence's, whose detail call also carries the subscription counts.)
EMAIL_TEMPLATE_FIELDS = ("id", "name", "subject", "body")
_LIMIT_TOO_LARGE = re.compile(r"max_limit\s*=\s*(\d+)")
# Close's 400 for a `_skip` past the resource's maximum: "The skip you set is larger than the
# maximum skip for this resource (max_skip = 250000)". Matched loosely, as the wording may move.
_SKIP_TOO_LARGE = re.compile(r"max_skip|maximum\s+skip", re.IGNORECASE)
_MAX_SKIP = re.compile(r"max_skip\s*=\s*(\d{1,15})\b", re.IGNORECASE)
_T = TypeVar("_T")
MB = 1024 * 1024
DEFAULT_MAX_BODY = 32 * MB  # far above any real page (100 sequences are well under 1 MB)
DEFAULT_DEADLINE = 60.0  # seconds for one request, retries included, rate-limit waits not
RETRY_FLOOR = 0.05  # seconds: no retry is sooner, whatever the server or a setting says
RETRY_CEILING = 30.0  # seconds: where our own growing waits stop growing
MAX_REDIRECTS = 5
ERROR_TEXT_MAX = 300  # characters of a server's error text worth showing
# OpenSSL's reasons when what answered a TLS hello was not TLS (a plain-HTTP port).
_NOT_TLS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG",
     "UNKNOWN_PROTOCOL", "UNSUPPORTED_PROTOCOL"}
)  # fmt: skip


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


def _server_message(body: bytes | bytearray) -> str:
    try:
        parsed = parse_json(body)
    except (ValueError, RecursionError):
        text = bytes(body[: ERROR_TEXT_MAX * 4]).decode("utf-8", "replace").strip()
        return text if text and "<" not in text[:1] else ""
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, str):
            return error
        parts = [str(e) for e in parsed.get("errors") or [] if e]
        field_errors = parsed.get("field-errors")
        if isinstance(field_errors, dict):
            parts += [f"{k}: {v}" for k, v in field_errors.items()]
        return "; ".join(parts)
    return ""


def skip_ceiling(error: BadRequest, skip: int) -> SkipCeiling | None:
    """The 400 as a `SkipCeiling` if it says the skip is past the resource's maximum. The
    server's figure is read as a number and nothing else of its text is kept."""
    if not _SKIP_TOO_LARGE.search(error.message):
        return None
    found = _MAX_SKIP.search(error.message)
    return SkipCeiling(skip, int(found.group(1)) if found else None)


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error under an httpx connect error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _describe_tls(error: ssl.SSLError, host: str) -> str:
    head = f"The TLS handshake with {host} failed"
    if isinstance(error, ssl.SSLCertVerificationError):
        why = error.verify_message or error.reason or "it could not be verified"
        return f"{head}: its certificate was not accepted ({why})."
    reason = (error.reason or "").upper()
    if reason in _NOT_TLS:
        return f"{head}: what answered does not speak TLS (is it a plain http:// port?)."
    if isinstance(error, ssl.SSLEOFError) or "EOF" in reason:
        return f"{head}: the server closed the connection during the handshake."
    return f"{head} ({(error.reason or str(error)).replace('_', ' ').lower()})."


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


class _Unreached(Exception):
    """No answer arrived (a refused or dropped connection, a read timeout): maybe next time.
    `sent`: the request may have reached the server (anything but a failed connect), so a
    write it carried may have been applied."""

    def __init__(self, reason: str, *, sent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent


class AnswerLost(NetworkError):
    """A write went out and no answer came back (a dropped connection, a timeout, a 5xx from
    a proxy): Close may or may not have applied it. Only an idempotent write is sent again;
    for any other the caller asks Close what became of it."""


# The writes closetui makes, and whether sending one twice has the effect of sending it once.
# A PUT of a status is (the run ends in that status either way). A DELETE is too in effect,
# but not in its answer: a second DELETE of a run the first removed answers 404, which would
# read as a failure. So a DELETE whose answer was lost is not sent again: `AnswerLost` lets
# the caller look (GET) instead.
IDEMPOTENT = {"PUT": True, "DELETE": False}


class CloseClient:
    """An async Close API client. Use as `async with CloseClient(...) as client:`.

    Every request is bounded: its answer may be at most `max_body` bytes (counted as it
    streams, so a bigger one costs no more memory than that), and it ends within `deadline`
    seconds, retries included, however slowly the server sends.
    """

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
        deadline: float = DEFAULT_DEADLINE,
        max_body: int = DEFAULT_MAX_BODY,
        on_event: Callable[[ClientEvent], None] | None = None,
        trace: Trace | None = None,
    ) -> None:
        if not api_key and not oauth_token:
            raise ConfigError("No API key given.")
        self.base_url = check_base_url(base_url)
        self.host = urlsplit(self.base_url).hostname or "the server"
        self._secret = secret_pattern(api_key or oauth_token or "")
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_rate_wait = max_rate_wait
        self.deadline = deadline
        self.max_body = max_body
        self.on_event = on_event
        self.gate = RateGate()
        self._max_limit: dict[str, int] = {}
        if isinstance(timeout, httpx.Timeout):
            self.timeout = timeout
        else:
            self.timeout = httpx.Timeout(timeout or 20.0, connect=min(timeout or 5.0, 5.0))
        headers = common_headers()
        auth: httpx.Auth | None = None
        if api_key:
            auth = httpx.BasicAuth(api_key, "")
        else:
            headers["Authorization"] = f"Bearer {oauth_token}"
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        self.trace = trace  # `--trace FILE`, if any: a command says if it stopped at its cap
        if trace is not None:
            # Below the client, so the trace sees each exchange as sent: retries, redirects.
            transport = TracingTransport(
                transport or httpx.AsyncHTTPTransport(limits=limits), trace
            )
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            headers=headers,
            timeout=self.timeout,
            transport=transport,
            # Redirects are followed here, not by httpx, which would read a redirect's whole
            # body into memory, however big.
            follow_redirects=False,
            limits=limits,
        )

    def __repr__(self) -> str:
        return f"CloseClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> CloseClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def scrub(self, text: str) -> str:
        """Text with the key, in any form a server could echo it, replaced: for whatever of
        an answer is shown (a name in `doctor`), as for every error."""
        return self._scrub(text)

    def _scrub(self, text: str) -> str:
        return self._secret.sub("***", text) if self._secret else text

    def _emit(self, event: ClientEvent) -> None:
        if self.on_event is not None:
            self.on_event(event)

    def _backoff(self, attempt: int) -> float:
        grown = max(self.backoff, RETRY_FLOOR) * 2 ** (attempt - 1)
        return float(max(RETRY_FLOOR, min(grown, RETRY_CEILING) * random.uniform(0.5, 1.5)))

    def _rate_wait(self, attempt: int, said: float | None) -> float:
        """The wait after the `attempt`th 429 in a row: what the server said, but never less
        than a floor that doubles each time (`Retry-After: 0` would otherwise mean a storm)."""
        grown = min(max(self.backoff, RETRY_FLOOR) * 2 ** (attempt - 1), RETRY_CEILING)
        return float(max(grown, said or 0.0))

    # -- the one request path -------------------------------------------------------------

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a path under the base URL and return its JSON, or raise a typed error."""
        return await self._request("GET", path, params)

    async def post_read(self, path: str, body: Any) -> Any:
        """POST a JSON body to an endpoint that only reads (Close's search takes its query
        in the body): retried like a GET, since asking again changes nothing."""
        return await self._request("POST", path, None, body, reads_only=True)

    async def write(self, method: str, path: str, body: Any = None) -> Any:
        """PUT or DELETE a path and return the answer's JSON (None for an empty answer).

        The same rate gate, backoff and deadline as `get`, with one rule more: once the
        request may have reached Close (it went out and no answer came, or a 502/503/504
        came back), it is sent again only if it is idempotent (`IDEMPOTENT`); otherwise
        `AnswerLost`. A 429 and a failed connect are always retried: Close did nothing."""
        return await self._request(method, path, None, body)

    async def _request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any = None,
        *,
        reads_only: bool = False,
    ) -> Any:
        """In layers, as httpx's own `send`: this is the retry policy (network failures and
        5xx with a growing backoff, 429s with the server's wait or more, all within one
        deadline; a write that may have been applied only if sending it again is harmless);
        `_attempt` is one exchange through the rate gate; `_decode` reads the answer."""
        resend = method == "GET" or reads_only or IDEMPOTENT[method]
        path = path.lstrip("/")
        if not path.endswith("/"):
            path += "/"  # a slash-less path costs a redirect round trip
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.deadline  # moved on by waits the rate limit asks for
        retries = limited = 0
        rate_waited = 0.0
        while True:
            waited = await self._through_gate(rate_waited)
            rate_waited += waited
            ends += waited
            try:
                response, answer = await self._attempt(path, params, ends, method, body)
            except _Unreached as exc:
                if exc.sent and not resend:
                    raise AnswerLost(
                        self._scrub(f"{exc.reason[0].upper()}{exc.reason[1:]} after the "
                                    f"{method} went out: Close may have applied it.")
                    ) from None  # fmt: skip
                delay = self._backoff(retries + 1)
                if retries < self.max_retries and loop.time() + delay < ends:
                    retries += 1
                    self._emit(ClientEvent("retrying", delay, retries, exc.reason))
                    await asyncio.sleep(delay)
                    continue
                reason = exc.reason
                raise NetworkError(self._scrub(f"{reason[0].upper()}{reason[1:]}.")) from None
            status = response.status_code
            if status == 429:
                limited += 1
                info = parse_rate_limit(response.headers)
                said = (info.reset if info and info.reset else None) or retry_after(
                    response.headers
                )
                delay = self._rate_wait(limited, said)
                if rate_waited + delay > self.max_rate_wait:
                    raise RateLimited(
                        f"Close kept refusing with 429 Too Many Requests after {rate_waited:.0f} s "
                        "of waiting.",
                        status=429,
                    )
                self.gate.block_for(delay)
                continue
            if status in RETRY_STATUSES and not resend:
                raise AnswerLost(
                    f"Close answered {status} to the {method}: it may have applied it.",
                    status=status,
                )
            if status in RETRY_STATUSES and retries < self.max_retries:
                delay = self._backoff(retries + 1)
                if loop.time() + delay < ends:
                    retries += 1
                    self._emit(ClientEvent("retrying", delay, retries, f"server error {status}"))
                    await asyncio.sleep(delay)
                    continue
            return self._decode(response, answer, path, empty_ok=method != "GET")

    async def _through_gate(self, waited_so_far: float) -> float:
        """Wait while the rate gate says this window is used up; the seconds waited."""
        waited = 0.0
        while (gate_delay := self.gate.delay()) > 0:
            if waited_so_far + waited + gate_delay > self.max_rate_wait:
                raise RateLimited(
                    f"Close's rate limit would need a wait of {gate_delay:.0f} s more; gave up.",
                    status=429,
                )
            self._emit(ClientEvent("rate_limited", gate_delay, 0, "rate limit reached"))
            waited += await self.gate.wait()  # then look again: others woke too
        return waited

    async def _attempt(
        self,
        path: str,
        params: dict[str, Any] | None,
        ends: float,
        method: str = "GET",
        body: Any = None,
    ) -> tuple[httpx.Response, bytearray]:
        """One exchange, counted by the gate, with transport failures turned into ours: a
        deadline passed (TooSlow) or a TLS handshake refused (TlsFailed) are final; anything
        else that kept the answer from arriving is `_Unreached`, which may be retried."""
        sent_at = self.gate.sent()
        try:
            async with asyncio.timeout_at(ends) as budget:
                response, answer = await self._exchange(path, params, method, body)
        except BaseException as exc:
            self.gate.answered(sent_at)
            if isinstance(exc, TimeoutError) and budget.expired():
                raise TooSlow.answering(self.host, path, self.deadline) from None
            if not isinstance(exc, httpx.TransportError | OSError):
                raise
            tls = _tls_failure(exc)
            if tls is not None:
                # The same certificate or port answers the same way next time.
                raise TlsFailed(self._scrub(_describe_tls(tls, self.host))) from None
            sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            raise _Unreached(_describe_network(exc, self.host, self.timeout), sent=sent) from None
        self.gate.answered(sent_at)
        self.gate.observe(parse_rate_limit(response.headers), sent_at)
        return response, answer

    def _decode(
        self, response: httpx.Response, body: bytearray, path: str, empty_ok: bool = False
    ) -> Any:
        """An answer's JSON, or the typed error its status or its body calls for. (A DELETE
        may answer 200 or 204 with no body: `empty_ok` takes that as None.)"""
        status = response.status_code
        if status >= 400 or status < 200:
            raise self._error(status, body, path)
        if empty_ok and not body.strip():
            return None
        try:
            return parse_json(body)
        except RecursionError:
            raise ProtocolError(
                f"{self.host} sent JSON nested too deeply to read for /{path}", status=status
            ) from None
        except ValueError:
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            what = "an empty answer" if not body else f"something not JSON ({kind})"
            raise ProtocolError(
                self._scrub(f"{self.host} sent {what} for /{path}"), status=status
            ) from None

    async def _exchange(
        self, path: str, params: dict[str, Any] | None, method: str = "GET", body: Any = None
    ) -> tuple[httpx.Response, bytearray]:
        """One request and its whole body, following redirects; the body read as it
        streams and refused past `max_body`."""
        request = self._http.build_request(method, path, params=params, json=body)
        auth: Any = httpx.USE_CLIENT_DEFAULT
        for _ in range(MAX_REDIRECTS + 1):
            response = await self._http.send(request, stream=True, auth=auth)
            try:
                if response.next_request is None:
                    return response, await self._read(response, path)
                if method != "GET":
                    # A redirected write may come back as a GET (301/302 do that), and a GET's
                    # answer would read as the change done: a write is never redirected.
                    raise ProtocolError(
                        f"{self.host} redirected the {method} of /{path}: not followed, "
                        "nothing was changed by closetui there"
                    )
                # httpx built the next request with the headers it may carry: the key stays
                # only on the same origin. No auth of ours is added to it.
                request, auth = response.next_request, None
            finally:
                await response.aclose()
        raise ProtocolError(f"{self.host} redirected too many times (a redirect loop) at /{path}")

    async def _read(self, response: httpx.Response, path: str) -> bytearray:
        length = response.headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > self.max_body:
            raise self._too_big(path)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_body:
                raise self._too_big(path)
        return body

    def _too_big(self, path: str) -> ProtocolError:
        return ProtocolError(
            f"{self.host} sent more than {self.max_body / MB:g} MB for /{path}; "
            "that is more than any page should be, so it was refused."
        )

    def _error(self, status: int, body: bytes | bytearray, path: str) -> ApiError:
        detail = self._scrub(_server_message(body))
        if len(detail) > ERROR_TEXT_MAX:
            detail = detail[: ERROR_TEXT_MAX - 1] + "…"
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

    # -- writes ---------------------------------------------------------------------------

    async def get_subscription(self, subscription_id: str) -> tuple[Subscription, dict[str, Any]]:
        body = await self.get(f"sequence_subscription/{quote(subscription_id, safe='')}/")
        return Subscription.from_api(body), body

    async def set_subscription_status(
        self, subscription_id: str, status: str
    ) -> tuple[Subscription, dict[str, Any]]:
        """`PUT /sequence_subscription/{id}/` with `{"status": status}` ("paused", or
        "active" to resume): the run as Close answers it."""
        path = f"sequence_subscription/{quote(subscription_id, safe='')}/"
        body = await self.write("PUT", path, {"status": status})
        if not isinstance(body, dict):
            raise ProtocolError(f"{self.host} answered the change of /{path} without the run")
        return Subscription.from_api(body), body

    async def delete_subscription(self, subscription_id: str) -> None:
        """`DELETE /sequence_subscription/{id}/`: the contact leaves the sequence."""
        await self.write("DELETE", f"sequence_subscription/{quote(subscription_id, safe='')}/")

    # -- paging ---------------------------------------------------------------------------

    async def page(
        self,
        path: str,
        parse: Callable[[Any, str], _T],
        skip: int,
        limit: int,
        params: dict[str, Any] | None = None,
    ) -> Page[_T]:
        """One page of an offset-paged list, its items read (`answer`, then `read_page`)."""
        return read_page(await self.answer(path, skip, limit, params), parse)

    async def answer(
        self, path: str, skip: int, limit: int, params: dict[str, Any] | None = None
    ) -> ListAnswer:
        """One answer of an offset-paged list, its items not yet read: what a walk needs to
        send its next requests (`has_more`, how many came), before the items are parsed.

        A 400 saying the limit is above the resource's maximum makes it retry with the
        maximum (or half), and remember it for this path. A 400 saying the skip is above the
        resource's maximum is `SkipCeiling`, at once: asking again would get the same answer.
        """
        limit = min(limit, self._max_limit.get(path, limit))
        while True:
            query = dict(params or {})
            query.update({"_skip": skip, "_limit": limit})
            try:
                body = await self.get(path, query)
                break
            except BadRequest as exc:
                ceiling = skip_ceiling(exc, skip)
                if ceiling is not None:
                    raise ceiling from None
                text = exc.message.lower()
                if "limit" not in text or "maximum" not in text or "skip" in text or limit <= 1:
                    raise
                match = _LIMIT_TOO_LARGE.search(exc.message)
                smaller = int(match.group(1)) if match else limit // 2
                if smaller >= limit:
                    smaller = limit // 2
                limit = max(1, smaller)
                self._max_limit[path] = limit
        return ListAnswer.of(body, path, skip, limit, self.host)

    # -- calls ----------------------------------------------------------------------------

    async def list_sequences(self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Page[Sequence]:
        return await self.page("sequence/", Sequence.from_api, skip, limit)

    async def list_sequence_listings(
        self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[SequenceListing]:
        """The same page as `list_sequences`, each item read only as far as the list shows
        it (the raw JSON is kept whole for the detail)."""
        return await self.page("sequence/", SequenceListing.from_api, skip, limit)

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

    async def list_person_subscriptions(
        self, field: str, person_id: str, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE
    ) -> Page[Subscription]:
        """A person's runs across every sequence: `field` is `contact_id` or `lead_id`
        (Close needs one of them, or `sequence_id`)."""
        return await self.page(
            "sequence_subscription/", Subscription.from_api, skip, limit, {field: person_id}
        )

    async def get_raw(self, kind: str, object_id: str) -> dict[str, Any]:
        """`GET /{kind}/{id}/` whole (a contact or a lead), for the person view."""
        body = await self.get(f"{kind}/{quote(object_id, safe='')}/")
        if not isinstance(body, dict):
            raise ProtocolError(f"{self.host} sent a {kind} that is not an object")
        return body

    async def search_contacts(self, text: str) -> list[SearchHit] | None:
        """Contacts by email or name through `POST /data/search/`; None when the answer is
        not the shape closetui reads."""
        return parse_search(await self.post_read("data/search/", search_body(text)))

    async def list_users(self, skip: int = 0, limit: int = DEFAULT_PAGE_SIZE) -> Page[User]:
        return await self.page("user/", User.from_api, skip, limit)

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

    async def get_lead(self, lead_id: str) -> Party:
        return Party.from_api(await self.get(f"lead/{quote(lead_id, safe='')}/", PARTY_FIELDS))

    async def get_contact(self, contact_id: str) -> Party:
        path = f"contact/{quote(contact_id, safe='')}/"
        return Party.from_api(await self.get(path, PARTY_FIELDS))

    async def me(self) -> User:
        return User.from_api(await self.get("me/"))
