"""A fake Close API over the demo organization, with Close's semantics and fault switches.

One router, served two ways: as an httpx transport (`transport.py`, what `--demo` uses) and as
a real HTTP server on loopback (`server.py`, what the tests and benchmarks start).
"""

from __future__ import annotations

import base64
import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from closetui.demo.data import (
    DEMO_API_KEY,
    EMAIL_TEMPLATES,
    SMS_TEMPLATES,
    USERS,
    DemoOrg,
)

PREFIX = "/api/v1/"
FAULT_KINDS = frozenset(
    {
        "status",  # answer with `status` (and `retry_after` for a 429)
        "malformed",  # 200 with a body that is not JSON
        "empty",  # `status` (default 200) with an empty body and a JSON content type
        "wrong_shape",  # 200 with a JSON object that is not what the endpoint documents
        "drop",  # close the connection without answering
        "hang",  # answer nothing for `seconds`
        "redirect_loop",  # redirect to itself, forever
        "empty_page",  # a list page with no items and has_more true
        "duplicate_ids",  # a list page whose last item repeats its first
        "insert_head",  # a sequence is created just before this request is served
        # A hostile server:
        "huge",  # 200 with a body of `size` bytes, chunked (no Content-Length to warn of it)
        "endless",  # 200 with a chunked body that never ends
        "drip",  # 200 headers, then one byte of the body every `seconds`, never finishing
        "deep_json",  # 200 with JSON arrays nested `size` deep (default 100,000)
        "hostile_id",  # list pages' first item, and details, get the id `text`
        "slow",  # the normal answer, `seconds` late
        "same_page",  # a list page that repeats the first page's items, with has_more true
        # Text a person typed into Close, relayed as it is: a lone surrogate (`\\udc9b` in the
        # JSON, legal JSON but no character; `text` replaces it) appended to the first list
        # item's name, a sequence detail's name, /me/'s organization name and a lead's or
        # contact's name; `lone_surrogate_id` puts it in the first list item's id instead.
        "lone_surrogate",
        "lone_surrogate_id",
        # A server echoing the key back in a list page's first name, in the form `text`
        # names: "escapes" (JSON \\u escapes), "utf16" (the whole body in UTF-16), "hex", or
        # "straddle" (plain, padded so it straddles the trace's 1 MB body cut).
        "echo_key",
        "applied_drop",  # a write is applied, then the connection closes without an answer
    }
)
# Options that change what a fault sends: `text` is the error text of a `status` fault (as
# JSON {"error": text}, or the raw body when `content_type` is not JSON) or the id of
# `hostile_id`; `content_type` replaces the answer's Content-Type (`status`, `malformed`).


@dataclass
class Fault:
    kind: str
    path: str = ""  # prefix of the path under /api/v1/; "" matches every request
    times: int | None = 1  # matching requests it affects; None: all (until `seconds` is up)
    after: int = 0  # matching requests let through before it starts
    status: int = 503
    retry_after: float | None = None
    seconds: float | None = None  # a storm's length from its first hit, or a hang's length
    query: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    content_type: str | None = None
    size: int = 0
    method: str = ""  # only requests of this method ("PUT", "DELETE"); "" matches every one
    hits: int = 0
    seen: int = 0
    started: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")

    def matches(self, path: str, query: dict[str, str]) -> bool:
        return path.startswith(self.path) and all(query.get(k) == v for k, v in self.query.items())

    def live(self, now: float) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.kind != "hang" and self.seconds is not None and self.started is not None:
            return now - self.started < self.seconds
        return True


@dataclass
class Faults:
    latency: float = 0.0
    # Network jitter, in seconds: with it, each request's latency is split into a trip there
    # (before the server counts it) and a trip back, each `latency / 2` plus or minus up to
    # `jitter` at random, so requests arrive out of the order and spacing they were sent in.
    jitter: float = 0.0
    rate_limit: int | None = None  # requests allowed per `rate_window`; None: no limit
    rate_window: float = 1.0
    every_nth_429: int | None = None
    ratelimit_style: str = "comma"  # or "semicolon", as the live API has been seen sending
    ignore_fields: bool = False  # answer in full whatever `_fields` asks, as some endpoints do
    queue: list[Fault] = field(default_factory=list)

    def add(self, kind: str, **options: Any) -> Fault:
        fault = Fault(kind, **options)
        self.queue.append(fault)
        return fault

    def clear(self) -> None:
        self.queue.clear()
        self.every_nth_429 = None
        self.rate_limit = None


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str  # under /api/v1/, e.g. "sequence/"
    query: dict[str, str]
    at: float
    body: bytes = b""  # what a write sent


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    action: str | None = None  # "drop" or "hang"
    hang_seconds: float = 0.0
    # A body made as it is sent (a huge or endless one), instead of `body`: its chunks, and
    # its length when known (else it is sent chunked).
    stream: Iterator[bytes] | None = None
    length: int | None = None


CHUNK = 64 * 1024


def _huge(size: int) -> Iterator[bytes]:
    """A JSON list page of `size` bytes that would parse, if anyone read it all."""
    head, tail = b'{"has_more": false, "data": ["', b'"]}'
    yield head
    left = size - len(head) - len(tail)
    block = b"x" * CHUNK
    while left > 0:
        yield block[: min(left, CHUNK)]
        left -= CHUNK
    yield tail


def _endless() -> Iterator[bytes]:
    yield b'{"has_more": false, "data": ["'
    block = b"x" * CHUNK
    while True:
        yield block


def _drip(every: float) -> Iterator[bytes]:
    yield b"{"
    while True:
        time.sleep(every)
        yield b" "


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    merged = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
    return Reply(status, merged, body)


def _error(status: int, message: str) -> Reply:
    return _json(status, {"error": message})


def _with_surrogate(reply: Reply, path: str, fault: Fault) -> Reply:
    """The answer with a lone surrogate in the text the fault names, sent as JSON's `\\u`
    escape (ensure_ascii): it cannot be sent any other way."""
    if reply.status != 200 or not reply.body:
        return reply
    payload = json.loads(reply.body)
    odd = fault.text or "\udc9b"
    field = "id" if fault.kind == "lone_surrogate_id" else "name"
    if isinstance(payload.get("data"), list) and payload["data"]:
        first = payload["data"][0]
        first[field] = (first.get(field) or "") + odd
    elif path == "me/":
        for org in payload.get("organizations", []):
            org["name"] += odd
    elif field == "name":
        for key in ("name", "display_name"):
            if isinstance(payload.get(key), str):
                payload[key] += odd
    else:
        payload["id"] = str(payload.get("id", "")) + odd
    reply.body = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()
    return reply


class FakeClose:
    def __init__(
        self,
        org: DemoOrg | None = None,
        faults: Faults | None = None,
        *,
        api_key: str = DEMO_API_KEY,
        max_limit: int = 100,
        max_skip: int | None = None,
        log: bool = True,
    ) -> None:
        self.org = org or DemoOrg()
        self.faults = faults or Faults()
        self.api_key = api_key
        self.max_limit = max_limit
        self.max_skip = max_skip  # a `_skip` past this is refused with Close's 400
        # Whether to keep the request log below (tests and benchmarks read it). Without it,
        # the server holds nothing per request, however many it answers.
        self.log = log
        self.requests: list[RequestRecord] = []
        self.statuses: list[int] = []
        self.body_bytes: list[tuple[str, int]] = []  # (path, size of the answer's body)
        self._lock = threading.Lock()
        self._window_start = 0.0
        self._window_count = 0
        self._served = 0

    # -- what tests ask ---------------------------------------------------------------------

    def requests_to(self, path: str) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.statuses.clear()
            self.body_bytes.clear()

    # -- the request path -------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        """`target` is the request's path with its query string; header names lower case;
        `body` what a write (or a search) sent."""
        raw_path, _, query_string = target.partition("?")
        path = unquote(raw_path)
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        sub = path[len(PREFIX) :] if path.startswith(PREFIX) else path.lstrip("/")
        with self._lock:
            # The clock is read under the lock, so that windows are counted in the order the
            # requests are counted in (threads may reach the lock out of order).
            now = time.monotonic()
            if self.log:
                self.requests.append(RequestRecord(method, sub, query, now, body))
            fault = self._take_fault(sub, query, now, method)
            limited = self._rate_limit(now)
        if path.startswith(PREFIX) and not path.endswith("/"):
            location = raw_path + "/" + (f"?{query_string}" if query_string else "")
            return Reply(308, {"Location": location})
        reply = self._faulty(fault, target) if fault else None
        if reply is None:
            if limited is not None:
                reply = limited
            elif not self._authorized(headers):
                reply = _error(
                    401,
                    "The server could not verify that you are authorized to access the URL "
                    "requested. You either supplied the wrong credentials (e.g. a bad password), "
                    "or your browser doesn't understand how to supply the credentials required.",
                )
            elif method == "POST" and sub.strip("/") == "data/search":
                reply = self._search(body)
            elif method in ("PUT", "DELETE"):
                reply = self._write(method, sub, body)
                if fault is not None and fault.kind == "applied_drop":
                    reply = Reply(action="drop")  # applied; the answer never leaves
            elif method != "GET":
                reply = _error(405, "Method not allowed.")
            else:
                reply = self._route(sub, query, fault)
                if fault is not None and fault.kind.startswith("lone_surrogate"):
                    reply = _with_surrogate(reply, sub, fault)
        if reply.action is None:
            for name, value in self._rate_headers(now).items():
                reply.headers.setdefault(name, value)
        if self.log:
            with self._lock:
                self.statuses.append(reply.status if reply.action is None else 0)
                self.body_bytes.append((sub, len(reply.body)))
        return reply

    def _take_fault(
        self, path: str, query: dict[str, str], now: float, method: str = "GET"
    ) -> Fault | None:
        self._served += 1
        n = self.faults.every_nth_429
        if n and self._served % n == 0:
            return Fault("status", status=429, retry_after=0.05, hits=0)
        for fault in self.faults.queue:
            if fault.method and fault.method != method:
                continue
            if not fault.matches(path, query) or not fault.live(now):
                continue
            fault.seen += 1
            if fault.seen <= fault.after:
                continue
            if fault.started is None:
                fault.started = now
            fault.hits += 1
            return fault
        return None

    def _faulty(self, fault: Fault, target: str) -> Reply | None:
        kind = fault.kind
        if kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(math.ceil(fault.retry_after))  # 0 stays 0
                headers["RateLimit"] = f"limit=100, remaining=0, reset={fault.retry_after:g}"
            if fault.content_type is not None and "json" not in fault.content_type:
                body = (fault.text or "").encode()
                reply = Reply(fault.status, {"Content-Type": fault.content_type}, body)
            elif fault.status == 429 and fault.text is None:
                reply = _json(429, {"error": "Too many requests."})
            else:
                reply = _error(fault.status, fault.text or f"Demo fault: status {fault.status}.")
            reply.headers.update(headers)
            return reply
        if kind == "malformed":
            content_type = fault.content_type or "application/json"
            return Reply(200, {"Content-Type": content_type}, b'{"data": [{"id": "seq_')
        if kind in ("huge", "endless", "drip"):
            headers = {"Content-Type": "application/json"}
            if kind == "huge":
                return Reply(200, headers, stream=_huge(fault.size))  # chunked: no warning
            if kind == "endless":
                return Reply(200, headers, stream=_endless())
            return Reply(200, headers, stream=_drip(fault.seconds or 1.0), length=1_000_000)
        if kind == "deep_json":
            depth = fault.size or 100_000
            return Reply(200, {"Content-Type": "application/json"}, b"[" * depth + b"]" * depth)
        if kind == "slow":
            time.sleep(fault.seconds or 1.0)
            return None
        if kind == "echo_key":
            return self._echo_key(fault.text or "escapes")
        if kind == "empty":
            status = fault.status if fault.status != 503 else 200
            return Reply(status, {"Content-Type": "application/json"}, b"")
        if kind == "wrong_shape":
            return _json(200, {"result": "ok", "items": "not a list"})
        if kind == "drop":
            return Reply(action="drop")
        if kind == "hang":
            return Reply(action="hang", hang_seconds=fault.seconds or 30.0)
        if kind == "redirect_loop":
            return Reply(302, {"Location": target})
        if kind == "insert_head":
            self.org.insert_head()
        return None  # the list faults (and applied_drop) change the answer the route gives

    def _echo_key(self, form: str) -> Reply:
        key = self.api_key
        name = {"hex": key.encode().hex(), "escapes": "".join(f"\\u{ord(c):04x}" for c in key)}
        head = '{"has_more":false,"data":[{"id":"seq_echo","status":"active","steps":[],"name":"'
        if form == "straddle":  # the key's middle at byte 1,000,000 of the body
            pad = "x" * (1_000_000 - len(head) - len(key) // 2)
            text = head + pad + key + '"}]}'
        else:
            text = head + name.get(form, key) + '"}]}'
        if form == "utf16":
            return Reply(200, {"Content-Type": "application/json"}, text.encode("utf-16"))
        return Reply(200, {"Content-Type": "application/json"}, text.encode())

    def _rate_limit(self, now: float) -> Reply | None:
        limit = self.faults.rate_limit
        if not limit:
            return None
        window = self.faults.rate_window
        if now - self._window_start >= window:
            self._window_start = now
            self._window_count = 0
        self._window_count += 1
        if self._window_count <= limit:
            return None
        reset = window - (now - self._window_start)
        return _json(
            429, {"error": "Too many requests."}, {"Retry-After": str(max(1, math.ceil(reset)))}
        )

    def _rate_headers(self, now: float) -> dict[str, str]:
        limit = self.faults.rate_limit or 1000
        with self._lock:
            if self.faults.rate_limit and now - self._window_start < self.faults.rate_window:
                used = self._window_count
                reset = self.faults.rate_window - (now - self._window_start)
            else:
                used, reset = 0, self.faults.rate_window
        remaining = max(0, limit - used)
        sep = "; " if self.faults.ratelimit_style == "semicolon" else ", "
        return {
            "RateLimit": f"limit={limit}{sep}remaining={remaining}{sep}reset={reset:.3f}",
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": f"{math.ceil(reset)}",
        }

    def _authorized(self, headers: dict[str, str]) -> bool:
        auth = headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip() == self.api_key
        if scheme.lower() != "basic":
            return False
        try:
            user, _, _ = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.api_key

    # -- endpoints ----------------------------------------------------------------------------

    def _narrowed(self, item: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        """`_fields=a,b`: only those fields, as Close answers where its reference lists it."""
        wanted = query.get("_fields")
        if not wanted or self.faults.ignore_fields:
            return item
        names = {name.strip() for name in wanted.split(",")}
        return {key: value for key, value in item.items() if key in names}

    def _paging(self, query: dict[str, str]) -> tuple[int, int] | Reply:
        try:
            skip = int(query.get("_skip", "0"))
            limit = int(query.get("_limit", "100"))
        except ValueError:
            return _error(400, "_skip and _limit must be integers.")
        if skip < 0 or limit < 0:
            return _error(400, "_skip and _limit must not be negative.")
        if limit > self.max_limit:
            return _error(
                400,
                "The limit you set is larger than the maximum limit for this resource "
                f"(max_limit = {self.max_limit}).",
            )
        if self.max_skip is not None and skip > self.max_skip:
            return _error(
                400,
                "The skip you set is larger than the maximum skip for this resource "
                f"(max_skip = {self.max_skip}).",
            )
        return skip, limit

    def _list(
        self,
        items: list[dict[str, Any]],
        has_more: bool,
        fault: Fault | None,
        first: list[dict[str, Any]] | None = None,
    ) -> Reply:
        if fault is not None and fault.kind == "empty_page":
            return _json(200, {"data": [], "has_more": True})
        if fault is not None and fault.kind == "same_page" and first:
            return _json(200, {"data": first, "has_more": True})
        if fault is not None and fault.kind == "duplicate_ids" and len(items) > 1:
            items = [*items[:-1], items[0]]
        if fault is not None and fault.kind == "hostile_id" and items:
            items = [{**items[0], "id": fault.text or "seq_\x1b]0;owned\x07"}, *items[1:]]
        return _json(200, {"data": items, "has_more": has_more})

    def _search(self, body: bytes) -> Reply:
        """`POST /data/search/`, the Advanced Filtering API, for contacts by email or name:
        the query shape of Close's tutorial (`and` of `object_type` contact and a text
        condition, the email one through `has_related` on `contact_email`); the answer
        `{"data": [{"__object_type": "contact", "id": …, <_fields>}], "cursor": null}`."""
        try:
            request = json.loads(body or b"null")
            queries = request["query"]["queries"]
            condition = next(q for q in queries if q.get("type") != "object_type")
            kinds = [q.get("object_type") for q in queries if q.get("type") == "object_type"]
        except (ValueError, KeyError, TypeError, StopIteration, AttributeError):
            return _error(400, "Invalid query.")
        if kinds != ["contact"]:
            return _json(200, {"data": [], "cursor": None})
        by_email = condition.get("type") == "has_related"
        text_of = condition.get("related_query", {}) if by_email else condition
        value = (text_of.get("condition") or {}).get("value")
        if not isinstance(value, str):
            return _error(400, "Invalid query: a text condition needs a value.")
        limit = request.get("_limit", 100)
        limit = limit if isinstance(limit, int) and 0 < limit <= 200 else 100
        fields = (request.get("_fields") or {}).get("contact")
        found = []
        for contact in self.org.search_contacts(value, by_email, limit):
            item = {k: v for k, v in contact.items() if not fields or k in fields}
            found.append({"__object_type": "contact", **item})
        return _json(200, {"data": found, "cursor": None})

    def _write(self, method: str, path: str, body: bytes) -> Reply:
        """PUT and DELETE of a run, applied to the organization in memory, with Close's
        refusals: a resume on a plan without Workflow runs (Close documents a 400 there), a
        change to a run that has ended (the demo's own rule: Close documents none)."""
        parts = [p for p in path.split("/") if p]
        if len(parts) != 2 or parts[0] != "sequence_subscription":
            return _error(405, "Method not allowed.")
        run_id = parts[1]
        item = self.org.run(run_id)
        if item is None:
            return _error(
                404, f"Empty query: SequenceSubscription matching id {run_id} does not exist."
            )
        if method == "DELETE":
            self.org.remove_run(run_id)
            return _json(200, {})
        try:
            wanted = json.loads(body or b"null")
        except ValueError:
            return _error(400, "Request body is not valid JSON.")
        status = wanted.get("status") if isinstance(wanted, dict) else None
        if status not in ("active", "paused"):
            return _json(
                400, {"errors": [], "field-errors": {"status": "Must be 'active' or 'paused'."}}
            )
        if status == "active" and not self.org.plan_includes_runs:
            return _error(
                400, "Your plan does not include Workflow runs: upgrade it to resume this one."
            )
        if item["status"] in ("finished", "goal"):
            return _error(
                400, f"This subscription is {item['status']} and can no longer be changed."
            )
        changed = self.org.change_run(run_id, status, "manual" if status == "paused" else None)
        return _json(200, changed)

    def _route(self, path: str, query: dict[str, str], fault: Fault | None) -> Reply:
        parts = [p for p in path.split("/") if p]
        if parts == ["me"]:
            return _json(200, self.org.me())
        if len(parts) == 2 and parts[0] == "sequence_subscription":
            run = self.org.run(parts[1])
            if run is None:
                return _error(
                    404, f"Empty query: SequenceSubscription matching id {parts[1]} does not exist."
                )
            return _json(200, run)
        if parts and parts[0] in ("sequence", "user", "sequence_subscription"):
            if len(parts) == 1:
                paging = self._paging(query)
                if isinstance(paging, Reply):
                    return paging
                skip, limit = paging
                first = None
                if parts[0] == "sequence":
                    items, more = self.org.sequences(skip, limit)
                    if fault is not None and fault.kind == "same_page":
                        first = self.org.sequences(0, limit)[0]
                elif parts[0] == "user":
                    items, more = USERS[skip : skip + limit], skip + limit < len(USERS)
                else:
                    sequence_id = query.get("sequence_id")
                    if not (sequence_id or query.get("contact_id") or query.get("lead_id")):
                        return _error(
                            400, "You must provide a sequence_id, contact_id or lead_id filter."
                        )
                    person = [(f, query[f]) for f in ("contact_id", "lead_id") if query.get(f)]
                    if person:
                        items, more = self.org.person_runs(*person[0], skip, limit, sequence_id)
                    elif not sequence_id:
                        items, more = [], False
                    else:
                        items, more = self.org.subscriptions(sequence_id, skip, limit)
                return self._list(items, more, fault, first)
            if len(parts) == 2 and parts[0] == "sequence":
                found = self.org.sequence(parts[1])
                if found is None:
                    return _error(
                        404, f"Empty query: Sequence matching id {parts[1]} does not exist."
                    )
                detail = dict(found)
                detail["subscription_counts_by_status"] = self.org.subscription_counts(parts[1])
                if fault is not None and fault.kind == "hostile_id":
                    detail["id"] = fault.text or "seq_\x1b]0;owned\x07"
                return _json(200, detail)
            if len(parts) == 2 and parts[0] == "user":
                for user in USERS:
                    if user["id"] == parts[1]:
                        return _json(200, user)
                return _error(404, f"Empty query: User matching id {parts[1]} does not exist.")
        if len(parts) == 2 and parts[0] == "email_template":
            template = EMAIL_TEMPLATES.get(parts[1])
            if template is None:
                return _error(404, f"Empty query: EmailTemplate {parts[1]} does not exist.")
            # The single-template answer lists the sequences using it (list items do not).
            full = {**template, "used_by_sequences": self.org.using(parts[1])}
            return _json(200, self._narrowed(full, query))
        if len(parts) == 2 and parts[0] == "contact":
            contact = self.org.contact(parts[1])
            if contact is None:
                return _error(404, f"Empty query: Contact matching id {parts[1]} does not exist.")
            return _json(200, self._narrowed(contact, query))
        if len(parts) == 2 and parts[0] in ("lead", "contact"):
            lead = parts[0] == "lead"
            party = self.org.lead_name(parts[1]) if lead else self.org.contact_name(parts[1])
            if party is None:
                what = "Lead" if lead else "Contact"
                return _error(404, f"Empty query: {what} matching id {parts[1]} does not exist.")
            # A small part of what Close sends for these (a lead has contacts, addresses,
            # custom fields…): enough to show that `_fields` is honoured.
            item = {
                "id": parts[1],
                "display_name": party,
                "name": party,
                "description": "",
                "date_created": "2024-01-04T09:00:00.000000+00:00",
            }
            if lead:  # the rest of what the lead schema requires
                item.update(self.org.lead_extra(parts[1]))
            return _json(200, self._narrowed(item, query))
        if len(parts) == 2 and parts[0] == "sms_template":
            template = SMS_TEMPLATES.get(parts[1])
            if template is None:
                return _error(404, f"Empty query: SMSTemplate {parts[1]} does not exist.")
            return _json(200, template)
        return _error(404, "Not found.")
