"""Close's rate-limit headers, and a gate that waits for a reset instead of earning a 429.

Close documents `RateLimit: limit=100, remaining=50, reset=5` but has been seen sending
semicolons, plus separate `RateLimit-Limit/-Remaining/-Reset` headers; `reset` may be decimal.
"""

from __future__ import annotations

import asyncio
import re
import time
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
    """Shared by every request of one client: when the last answer said `remaining=0`,
    the next request waits for the reset instead of being refused with a 429."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._blocked_until = 0.0
        self.last: RateLimitInfo | None = None

    def observe(self, info: RateLimitInfo | None) -> None:
        if info is None:
            return
        self.last = info
        if info.exhausted and info.reset:
            self._blocked_until = max(self._blocked_until, self._clock() + info.reset)

    def block_for(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    def delay(self) -> float:
        return max(0.0, self._blocked_until - self._clock())

    async def wait(self) -> float:
        delay = self.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        return delay
