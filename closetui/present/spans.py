"""Styled text without markup: a span is text and a role (what it is, never how it looks),
a line is a list of spans. The detail pane and `closetui show` each draw them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
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
        spans.append(Span(found.group(), "variable"))
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


def clip(line: Line, width: int) -> Line:
    """`line` cut to `width` cells, ending with `…` when anything was cut."""
    if sum(cell_width(span.text) for span in line) <= width:
        return list(line)
    out: Line = []
    room = max(0, width - 1)
    for span in line:
        size = cell_width(span.text)
        if size <= room:
            out.append(span)
            room -= size
            continue
        kept = ""
        for char in span.text:
            step = cell_width(char)
            if step > room:
                break
            kept += char
            room -= step
        if kept:
            out.append(Span(kept, span.role))
        break
    out.append(Span("…", "dim"))
    return out
