"""Turning untrusted text into Textual `Content`, never into markup.

Every string from the API reaches a widget through here (or as a `Content` built from plain
text): `visible()` makes control characters inert first, and `Content(text)` never parses
square brackets, so `[@click=app.quit]q[/]` is shown, not run.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from closetui.sheet import Line
from closetui.textsafe import visible

ROLE_STYLES = {
    "title": "bold",
    "section": "bold $accent",
    "label": "$text-muted",
    "dim": "$text-muted",
    "value": "",
    "id": "$text-muted",
    "status-active": "$success",
    "status-paused": "$warning",
    "status-other": "$text-muted",
    "rail": "$primary",
    "day": "bold",
    "wait": "italic $text-muted",
    "kind": "bold",
    "kind-email": "$accent",
    "kind-call": "$success",
    "kind-sms": "$warning",
    "kind-other": "$secondary",
    "warn": "$warning",
    "error": "$error",
}


def plain(text: str) -> Content:
    """Untrusted text as Content: inert control characters, no markup."""
    return Content(visible(text))


def lines_to_content(lines: list[Line]) -> Content:
    parts: list[str | tuple[str, str]] = []
    for number, line in enumerate(lines):
        if number:
            parts.append("\n")
        for span in line:
            style = ROLE_STYLES.get(span.role, "")
            parts.append((span.text, style) if style else span.text)
    return Content.assemble(*parts)


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or cut with an ellipsis (wide characters counted)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
