"""The CPU of `closetui list --demo --format jsonl` (2,000 sequences, latency 0) here and in
another checkout of closetui, run in turn, so that the machine's speed that day is in both:

    uv run python tests/bench/jsonl_against.py /work/wt/base --runs 7

Each run is a new process with a new cache; its CPU (user + system) comes from `os.wait4`.
The other checkout runs its own `.venv` (`uv sync` there first). Bytecode is cached in a
temporary `PYTHONPYCACHEPREFIX` (a first round of each, not counted, writes it), so neither
checkout gets files written into it. Prints the medians and their ratio, here over there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]


def _cpu(tree: Path, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        env = {**env, "CLOSETUI_CACHE_DIR": scratch, "CLOSETUI_LOG_DIR": scratch}
        python = str(tree / ".venv" / "bin" / "python")
        pid = os.fork()
        if pid == 0:  # the child: closetui with stdout to /dev/null, in the other tree
            os.chdir(tree)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            argv = [python, "-m", "closetui", "list", "--demo", "--format", "jsonl"]
            os.execve(python, argv, env)
        _, status, usage = os.wait4(pid, 0)
        if status != 0:
            sys.exit(f"closetui in {tree} failed (wait status {status})")
        return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout of closetui")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", default="2000")
    args = parser.parse_args()
    trees = {"other": args.other.resolve(), "here": HERE}
    with tempfile.TemporaryDirectory() as bytecode:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CLOSETUI_", "CLOSE_", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"))
        }
        env.update(CLOSETUI_DEMO_SIZE=args.size, CLOSETUI_DEMO_LATENCY="0",
                   PYTHONPYCACHEPREFIX=bytecode)  # fmt: skip
        found: dict[str, list[float]] = {name: [] for name in trees}
        for n in range(args.runs + 1):
            for name, tree in trees.items():
                cpu = _cpu(tree, env)
                if n:  # the first round writes the bytecode
                    found[name].append(cpu)
    for name, tree in trees.items():
        values = found[name]
        print(f"{name:5} {statistics.median(values):.3f} s [{min(values):.3f}–{max(values):.3f}]"
              f"  {tree}")  # fmt: skip
    ratio = statistics.median(found["here"]) / statistics.median(found["other"])
    print(f"ratio here/other {ratio:.2f} (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
