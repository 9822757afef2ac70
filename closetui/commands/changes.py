"""`closetui changes [--since 7d|DATE]`: what changed across every sequence the cache has
seen, newest first, from the versions it kept. It reads only the cache (online or not):
`closetui sync` (or the app) is what brings new versions in."""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any, TextIO

from closetui.commands.common import open_session
from closetui.config.settings import Settings
from closetui.errors import ConfigError, OfflineEmpty
from closetui.names.lookups import Lookups
from closetui.present.history import Change, change_of, parsed
from closetui.present.sheet import format_moment
from closetui.store.versions import Version
from closetui.textsafe import inert, truncate

_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def since_time(text: str | None, now: float | None = None) -> float:
    """`7d`, `12h`, `30m`, `2w` ago, or a date (`2026-11-30`, UTC) or ISO time; None: all."""
    if text is None:
        return 0.0
    now = time.time() if now is None else now
    value = text.strip().lower()
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(min|m|h|d|w)", value)
    if found:
        return now - float(found.group(1)) * _UNITS[found.group(2)]
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--since takes an age such as 7d, 12h or 30m, or a date such as 2026-11-30, "
            f"not {inert(text)!r}."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def collect(pairs: list[tuple[Version, Version]], lookups: Lookups) -> list[Change]:
    """The kept pairs of versions as changes in words, with the templates the cache knows
    named."""
    found = []
    for before, after in pairs:
        for version in (before, after):
            sequence = parsed(version)
            if sequence is not None:
                lookups.known(sequence)
        change = change_of(before, after, lookups.names)
        if change is not None:
            found.append(change)
    return found


def as_json(change: Change) -> dict[str, Any]:
    return {
        "sequence_id": change.sequence_id,
        "name": change.after.name,
        "seen_at": datetime.fromtimestamp(change.seen_at, UTC).isoformat(),
        "date_updated": change.updated_at.isoformat() if change.updated_at else None,
        "updated_by_id": change.updated_by_id,
        "updated_by": change.updated_by,
        "changes": list(change.what),
    }


def _table(found: list[Change], out: TextIO) -> None:
    out.write(f"{'SEEN':<20}  {'ID':<26}  {'NAME':<24}  {'BY':<16}  CHANGE\n")
    for change in found:
        seen = format_moment(datetime.fromtimestamp(change.seen_at, UTC))
        who = truncate(inert(change.updated_by or ""), 16)
        for what in change.what:
            out.write(
                f"{seen:<20}  {inert(change.sequence_id):<26}  "
                f"{truncate(change.name, 24):<24}  {who:<16}  {what}\n"
            )


async def run(
    settings: Settings,
    *,
    since: str | None = None,
    fmt: str | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    start = since_time(since)
    async with open_session(settings) as session:
        cache = session.cache
        if settings.offline and not cache.sequence_count() and not cache.kept_version_count():
            raise OfflineEmpty(
                "Offline, and nothing is cached for this account: run `closetui sync` online first."
            )
        found = collect(cache.changes_since(start), session.lookups)
        for notice in cache.take_notices():
            print(f"closetui: {inert(notice)}", file=sys.stderr)
        if fmt == "json":
            out.write(json.dumps([as_json(c) for c in found], indent=2) + "\n")
        elif fmt == "jsonl":
            for change in found:
                out.write(json.dumps(as_json(change)) + "\n")
        elif not found:
            when = "" if since is None else f" since {inert(since)}"
            out.write(
                f"No changes seen{when}. The cache keeps a sequence's earlier version each time "
                "a fetch (closetui sync, or the app) brings a different one.\n"
            )
        else:
            _table(found, out)
    return 0
