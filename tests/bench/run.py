"""closetui's benchmarks: one table of figures, each the median of several runs with min and
max, against the goals, plus the same as JSON.

    uv run python tests/bench/run.py            # every figure, 5 runs each
    uv run python tests/bench/run.py --runs 3 --only start,keys

It starts the demo API itself (in-process transport, or a loopback server where a separate
process needs one) with a chosen size and latency, and runs the real app: as a process in a
pseudo-terminal for start-up (time until the first row's text is written), headless through
`run_test` for keypresses and appends (time until the next frame is composed). Figures that
depend on the machine are compared with a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import importlib.metadata
import json
import math
import os
import platform
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

PY = sys.executable
TEMPLATE_PATHS = ("email_template/", "sms_template/")
RESULTS = HERE / "results"


# -- measuring ---------------------------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def pty_time_to(
    argv: list[str], env: dict[str, str], marker: bytes, size: tuple[int, int] = (120, 35)
) -> float:
    """Seconds from starting a process in a pseudo-terminal until `marker` is written."""
    cols, rows = size
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of the given size, then the program
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execvpe(argv[0], argv, env)
    seen = b""
    found = None
    try:
        deadline = started + 60
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = (seen + chunk)[-200_000:]
            if marker in seen:
                found = time.perf_counter() - started
                break
            if b"\x1b[c" in chunk or b"\x1b[>c" in chunk:
                os.write(fd, b"\x1b[?62;22c")  # answer a device-attributes query
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
        os.close(fd)
    if found is None:
        raise RuntimeError(f"{marker!r} never appeared running {argv}")
    return found


def base_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("CLOSETUI_", "CLOSE_", "TEXTUAL"))
    }
    env.update(TERM="xterm-256color", COLORTERM="truecolor", **extra)
    return env


def prepare_cache(folder: Path, size: int) -> None:
    """A demo account's cache holding `size` sequences, written by the real source code."""
    from closetui.api import CloseClient
    from closetui.cache import Cache
    from closetui.demo.data import DEMO_API_KEY, DemoOrg
    from closetui.demo.router import FakeClose, Faults
    from closetui.demo.transport import DemoTransport
    from closetui.paging import pages_in_order
    from closetui.settings import DEMO_BASE_URL
    from closetui.source import SequenceSource

    async def fill() -> None:
        transport = DemoTransport(FakeClose(DemoOrg(size), Faults(latency=0)))
        cache = Cache.open(folder, "demo")
        async with CloseClient(DEMO_BASE_URL, api_key=DEMO_API_KEY, transport=transport) as client:
            source = SequenceSource(client, cache)
            async for _ in pages_in_order(source.fetch_page, width=4):
                pass
        cache.close()

    asyncio.run(fill())


# -- the app, headless ---------------------------------------------------------------------


class Frames:
    """Records when the app composes a frame (headless: the frame is built, not written)."""

    def __init__(self, app: Any) -> None:
        self.times: list[float] = []
        original = app._display

        def spy(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                self.times.append(time.perf_counter())
            original(screen, renderable)

        app._display = spy

    async def next_after(self, moment: float, timeout: float = 5.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            later = [t for t in self.times if t > moment]
            if later:
                return later[0]
            await asyncio.sleep(0)
        raise RuntimeError("no frame came")


async def settle(app: Any, pilot: Any) -> None:
    for _ in range(400):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "reconnect" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
        elif app.busy:
            await pilot.pause(0.05)
        else:
            return


def loaded_app(cache_dir: Path) -> Any:
    os.environ["CLOSETUI_CACHE_DIR"] = str(cache_dir)
    from closetui.settings import load_settings
    from closetui.tui.app import ClosetuiApp

    return ClosetuiApp(load_settings(demo=True, offline=True))


def load_everything(app: Any) -> None:
    import gc

    while not app.feed.end:
        app.feed.pump(want_more=True)
    app.sequence_list.rows_changed()
    gc.freeze()  # as the app does after each page it takes in


async def press_and_wait(app: Any, frames: Frames, key: str, done: Callable[[], bool]) -> float:
    from textual import events

    started = time.perf_counter()
    app._driver.send_message(events.Key(key, None))
    while not done():
        await asyncio.sleep(0)
        if time.perf_counter() - started > 5:
            raise RuntimeError(f"{key} had no effect")
    handled = time.perf_counter()
    frame = await frames.next_after(handled)
    return frame - started


# -- the figures ----------------------------------------------------------------------------


def bench_start(out: dict[str, Any], runs: int, caches: dict[int, Path]) -> None:
    floor = [
        pty_time_to([PY, str(HERE / "floor_app.py")], base_env(), b"FLOOR row 0")
        for _ in range(runs)
    ]
    out["floor"] = summary(floor)
    for size, folder in caches.items():
        env = base_env(
            CLOSETUI_CACHE_DIR=str(folder),
            CLOSETUI_LOG_DIR=str(folder / "logs"),
            CLOSETUI_DEMO_SIZE=str(size),
            CLOSETUI_DEMO_LATENCY="0.15",
        )
        warm = [
            pty_time_to([PY, "-m", "closetui", "--demo"], env, b"My Sequence") for _ in range(runs)
        ]
        out[f"warm_start_{size}"] = summary(warm)
    cold = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as empty:
            env = base_env(
                CLOSETUI_CACHE_DIR=empty,
                CLOSETUI_LOG_DIR=empty,
                CLOSETUI_DEMO_SIZE="10000",
                CLOSETUI_DEMO_LATENCY="0.15",
            )
            cold.append(pty_time_to([PY, "-m", "closetui", "--demo"], env, b"My Sequence"))
    out["cold_start_150ms"] = summary(cold)


def bench_keys(out: dict[str, Any], runs: int, caches: dict[int, Path]) -> None:
    presses = max(runs * 6, 30)

    async def measure(folder: Path) -> dict[str, list[float]]:
        app = loaded_app(folder)
        found: dict[str, list[float]] = {"down": [], "pagedown": [], "end": []}
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause()
            load_everything(app)
            await pilot.pause()
            frames = Frames(app)
            table = app.sequence_list
            for _ in range(presses):
                before = table.cursor
                found["down"].append(
                    await press_and_wait(
                        app,
                        frames,
                        "down",
                        lambda b=before: (
                            table.cursor == b + 1 and app.detail.showing == table.current_row.id
                        ),
                    )
                )
            for _ in range(presses):
                before = table.cursor
                found["pagedown"].append(
                    await press_and_wait(
                        app,
                        frames,
                        "pagedown",
                        lambda b=before: (
                            table.cursor > b and app.detail.showing == table.current_row.id
                        ),
                    )
                )
            last = app.sequence_rows.visible_count - 1
            for _ in range(max(runs * 2, 10)):
                table.move_to(0)  # back to the top, unmeasured: let its frame go out first
                await frames.next_after(time.perf_counter())
                await pilot.pause()
                found["end"].append(
                    await press_and_wait(
                        app,
                        frames,
                        "end",
                        lambda: table.cursor == last and app.detail.showing == table.current_row.id,
                    )
                )
        return found

    for size, folder in caches.items():
        found = asyncio.run(measure(folder))
        for key, values in found.items():
            out[f"key_{key}_{size}"] = summary([v * 1000 for v in values])


def bench_append(out: dict[str, Any], runs: int, caches: dict[int, Path]) -> None:
    from closetui.feed import FeedEvent
    from closetui.rows import Row
    from closetui.tui.messages import FeedChanged

    appends = max(runs * 4, 20)

    def page(n: int, skip: int) -> list[Row]:
        return [
            Row(f"seq_bench{n:05d}{i:03d}", f"appended {n} {i}", f"appended {n} {i}", "active", 3,
                86400, "2026-01-01", time.time())
            for i in range(100)
        ]  # fmt: skip

    async def ours(folder: Path) -> tuple[list[float], list[float]]:
        app = loaded_app(folder)
        work, to_frame = [], []
        async with app.run_test(size=(120, 35)) as pilot:
            await pilot.pause()
            load_everything(app)
            await pilot.pause()
            frames = Frames(app)
            skip = app.feed.next_skip
            for n in range(appends):
                started = time.perf_counter()
                app.sequence_rows.put(skip, page(n, skip), fresh=True)
                app.on_feed_changed(FeedChanged("sequences", FeedEvent("rows", skip, count=100)))
                done = time.perf_counter()
                frame = await frames.next_after(done)
                work.append(done - started)
                to_frame.append(frame - started)
                skip += 100
                await pilot.pause()
        return work, to_frame

    async def datatable(size: int) -> list[float]:
        from textual.app import App, ComposeResult
        from textual.widgets import DataTable

        class Table(App[None]):
            def compose(self) -> ComposeResult:
                yield DataTable()

        app = Table()
        found = []
        async with app.run_test(size=(120, 35)) as pilot:
            table = app.query_one(DataTable)
            table.add_columns("name", "status", "steps", "span", "updated")
            table.add_rows([(f"row {i}", "active", 3, "1 d", "2026") for i in range(size)])
            await pilot.pause()
            frames = Frames(app)
            for n in range(max(runs, 5)):
                started = time.perf_counter()
                table.add_rows([(f"new {n} {i}", "active", 3, "1 d", "2026") for i in range(100)])
                await frames.next_after(started)
                found.append(time.perf_counter() - started)
                await pilot.pause()
        return found

    for size, folder in caches.items():
        work, to_frame = asyncio.run(ours(folder))
        out[f"append_work_{size}"] = summary([v * 1000 for v in work])
        out[f"append_frame_{size}"] = summary([v * 1000 for v in to_frame])
        out[f"datatable_append_{size}"] = summary([v * 1000 for v in asyncio.run(datatable(size))])


def bench_load_all(out: dict[str, Any], runs: int) -> None:
    from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose, Faults

    router = FakeClose(DemoOrg(10_000), Faults(latency=0.1, rate_limit=20, rate_window=1.0))
    results: dict[str, list[float]] = {"plain": [], "list": [], "sync": [], "sync_sequences": []}
    too_many = 0
    with DemoServer(router) as server:
        env = base_env(CLOSE_API_KEY=DEMO_API_KEY)
        commands = {
            "plain": [PY, str(HERE / "plain_loop.py"), server.base_url],
            "list": [PY, "-m", "closetui", "list", "--base-url", server.base_url],
            "sync": [PY, "-m", "closetui", "sync", "--base-url", server.base_url],
        }
        for _ in range(runs):
            for name, argv in commands.items():
                with tempfile.TemporaryDirectory() as scratch:
                    router.reset_log()
                    time.sleep(1.0)  # a fresh rate-limit window for each contender
                    started = time.perf_counter()
                    done = subprocess.run(
                        argv,
                        env={**env, "CLOSETUI_CACHE_DIR": scratch, "CLOSETUI_LOG_DIR": scratch},
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    elapsed = time.perf_counter() - started
                    if done.returncode != 0:
                        raise RuntimeError(f"{name} failed: {done.stderr[-500:]}")
                    if name != "plain":
                        too_many += router.statuses.count(429)
                    results[name].append(elapsed)
                    if name == "sync":
                        # Its own account of the sequence phase (from its start, so the
                        # process start-up is added back from the elapsed total).
                        phase = float(done.stdout.split("(sequences ")[1].split(" s)")[0])
                        inside = float(done.stdout.split(" in ")[1].split(" s")[0])
                        results["sync_sequences"].append(elapsed - inside + phase)
    for name, values in results.items():
        out[f"load_all_{name}"] = summary(values)
    out["load_all_429s"] = too_many


def bench_rss(out: dict[str, Any], runs: int, caches: dict[int, Path]) -> None:
    for size, folder in caches.items():
        values = []
        for _ in range(runs):
            done = subprocess.run(
                [PY, str(HERE / "rss_probe.py"), str(size)],
                env={**base_env(), "CLOSETUI_CACHE_DIR": str(folder), "PYTHONPATH": str(ROOT)},
                capture_output=True,
                text=True,
                check=True,
            )
            values.append(float(done.stdout.strip().splitlines()[-1]))
        out[f"rss_{size}"] = summary(values)


def bench_requests(out: dict[str, Any]) -> None:
    from closetui.api import CloseClient
    from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose
    from closetui.lookups import templates_of
    from closetui.settings import ApiKey, Settings
    from closetui.tui.app import ClosetuiApp

    router = FakeClose(DemoOrg())

    async def browse(server: Any, scratch: str) -> dict[str, int]:
        settings = Settings(
            base_url=server.base_url,
            api_key=ApiKey(DEMO_API_KEY),
            key_source="benchmark",
            cache_dir=Path(scratch),
            log_dir=Path(scratch),
        )
        client = CloseClient(server.base_url, api_key=DEMO_API_KEY)
        app = ClosetuiApp(settings, client=client)
        async with app.run_test(size=(120, 35)) as pilot:
            await settle(app, pilot)
            # View the first 300 rows: page down through them as a person holding the key.
            while app.sequence_list.cursor < 299:
                await pilot.press("pagedown")
            await settle(app, pilot)
            # Open 10 details: the cursor rests on each.
            for index in range(0, 300, 30):
                app.jump_to(app.sequence_rows.rows[index].id)
                await settle(app, pilot)
            paths = [r.path for r in router.requests]
            detailed = [p.split("/")[1] for p in paths if p.startswith("sequence/seq_")]
            wanted: set[str] = set()
            for sequence_id in detailed:
                wanted |= {t for _, t in templates_of(app.source.sequence(sequence_id).sequence)}
        asked = [p for p in paths if p.startswith(TEMPLATE_PATHS)]
        return {
            "list": paths.count("sequence/"),
            "users": paths.count("user/"),
            "templates": len(asked),
            "repeated_templates": len(asked) - len(set(asked)),
            "distinct_templates": len(wanted),
            "details": len(detailed),
            "other": len([p for p in paths if p == "me/"]),
        }

    with DemoServer(router) as server, tempfile.TemporaryDirectory() as scratch:
        out["requests_per_browse"] = asyncio.run(browse(server, scratch))


# -- the table ----------------------------------------------------------------------------------


def fmt(entry: dict[str, float], unit: str, scale: float = 1.0) -> str:
    med, lo, hi = (entry[k] * scale for k in ("median", "min", "max"))
    digits = 0 if unit in ("ms", "MB") and med >= 10 else (1 if unit in ("ms", "MB") else 2)
    return f"{med:.{digits}f} {unit} [{lo:.{digits}f}–{hi:.{digits}f}]"


def table(out: dict[str, Any], sizes: list[int]) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    if "floor" in out:
        floor = out["floor"]["median"]
        rows.append(
            (
                "Start-up floor: bare Textual app, first rows",
                fmt(out["floor"], "s"),
                "(baseline)",
                "",
            )
        )
        for size in sizes:
            entry = out[f"warm_start_{size}"]
            above = entry["median"] - floor
            rows.append(
                (
                    f"1. Warm start, cache of {size:,}: first row",
                    f"{fmt(entry, 's')}  (+{above:.3f} s)",
                    "≤ floor + 0.1 s",
                    verdict(above <= 0.1),
                )
            )
        cold = out["cold_start_150ms"]
        rows.append(
            (
                "2. Cold start online, 150 ms latency: first row",
                f"{fmt(cold, 's')}  (+{cold['median'] - floor:.3f} s)",
                "≤ floor + 0.15 + 0.1 s",
                verdict(cold["median"] <= floor + 0.25),
            )
        )
    for key in ("down", "pagedown", "end"):
        for size in sizes:
            name = f"key_{key}_{size}"
            if name in out:
                rows.append(
                    (
                        f"3. Key {key} to frame, {size:,} rows (detail updating)",
                        fmt(out[name], "ms"),
                        "≤ 16 ms, flat",
                        verdict(out[name]["median"] <= 16),
                    )
                )
    for size in sizes:
        if f"append_work_{size}" in out:
            work = out[f"append_work_{size}"]
            rows.append(
                (
                    f"4. Append a page of 100 at {size:,}: work",
                    fmt(work, "ms"),
                    "≤ 10 ms, flat",
                    verdict(work["median"] <= 10),
                )
            )
            rows.append(("   … to the next frame", fmt(out[f"append_frame_{size}"], "ms"), "", ""))
            base = out[f"datatable_append_{size}"]
            rows.append(
                (
                    f"   DataTable, same append at {size:,} (reference)",
                    fmt(base, "ms"),
                    f"ours/DataTable {work['median'] / base['median']:.2f}",
                    "",
                )
            )
    if "load_all_plain" in out:
        plain = out["load_all_plain"]["median"]
        rows.append(
            (
                "5. Load all 10,000 at 100 ms: plain sequential loop",
                fmt(out["load_all_plain"], "s"),
                "(baseline)",
                "",
            )
        )
        for name in ("list", "sync_sequences", "sync"):
            entry = out[f"load_all_{name}"]
            ratio = entry["median"] / plain
            rows.append(
                (
                    {
                        "list": "   closetui list",
                        "sync_sequences": "   closetui sync, its sequence pass",
                        "sync": "   closetui sync, all (+ users, 73 templates)",
                    }[name],
                    f"{fmt(entry, 's')}  (ratio {ratio:.2f})",
                    "ratio ≤ 0.4" if name != "sync" else "(174 requests: ≥ 8.7 s at 20/s)",
                    verdict(ratio <= 0.4) if name != "sync" else "",
                )
            )
        rows.append(
            (
                "   429s earned at 20 requests/s",
                str(out["load_all_429s"]),
                "0",
                verdict(out["load_all_429s"] == 0),
            )
        )
    for size, goal in zip(sizes, (120, 300), strict=False):
        if f"rss_{size}" in out:
            entry = out[f"rss_{size}"]
            rows.append(
                (
                    f"6. Peak RSS, {size:,} loaded",
                    fmt(entry, "MB"),
                    f"≤ {goal} MB",
                    verdict(entry["median"] <= goal),
                )
            )
    if "requests_per_browse" in out:
        r = out["requests_per_browse"]
        allowed = math.ceil(300 / 100) + 1
        ok = (
            r["list"] <= allowed
            and r["templates"] <= r["distinct_templates"]
            and not r["repeated_templates"]
            and r["users"] <= 1
        )
        rows.append(
            (
                "7. Requests: view 300 rows, open 10 details",
                f"{r['list']} list, {r['templates']} templates "
                f"({r['distinct_templates']} distinct), {r['users']} users pass, "
                f"{r['details']} details (counts), {r['other']} /me/",
                f"≤ {allowed} list + 1/template + 1 users",
                verdict(ok),
            )
        )
    return rows  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--only", default="start,keys,append,load,rss,requests", help="comma-separated figures"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(args.only.split(","))
    out: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "textual": importlib.metadata.version("textual"),
        },
        "runs": args.runs,
    }
    scratch = Path(tempfile.mkdtemp(prefix="closetui-bench-"))
    try:
        caches: dict[int, Path] = {}
        if only & {"start", "keys", "append", "rss"}:
            for size in sizes:
                folder = scratch / f"cache-{size}"
                started = time.perf_counter()
                prepare_cache(folder, size)
                print(f"prepared a cache of {size:,} in {time.perf_counter() - started:.1f} s",
                      file=sys.stderr)  # fmt: skip
                caches[size] = folder
        steps: list[tuple[str, Callable[[], None]]] = [
            ("start", lambda: bench_start(out, args.runs, caches)),
            ("keys", lambda: bench_keys(out, args.runs, caches)),
            ("append", lambda: bench_append(out, args.runs, caches)),
            ("load", lambda: bench_load_all(out, args.runs)),
            ("rss", lambda: bench_rss(out, args.runs, caches)),
            ("requests", lambda: bench_requests(out)),
        ]
        for name, step in steps:
            if name in only:
                started = time.perf_counter()
                step()
                print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    rows = table(out, sizes)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("figure", "median [min–max]", "goal", "")
    print(f"closetui benchmarks: {out['machine']['cpus']} CPUs, Python {out['machine']['python']}, "
          f"Textual {out['machine']['textual']}, {args.runs} runs per figure")  # fmt: skip
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps({**out, "table": rows}, indent=2))
    print(f"\n(also written to {RESULTS / 'latest.json'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
