"""Turning untrusted text into Textual `Content`, never into markup.

Every string from the API reaches a widget through here (or as a `Content` built from plain
text): `inert()` makes control characters inert first, and `Content(text)` never parses
square brackets, so `[@click=app.quit]q[/]` is shown, not run.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from closetui.present.spans import ClippedLine, Line, clip
from closetui.present.spans import wrap_line as wrap_spans
from closetui.textsafe import inert


def inert_content(text: str) -> Content:
    """Untrusted text as Content: inert control characters, no markup."""
    return Content(inert(text))


def wrap_line(line: Line, width: int) -> list[Line]:
    """A line cut into rows of at most `width` cells (see `present.spans.wrap_line`), measured
    as Textual measures them; a clipped line is cut with `…`."""
    if isinstance(line, ClippedLine):
        return [clip(line, width, cell_len)]
    return wrap_spans(line, width, cell_len)


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or cut with an ellipsis (wide characters counted)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
