"""`[keymap]` from the config file, checked against the bindings closetui has before it goes
to Textual's keymap (`App.set_keymap`), which would silently ignore an id it does not know
and a key no terminal sends. Each entry that cannot be used is one line for the person,
naming its id, and is left out; the rest apply."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(k.value for k in Keys if "+" not in k.value and not k.value.startswith("<"))
ID_LIKE = re.compile(r"[\w.-]+")


def binding_ids(owners: Iterable[type[DOMNode]]) -> dict[str, Binding]:
    """Every binding with an id that these classes (and their bases) declare, by id."""
    found: dict[str, Binding] = {}
    for owner in owners:
        for cls in owner.__mro__:
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    found.setdefault(binding.id, binding)
    return found


def key_problem(key: str) -> str | None:
    """Why `key` is not a key Textual can bind, or None when it is."""
    if not key:
        return "an empty key"
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else f"{key!r} is not a key"
    *modifiers, base = key.split("+")
    unknown = [m for m in modifiers if m not in MODIFIERS]
    if unknown or not base:
        return f"{key!r} is not a key (modifiers are {', '.join(sorted(MODIFIERS))})"
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return None
    if base in NAMED_KEYS or key_to_character(REPLACED_KEYS.get(base, base)) is not None:
        return None
    return f"{key!r} is not a key"


def _keys(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return [part.strip() for part in value]
    return None


def check_keymap(
    raw: Mapping[str, object], known: Mapping[str, Binding]
) -> tuple[dict[str, str], list[str]]:
    """The usable entries (id -> "key,key") and one line for each entry left out."""
    usable: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in raw.items():
        shown = binding_id if ID_LIKE.fullmatch(binding_id) else repr(binding_id)
        if binding_id not in known:
            problems.append(f"keymap: {shown} is not a binding id, ignored (? shows each key's id)")
            continue
        keys = _keys(value)
        if keys is None:
            problems.append(f'keymap: {shown} ignored: give its keys as text, like "j,down"')
            continue
        problem = next((p for p in map(key_problem, keys) if p), None)
        if problem:
            problems.append(f"keymap: {shown} ignored: {problem}")
            continue
        usable[binding_id] = ",".join(keys)
    return usable, problems
