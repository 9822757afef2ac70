"""The contract with Close: its documented example responses (copied from
`shared/close-examples/` into `tests/close_examples/`), and the one list of where the demo may
differ from them.

A shape is, for every path into a JSON value (`steps[].delay`), the set of JSON types seen
there across all documented examples of a resource. The demo must answer with the same keys
and with types from those sets; anything else must be declared below, with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "close_examples"
SHARED_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "close-examples"

# Which documented files describe the items an endpoint answers with (list items, a single
# get, create and update answers all describe the same object).
RESOURCES: dict[str, list[str]] = {
    "sequence": ["sequence-list.json", "sequence-get.json", "sequence-create.json"],
    "subscription": [
        "sequence-subscription-list.json",
        "sequence-subscription-get.json",
        "sequence-subscription-create.json",
        "sequence-subscription-paused.json",
    ],
    "user": ["user-list.json", "user-get.json"],
    "me": ["me.json"],
    "email_template": ["email-template-get.json"],
    "sms_template": ["sms-template-list.json", "sms-template-get.json", "sms-template-create.json"],
}

# Keys the demo sends that no example shows: only those `close-api.md` lists as seen on the
# live API.
LIVE_EXTRAS: dict[str, set[str]] = {
    "sequence": {"allow_manual_enrollment", "owner_id", "steps[].sms_template_id"},
}

# Keys an example has that the demo may leave out, with the reason.
MAY_OMIT: dict[str, set[str]] = {
    # Only the single-sequence fetch carries the counts; list items do not.
    "sequence": {"subscription_counts_by_status"},
}

# Types no example shows, kept in the demo as cases the app must render by their own value
# (close-api.md: "show it when set"), or documented as nullable where every example has null.
OTHER_TYPES: dict[str, dict[str, set[str]]] = {
    "sequence": {"steps[].step_allowed_delay": {"number"}, "steps[].sms_template_id": {"text"}},
    "subscription": {"start_date": {"text"}},  # every example has null; a started run has a date
}


def load(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def items(name: str) -> list[Any]:
    """A file's objects: a list answer's items, or the single object."""
    body = load(name)
    if isinstance(body, dict) and isinstance(body.get("data"), list) and "has_more" in body:
        return body["data"]
    return [body]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    return "object"


def shape(values: Iterable[Any], prefix: str = "") -> dict[str, set[str]]:
    """Path -> the JSON types seen there, over every value given."""
    found: dict[str, set[str]] = {}

    def walk(value: Any, path: str) -> None:
        found.setdefault(path, set()).add(json_type(value))
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, f"{path}[]")

    for value in values:
        walk(value, prefix)
    return found


def documented(resource: str) -> dict[str, set[str]]:
    return shape(item for name in RESOURCES[resource] for item in items(name))


def differences(resource: str, answers: Iterable[Any]) -> list[str]:
    """How the demo's objects differ from the documented shape, beyond what is declared."""
    want = documented(resource)
    extras = LIVE_EXTRAS.get(resource, set())
    omit = MAY_OMIT.get(resource, set())
    other = OTHER_TYPES.get(resource, {})
    problems: list[str] = []
    for answer in answers:
        got = shape([answer])
        for path, types in got.items():
            if not path:
                continue
            if path not in want:
                if not any(path == e or path.startswith(e + ".") for e in extras):
                    problems.append(f"{path}: not in Close's examples")
                continue
            odd = types - want[path] - other.get(path, set())
            if odd:
                problems.append(f"{path}: {sorted(odd)} where Close shows {sorted(want[path])}")
        # Every key the example documents must be there too, in every object the demo sends
        # at that place (an empty list has no items to check).
        for path in want:
            if not path or path in got or path.endswith("[]"):
                continue
            if any(path == o or path.startswith(o + ".") for o in omit):
                continue
            parent = path.rsplit(".", 1)[0] if "." in path else ""
            if parent and "object" not in got.get(parent, set()):
                continue
            problems.append(f"{path}: missing")
    return sorted(set(problems))


# -- documented schemas (`schemas/`): objects whose reference pages give no example --------

SCHEMA_FILES = {
    "Contact": "contact.json",
    "ContactEmail": "contact-email.json",
    "ContactPhone": "contact-phone.json",
    "BasicSubscriptionInfoForContact": "contact-subscription.json",
    "Lead": "lead.json",
}
_SAMPLE = {"string": "x", "boolean": False, "integer": 0, "number": 0, "array": [], "object": {}}


def schema(name: str) -> dict[str, Any]:
    return load(f"schemas/{name}")


def instance(name: str, enums: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The smallest object a documented schema allows: every required property, each of
    its first documented type (an array with one item, a date-time as a date, a `$ref`
    built from its schema where one is here, an enum's first value)."""
    enums = enums or {}

    def value(spec: dict[str, Any]) -> Any:
        if "$ref" in spec:
            ref = spec["$ref"].rsplit("/", 1)[-1]
            if ref in SCHEMA_FILES:
                return instance(SCHEMA_FILES[ref], enums)
            return enums[ref][0] if ref in enums else "x"
        if "oneOf" in spec:
            return value(spec["oneOf"][0])
        kind = spec.get("type", "string")
        kind = kind[0] if isinstance(kind, list) else kind
        if kind == "string" and spec.get("format") == "date-time":
            return "2024-01-04T09:00:00.000000+00:00"
        if kind == "array":
            return [value(spec.get("items", {}))]
        return _SAMPLE.get(kind)

    body = schema(name)
    properties = body.get("properties", {})
    return {key: value(properties.get(key, {})) for key in body.get("required", [])} | {
        key: value(spec) for key, spec in properties.items() if key in ("subscriptions", "emails")
    }


def schema_problems(name: str, answer: dict[str, Any]) -> list[str]:
    """Required keys missing from an answer, and top-level values of a type the schema
    does not allow."""
    body = schema(name)
    names = {"string": "text", "boolean": "boolean", "integer": "number", "number": "number",
             "array": "list", "object": "object", "null": "null"}  # fmt: skip
    problems = [f"{key}: missing" for key in body.get("required", []) if key not in answer]
    for key, spec in body.get("properties", {}).items():
        if key not in answer or "type" not in spec:
            continue
        allowed = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        if json_type(answer[key]) not in {names[t] for t in allowed}:
            problems.append(f"{key}: {json_type(answer[key])} where the schema says {allowed}")
    return problems
