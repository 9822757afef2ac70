"""Turning untrusted text into Textual `Content`, never into markup.

Every string from the API reaches a widget through here (or as a `Content` built from plain
text): `inert()` makes control characters inert first, and `Content(text)` never parses
square brackets, so `[@click=app.quit]q[/]` is shown, not run.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

from closetui.present.spans import ClippedLine, Line, Span
from closetui.textsafe import inert


def inert_content(text: str) -> Content:
    """Untrusted text as Content: inert control characters, no markup."""
    return Content(inert(text))


PREFIX_ROLES = frozenset({"rail", "label", "dim"})


def _continuation(prefix: Line) -> Line:
    """What starts a wrapped line's later rows: the timeline's rail carries on, labels
    become blank space, so the value stays in its column."""
    out = []
    for span in prefix:
        if span.role == "rail":
            text = "".join("│" if ch in "│●○" else " " for ch in span.text)
            out.append(Span(text, "rail"))
        else:
            out.append(Span(" " * cell_len(span.text)))
    return out


def clip_line(line: Line, width: int) -> Line:
    """A line cut at `width` cells, ending in `…` when anything was cut."""
    if sum(cell_len(span.text) for span in line) <= width:
        return line
    out: Line = []
    room = max(0, width - 1)
    for span in line:
        size = cell_len(span.text)
        if size <= room:
            out.append(span)
            room -= size
            continue
        if room:
            out.append(Span(set_cell_size(span.text, room), span.role))
        break
    out.append(Span("…", "dim"))
    return out


def wrap_line(line: Line, width: int) -> list[Line]:
    """A line cut into rows of at most `width` cells, with a hanging indent: at spaces, but
    never inside a whole span (a count with its status, a person's name). A clipped line
    (a step of the compact cadence) is cut with `…` instead."""
    if sum(cell_len(span.text) for span in line) <= width:
        return [line]
    if isinstance(line, ClippedLine):
        return [clip_line(line, width)]
    if width < 10:
        return [line]
    cut = next((i for i, span in enumerate(line) if span.role not in PREFIX_ROLES), len(line))
    if cut == len(line):
        cut = 0
    prefix, body = line[:cut], line[cut:]
    indent = sum(cell_len(span.text) for span in prefix)
    room = width - indent
    if room < 8:
        prefix, body, indent, room = [], line, 0, width
    # Lay the body's characters out in rows, breaking at spaces where possible.
    chars = [(ch, span.role, span.whole) for span in body for ch in span.text]
    rows: list[list[tuple[str, str, bool]]] = []
    while chars:
        taken, used, last_space = 0, 0, -1
        while taken < len(chars) and used + cell_len(chars[taken][0]) <= room:
            if chars[taken][0] == " " and not chars[taken][2]:
                last_space = taken
            used += cell_len(chars[taken][0])
            taken += 1
        if taken < len(chars) and last_space > 0:
            taken = last_space + 1
        rows.append(chars[:taken] or chars[:1])
        chars = chars[max(taken, 1) :]
        while chars and chars[0][0] == " ":
            chars = chars[1:]
    out = []
    for n, row in enumerate(rows):
        spans: Line = list(prefix) if n == 0 else _continuation(prefix)
        for ch, role, _ in row:
            if spans and spans[-1].role == role and len(spans) > (len(prefix) if n == 0 else 0):
                spans[-1] = Span(spans[-1].text + ch, role)
            else:
                spans.append(Span(ch, role))
        out.append(spans)
    return out


def fit(text: str, width: int) -> str:
    """Exactly `width` cells: padded, or cut with an ellipsis (wide characters counted)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"
