"""What a list says about itself, in words: the line after its last row and its border's
count, built from the list's state (data, from `lists.paged`) and from the keys the keymap
actually binds, so a remapped refresh key is the key these words name.

Which state wins is decided here, in one place: loading, a refused key, a stop, Close's
`_skip` limit, a failure, offline, the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from closetui.lists.paged import ListState
from closetui.present.sheet import format_age


@dataclass(frozen=True, slots=True)
class ListKeys:
    """The keys the words name, as the person presses them."""

    refresh: str = "r"
    load_all: str = "L"


@dataclass(frozen=True, slots=True)
class ListWords:
    """What a list says about where it stands: the end line and the border's count."""

    line: str  # after the last row ("" for nothing)
    role: str  # "status", "warn" or "error"
    subtitle: str  # the border's count


def end_line(
    state: ListState,
    plural: str,
    noun: str | None,
    keys: ListKeys,
    offline_empty: str | None = None,
) -> tuple[str, str]:
    """The line after the last row, and its role. `offline_empty` is what to say offline when
    nothing of the list was ever cached (how it could be)."""
    count = state.loaded
    refresh = keys.refresh
    if state.loading:
        return "loading…", "status"
    if state.auth_failed is not None:
        return "the API key was refused", "error"
    if state.stopped:
        line = f"stopped: {state.stopped} pages brought nothing new · {refresh} to try again"
        return line, "warn"
    if state.capped:
        what = noun or plural
        line = f"Close lists only the first {count:,} {what}: "
        return line + "narrow with a filter, or see them in Close", "warn"
    if state.failed is not None:
        return f"failed: {refresh} to retry", "error"
    if state.offline and not count:
        return offline_empty or "Nothing is cached for this yet.", "warn"
    if state.offline and not state.end:
        return f"offline: no more cached rows · {refresh} to retry", "warn"
    if state.end and not count:
        return f"No {plural}.", "status"
    return "", "status"


def count_line(state: ListState, keys: ListKeys, now: float, sort_label: str | None) -> str:
    """The border's words: how many rows, how many match, the order, the cache's age."""
    count = state.loaded
    if state.filter:
        more = " · searching…" if state.searching else ""
        more += "" if state.end else " · loading more…"
        subtitle = f"{state.shown:,} of {count:,} match{more}"
    elif state.end:
        cached = " cached" if state.offline and not state.complete else ""
        subtitle = "none cached" if state.offline and not count else f"all {count:,}{cached}"
    else:
        subtitle = f"{count:,} loaded · more"
    if state.capped:  # the count is as far as Close lists, not the list's
        first = f"first {count:,}"
        subtitle = f"{state.shown:,} of the {first} match" if state.filter else first
        subtitle += " · Close's limit"
    if state.oldest_cached is not None:
        subtitle += f" · cached {format_age(now - state.oldest_cached)}"
    if state.sorting:
        subtitle += " · sorting…"
    if sort_label is not None:
        subtitle += f" · by {sort_label}"
        if not state.end:
            subtitle += f" of those loaded ({keys.load_all} loads all)"
    return subtitle


def list_words(
    state: ListState,
    *,
    plural: str,
    keys: ListKeys,
    now: float,
    noun: str | None = None,
    sort_label: str | None = None,
    offline_empty: str | None = None,
) -> ListWords:
    """Everything a list says about itself. `noun` is what it holds in the end line's words
    ("runs of this sequence"); its `plural` when None."""
    line, role = end_line(state, plural, noun, keys, offline_empty)
    return ListWords(line, role, count_line(state, keys, now, sort_label))


def refresh_words(did: str) -> str:
    """The toast after `r`, for what the list did ("offline", "retry" or "refresh")."""
    return {
        "offline": "Offline (--offline): nothing to refresh from.",
        "retry": "Retrying…",
    }.get(did, "Refreshing from Close…")
