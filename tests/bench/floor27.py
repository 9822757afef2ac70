"""Issue 27's figures for the benchmark: what the machine allows, measured as counts and CPU
time that a busy machine hardly moves, beside the wall times.

- `list` of 2,000 at 100 ms, no rate limit, against the plain loop (ratio), and the rounds
  its requests went out in (from the server's log: a request's round is one more than that
  of the latest request answered before it arrived);
- `list --demo --format jsonl` of 2,000 at latency 0: CPU (user + system) of the process;
- start-up: CPU from exec until the first row is written to the terminal, for the least
  Textual app and for a warm start (the process stops itself there: no shutdown is counted).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PY = sys.executable

# Run as the program: write the CPU time used so far once `MARK` reaches the terminal, then
# leave at once.
CPU_TO_MARK = """
import os, sys, time
from textual.drivers import linux_driver
write = linux_driver.LinuxDriver.write
def spy(self, data):
    write(self, data)
    if os.environ["MARK"] in data:
        with open(os.environ["OUT"], "w") as out:
            out.write(repr(time.process_time()))
        time.sleep(1)  # the terminal shows it before the pane goes
        os._exit(0)
linux_driver.LinuxDriver.write = spy
args = sys.argv[1:]
if args[0].endswith(".py"):
    import runpy
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
else:
    from closetui.cli import main
    main(args)
"""


def rounds(moments: list[float], latency: float) -> list[int]:
    depth: list[int] = []
    for at in moments:
        answered = [d for d, before in zip(depth, moments, strict=False) if before + latency <= at]
        depth.append(1 + max(answered, default=0))
    return [depth.count(n) for n in range(1, max(depth, default=0) + 1)]


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_list_2000(out: dict[str, Any], runs: int, env: dict[str, str]) -> None:
    from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose, Faults

    latency = 0.1
    router = FakeClose(DemoOrg(2_000), Faults(latency=latency))
    env = {**env, "CLOSE_API_KEY": DEMO_API_KEY}
    times: dict[str, list[float]] = {"plain": [], "list": []}
    seen_rounds: list[list[int]] = []
    with DemoServer(router) as server:
        argv = {
            "plain": [PY, str(HERE / "plain_loop.py"), server.base_url],
            "list": [PY, "-m", "closetui", "list", "--base-url", server.base_url],
        }
        for _ in range(runs + 1):  # the first run writes the bytecode
            for name, command in argv.items():
                with tempfile.TemporaryDirectory() as scratch:
                    router.reset_log()
                    started = time.perf_counter()
                    subprocess.run(
                        command,
                        env={**env, "CLOSETUI_CACHE_DIR": scratch, "CLOSETUI_LOG_DIR": scratch},
                        capture_output=True,
                        check=True,
                    )
                    times[name].append(time.perf_counter() - started)
                    if name == "list":
                        moments = sorted(r.at for r in router.requests_to("sequence/"))
                        seen_rounds.append(rounds(moments, latency))
    for name, values in times.items():
        out[f"list2000_{name}"] = _summary(values[1:])
    out["list2000_rounds"] = max(seen_rounds[1:], key=len)


def bench_jsonl_cpu(out: dict[str, Any], runs: int, env: dict[str, str]) -> None:
    env = {**env, "CLOSETUI_DEMO_LATENCY": "0", "CLOSETUI_DEMO_SIZE": "2000"}
    cpu: list[float] = []
    wall: list[float] = []
    for n in range(runs + 1):
        with tempfile.TemporaryDirectory() as scratch:
            before, started = _child_cpu(), time.perf_counter()
            subprocess.run(
                [PY, "-m", "closetui", "list", "--demo", "--format", "jsonl"],
                env={**env, "CLOSETUI_CACHE_DIR": scratch, "CLOSETUI_LOG_DIR": scratch},
                stdout=subprocess.DEVNULL,
                check=True,
            )
            if n:  # the first run writes the bytecode
                cpu.append(_child_cpu() - before)
                wall.append(time.perf_counter() - started)
    out["jsonl2000_cpu"] = _summary(cpu)
    out["jsonl2000_wall"] = _summary(wall)


def bench_start_cpu(
    out: dict[str, Any], runs: int, env: dict[str, str], cache: Path, size: int, tmux_run: Any
) -> None:
    """CPU from exec to the first row on the terminal: the floor and a warm start."""
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "cpu"
        programs = {
            "floor": ([PY, "-c", CPU_TO_MARK, str(HERE / "floor_min.py")], "FLOOR row 0"),
            "warm": ([PY, "-c", CPU_TO_MARK, "--demo"], "My Sequence"),
        }
        app_env = {
            **env,
            "CLOSETUI_CACHE_DIR": str(cache),
            "CLOSETUI_LOG_DIR": str(cache / "logs"),
            "CLOSETUI_DEMO_SIZE": str(size),
            "CLOSETUI_DEMO_LATENCY": "0.15",
            "OUT": str(result),
        }
        found: dict[str, list[float]] = {name: [] for name in programs}
        for n in range(runs + 1):
            for name, (argv, mark) in programs.items():
                result.unlink(missing_ok=True)
                tmux_run(argv, {**app_env, "MARK": mark}, mark.encode())
                deadline = time.monotonic() + 10
                while not result.exists() or not result.read_text():
                    assert time.monotonic() < deadline, f"{name} wrote no CPU time"
                    time.sleep(0.01)
                if n:  # the first run writes the bytecode
                    found[name].append(float(result.read_text()))
    out["startcpu_floor"] = _summary(found["floor"])
    out[f"startcpu_warm_{size}"] = _summary(found["warm"])


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def rows(out: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """The table's lines for issue 27's figures (figure, value, goal, met)."""
    found: list[tuple[str, str, str, bool | None]] = []

    def s(entry: dict[str, float]) -> str:
        return f"{entry['median']:.2f} s [{entry['min']:.2f}–{entry['max']:.2f}]"

    if "list2000_plain" in out:
        plain, ours = out["list2000_plain"], out["list2000_list"]
        ratio = ours["median"] / plain["median"]
        found.append(("27. list of 2,000 at 100 ms, no rate limit: plain loop", s(plain),
                      "(baseline)", None))  # fmt: skip
        found.append(("   closetui list", f"{s(ours)}  (ratio {ratio:.2f})", "ratio ≤ 0.4",
                      ratio <= 0.4))  # fmt: skip
        walk = out["list2000_rounds"]
        found.append(("   … its rounds of requests (server's log)", f"{len(walk)}: {walk}",
                      "5 rounds (doubling)", len(walk) <= 5))  # fmt: skip
    if "jsonl2000_cpu" in out:
        cpu = out["jsonl2000_cpu"]
        found.append(("27. list --demo --format jsonl of 2,000 at 0 latency: CPU", s(cpu),
                      "≤ 0.30 s (half of 0.59)", cpu["median"] <= 0.30))  # fmt: skip
        found.append(("   … wall", s(out["jsonl2000_wall"]), "", None))
    if "startcpu_floor" in out:
        floor = out["startcpu_floor"]
        found.append(("27. CPU from exec to the first row: one Static (floor)", s(floor),
                      "(baseline)", None))  # fmt: skip
        for key in sorted(k for k in out if k.startswith("startcpu_warm_")):
            warm = out[key]
            above = warm["median"] - floor["median"]
            label = f"   warm start, cache of {int(key.split('_')[-1]):,}"
            found.append((label, f"{s(warm)}  (+{above:.3f} s)", "≤ floor + 0.1 s",
                          above <= 0.1))  # fmt: skip
    return found


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOSETUI_", "CLOSE_"))}
    env.update(TERM="xterm-256color", COLORTERM="truecolor")
    return env
