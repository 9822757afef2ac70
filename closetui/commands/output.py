"""Plain-text output for terminals, pipes and `less`: colour only on a terminal and never
with NO_COLOR, control characters from the API made inert, columns that stream."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from closetui.cadence import format_span
from closetui.rows import Row
from closetui.sheet import Line
from closetui.textsafe import truncate, visible

ANSI = {
    "title": "1",
    "section": "1;36",
    "label": "2",
    "dim": "2",
    "id": "2",
    "status-active": "32",
    "status-paused": "33",
    "status-other": "2",
    "rail": "34",
    "day": "1",
    "wait": "3;2",
    "kind": "1",
    "kind-email": "36",
    "kind-call": "32",
    "kind-sms": "33",
    "kind-other": "35",
    "warn": "33",
    "error": "31",
}


def use_color(stream: TextIO, env: Mapping[str, str] = os.environ) -> bool:
    if "NO_COLOR" in env or env.get("TERM") == "dumb":
        return False
    return stream.isatty()


def render_lines(lines: list[Line], color: bool) -> str:
    out = []
    for line in lines:
        parts = []
        for span in line:
            code = ANSI.get(span.role) if color else None
            parts.append(f"\x1b[{code}m{span.text}\x1b[0m" if code else span.text)
        out.append("".join(parts).rstrip())
    return "\n".join(out) + "\n"


class ListWriter:
    """Writes sequences as they arrive: a table, TSV, a JSON array or JSON lines."""

    def __init__(self, fmt: str, out: TextIO | None = None) -> None:
        out = out or sys.stdout
        self.fmt = fmt
        self.out = out
        self.count = 0
        self.width = shutil.get_terminal_size((100, 24)).columns if out.isatty() else 10_000
        self.color = use_color(out) and fmt == "table"

    @property
    def needs_raw(self) -> bool:
        """Only JSON output prints what the API sent; the others print the row."""
        return self.fmt in ("json", "jsonl")

    def start(self) -> None:
        if self.fmt == "table":
            self.out.write(self._table_row("ID", "STATUS", "STEPS", "SPAN", "UPDATED", "NAME"))
        elif self.fmt == "json":
            self.out.write("[")

    def _table_row(self, *cells: str, status_color: str | None = None) -> str:
        sid, status, steps, span, updated, name = cells
        status = f"{status:<7.7}"
        plain_head = f"{sid:<26}  {status}  {steps:>5}  {span:>5}  {updated:<10}  "
        if status_color:
            status = f"\x1b[{status_color}m{status}\x1b[0m"
        head = f"{sid:<26}  {status}  {steps:>5}  {span:>5}  {updated:<10}  "
        return head + truncate(name, max(10, self.width - len(plain_head))) + "\n"

    def write(self, row: Row, raw: Mapping[str, Any]) -> None:
        self.count += 1
        if self.fmt == "json":
            self.out.write(("\n" if self.count == 1 else ",\n") + json.dumps(raw))
        elif self.fmt == "jsonl":
            self.out.write(json.dumps(raw) + "\n")
        elif self.fmt == "tsv":
            cells = [row.id, row.status, str(row.steps), str((row.span or 0) // 86400),
                     row.updated or "", row.name]  # fmt: skip
            self.out.write("\t".join(visible(c) for c in cells) + "\n")
        else:
            code = {"active": "32", "paused": "33"}.get(row.status, "2") if self.color else None
            cells = (row.id, row.status, str(row.steps), format_span(row.span),
                     row.updated or "—", row.name)  # fmt: skip
            self.out.write(self._table_row(*map(visible, cells), status_color=code))

    def flush(self) -> None:
        self.out.flush()

    def finish(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()
