"""Start-up as instructions: what the CPU executes from exec until the first row reaches the
terminal, counted by valgrind's callgrind, for the least Textual app (the floor) and for a warm
start of `closetui --demo` from a cache of 10,000 sequences.

A count hardly moves when other work shares the machine, where a time does (seconds in tmux
doubled while seven other sessions ran), so this is the figure to compare two versions by on
a busy machine. It does not replace the timed figures of run.py: how many instructions a second
holds depends on the machine. Each run takes about a minute under callgrind.

    uv run python tests/bench/start_instructions.py [--runs 3] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floor27  # noqa: E402  (beside this file)
import run  # noqa: E402

SUMMARY = re.compile(rb"^summary: (\d+)$", re.MULTILINE)


def instructions(argv: list[str], env: dict[str, str], mark: str, folder: Path) -> int:
    """Instructions from exec until `mark` is written to the terminal: the program leaves
    there by itself (CPU_TO_MARK), and callgrind writes its count as it ends."""
    out = folder / "callgrind.out"
    out.unlink(missing_ok=True)
    script = folder / "run.sh"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv]
    script.write_text(
        "exec env -i "
        + " ".join(shlex.quote(f"{k}={v}") for k, v in {**env, "MARK": mark}.items())
        + f" {shlex.join(command)} 2>/dev/null\n"
    )
    socket = f"closetui-ir-{os.getpid()}"
    tmux = ["tmux", "-L", socket]
    for _attempt in range(3):  # tmux now and then says "server exited unexpectedly" at once
        started = subprocess.run(
            [*tmux, "new-session", "-d", "-x", "120", "-y", "35", f"sh {script}"],
            capture_output=True,
        )
        if started.returncode == 0:
            break
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    else:
        raise RuntimeError(f"tmux did not start: {started.stderr.decode(errors='replace')}")
    try:
        deadline = time.monotonic() + 300
        while not (out.exists() and SUMMARY.search(out.read_bytes())):
            assert time.monotonic() < deadline, "callgrind wrote no count"
            time.sleep(0.2)
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
    found = SUMMARY.search(out.read_bytes())
    assert found is not None
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", type=Path, help="a demo cache of 10,000 (made if not given)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="closetui-ir-"))
    try:
        cache = args.cache
        if cache is None:
            cache = scratch / "cache"
            run.prepare_cache(cache, 10_000)
        env = run.bytecode_env(run.base_env(), scratch / "pyc")
        app_env = {
            **env,
            "CLOSETUI_CACHE_DIR": str(cache),
            "CLOSETUI_LOG_DIR": str(scratch / "logs"),
            "CLOSETUI_DEMO_SIZE": "10000",
            "CLOSETUI_DEMO_LATENCY": "0.15",
        }
        programs = {
            "floor": (
                [sys.executable, "-c", floor27.CPU_TO_MARK, str(HERE / "floor_min.py")],
                "FLOOR row 0",
            ),
            "warm": ([sys.executable, "-c", floor27.CPU_TO_MARK, "--demo"], "My Sequence"),
        }
        app_env["OUT"] = str(scratch / "cpu")  # (CPU_TO_MARK writes its CPU time there)
        for argv, mark in programs.values():  # the bytecode, written once
            run.tmux_time_to(argv, {**app_env, "MARK": mark}, mark.encode())
        found: dict[str, list[int]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, (argv, mark) in programs.items():
                found[name].append(instructions(argv, app_env, mark, scratch))
        floor = statistics.median(found["floor"])
        for name, counts in found.items():
            median = statistics.median(counts)
            print(
                f"{name}: {median / 1e9:.3f} G instructions "
                f"[{min(counts) / 1e9:.3f}–{max(counts) / 1e9:.3f}], "
                f"{median / floor:.2f} × the floor, +{(median - floor) / 1e9:.3f} G"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
