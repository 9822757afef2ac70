"""How a walk's requests are spread in time, read from the demo server's own request log:
the rounds they go out in (requests that arrive together, one latency apart from the next
round), and under a rate limit, how full each of the server's windows is.

The bounds are on counts (rounds, requests, requests per window), with the server's latency
and window long enough that a busy machine does not blur them; none is on the machine's
wall time.
"""

from __future__ import annotations

import itertools

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY

LATENCY = 0.3  # a round trip: what separates one round from the next in the log


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _list(online, capsys, *extra: str) -> int:
    assert main(["list", *online, *extra]) == 0
    return len(capsys.readouterr().out.splitlines())


def _rounds(server) -> list[int]:
    """How many list requests went out in each round: a request's round is one more than
    that of the latest request whose answer had left the server before it arrived (the
    server answers `LATENCY` after a request arrives), so that a request sent a little late
    stays in its round, and only a wait for an answer makes a new one."""
    moments = sorted(r.at for r in server.router.requests_to("sequence/"))
    depth: list[int] = []
    for at in moments:
        answered = [d for d, before in zip(depth, moments, strict=False) if before + LATENCY <= at]
        depth.append(1 + max(answered, default=0))
    return [depth.count(n) for n in range(1, max(depth, default=0) + 1)]


def _skips(server) -> list[int]:
    return [int(r.query["_skip"]) for r in server.router.requests_to("sequence/")]


def _windows(server, window: float) -> list[tuple[float, int]]:
    """(start, requests) of each of the server's rate windows, as the demo counts them: a
    window opens with the first request after the last one ended."""
    moments = sorted(r.at for r in server.router.requests_to("sequence/"))
    windows: list[tuple[float, int]] = []
    for at in moments:
        if not windows or at - windows[-1][0] >= window:
            windows.append((at, 0))
        start, count = windows[-1]
        windows[-1] = (start, count + 1)
    return windows


def test_a_cold_walk_of_20_pages_ramps_up_round_after_round(online, server, capsys):
    server.router.org.size = 2_000
    server.faults.latency = LATENCY
    assert _list(online, capsys) == 2_000
    rounds = _rounds(server)
    # The first page alone, then more in each round than in the one before it (as far as
    # what is known to exist allows): six rounds where a page at a time would take twenty.
    assert rounds[0] == 1
    assert len(rounds) <= 6, rounds
    assert all(later >= earlier for earlier, later in itertools.pairwise(rounds[1:])), rounds
    assert sum(rounds) <= 20 + 2  # at most two past the end


def test_after_a_complete_pass_the_walk_goes_straight_to_the_count(online, server, capsys):
    server.router.org.size = 2_000
    assert _list(online, capsys) == 2_000  # the pass that counts them
    server.router.reset_log()
    server.faults.latency = LATENCY
    assert _list(online, capsys) == 2_000
    rounds = _rounds(server)
    # Page 0, then every page it implies at once, as many as the client's pool takes (16).
    assert rounds == [1, 16, 3], rounds


def test_under_a_rate_limit_every_window_but_the_last_is_used_up(online, server, capsys):
    # 100 requests (pages of 10) at 20 a window of 0.5 s: five windows are the floor (one
    # more when the first window's ramp is slow on a busy machine).
    limit, window = 20, 0.5
    server.router.org.size = 1_000
    server.faults.rate_limit, server.faults.rate_window = limit, window
    assert _list(online, capsys, "--page-size", "10") == 1_000
    assert 429 not in server.router.statuses
    windows = _windows(server, window)
    counts = [count for _, count in windows]
    # The list fills its last window exactly, so a request past the end would cost a window
    # more: the walk's probes land on the last page of each window, and the last one is the
    # list's last page.
    assert sorted(_skips(server)) == list(range(0, 1_000, 10))
    assert len(windows) <= 6, counts
    assert all(count <= limit for count in counts), counts
    # The gate keeps pace with the limit, not below it: it waits out a window only when the
    # window is full, and the next one opens soon after (a margin, generous for a busy
    # machine, not a second window's length).
    assert all(count == limit for count in counts[:-2]), counts
    gaps = [later - start for (start, _), (later, _) in itertools.pairwise(windows)]
    assert all(gap < 2 * window for gap in gaps), gaps
    # So the walk takes about the limit's time: its windows follow one another at the pace
    # the server sets, on average within half a window each.
    assert windows[-1][0] - windows[0][0] < 1.5 * window * (len(windows) - 1), gaps


@pytest.mark.parametrize("pages", [59, 78, 80, 99])
def test_under_a_rate_limit_what_a_cold_walk_asks_past_the_end_fits_its_last_window(
    online, server, capsys, pages
):
    # Whatever the size, the requests past the end (at most two) fit in the room the last
    # window has: the walk needs no window more than its pages fill.
    limit = 20
    server.router.org.size = size = pages * 10 - 4
    server.faults.rate_limit, server.faults.rate_window = limit, 0.5
    assert _list(online, capsys, "--page-size", "10") == size
    assert 429 not in server.router.statuses
    asked = _skips(server)
    assert len(asked) == len(set(asked))
    past = [s for s in asked if s >= size]
    assert len(past) <= 2, sorted(asked)
    assert len(asked) <= -(-pages // limit) * limit, sorted(asked)
