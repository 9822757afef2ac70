"""Plain-text output for terminals, pipes and `less`: colour only on a terminal and never
with NO_COLOR, control characters from the API made inert, columns that stream."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from closetui.lists.rows import Row
from closetui.present.cadence import UNKNOWN_SPAN, format_span
from closetui.present.roles import status_role
from closetui.present.sheet import Line
from closetui.textsafe import inert, truncate

ANSI = {
    "title": "1",
    "section": "1;36",
    "label": "2",
    "dim": "2",
    "id": "2",
    "good": "32",
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
    "value": "",
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


@dataclass(frozen=True, slots=True)
class OutColumn:
    title: str
    table: Callable[[Any], str]  # the cell in a table, for a person
    plain: Callable[[Any], str]  # the cell in TSV and CSV, for a program
    width: int | None = None  # None: the column that takes the rest (the last one)
    right: bool = False
    status: bool = False  # coloured by status in a table on a terminal
    clip: bool = True  # cut to the width with an ellipsis (an id never is: it must stay whole)


def _days(row: Row) -> str:
    return "?" if row.span == UNKNOWN_SPAN else str((row.span or 0) // 86400)


SEQUENCE_COLUMNS = [
    OutColumn("ID", lambda r: r.id, lambda r: r.id, 26, clip=False),
    OutColumn("STATUS", lambda r: r.status, lambda r: r.status, 7, status=True),
    OutColumn("STEPS", lambda r: str(r.steps), lambda r: str(r.steps), 5, right=True),
    OutColumn("SPAN", lambda r: format_span(r.span), _days, 5, right=True),
    OutColumn("UPDATED", lambda r: r.updated or "—", lambda r: r.updated or "", 10),
    OutColumn("NAME", lambda r: r.name, lambda r: r.name),
]


class TableWriter:
    """Writes rows as they arrive: a table, TSV, CSV (RFC 4180), a JSON array or JSON lines.
    Text from the API is made inert in every format but JSON, which escapes it itself."""

    def __init__(
        self, fmt: str, out: TextIO | None = None, columns: list[OutColumn] | None = None
    ) -> None:
        out = out or sys.stdout
        self.fmt = fmt
        self.out = out
        self.columns = columns or SEQUENCE_COLUMNS
        self.count = 0
        self.width = shutil.get_terminal_size((100, 24)).columns if out.isatty() else 10_000
        self.color = use_color(out) and fmt == "table"
        self._csv = csv.writer(out) if fmt == "csv" else None

    @property
    def needs_raw(self) -> bool:
        """Only JSON output prints what the API sent; the others print the row."""
        return self.fmt in ("json", "jsonl")

    def start(self) -> None:
        if self.fmt == "table":
            self.out.write(self._table_row([c.title for c in self.columns]))
        elif self.fmt == "json":
            self.out.write("[")
        elif self._csv is not None:
            self._csv.writerow([c.title.lower() for c in self.columns])

    def _table_row(self, cells: list[str], status_color: str | None = None) -> str:
        parts, used = [], 0
        for column, cell in zip(self.columns, cells, strict=True):
            if column.width is None:
                parts.append(truncate(cell, max(10, self.width - used)))
                continue
            if column.status:  # a status is cut to its column, as it always was
                text = f"{cell:<{column.width}.{column.width}}"
            else:  # anything else longer than its column ends in an ellipsis
                cut = truncate(cell, column.width) if column.clip else cell
                text = f"{cut:>{column.width}}" if column.right else f"{cut:<{column.width}}"
            used += len(text) + 2
            if column.status and status_color:
                text = f"\x1b[{status_color}m{text}\x1b[0m"
            parts.append(text)
        return "  ".join(parts) + "\n"

    def write(self, row: Any, raw: Mapping[str, Any], text: str | None = None) -> None:
        """`text`: `raw` already encoded as JSON, when the caller has it."""
        self.count += 1
        if self.fmt == "json":
            self.out.write(("\n" if self.count == 1 else ",\n") + (text or json.dumps(raw)))
        elif self.fmt == "jsonl":
            self.out.write((text or json.dumps(raw)) + "\n")
        elif self.fmt == "tsv":
            self.out.write("\t".join(inert(c.plain(row)) for c in self.columns) + "\n")
        elif self._csv is not None:
            self._csv.writerow([inert(c.plain(row)) for c in self.columns])
        else:
            code = ANSI[status_role(row.status)] if self.color else None
            cells = [inert(c.table(row)) for c in self.columns]  # ids too: any field can
            self.out.write(self._table_row(cells, code))

    def flush(self) -> None:
        self.out.flush()

    def finish(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


ListWriter = TableWriter  # the sequence list's writer: its columns are the default
