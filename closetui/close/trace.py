"""`--trace FILE`: one JSON line per HTTP exchange, so what a user saw can be handed over and
replayed (`python -m closetui.demo.server --replay FILE`).

Each line holds the time, method, path and query, status, elapsed milliseconds, the rate-limit
headers and the response body (over 1 MB: cut and marked). Request headers are never written,
so the `Authorization` header cannot be; the key, in every form a server could echo it back
(plain, Base64 of `key:`, another case), is replaced in everything that is written. The file
is created 0600 and never followed through a symlink.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from closetui.close.scrub import secret_pattern
from closetui.store.private import open_private

BODY_LIMIT = 1_000_000  # bytes of body kept per exchange; a real page is far smaller
KEPT_HEADERS = (
    "content-type",
    "location",
    "ratelimit",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
    "retry-after",
)
SCRUBBED = "***"


def scrubber(secrets: Iterable[str]) -> re.Pattern[str] | None:
    patterns = [p.pattern for p in map(secret_pattern, secrets) if p is not None]
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


class Trace:
    """An append-only file of exchanges, shared safely by the threads of one process."""

    def __init__(self, path: Path, secrets: Iterable[str] = ()) -> None:
        self.path = path
        self._fd = open_private(path, os.O_WRONLY | os.O_APPEND)  # 0600, never via a link
        self._lock = threading.Lock()
        self._scrub = scrubber(secrets)

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        if self._scrub is not None:
            line = self._scrub.sub(SCRUBBED, line)
        data = (line + "\n").encode("utf-8", "replace")
        with self._lock:
            if self._fd >= 0:
                os.write(self._fd, data)  # one write per line: O_APPEND keeps lines whole

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1


def _decoded(body: bytes, encoding: str) -> bytes:
    """The body as the client reads it: the trace is for people and for replay."""
    encoding = encoding.strip().lower()
    try:
        if encoding == "gzip":
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, BODY_LIMIT)
        if encoding == "deflate":
            return zlib.decompressobj().decompress(body, BODY_LIMIT)
    except zlib.error:
        return b""
    return body


class _TracedBody(httpx.AsyncByteStream):
    """Passes the body through untouched, keeping its first megabyte; writes the exchange's
    line when the body is closed (read to the end, cut off by a cap, or abandoned)."""

    def __init__(self, inner: httpx.AsyncByteStream, done: Any) -> None:
        self._inner = inner
        self._done = done
        self._kept = bytearray()
        self._size = 0
        self._finished = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            self._size += len(chunk)
            room = BODY_LIMIT - len(self._kept)
            if room > 0:
                self._kept += chunk[:room]
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            if not self._finished:
                self._finished = True
                self._done(bytes(self._kept), self._size)


class TracingTransport(httpx.AsyncBaseTransport):
    """Wraps the transport that really sends, so the trace sees every exchange, retries and
    redirects included, exactly as the server answered."""

    def __init__(self, inner: httpx.AsyncBaseTransport, trace: Trace) -> None:
        self._inner = inner
        self.trace = trace

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        began = time.monotonic()
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query.decode("ascii", "replace"),
        }
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException as exc:  # a cancelled request was still sent: written too
            entry.update(
                elapsed_ms=round((time.monotonic() - began) * 1000), error=type(exc).__name__
            )
            self.trace.write(entry)
            raise
        entry["status"] = response.status_code
        entry["headers"] = {
            name: response.headers[name] for name in KEPT_HEADERS if name in response.headers
        }
        encoding = response.headers.get("content-encoding", "")

        def done(kept: bytes, size: int) -> None:
            body = _decoded(kept, encoding) if encoding else kept
            entry["elapsed_ms"] = round((time.monotonic() - began) * 1000)
            entry["body"] = body.decode("utf-8", "replace")
            if size > BODY_LIMIT:
                entry["body_cut"] = f"{size:,} bytes sent; the first {BODY_LIMIT:,} kept"
            self.trace.write(entry)

        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_TracedBody(response.stream, done),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self.trace.close()


def read(path: Path) -> list[dict[str, Any]]:
    """A trace's exchanges, for replay; lines that are not exchanges are passed over."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            entries.append(entry)
    return entries
