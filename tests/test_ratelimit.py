"""The rate gate: no more than the limit in any window, and a stop when nothing is left."""

from __future__ import annotations

from closetui.ratelimit import RateGate, RateLimitInfo


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _send(gate: RateGate, clock: Clock, n: int, step: float = 0.0) -> None:
    for _ in range(n):
        clock.now += gate.delay()
        gate.sent()
        clock.now += step


def test_never_more_than_the_limit_in_any_window():
    clock = Clock()
    gate = RateGate(clock)
    gate.observe(RateLimitInfo(limit=5, remaining=4, reset=1.0))
    times = []
    for _ in range(23):
        clock.now += gate.delay()
        gate.sent()
        times.append(clock.now)
    for i, start in enumerate(times):
        assert len([t for t in times[i:] if t < start + 1.0]) <= 5


def test_remaining_zero_holds_everything_until_the_reset():
    clock = Clock()
    gate = RateGate(clock)
    gate.observe(RateLimitInfo(limit=100, remaining=0, reset=2.5))
    assert gate.delay() == 2.5
    clock.now += 2.5
    assert gate.delay() == 0


def test_no_information_no_waiting():
    gate = RateGate(Clock())
    _send(gate, Clock(), 50)
    assert gate.delay() == 0
