"""Close's rate-limit headers, and a gate that waits for a reset instead of earning a 429.

Close documents `RateLimit: limit=100, remaining=50, reset=5` but has been seen sending
semicolons, plus separate `RateLimit-Limit/-Remaining/-Reset` headers; `reset` may be decimal.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_PAIR = re.compile(r"\s*([A-Za-z_-]+)\s*=\s*\"?([0-9]+(?:\.[0-9]+)?)\"?\s*")


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # seconds until the window resets

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip())
    except ValueError:
        return None
    if value != value or value < 0 or value == float("inf"):
        return None
    return value


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """Reads both header styles; the combined `RateLimit` header wins where both are sent."""
    values: dict[str, float] = {}
    for name in ("limit", "remaining", "reset"):
        number = _number(headers.get(f"ratelimit-{name}"))
        if number is not None:
            values[name] = number
    combined = headers.get("ratelimit")
    if combined:
        for part in re.split(r"[;,]", combined):
            match = _PAIR.fullmatch(part)
            if match:
                key = match.group(1).lower()
                number = _number(match.group(2))
                if key in ("limit", "remaining", "reset") and number is not None:
                    values[key] = number
    if not values:
        return None
    return RateLimitInfo(
        limit=int(values["limit"]) if "limit" in values else None,
        remaining=int(values["remaining"]) if "remaining" in values else None,
        reset=values.get("reset"),
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds (Close sends whole seconds; an HTTP date is not expected)."""
    return _number(headers.get("retry-after"))


class RateGate:
    """Shared by every request of one client, so that it earns no 429 when the limit allows.

    Two rules, whichever holds a request back longer:
    - never more than `limit` requests in any stretch of one window (the longest `reset`
      seen, plus 50 ms for network jitter): any fixed window the server counts in is such a
      stretch;
    - when an answer says nothing is left (`remaining=0`), nothing goes until its `reset`
      (the key's limit may be shared with other programs).
    """

    JITTER = 0.05  # seconds: requests sent a window apart may arrive a little closer

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._blocked_until = 0.0
        self._sends: deque[float] = deque()
        self._limit: int | None = None
        self._window = 0.0  # the longest reset seen: about the window's length
        self.in_flight = 0
        self.last: RateLimitInfo | None = None

    def observe(self, info: RateLimitInfo | None) -> None:
        if info is None:
            return
        self.last = info
        if info.limit is not None and info.limit > 0:
            self._limit = info.limit
        if info.reset is not None:
            self._window = max(self._window, info.reset)
        if info.exhausted and info.reset:
            self.block_for(info.reset)

    def block_for(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def _stretch(self) -> float:
        return self._window + self.JITTER

    def delay(self) -> float:
        now = self._clock()
        wait = max(0.0, self._blocked_until - now)
        if self._limit and self._window:
            stretch = self._stretch()
            while self._sends and self._sends[0] <= now - stretch:
                self._sends.popleft()
            if len(self._sends) >= self._limit:
                wait = max(wait, self._sends[-self._limit] + stretch - now)
        return wait

    def sent(self) -> None:
        self.in_flight += 1
        self._sends.append(self._clock())
        if len(self._sends) > 10_000:
            self._sends.popleft()

    def answered(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    async def wait(self) -> float:
        delay = self.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        return delay
