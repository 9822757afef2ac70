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

from closetui.errors import ConfigError
from closetui.lists.rows import Row
from closetui.present.cadence import UNKNOWN_SPAN, format_span
from closetui.present.roles import status_role
from closetui.present.spans import Line
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
    "error": "1;31",  # bold too: red turns white in some 16-colour palettes
    "value": "",
    "chip-good": "7;32",
    "chip-warn": "7;33",
    "chip-error": "7;31",
    "chip-dim": "7;2",
    "mark": "2",
    "body": "",
    "strong": "1",
    "em": "3",
    "link": "4",
    "address": "2",
    "variable": "35",
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
    width: int | None = None  # None: the column that takes the rest (the name, the person)
    right: bool = False
    status: bool = False  # coloured by status in a table on a terminal
    clip: bool = True  # cut to the width with an ellipsis (an id never is: it must stay whole)
    drop: int = 0  # in a narrow table, dropped (highest first) to give the rest room; 0: kept
    role: Callable[[Any], str] | None = None  # the cell's style role in a table (a count)

    @property
    def name(self) -> str:
        """What `--columns` and `--sort` call it: the app's column name, lower case."""
        return self.title.lower()


REST_ROOM = 40  # what a narrow table gives its last column (the name) before lesser ones


def _days(row: Row) -> str:
    return "?" if row.span == UNKNOWN_SPAN else str((row.span or 0) // 86400)


def _count_column(title: str, status: str, role: str, drop: int) -> OutColumn:
    def count(row: Row) -> int | None:
        return row.counts.get(status) if row.counts else None

    def table(row: Row) -> str:
        found = count(row)
        return "·" if found is None else f"{found:,}"

    def plain(row: Row) -> str:
        found = count(row)
        return "" if found is None else str(found)

    return OutColumn(
        title, table, plain, 5, right=True, drop=drop, role=lambda r: role if count(r) else ""
    )


# Every column `list` can print, in the order it prints them; the app's names, with ID.
SEQUENCE_COLUMNS = [
    OutColumn("ID", lambda r: r.id, lambda r: r.id, 26, clip=False),
    OutColumn("STATUS", lambda r: r.status, lambda r: r.status, 7, status=True),
    _count_column("ERR", "error", "error", 4),
    _count_column("ACT", "active", "good", 5),
    _count_column("PAU", "paused", "warn", 6),
    OutColumn("STEPS", lambda r: str(r.steps), lambda r: str(r.steps), 5, right=True, drop=1),
    OutColumn("SPAN", lambda r: format_span(r.span), _days, 5, right=True, drop=2),
    OutColumn("UPDATED", lambda r: r.updated or "—", lambda r: r.updated or "", 10, drop=3),
    OutColumn("NAME", lambda r: r.name, lambda r: r.name),
]
SEQUENCE_DEFAULT = ("id", "status", "steps", "span", "updated", "name")


def choose_columns(
    available: list[OutColumn],
    default: tuple[str, ...],
    requested: str | None,
    sort: str | None = None,
) -> tuple[list[OutColumn], bool]:
    """The columns to print, and whether the person chose them (then none is dropped to fit):
    `--columns` names them in order, else the default ones; the sort column is always in,
    in its place among the default ones or after the chosen ones."""
    by_name = {c.name: c for c in available}
    if requested is None:
        wanted = [c.name for c in available if c.name in default or c.name == sort]
    else:
        wanted = [w.strip().casefold() for w in requested.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in by_name]
        if unknown or not wanted:
            raise ConfigError(
                f"--columns takes a comma list of {', '.join(by_name)}; "
                + (f"not {unknown[0]!r}." if unknown else "it was empty.")
            )
        if sort is not None and sort not in wanted:
            wanted.append(sort)
    return [by_name[name] for name in dict.fromkeys(wanted)], requested is not None


def _table_width(out: TextIO) -> int:
    """A terminal's width; through a pipe, $COLUMNS if set (a script asking for a table of
    that width), else no limit."""
    if out.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    try:
        return int(os.environ.get("COLUMNS", "")) or 10_000
    except ValueError:
        return 10_000


class TableWriter:
    """Writes rows as they arrive: a table, TSV, CSV (RFC 4180), a JSON array or JSON lines.
    Text from the API is made inert in every format but JSON, which escapes it itself."""

    def __init__(
        self,
        fmt: str,
        out: TextIO | None = None,
        columns: list[OutColumn] | None = None,
        *,
        chosen: bool = False,
        header: bool = False,
        keep: tuple[str, ...] = (),
    ) -> None:
        out = out or sys.stdout
        self.fmt = fmt
        self.out = out
        self.width = _table_width(out)
        columns = columns or [c for c in SEQUENCE_COLUMNS if c.name in SEQUENCE_DEFAULT]
        if fmt == "table" and not chosen:
            columns = self._fit(columns, keep)
        self.columns = columns
        self.header = header or fmt in ("table", "csv")  # TSV: headerless unless asked
        self.count = 0
        self.color = use_color(out) and fmt == "table"
        self._csv = csv.writer(out) if fmt == "csv" else None
        fixed = sum(c.width + 2 for c in columns if c.width is not None)
        self._rest = max(10, self.width - fixed)

    def _fit(self, columns: list[OutColumn], keep: tuple[str, ...]) -> list[OutColumn]:
        """In a narrow table the rest column (the name) gets its room first: lesser columns
        go, least first, until it has REST_ROOM or only the kept ones are left."""
        if not any(c.width is None for c in columns):
            return columns
        kept = list(columns)
        droppable = sorted(
            (c for c in columns if c.drop and c.name not in keep), key=lambda c: -c.drop
        )
        for column in droppable:
            fixed = sum(c.width + 2 for c in kept if c.width is not None)
            if self.width - fixed >= REST_ROOM:
                break
            kept.remove(column)
        return kept

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
            self._csv.writerow([c.name for c in self.columns])
        elif self.fmt == "tsv" and self.header:
            self.out.write("\t".join(c.name for c in self.columns) + "\n")

    def _table_row(self, cells: list[str], row: Any = None) -> str:
        parts = []
        for column, cell in zip(self.columns, cells, strict=True):
            if column.width is None:
                text = truncate(cell, self._rest)
                if column is not self.columns[-1]:
                    text = f"{text:<{self._rest}}"
            elif column.status:  # a status is cut to its column, as it always was
                text = f"{cell:<{column.width}.{column.width}}"
            else:  # anything else longer than its column ends in an ellipsis
                cut = truncate(cell, column.width) if column.clip else cell
                text = f"{cut:>{column.width}}" if column.right else f"{cut:<{column.width}}"
            code = self._code(column, row)
            parts.append(f"\x1b[{code}m{text}\x1b[0m" if code else text)
        return "  ".join(parts).rstrip() + "\n"

    def _code(self, column: OutColumn, row: Any) -> str | None:
        if row is None or not self.color:
            return None
        if column.status:
            return ANSI[status_role(row.status)] or None
        if column.role is not None:
            return ANSI.get(column.role(row)) or None
        return None

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
            cells = [inert(c.table(row)) for c in self.columns]  # ids too: any field can
            self.out.write(self._table_row(cells, row))

    def flush(self) -> None:
        self.out.flush()

    def finish(self) -> None:
        if self.fmt == "json":
            self.out.write("\n]\n" if self.count else "]\n")
        self.out.flush()


ListWriter = TableWriter  # the sequence list's writer: its columns are the default
