"""Close's rate-limit headers, and a gate that waits for a reset instead of earning a 429.

Close documents `RateLimit: limit=100, remaining=50, reset=5` but has been seen sending
semicolons, plus separate `RateLimit-Limit/-Remaining/-Reset` headers; `reset` may be decimal.
"""

from __future__ import annotations

import asyncio
import math
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


@dataclass(slots=True)
class _Send:
    at: float
    answered: bool = False  # an answer (or a failure) came back: it arrives nowhere later
    end: float | None = None  # where its answer said its window ends (`at + reset`)
    counted: bool = False  # counted in a window after the one it was sent in


class RateGate:
    """Shared by every request of one client, so that it earns no 429 when the limit allows.

    Close counts requests in windows and each answer says how long its window has left
    (`reset`). The gate counts its own sends in the same windows:
    - a window takes at most `limit` sends; then nothing goes until that window has ended;
    - when an answer says nothing is left (`remaining=0`: the key may be shared with other
      programs), nothing goes until its `reset`.

    Where a window ends is pinned from the answers: a request sent at `s` and counted by the
    server `f` seconds later (its trip there) is told `reset = end - (s + f)`, so `s + reset`
    is the window's end less that trip, and the largest of these over a window's answers is
    its end less the shortest trip. A send made a margin after that arrives after the end
    unless its own trip is shorter than that shortest one by more than the *headroom*.
    (Pacing from the moment an answer *arrives* instead would be safe without that margin,
    but would lose the answer's trip back, about half the latency, on every window.)

    Network jitter hardly moves the shortest of a window's trips, but a machine whose CPU is
    busy does: a request stamped as sent may wait tens of milliseconds for the CPU before it
    leaves. The same starvation makes this process's timers fire late, which the gate can
    see, so the headroom is `HEADROOM` or twice the latest timer lateness, whichever is more.
    Both were chosen by measure: the benchmark's rows with every core busy and with ±50 ms of
    jitter earn no 429 with them.
    """

    HEADROOM = 0.05  # seconds: the least margin after a window's end
    DEFAULT_WIDTH = 6  # requests in flight while the limit is unknown

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._blocked_until = 0.0
        self._limit: int | None = None
        self._length = 0.0  # the longest reset seen: about the window's length
        self._opened = float("-inf")  # sends from here on count in the current window
        self._first: float | None = None  # the current window's first send
        self._end: float | None = None  # its end less the shortest trip (see above)
        self._previous_end: float | None = None
        self._count = 0  # sends counted in the current window
        self._sends: dict[float, _Send] = {}  # recent sends by moment
        self._longest_trip = 0.0
        self._late: deque[float] = deque(maxlen=32)  # how late recent waits woke up
        self.in_flight = 0
        self.last: RateLimitInfo | None = None

    @property
    def headroom(self) -> float:
        return max(self.HEADROOM, 2 * max(self._late, default=0.0))

    # -- what the answers say ----------------------------------------------------------------

    @property
    def limit(self) -> int | None:
        """Requests a window takes, as the answers last said (None: not said yet)."""
        return self._limit

    def width(self, cap: int) -> int:
        """How many requests may usefully be in flight: a window's worth, within `cap`."""
        return max(1, min(cap, self._limit)) if self._limit else min(cap, self.DEFAULT_WIDTH)

    def observe(
        self,
        info: RateLimitInfo | None,
        sent_at: float | None = None,
        *,
        answered_at: float | None = None,
    ) -> None:
        """An answer's rate-limit headers; `sent_at` is what `sent()` returned for it (or,
        for a request another client made, the moment it went, and `answered_at` the moment
        its answer came, when that was before now)."""
        now = self._clock() if answered_at is None else answered_at
        send = self._sends.get(sent_at) if sent_at is not None else None
        if send is not None:
            send.answered = True
        if sent_at is not None:
            self._longest_trip = max(self._longest_trip * 0.99, now - sent_at)
        if info is None:
            return
        self.last = info
        if info.limit is not None and info.limit > 0:
            self._limit = info.limit
        if info.reset is None:
            return
        self._length = max(self._length, info.reset)
        anchor = sent_at if sent_at is not None else now  # unknown: the answer's own moment
        end = anchor + info.reset
        if send is not None:
            send.end = end
        if anchor >= self._opened:
            # An answer to a send of the current window: where it ends and, with a shared
            # key, how much of it others have used.
            self._end = max(self._end or end, end)
            if (
                send is None
                and sent_at is not None
                and (self._first is None or sent_at < self._first)
            ):
                # Another client's request (the early first page) opened this window: it
                # is where the window's length counts from, not this gate's first send.
                self._first = sent_at
            if info.limit and info.remaining is not None:
                self._count = max(self._count, info.limit - info.remaining)
        elif (
            send is not None
            and not send.counted
            and self._previous_end is not None
            and end > self._previous_end + self._length / 2
        ):
            send.counted = True  # sent before the window opened, it arrived in it
            self._count += 1
        if info.exhausted and info.reset:
            self._blocked_until = max(self._blocked_until, end + self.headroom)

    def block_for(self, seconds: float) -> None:
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    # -- sending ---------------------------------------------------------------------------------

    def _window_end(self) -> float | None:
        ends = [] if self._end is None else [self._end]
        if self._first is not None and self._length:
            ends.append(self._first + self._length)
        return max(ends) if ends else None

    def _roll(self, now: float) -> None:
        """Start counting a new window once the current one has surely ended."""
        end = self._window_end()
        if end is None or now < end + self.headroom:
            return
        self._opened = end + self.headroom
        self._previous_end = end
        # A send may still arrive after the end, in the new window: any not answered yet (a
        # request can take a second to get there: a connection's first packet is resent
        # after one), and any whose answer placed it there.
        self._count = 0
        late = end - self._longest_trip
        for moment in [m for m, send in self._sends.items() if self._settled(send, m, late, now)]:
            del self._sends[moment]
        for send in self._sends.values():
            if not send.answered or (send.end is not None and send.end > end + self._length / 2):
                send.counted = True
                self._count += 1
        self._first = None
        self._end = None

    LOST = 60.0  # seconds after which a request never answered is taken as gone

    @staticmethod
    def _settled(send: _Send, moment: float, late: float, now: float) -> bool:
        """A send that can no longer arrive in a window still to come."""
        return (send.answered and moment < late) or moment < now - RateGate.LOST

    def delay(self) -> float:
        now = self._clock()
        self._roll(now)
        wait = self._blocked_until - now
        if self._limit and self._count >= self._limit:
            end = self._window_end()
            if end is not None:
                wait = max(wait, end + self.headroom - now)
        return max(0.0, wait)

    def sent(self) -> float:
        """A request is going now; returns the moment, for `observe`."""
        now = self._clock()
        self._roll(now)
        while now in self._sends:  # a coarse clock: keep each send's moment its own
            now = math.nextafter(now, math.inf)
        if self._first is None:
            self._first = now
        self._count += 1
        self._sends[now] = _Send(now)
        if len(self._sends) > 10_000:
            del self._sends[next(iter(self._sends))]
        self.in_flight += 1
        return now

    def answered(self, sent_at: float | None = None) -> None:
        """A request is over (`observe` follows when it brought an answer)."""
        self.in_flight = max(0, self.in_flight - 1)
        send = self._sends.get(sent_at) if sent_at is not None else None
        if send is not None:
            send.answered = True

    async def wait(self) -> float:
        delay = self.delay()
        if delay > 0:
            due = self._clock() + delay
            await asyncio.sleep(delay)
            self._late.append(max(0.0, self._clock() - due))
        return delay
