"""Styled text without markup: a span is text and a role (what it is, never how it looks),
a line is a list of spans. The detail pane and `closetui show` each draw them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a drawn line, with the role that styles it."""

    text: str
    role: str = ""
    # A unit that wraps as one (a count with its status, a day range, a person's name): a
    # line breaks between whole spans and at the spaces of the others, never inside it.
    whole: bool = False


Line = list[Span]


class ClippedLine(list[Span]):
    """A line that is cut at the width with `…` instead of wrapped: a step of the compact
    cadence stays one line however narrow the pane."""


# Template variables as typed in Close's editor: shown as written, never evaluated.
VARIABLE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def with_variables(text: str, role: str = "value") -> list[Span]:
    """`text` as spans, its `{{ … }}` template variables in the role `variable`. The text
    must be inert already."""
    spans: list[Span] = []
    at = 0
    for found in VARIABLE.finditer(text):
        if found.start() > at:
            spans.append(Span(text[at : found.start()], role))
        spans.append(Span(found.group(), "variable", whole=True))  # wraps as one
        at = found.end()
    if at < len(text) or not spans:
        spans.append(Span(text[at:], role))
    return spans


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: East Asian wide and full-width characters take two,
    combining marks none (close enough to the terminal's own count for plain output)."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return total


def clip(line: Line, width: int, cell_len: Callable[[str], int] | None = None) -> Line:
    """`line` cut to `width` cells, ending with `…` when anything was cut (cells counted by
    `cell_len`: a terminal's own measure where one is at hand)."""
    measure = cell_len or cell_width
    if sum(measure(span.text) for span in line) <= width:
        return list(line)
    out: Line = []
    room = max(0, width - 1)
    for span in line:
        size = measure(span.text)
        if size <= room:
            out.append(span)
            room -= size
            continue
        kept = ""
        for char in span.text:
            step = measure(char)
            if step > room:
                break
            kept += char
            room -= step
        if kept:
            out.append(Span(kept, span.role))
        break
    out.append(Span("…", "dim"))
    return out


PREFIX_ROLES = frozenset({"rail", "label", "dim"})


def _continuation(prefix: Line, cell_len: Callable[[str], int]) -> Line:
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


def wrap_line(line: Line, width: int, cell_len: Callable[[str], int] | None = None) -> list[Line]:
    """A line cut into rows of at most `width` cells, with a hanging indent: at spaces, but
    never inside a whole span (a count with its status, a person's name). A clipped line
    (a step of the compact cadence) is cut with `…` instead."""
    cell_len = cell_len or cell_width
    if sum(cell_len(span.text) for span in line) <= width:
        return [line]
    if isinstance(line, ClippedLine):
        return [clip(line, width)]
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
        spans: Line = list(prefix) if n == 0 else _continuation(prefix, cell_len)
        for ch, role, _ in row:
            if spans and spans[-1].role == role and len(spans) > (len(prefix) if n == 0 else 0):
                spans[-1] = Span(spans[-1].text + ch, role)
            else:
                spans.append(Span(ch, role))
        out.append(spans)
    return out
