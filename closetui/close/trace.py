"""`--trace FILE`: one JSON line per HTTP exchange, so what a user saw can be handed over and
replayed (`python -m closetui.demo.server --replay FILE`).

Each line holds the time, method, path and query, status, elapsed milliseconds, the rate-limit
headers and the response body (over 1 MB: cut and marked). Request headers are never written,
so the `Authorization` header cannot be; the key, in every form a server could echo it back
(plain, Base64 of `key:`, hex, another case), is replaced in everything that is written, and
after decoding as the client decodes: the body in the encoding JSON detects (UTF-8, UTF-16,
UTF-32), its strings parsed (so `\\u0061…` escapes are undone). A body cut at 1 MB loses
its last few hundred characters too, so that no key is left half there. The file is created
0600, never followed through a symlink, refused unless it is a plain file (a FIFO too,
without waiting in `open()`), and stops growing at its cap (`trace_max_mb`, 50 MB unless
set), with a last line saying so.
"""

from __future__ import annotations

import json
import logging
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

from closetui.close.scrub import longest_form, secret_pattern
from closetui.store.private import open_private

log = logging.getLogger(__name__)

BODY_LIMIT = 1_000_000  # bytes of body kept per exchange; a real page is far smaller
# Characters a body may take in its line once JSON has escaped it (a control character is
# six): a body of control characters is cut further, rather than make a 6 MB line.
LINE_BODY_LIMIT = 2 * BODY_LIMIT
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
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

    def __init__(
        self, path: Path, secrets: Iterable[str] = (), max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.path = path
        self._fd = open_private(path, os.O_WRONLY | os.O_APPEND)  # 0600, never via a link
        self._lock = threading.Lock()
        kept = [secret for secret in secrets if secret]
        self._scrub = scrubber(kept)
        self._margin = max((longest_form(secret) for secret in kept), default=0)
        self.max_bytes = max_bytes
        self._size = os.fstat(self._fd).st_size
        self.stopped: str | None = None  # why nothing more is written, once it is so

    def scrubbed(self, text: str) -> str:
        return self._scrub.sub(SCRUBBED, text) if self._scrub is not None else text

    def body_text(self, body: bytes, cut: bool) -> tuple[str, bool]:
        """The body as it is written: decoded as the client decodes it, scrubbed on its
        parsed strings, and (when `cut`, or too long once escaped) cut clear of any key.
        Also whether it was cut here."""
        try:
            encoding = json.detect_encoding(body)
        except (TypeError, ValueError):
            encoding = "utf-8"
        text = body.decode(encoding, "replace")
        if cut and self._margin:
            text = text[: max(0, len(text) - self._margin)]  # no key's head at the cut
        text = self._scrub_decoded(text)
        escaped = len(json.dumps(text))
        if escaped > LINE_BODY_LIMIT:
            text = text[: len(text) * LINE_BODY_LIMIT // escaped]
            return text, True
        return text, False

    def _scrub_decoded(self, text: str) -> str:
        if self._scrub is None:
            return text
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            # Not JSON (or cut): its \\u escapes undone where they would hide the key.
            undone = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
            return self.scrubbed(undone) if self._scrub.search(undone) else text
        found = [False]

        def walk(value: Any) -> Any:
            if isinstance(value, str):
                clean = self.scrubbed(value)
                found[0] = found[0] or clean != value
                return clean
            if isinstance(value, list):
                return [walk(item) for item in value]
            if isinstance(value, dict):
                return {walk(key): walk(item) for key, item in value.items()}
            return value

        try:
            cleaned = walk(parsed)
        except RecursionError:
            return self.scrubbed(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
        return json.dumps(cleaned, ensure_ascii=False) if found[0] else text

    def write(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        line = self.scrubbed(line)
        data = (line + "\n").encode("utf-8", "replace")
        with self._lock:
            if self._fd < 0 or self.stopped is not None:
                return
            if self._size + len(data) > self.max_bytes:
                self._stop()
                return
            os.write(self._fd, data)  # one write per line: O_APPEND keeps lines whole
            self._size += len(data)

    def _stop(self) -> None:
        mb = self.max_bytes / (1024 * 1024)
        self.stopped = (
            f"the trace reached its cap of {round(mb, 2):g} MB "
            "(trace_max_mb, CLOSETUI_TRACE_MAX_MB): later exchanges were not written"
        )
        note = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "stopped": self.stopped,
        }
        os.write(self._fd, (json.dumps(note) + "\n").encode())
        log.warning("trace %s: %s", self.path, self.stopped)

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
            entry["body"], shortened = self.trace.body_text(body, cut=size > BODY_LIMIT)
            if size > BODY_LIMIT:
                entry["body_cut"] = (
                    f"{size:,} bytes sent; the first {BODY_LIMIT:,} kept, less their last "
                    "characters, so that no key is cut in two"
                )
            elif shortened:
                entry["body_cut"] = (
                    f"{size:,} bytes sent; the first {len(entry['body']):,} characters kept "
                    "(escaped, the rest would not fit a line)"
                )
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
    """A trace's exchanges, for replay; lines that are not exchanges are passed over. A line
    nested too deeply to read is refused (ValueError naming its line), not passed over: it
    is no line closetui wrote."""
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(line)
        except RecursionError:
            raise ValueError(f"line {number} is JSON nested too deeply to replay") from None
        except ValueError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            entry["line"] = number
            entries.append(entry)
    return entries
