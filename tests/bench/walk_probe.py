"""How a `closetui list` walk goes out, from the demo server's own request log: the rounds
(requests that arrive together, a gap of more than half the latency apart from the next),
requests past the end, and per window of a rate limit how many arrived.

    uv run python tests/bench/walk_probe.py --size 2000 --latency 0.1
    uv run python tests/bench/walk_probe.py --size 10000 --latency 0.1 --rate 20
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))


def rounds(moments: list[float], gap: float) -> list[int]:
    """Sizes of the groups of `moments` that lie within `gap` of the one before."""
    sizes: list[int] = []
    last = None
    for at in sorted(moments):
        if last is None or at - last > gap:
            sizes.append(0)
        sizes[-1] += 1
        last = at
    return sizes


def main() -> int:
    from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose, Faults

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rate", type=int, default=None)
    parser.add_argument("--warm", action="store_true", help="once more after a complete pass")
    parser.add_argument("--format", default=None)
    parser.add_argument("--timeline", action="store_true", help="every request's moment")
    args = parser.parse_args()
    faults = Faults(latency=args.latency, rate_limit=args.rate, rate_window=1.0)
    router = FakeClose(DemoOrg(args.size), faults)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOSETUI_", "CLOSE_"))}
    env["CLOSE_API_KEY"] = DEMO_API_KEY
    with DemoServer(router) as server, tempfile.TemporaryDirectory() as scratch:
        env.update(CLOSETUI_CACHE_DIR=scratch, CLOSETUI_LOG_DIR=scratch)
        argv = [sys.executable, "-m", "closetui", "list", "--base-url", server.base_url]
        if args.format:
            argv += ["--format", args.format]
        for phase in ("cold", "warm") if args.warm else ("cold",):
            router.reset_log()
            started = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            log = router.requests_to("sequence/")
            moments = [r.at for r in log]
            skips = [int(r.query["_skip"]) for r in log]
            first = min(moments)
            print(
                f"{phase}: {len(log)} requests, {sum(s >= args.size for s in skips)} past the end,"
                f" rounds {rounds(moments, args.latency / 2)}, "
                f"first to last request {max(moments) - first:.3f} s, process {elapsed:.2f} s"
                f" (its first request {first - started:.3f} s in),"
                f" 429s {router.statuses.count(429)}"
            )
            if args.timeline:
                for r in sorted(log, key=lambda r: r.at):
                    print(f"   {r.at - first:7.3f}  {int(r.query['_skip']) // 100}")
            if args.rate:
                # The demo's windows: one opens with the first request after the last ended.
                windows: list[list[float]] = []
                for at in sorted(moments):
                    if not windows or at - windows[-1][0] >= 1.0:
                        windows.append([at])
                    else:
                        windows[-1].append(at)
                print(f"   requests per window: {[len(w) for w in windows]}, opening at "
                      f"{[round(w[0] - first, 3) for w in windows]}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
