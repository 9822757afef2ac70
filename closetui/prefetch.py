"""The first page, asked for while the app (or `closetui list`) is still starting.

Importing Textual and building the screen takes about as long as a request to Close. So the
command starts the request for page 0 on a thread before it imports the app, and the
sequence source takes that answer as its own first request instead of asking again. `list`
does the same before it imports its own modules and opens the cache: its walk always starts
with page 0.

That request does without httpx where it can (`_plain_answer`): importing httpx costs as
much as importing Textual, and the request would wait for it. For an account it goes out
through the standard library's `http.client`; for the demo, to its fake API in the process.
It is one exchange, bounded in bytes and in time, and only a plain 200 with a list answer is
taken: anything else (a refused key, a redirect, a proxy to go through, a server that
drips) leaves page 0 to the client, which asks again and says what went wrong as it does
for every request. With `--trace` the client makes it, so that the trace holds it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from closetui.close.headers import basic_credentials, common_headers
from closetui.close.models import Page, SequenceListing
from closetui.close.paging import ListAnswer, read_page
from closetui.close.ratelimit import parse_rate_limit
from closetui.config.settings import Settings
from closetui.errors import ProtocolError, TooSlow
from closetui.lists.source import EarlyPage
from closetui.store.cache import SUFFIX
from closetui.textsafe import parse_json

if TYPE_CHECKING:
    import ssl

ASKING_WAIT = 1.0  # seconds the start waits at most for the early request to be sent
CONNECT_TIMEOUT = 5.0  # seconds, as the client's
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy")


class EarlyPageLost(Exception):
    """The plain request gave no page to use: the client asks for page 0 itself."""


def _fetch(settings: Settings, future: EarlyPage, asking: threading.Event) -> Page[SequenceListing]:
    if _plain_allowed(settings):
        return _plain_page(settings, future, asking)

    async def fetch() -> Page[SequenceListing]:
        from closetui.connect import open_client

        async with open_client(settings) as client:
            asking.set()
            page = await client.list_sequence_listings(0, settings.page_size)
            future.rate = client.gate.last
            return page

    return asyncio.run(fetch())


def start(
    settings: Settings, *, cached_too: bool = False
) -> concurrent.futures.Future[Page[SequenceListing]] | None:
    """Page 0 of the sequence list, on its way. None when offline (no request at all), and
    when a cache exists unless `cached_too`: the app's first frame comes from it, and the
    thread's imports would only compete with the app's for the interpreter."""
    if settings.offline or settings.api_key is None:
        return None
    if not cached_too and (settings.cache_dir / f"{settings.account}{SUFFIX}").exists():
        return None
    future = EarlyPage()
    asking = threading.Event()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(_fetch(settings, future, asking))
        except BaseException as exc:
            future.set_exception(exc)
        finally:
            asking.set()

    # A daemon thread, not an executor's: `q` while this request is stuck on a slow server
    # must end the process at once, and the interpreter waits for an executor's threads.
    threading.Thread(target=run, name="closetui-prefetch", daemon=True).start()
    # The caller's imports wait until the request is on its way: run side by side, the two
    # threads' imports (Textual's here, httpx's there) take turns at the interpreter, and the
    # request would leave only when both were nearly done. Asked first, its round trip
    # overlaps the imports instead. (Bounded: a thread that never gets there delays nothing
    # for long.)
    asking.wait(ASKING_WAIT)
    return future


def _plain_allowed(settings: Settings) -> bool:
    """Whether page 0 may go out without httpx and still reach Close as the client would: not
    with a trace to keep; not through a proxy (httpx reads them from the environment, in any
    spelling); and on Linux only, where the environment is all there is to read (elsewhere
    httpx also asks the system's settings)."""
    if settings.trace_path is not None:
        return False
    if settings.demo:
        return True
    if sys.platform != "linux" or urlsplit(settings.base_url).scheme not in ("http", "https"):
        return False
    # (Any spelling: urllib, which httpx asks, reads `Http_Proxy` as `http_proxy`.)
    return not any(value and name.lower() in PROXY_VARIABLES for name, value in os.environ.items())


def _plain_page(
    settings: Settings, future: EarlyPage, asking: threading.Event
) -> Page[SequenceListing]:
    assert settings.api_key is not None
    limit = settings.page_size
    target = (
        urlsplit(settings.base_url).path + "sequence/?" + urlencode({"_skip": 0, "_limit": limit})
    )
    headers = {name.lower(): value for name, value in common_headers().items()}
    headers["authorization"] = basic_credentials(settings.api_key.reveal())
    try:
        status, answer_headers, body = _plain_answer(settings, target, headers, asking, future)
    except TooSlow:
        raise
    except Exception as exc:  # (whatever it was, the client's own request will say it)
        raise EarlyPageLost(type(exc).__name__) from None
    if status != 200:
        raise EarlyPageLost(f"status {status}")
    try:
        parsed = parse_json(body)
    except (ValueError, RecursionError):
        raise EarlyPageLost("not JSON") from None
    try:
        answer = ListAnswer.of(parsed, "sequence/", 0, limit, "the server")
    except ProtocolError:
        raise EarlyPageLost("not a list answer") from None
    future.rate = parse_rate_limit(answer_headers)
    return read_page(answer, SequenceListing.from_api)


def _plain_answer(
    settings: Settings,
    target: str,
    headers: dict[str, str],
    asking: threading.Event,
    future: EarlyPage,
) -> tuple[int, Mapping[str, str], bytes]:
    """One GET of `target`: its status, headers (names in lower case) and body; when it went
    and when its headers came are noted on `future`, for the walk's rate gate."""
    most = int(settings.max_response_mb * 1024 * 1024)
    if settings.demo:
        from closetui.connect import demo_router

        router = demo_router(settings)
        future.sent_at = time.monotonic()
        reply = router.handle("GET", target, headers)
        asking.set()
        if settings.demo_latency > 0:
            time.sleep(settings.demo_latency)
        future.answered_at = time.monotonic()
        if reply.action is not None or reply.stream is not None or len(reply.body) > most:
            raise EarlyPageLost("not a plain answer")
        return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.body

    import http.client
    import socket

    # The client's deadline, and its words when it passes: a server that keeps answering
    # that long would keep the client's own request as long. It bounds the whole exchange
    # (a watchdog shuts the socket when it passes), not each wait on the socket: a server
    # dripping headers, 100 Continues or trailers would otherwise reset the wait each time.
    ends = time.monotonic() + settings.request_deadline
    parts = urlsplit(settings.base_url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    raw = socket.create_connection(
        (host, parts.port or (443 if https else 80)), timeout=CONNECT_TIMEOUT
    )
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        with contextlib.suppress(OSError):
            raw.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(max(0.0, ends - time.monotonic()), expire)
    watchdog.daemon = True
    watchdog.start()
    connection: http.client.HTTPConnection | None = None
    try:
        raw.settimeout(None)  # (the watchdog's)
        if https:
            connection = http.client.HTTPSConnection(host, parts.port)
            connection.sock = _tls().wrap_socket(raw, server_hostname=host)
        else:
            connection = http.client.HTTPConnection(host, parts.port)
            connection.sock = raw
        future.sent_at = time.monotonic()  # (connected: the request leaves with this call)
        connection.request("GET", target, headers=headers)
        asking.set()
        response = connection.getresponse()  # (the response reads the socket it was given)
        future.answered_at = time.monotonic()
        body = bytearray()
        while chunk := response.read1(64 * 1024):
            body += chunk
            if len(body) > most:
                raise EarlyPageLost("too big")
        if expired.is_set():  # (a shut socket reads as an end)
            raise TooSlow.answering(host, "sequence/", settings.request_deadline)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, bytes(body)
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TooSlow.answering(host, "sequence/", settings.request_deadline) from None
        raise
    finally:
        watchdog.cancel()
        if connection is not None:
            connection.close()
        raw.close()


def _tls() -> ssl.SSLContext:
    """The certificates httpx would trust: SSL_CERT_FILE or SSL_CERT_DIR if set, else
    certifi's (httpx's own dependency), else the system's."""
    import ssl

    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile and os.path.isfile(cafile):
        return ssl.create_default_context(cafile=cafile)
    if capath and os.path.isdir(capath):
        return ssl.create_default_context(capath=capath)
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())
