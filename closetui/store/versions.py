"""What makes two fetches of a sequence different versions: the fields a person reads.

A sequence is fetched again and again; most fetches change nothing a person would notice
(the subscription counts, a step's own `date_updated`). Its *fingerprint* covers only what
the detail pane shows of it: name, status, schedule, timezone, and for each step in order its
kind, delay, template, threading, required and allowed delay. Two fetches with the same
fingerprint are one version. Pure functions over the API's JSON, no SQL (that is cache.py's).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

VERSION_FORMAT = 1  # how a kept version is written; a row in another format is skipped
SEQUENCE_FIELDS = ("name", "status", "timezone")
STEP_FIELDS = (
    "step_type",
    "delay",
    "email_template_id",
    "sms_template_id",
    "threading",
    "required",
    "step_allowed_delay",
)
# What a kept version keeps beside the fingerprinted fields: who changed it and when, to say.
KEPT_FIELDS = ("id", *SEQUENCE_FIELDS, "schedule", "steps", "created_by_id", "date_created",
               "updated_by_id", "date_updated")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a sequence the cache saw: the API's JSON (the fields a person reads),
    from when it was first fetched until a fetch brought a different one (None: it is the
    version the cache holds now)."""

    sequence_id: str
    first_seen: float
    replaced_at: float | None
    data: dict[str, Any]


def _clock(value: Any) -> Any:
    """`09:00:00` and `09:00` are one time: the list and the detail may spell it apart."""
    if isinstance(value, str) and len(value) == 8 and value.endswith(":00"):
        return value[:5]
    return value


# A list of sequences holds few distinct schedules (the same working hours again and again),
# and putting one in its normal form costs a JSON encoding per range: each distinct one is
# normalised and encoded once, found again by its JSON text (which tells `true` from `1`,
# `1.0` and `-0.0`).
_SCHEDULE_TEXTS: dict[str, str] = {}
_SCHEDULE_TEXTS_MAX = 1024  # past that, the memo starts again

# Made once: `json.dumps` with options builds an encoder at every call. Keys sorted, no
# spaces: the fingerprint's text is the essence's JSON as this encodes it.
_ENCODE = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode


def _schedule(value: Any) -> Any:
    if not isinstance(value, dict) or not isinstance(value.get("ranges"), list):
        return value
    ranges = [
        {k: _clock(v) for k, v in r.items()} if isinstance(r, dict) else r for r in value["ranges"]
    ]
    return {"ranges": sorted(ranges, key=lambda r: json.dumps(r, sort_keys=True))}


def _schedule_text(value: Any) -> str:
    if not isinstance(value, dict):
        return _ENCODE(value)
    try:
        key = json.dumps(value)
    except (TypeError, ValueError):  # not JSON's (only a caller's own objects): as it is
        return _ENCODE(_schedule(value))
    text = _SCHEDULE_TEXTS.get(key)
    if text is None:
        text = _ENCODE(_schedule(value))
        if len(_SCHEDULE_TEXTS) >= _SCHEDULE_TEXTS_MAX:
            _SCHEDULE_TEXTS.clear()
        _SCHEDULE_TEXTS[key] = text
    return text


def essence(raw: Any) -> dict[str, Any]:
    """The fields of a sequence a person reads, normalised."""
    if not isinstance(raw, dict):
        return {}
    steps = raw.get("steps")
    return {
        **{name: raw.get(name) for name in SEQUENCE_FIELDS},
        "schedule": _schedule(raw.get("schedule")),
        "steps": [
            {name: step.get(name) for name in STEP_FIELDS} if isinstance(step, dict) else step
            for step in (steps if isinstance(steps, list) else [])
        ],
    }


def _essence_text(raw: Any) -> str:
    """`_ENCODE(essence(raw))`, with the schedule's text shared: the same characters, in
    the order sorted keys put them (name, schedule, status, steps, timezone)."""
    if not isinstance(raw, dict):
        return "{}"
    steps = raw.get("steps")
    return "".join(
        (
            '{"name":',
            _ENCODE(raw.get("name")),
            ',"schedule":',
            _schedule_text(raw.get("schedule")),
            ',"status":',
            _ENCODE(raw.get("status")),
            ',"steps":',
            _ENCODE(
                [
                    {name: step.get(name) for name in STEP_FIELDS}
                    if isinstance(step, dict)
                    else step
                    for step in (steps if isinstance(steps, list) else [])
                ]
            ),
            ',"timezone":',
            _ENCODE(raw.get("timezone")),
            "}",
        )
    )


def fingerprint(raw: Any) -> str:
    """A short digest of the essence: equal for two fetches a person could not tell apart.
    Kept in the cache (`version_heads`), so its text must never change: a different digest
    for the same sequence would read as a change of every sequence."""
    text = _essence_text(raw)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def kept_form(raw: dict[str, Any]) -> dict[str, Any]:
    """What a version keeps of a fetched sequence: enough to show its cadence as it was and
    to say who changed it, without the counts or fields closetui does not show."""
    kept = {name: raw[name] for name in KEPT_FIELDS if name in raw}
    steps = raw.get("steps")
    if isinstance(steps, list):
        kept["steps"] = [
            {k: v for k, v in step.items() if k in ("id", *STEP_FIELDS)}
            if isinstance(step, dict)
            else step
            for step in steps
        ]
    return kept
