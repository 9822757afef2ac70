"""How a pilot knows the app has finished with a key: Textual's test for an idle process, in
finer slices.

Textual (`textual._wait.wait_for_idle`, which every `pilot.press` calls twice per key and
every `pilot.pause()` once) sleeps in slices of 20 ms until one passes in which the process
used under 1 ms of CPU: under 5 % of the slice. So every key costs at least two slices, 40 ms,
even when the app is done with it in 2 ms. This asks the same question in 5 ms slices with
the same 5 % bar (0.25 ms of CPU): a slice in which anything ran (a handler, a frame drawn,
the demo server answering on its thread) is busy at that bar as it was at the old one, so it
waits for the same work; it notices the end of it sooner. A slice that is quiet only because
the work waits on a timer is not evidence that it is done: what the tests wait on beyond a
key (pages, lookups, the lookup delay's timer) they wait on by condition (`settle`,
`wait_until`), not on this. Nor is a slice whose sleep overran by more than Textual's whole
slice: on a busy machine the process may simply not have been given the CPU.
"""

from __future__ import annotations

from asyncio import sleep
from time import monotonic, process_time

SLICE = 0.005  # seconds
QUIET = SLICE / 20  # the CPU a slice may use and still be idle: Textual's 5 %
STARVED = 0.02  # a sleep overrun by more (Textual's slice) was a wait for the CPU


async def wait_for_idle(min_sleep: float = SLICE, max_sleep: float = 1) -> None:
    """Textual's `wait_for_idle`, in `SLICE`s, a starved slice not taken for an idle one."""
    start = monotonic()
    while True:
        began, cpu = monotonic(), process_time()
        await sleep(SLICE)
        used = process_time() - cpu
        now = monotonic()
        quiet = used < QUIET and now - began < SLICE + STARVED
        elapsed = now - start
        if elapsed >= max_sleep or (elapsed > min_sleep and quiet):
            return


def install() -> None:
    """Put it where Textual's pilot and its key presses look the name up."""
    import textual.app
    import textual.pilot

    textual.app.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
    textual.pilot.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
