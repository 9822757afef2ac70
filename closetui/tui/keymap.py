"""`[keymap]` from the config file, checked against the bindings closetui has before it goes
to Textual's keymap (`App.set_keymap`), which would silently ignore an id it does not know
and a key no terminal sends. Each entry that cannot be used is one line for the person,
naming its id, and is left out; the rest apply."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, format_key, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset(k.value for k in Keys if "+" not in k.value and not k.value.startswith("<"))
ID_LIKE = re.compile(r"[\w.-]+")
FUNCTION_KEY = re.compile(r"f\d{1,2}")

KEY_NAMES = {
    "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home",
    "end": "End", "enter": "Enter", "escape": "Esc", "tab": "Tab", "slash": "/",
    "question_mark": "?", "space": "Space", "ctrl+p": "Ctrl+P", "ctrl+b": "Ctrl+B",
    "ctrl+f": "Ctrl+F", "shift+tab": "Shift+Tab",
}  # fmt: skip


def _one_key(key: str) -> str:
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    label = KEY_NAMES.get(base) or (
        base.upper() if FUNCTION_KEY.fullmatch(base) else format_key(base)
    )
    if not modifiers:
        return label
    return (
        "+".join(m.capitalize() for m in modifiers)
        + "+"
        + (label.upper() if len(label) == 1 else label)
    )


def key_label(keys: str) -> str:
    return " ".join(_one_key(k.strip()) for k in keys.split(","))


def key_in_force(keymap: Mapping[str, str], binding_id: str, default: str) -> str:
    """The key a person presses for a binding, as help shows it: the first of the keys the
    keymap gives it, or of its own keys. Words that name a key are built from this, so a
    remapped key is the one they name."""
    keys = keymap.get(binding_id) or default
    return key_label(keys.split(",")[0])


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
