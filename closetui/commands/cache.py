"""`closetui cache path|info|clear`: where the cache is, what it holds, and emptying it."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from closetui.config.settings import SUFFIX_HINT, Settings
from closetui.errors import ConfigError
from closetui.present.sheet import format_age
from closetui.store import cache as store
from closetui.textsafe import inert


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _ago(moment: float | None) -> str:
    return "never" if not moment else format_age(time.time() - moment)


def _this_account(settings: Settings) -> str | None:
    return None if settings.account == "none" else settings.account


def path(settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    out.write(f"{settings.cache_dir}\n")
    account = _this_account(settings)
    if account:
        out.write(f"{settings.cache_dir / (account + store.SUFFIX)}\n")
    return 0


def info(settings: Settings, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    files = store.accounts(settings.cache_dir)
    if not files:
        out.write(f"Nothing cached yet in {settings.cache_dir}.\n")
        return 0
    current = _this_account(settings)
    header = ("account", "organization", "sequences", "size", "last fetch", "last complete pass")
    rows = [header]
    for file in files:
        found = store.inspect(file)
        name = found["account"] + (" (this)" if found["account"] == current else "")
        if "error" in found:
            rows.append((name, found["error"], "", _size(found["size"]), "", ""))
            continue
        rows.append(
            (
                name,
                inert(found["organization"] or "?"),
                f"{found['sequences']:,}",
                _size(found["size"]),
                _ago(found["last_fetch"]),
                _ago(found["last_complete_sync"]),
            )
        )
    widths = [max(len(inert(r[i])) for r in rows) for i in range(len(header))]
    for row in rows:
        cells = (inert(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
        out.write("  ".join(cells).rstrip())
        out.write("\n")
    out.write(f"\nFolder: {settings.cache_dir}\n")
    if sum(1 for f in files if f.name != "demo" + store.SUFFIX) > 1:
        out.write(
            "Offline without a key, choose one by its account: "
            "CLOSETUI_ACCOUNT=ACCOUNT closetui --offline\n"
        )
    return 0


def clear(
    settings: Settings,
    *,
    everything: bool,
    yes: bool,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    if everything:
        targets = store.accounts(settings.cache_dir)
        what = f"all {len(targets)} cached account(s) in {settings.cache_dir}"
    else:
        account = _this_account(settings)
        if account is None:
            raise ConfigError(
                "Which account's cache? Give its key (" + SUFFIX_HINT + "), or --demo, or --all."
            )
        target = settings.cache_dir / (account + store.SUFFIX)
        targets = [target] if target.exists() else []
        what = f"the cache of this account ({target})"
    if not targets:
        out.write("Nothing to clear.\n")
        return 0
    if not yes:
        if not stdin.isatty():
            raise ConfigError(f"Refusing to delete {what} without asking: add --yes.")
        out.write(f"Delete {what}? [y/N] ")
        out.flush()
        if stdin.readline().strip().lower() not in ("y", "yes"):
            out.write("Nothing deleted.\n")
            return 0
    for target in targets:
        store.remove(target)
    out.write(f"Deleted {what}.\n")
    return 0
