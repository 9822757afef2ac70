"""A list at scale, in a process of its own: the runs of one sequence of N subscriptions, or the
sequence list of N sequences, loaded through the real app, scrolled end to end, then keys,
the filter and a sort timed to the frame that shows them. Prints one JSON object: peak RSS
(the demo server's included: it runs in this process), the work of each page append, and
each figure's list of seconds.

    python tests/bench/scale_probe.py runs 1000000
    python tests/bench/scale_probe.py sequences 100000     # with CLOSETUI_CACHE_DIR prepared
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from tests.bench.run import Frames  # noqa: E402

KEY_PRESSES = 20


def peak_rss_mb() -> float:
    # VmHWM, not getrusage: Linux carries ru_maxrss over from the parent that forked us.
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    return int(hwm.split()[1]) / 1024


async def until(pilot: Any, done: Any, timeout: float = 3600.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        await pilot.pause(0.01)


async def timed_to_frame(frames: Frames, pilot: Any, act: Any) -> float:
    """Seconds from an action to the next frame composed after it."""
    started = time.perf_counter()
    act()
    frame = await frames.next_after(time.perf_counter())
    await pilot.pause()
    return frame - started


async def probe(kind: str, size: int) -> dict[str, Any]:
    from textual import events

    from closetui.config.settings import load_settings
    from closetui.lists.rows import RowList
    from closetui.tui.app import ClosetuiApp
    from closetui.tui.widgets.feed_pane import FeedPane

    appends: list[tuple[int, float]] = []  # (rows before, seconds) for each page put
    put = RowList.put

    def timed_put(self: RowList[Any], skip: int, rows: Any, *, fresh: bool) -> int:
        before = len(self)
        started = time.perf_counter()
        try:
            return put(self, skip, rows, fresh=fresh)
        finally:
            appends.append((before, time.perf_counter() - started))

    RowList.put = timed_put  # type: ignore[method-assign]
    out: dict[str, Any] = {"kind": kind, "size": size}
    offline = kind == "sequences"
    app = ClosetuiApp(load_settings(demo=True, offline=offline))
    loaded_at = time.perf_counter()
    async with app.run_test(size=(120, 35)) as pilot:
        await until(pilot, lambda: app.main.sequences.loaded > 0)
        if kind == "runs":
            app.main.jump_to(app.main.sequences.in_order()[0].id)
            await pilot.pause()
            await pilot.press("s")
            await until(pilot, lambda: type(app.screen).__name__ == "SubscriptionsScreen")
            pane = app.screen.query_one(FeedPane)
        else:
            pane = app.main.list_pane
        table = pane.table
        await pilot.pause()
        pane.action_load_all()  # `L`
        await until(pilot, lambda: pane.rows.state.end and not pane.rows.busy)
        out["load_seconds"] = time.perf_counter() - loaded_at
        count = table.rows.loaded
        out["rows"] = count
        # End to end: every slot read back (the view stops on each page once), then back up.
        # The rows are read at every stop; a frame is drawn at every tenth (drawing every
        # stop of a million rows would take ten minutes, and memory is what is measured).
        stops = [*range(0, count, 100), *range(count - 1, -1, -2500)]
        for n, index in enumerate(stops):
            table.move_to(index)
            assert table.rows_on_screen()
            if n % 10 == 0:
                await pilot.pause()
        frames = Frames(app)
        figures: dict[str, list[float]] = {k: [] for k in ("down", "pagedown", "end", "home",
                                                           "middle")}  # fmt: skip

        def key(name: str) -> Any:
            return lambda: app._driver.send_message(events.Key(name, None))

        table.move_to(count // 3)
        await pilot.pause()
        profile = None
        if os.environ.get("PROBE_PROFILE"):  # where a key's time goes, on stderr
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        for _ in range(KEY_PRESSES):
            for name in ("down", "pagedown"):
                figures[name].append(await timed_to_frame(frames, pilot, key(name)))
        for _ in range(KEY_PRESSES // 2):
            figures["end"].append(await timed_to_frame(frames, pilot, key("end")))
            figures["home"].append(await timed_to_frame(frames, pilot, key("home")))
        for n in range(KEY_PRESSES // 2):  # a jump (the scroll bar, or `jump_to`)
            target = count // 2 + n * 1013
            figures["middle"].append(
                await timed_to_frame(frames, pilot, lambda t=target: table.move_to(t))
            )
        out["keys"] = figures
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        # The filter over every row: time to the first frame that shows its matches.
        probe_row = table.rows.in_order()[count // 2]
        words = {"rare": probe_row.key.split()[0], "common": "example" if kind == "runs" else "a"}
        out["filter"] = {}
        for label, text in words.items():
            seconds = []
            for _ in range(3):
                act = lambda t=text: pane.set_filter(t)  # noqa: E731
                started = time.perf_counter()
                seconds.append(await timed_to_frame(frames, pilot, act))
                out.setdefault("filter_first_matches", {})[label] = table.rows.count
                await until(pilot, lambda: not pane.search_due)
                done = time.perf_counter() - started
                out.setdefault("filter_done", {}).setdefault(label, []).append(done)
                out.setdefault("filter_matches", {})[label] = table.rows.count
                pane.set_filter("")
                await pilot.pause()
            out["filter"][label] = seconds
        # A sort over every row: the first time (the index is built), then again.
        column = table.sortable()[0]
        from closetui.tui.widgets.paged_table import Sort

        out["sort"] = []
        from closetui.lists.paged import SortState

        for descending in (False, False, True, True):
            table.set_sort(None)
            await pilot.pause()
            started = time.perf_counter()
            table.set_sort(Sort(column, descending))  # a first sort says so, then builds
            wanted = SortState(column.order or "", descending)
            await until(pilot, lambda w=wanted: table.rows.sort_state == w)
            frame = await frames.next_after(time.perf_counter())  # the frame that shows it
            out["sort"].append(frame - started)
        table.set_sort(None)
    RowList.put = put  # type: ignore[method-assign]
    first = [s for before, s in appends if before < 10_000]
    last = [s for before, s in appends if before >= max(0, size - 10_000)]
    out["append_first_10000"] = first
    out["append_last_10000"] = last
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    kind, size = sys.argv[1], int(sys.argv[2])
    if kind == "runs":
        os.environ["CLOSETUI_DEMO_SUBSCRIPTIONS"] = str(size)
        os.environ["CLOSETUI_DEMO_LATENCY"] = "0"
    print(json.dumps(asyncio.run(probe(kind, size))))


if __name__ == "__main__":
    main()
