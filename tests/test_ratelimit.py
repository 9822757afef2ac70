"""The rate gate: at most the limit in each of the server's windows, whose end it pins from
the answers' `reset`, and a stop when an answer says nothing is left."""

from __future__ import annotations

from closetui.close.ratelimit import RateGate, RateLimitInfo


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Server:
    """A fixed-window server: a window opens with the first request after the last one
    ended and counts `limit` requests for `length` seconds. Each request takes `trip`
    seconds to get there."""

    def __init__(self, limit: int, length: float) -> None:
        self.limit, self.length = limit, length
        self.start = -1e9
        self.count = 0
        self.refused = 0

    def arrive(self, at: float) -> RateLimitInfo:
        if at - self.start >= self.length:
            self.start, self.count = at, 0
        self.count += 1
        if self.count > self.limit:
            self.refused += 1
        reset = self.length - (at - self.start)
        return RateLimitInfo(self.limit, max(0, self.limit - self.count), reset)


def _run(trips: list[float], limit: int = 5, length: float = 1.0) -> tuple[Server, float]:
    """The first request alone (as a walk sends it), then one after another through the
    gate (each waits for the gate, none for an answer); answers come in the order they are
    due. Returns the server and the moment of the last send."""
    clock, server = Clock(), Server(limit, length)
    gate = RateGate(clock)
    pending: list[tuple[float, float, RateLimitInfo]] = []  # (answered at, sent at, info)
    for trip in trips:
        while True:
            wait = gate.delay()
            due = [p for p in pending if p[0] <= clock.now + wait or gate.last is None]
            if not due:
                clock.now += wait
                break
            first = min(due)
            clock.now = max(clock.now, first[0])
            pending.remove(first)
            gate.answered()
            gate.observe(first[2], first[1])
        sent = gate.sent()
        info = server.arrive(sent + trip)
        pending.append((sent + 2 * trip, sent, info))
    return server, clock.now


def test_no_window_takes_more_than_the_limit():
    server, last = _run([0.05] * 40)
    assert server.refused == 0
    # Eight windows of five, a little over a second each: the end is pinned, not guessed.
    assert 7.0 < last - 100.0 < 7.0 + 8 * (RateGate.HEADROOM + 0.06)


def test_trips_that_vary_less_than_the_headroom_earn_no_refusal():
    trips = [0.05 + (0.9 * RateGate.HEADROOM) * ((i * 7) % 5) / 4 for i in range(60)]
    server, _ = _run(trips)
    assert server.refused == 0


def test_remaining_zero_holds_everything_until_the_reset():
    clock = Clock()
    gate = RateGate(clock)
    sent = gate.sent()
    clock.now += 0.1
    gate.observe(RateLimitInfo(limit=100, remaining=0, reset=2.5), sent)
    assert 2.4 - 0.001 <= gate.delay() <= 2.4 + RateGate.HEADROOM + 0.001
    clock.now = sent + 2.5 + RateGate.HEADROOM
    assert gate.delay() == 0


def test_no_information_no_waiting():
    clock = Clock()
    gate = RateGate(clock)
    for _ in range(50):
        assert gate.delay() == 0
        gate.sent()


def test_a_request_that_reaches_the_server_a_window_late_is_counted_there():
    # The ninth takes over a second to arrive (a connection's first packet resent): it lands
    # in the next window, which must then take one fewer.
    trips = [0.05] * 40
    trips[8] = 1.2
    server, _ = _run(trips)
    assert server.refused == 0


def test_a_request_that_failed_holds_no_place_in_later_windows():
    clock = Clock()
    gate = RateGate(clock)
    first = gate.sent()
    clock.now += 0.05
    gate.observe(RateLimitInfo(limit=2, remaining=1, reset=1.0), first)
    lost = gate.sent()
    gate.answered(lost)  # a dropped connection: no answer will ever come
    clock.now += 1.2
    assert gate.delay() == 0
    gate.sent()
    assert gate.delay() == 0  # two may go in the new window: the failed one is not there


def test_a_first_page_another_client_asked_for_places_the_window_from_when_it_went():
    # The early first page (`prefetch`) went at 100.0 and was answered at 100.1, but the
    # walk takes it only at 100.4: its window ends a second after it went, not after 100.4.
    clock, server = Clock(), Server(limit=5, length=1.0)
    gate = RateGate(clock)
    early = server.arrive(100.0 + 0.05)
    clock.now = 100.4
    gate.observe(early, 100.0, answered_at=100.1)
    for _ in range(4):  # the rest of the window
        assert gate.delay() == 0
        sent = gate.sent()
        gate.observe(server.arrive(sent + 0.05), sent)
    wait = gate.delay()
    assert wait > 0  # the window is full
    clock.now += wait
    sent = gate.sent()
    server.arrive(sent + 0.05)
    assert server.refused == 0
    # It went at the window's end and the headroom, not the 0.4 s later a late anchor gives.
    assert sent <= 101.05 + RateGate.HEADROOM + 0.001
