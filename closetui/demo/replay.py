"""A trace served back: what a user's `closetui --trace FILE` recorded becomes a server that
answers the same, so what they saw can be seen again and turned into a test.

Requests are matched on method, path and query; failing that, on method and path. Several
exchanges for the same request are answered in their recorded order, the last one again
after that (a retried 503 then a 200 replays as a 503 then a 200).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from closetui.close import trace as tracing
from closetui.demo.router import Faults, Reply, RequestRecord, _error
from closetui.textsafe import inert, replace_lone_surrogates


def _check_headers(entry: dict[str, Any], number: int) -> None:
    """A recorded header name or value holding CR, LF or NUL would be sent as more headers
    (`\\r\\nSet-Cookie: …`): such a trace is refused, naming the entry."""
    for name, value in dict(entry.get("headers") or {}).items():
        if any(char in f"{name}{value}" for char in "\r\n\0"):
            where = f"line {entry.get('line', number)}"
            what = f"{entry.get('method', 'GET')} {entry.get('path', '?')}"
            raise ValueError(
                f"{where} ({inert(what)}): header {inert(str(name))!r} holds a line break, "
                "which would be sent as another header; refusing to replay it"
            )


def _query_key(query: str) -> str:
    return urlencode(sorted(parse_qsl(query, keep_blank_values=True)))


class Replay:
    """Serves recorded exchanges; the same interface as FakeClose for the server."""

    def __init__(self, entries: Iterable[dict[str, Any]]) -> None:
        self.faults = Faults()
        self.requests: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._exact: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._by_path: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for number, entry in enumerate(entries, start=1):
            if "status" not in entry:
                continue  # an exchange that never got an answer (a dropped connection)
            _check_headers(entry, number)
            method = str(entry.get("method", "GET")).upper()
            path, query = str(entry["path"]), _query_key(str(entry.get("query", "")))
            self._exact.setdefault((method, path, query), []).append(entry)
            self._by_path.setdefault((method, path), []).append(entry)
        self._served: dict[tuple[str, ...], int] = {}

    @classmethod
    def from_file(cls, path: Path) -> Replay:
        return cls(tracing.read(path))

    def _next(self, key: tuple[str, ...], found: list[dict[str, Any]]) -> dict[str, Any]:
        n = self._served.get(key, 0)
        self._served[key] = n + 1
        return found[min(n, len(found) - 1)]

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        path, _, query = target.partition("?")
        exact = (method.upper(), path, _query_key(query))
        with self._lock:
            self.requests.append(RequestRecord(method, path, dict(parse_qsl(query)), 0.0))
            if exact in self._exact:
                entry = self._next(exact, self._exact[exact])
            elif exact[:2] in self._by_path:
                entry = self._next(exact[:2], self._by_path[exact[:2]])
            else:
                return _error(404, f"Not in the trace: {method} {path}")
        body = replace_lone_surrogates(str(entry.get("body", ""))).encode("utf-8")
        kept = {str(k): str(v) for k, v in dict(entry.get("headers") or {}).items()}
        return Reply(int(entry["status"]), kept, body)
