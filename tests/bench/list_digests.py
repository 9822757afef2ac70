"""A digest of every output of `closetui list --demo`, to compare two versions of closetui
byte for byte: run it on each (`git stash`, a checkout) and diff what it prints.

    uv run python tests/bench/list_digests.py > before.txt
    ... change closetui ...
    uv run python tests/bench/list_digests.py > after.txt && diff before.txt after.txt

Each format (table, json, jsonl, csv, tsv) of demo organizations of 2,000 and 300 sequences
(the hostile names among them), on a new cache, again on the warm cache and offline from it,
and a sorted TSV with chosen columns; then the demo's own answers (the list pages, details and
runs), so a faster demo is seen to serve the same data.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile

FORMATS = ("table", "json", "jsonl", "csv", "tsv")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _list(env: dict[str, str], *args: str) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-m", "closetui", "list", "--demo", *args],
        env=env,
        capture_output=True,
        check=False,
    )
    return _digest(done.stdout), done.returncode


def demo_answers() -> str:
    from closetui.demo import DemoOrg, FakeClose

    digest = hashlib.sha256()
    for size in (1, 2_000):
        router = FakeClose(DemoOrg(size), log=False)
        headers = {"authorization": f"Bearer {router.api_key}"}
        for skip in range(0, size + 100, 100):
            target = f"/api/v1/sequence/?_skip={skip}&_limit=100"
            digest.update(router.handle("GET", target, headers).body)
        for position in range(min(size, 300)):
            item = router.org.sequence_at(position)
            assert item is not None
            for target in (
                f"/api/v1/sequence/{item['id']}/",
                f"/api/v1/sequence_subscription/?sequence_id={item['id']}&_limit=100",
            ):
                digest.update(router.handle("GET", target, headers).body)
    return digest.hexdigest()[:16]


def main() -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CLOSETUI_", "CLOSE_"))}
    for size in ("2000", "300"):
        for fmt in FORMATS:
            with tempfile.TemporaryDirectory() as scratch:
                env = {
                    **base,
                    "CLOSETUI_DEMO_SIZE": size,
                    "CLOSETUI_DEMO_LATENCY": "0",
                    "CLOSETUI_CACHE_DIR": scratch,
                    "CLOSETUI_LOG_DIR": scratch,
                    "COLUMNS": "120",
                }
                for mode, extra in (("new", ()), ("warm", ()), ("offline", ("--offline",))):
                    digest, code = _list(env, "--format", fmt, *extra)
                    print(f"{size} {fmt} {mode}: {digest} exit {code}", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            env = {**base, "CLOSETUI_DEMO_SIZE": size, "CLOSETUI_DEMO_LATENCY": "0",
                   "CLOSETUI_CACHE_DIR": scratch, "CLOSETUI_LOG_DIR": scratch}  # fmt: skip
            sort = ("--format", "tsv", "--sort", "name:desc", "--columns", "id,name,steps,span")
            digest, code = _list(env, *sort)
            print(f"{size} tsv sorted: {digest} exit {code}", flush=True)
    print(f"demo answers: {demo_answers()}")


if __name__ == "__main__":
    main()
