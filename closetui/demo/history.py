"""The demo's history: earlier versions of a few of its sequences, as if the cache had seen
them change over the last days, so that a first `closetui --demo` shows what changed (the
mark in the list, the line under the detail's header, `h`, `closetui changes`).

Only the demo's own cache gets them, once (a meta key remembers it): a real account's
history is only ever what its fetches saw.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from closetui.demo import HISTORY_SEEDED as SEEDED
from closetui.demo.data import USERS, DemoOrg
from closetui.store.cache import Cache

DAY = 86400.0


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _earlier(
    current: dict[str, Any], at: float, by: int, change: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    item = copy.deepcopy(current)
    change(item)
    item["date_updated"] = _stamp(at)
    item["updated_by_id"] = USERS[by % len(USERS)]["id"]
    return item


def _rename_and_pause(item: dict[str, Any]) -> None:
    item["name"] = "My sequence (draft)"
    item["status"] = "draft"
    if len(item["steps"]) > 1:
        item["steps"][1]["delay"] = 5 * int(DAY)


def _paused_shorter(item: dict[str, Any]) -> None:
    item["status"] = "paused"
    if len(item["steps"]) > 1:
        item["steps"][1]["delay"] = 2 * int(DAY)


def _with_sms_nudge(item: dict[str, Any]) -> None:
    item["steps"].append(
        {"id": "seqstep_DemoSmsNudgeRemoved000", "step_type": "sms", "delay": 2 * int(DAY),
         "email_template_id": None, "sms_template_id": None, "threading": None,
         "required": False, "step_allowed_delay": None}
    )  # fmt: skip


def _one_step_fewer(item: dict[str, Any]) -> None:
    if item["steps"]:
        item["steps"].pop()
    item["name"] = str(item["name"]).replace(" — ", " – ", 1) + " (old)"


def versions(org: DemoOrg, now: float) -> list[tuple[dict[str, Any], float, float | None]]:
    """(sequence, first seen, replaced at) of each earlier version, oldest first, and of the
    current version the last one was replaced by (replaced at None)."""
    found: list[tuple[dict[str, Any], float, float | None]] = []
    first = org.sequence_at(0)
    if first is not None:
        found.append((_earlier(first, now - 9 * DAY, 2, _rename_and_pause), now - 9 * DAY,
                      now - 3 * DAY))  # fmt: skip
        found.append((_earlier(first, now - 3 * DAY, 3, _paused_shorter), now - 3 * DAY,
                      now - 5 * 3600))  # fmt: skip
    for position, change in ((1, _with_sms_nudge), (2, _one_step_fewer)):
        item = org.sequence_at(position)
        if item is not None:
            found.append((_earlier(item, now - 2 * DAY, position + 3, change), now - 2 * DAY,
                          now - 2 * 3600))  # fmt: skip
    last: dict[str, float] = {}
    for item, _, replaced in found:
        last[item["id"]] = replaced or now
    for position in range(3):
        item = org.sequence_at(position)
        if item is not None and item["id"] in last:
            found.append((item, last[item["id"]], None))
    return found


def seed(cache: Cache, org: DemoOrg | None = None, now: float | None = None) -> None:
    """The demo's earlier versions, into a demo cache that has not had them yet."""
    if cache.meta(SEEDED):
        return
    now = time.time() if now is None else now
    kept = versions(org or DemoOrg(), now)
    for item, _, replaced in kept:
        if replaced is None and cache.sequence(item["id"]) is None:
            cache.put_detail(item["id"], item, now)  # the current version is the cached one
    cache.keep_versions(kept)
    cache.set_meta(SEEDED, "1")
