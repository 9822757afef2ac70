"""A line-API table over a RowList: renders only the lines on screen.

Textual's DataTable re-does work for every row on each append (measured: 5 s to add 10,000
rows as 100 pages, 225 s for 100,000). Here an append changes `virtual_size` and repaints
what is visible, so a page costs the same at 100 rows as at 100,000, and so does a keypress.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from closetui.config.tuning import SLOW_SORT_ROWS
from closetui.lists.rows import KeyedRow, RowList
from closetui.tui.text import fit
from closetui.tui.widgets.styles import ComponentStyles


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int | None  # None: this column takes the width the others leave
    cell: Callable[[Any], tuple[str, str]]  # row -> (text, role)
    align_right: bool = False
    min_table: int = 0  # hidden when the table is narrower than this
    # row -> a value that orders rows (never None: unknowns sort as a value of their own)
    sort_key: Callable[[Any], Any] | None = None
    descending_first: bool = False  # counts and dates: the largest first is what one wants


@dataclass(frozen=True, slots=True)
class Sort:
    column: Column
    descending: bool

    @property
    def label(self) -> str:
        return f"{self.column.title} {'↓' if self.descending else '↑'}"


R = TypeVar("R", bound=KeyedRow)


class PagedTable(ComponentStyles, ScrollView, Generic[R], can_focus=True):
    """Rows from a RowList, a cursor, and one status line after the last row."""

    STYLE_PREFIX = "paged-table"

    COLUMNS: ClassVar[list[Column]] = []
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,g", "first", "First", show=False, id="list.first"),
        Binding("end,G", "last", "Last", show=False, id="list.last"),
        Binding("enter,tab", "open", "Detail", key_display="⏎", id="list.open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--cursor-blurred",
        "paged-table--dim",
        "paged-table--good",
        "paged-table--warn",
        "paged-table--status",
        "paged-table--error",
    }
    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .paged-table--header { text-style: bold; color: $text-muted; }
        & > .paged-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .paged-table--cursor-blurred { background: $block-cursor-blurred-background; }
        & > .paged-table--dim { color: $text-muted; }
        & > .paged-table--good { color: $text-success; }
        & > .paged-table--warn { color: $text-warning; }
        & > .paged-table--status { color: $text-muted; text-style: italic; }
        & > .paged-table--error { color: $text-error; text-style: bold; }
    }
    """

    class _RowMessage(Message):
        def __init__(self, table: PagedTable[Any], row: Any | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    class Opened(_RowMessage):
        """Enter, Tab or a double click on a row."""

    class SortChanged(_RowMessage):
        """The rows' order changed (a header click, or the sort key): `sort` says how."""

        def __init__(self, table: PagedTable[Any], sort: Sort | None) -> None:
            super().__init__(table, None)
            self.sort = sort

    class WantsMore(Message):
        """The cursor or the view came within a screen of the last loaded row."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    def __init__(self, rows: RowList[R] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: RowList[R] = rows if rows is not None else RowList()
        # Each sortable column gets a column in the row store as rows come, so a sort by it
        # is an ORDER BY with nothing left to compute.
        self.rows.use_sort_keys(c.sort_key for c in self.sortable() if c.sort_key is not None)
        self.cursor = 0
        self._cursor_id: str | None = None
        self._status: tuple[str, str] = ("", "status")
        self.always_want_more = False  # a filter wants every page, not just one screen more
        self.sort: Sort | None = None
        # Called at once when the cursor lands on a row, rather than by a message: a message
        # reaches the screen a frame later, so the detail would trail the cursor.
        self.on_highlight: Callable[[R | None], None] | None = None
        self._highlight_due = False

    # -- data changes ----------------------------------------------------------------------

    def set_status(self, text: str, role: str = "status") -> None:
        """The line after the last row: `loading…`, `failed: r to retry`, or nothing."""
        if (text, role) != self._status:
            self._status = (text, role)
            self.refresh()

    def rows_changed(self) -> None:
        """Call after the RowList changed: keeps the cursor on the same row."""
        count = self.rows.visible_count
        self.virtual_size = Size(self.size.width, count + 2)  # header line and status line
        if self._cursor_id is not None:
            moved = self.rows.visible_index_of(self._cursor_id)
            if moved is not None and moved != self.cursor:
                shift = moved - self.cursor
                self.cursor = moved
                self.scroll_to(y=self.scroll_y + shift, animate=False, force=True)
        if count:
            self.cursor = min(self.cursor, count - 1)
        else:
            self.cursor = 0
        self.refresh()
        row = self.current_row
        if row is None or row.id != self._cursor_id:
            self._cursor_id = row.id if row is not None else None
            self._highlight(row)
        self._check_more()

    def _highlight(self, row: R | None) -> None:
        if self.on_highlight is not None:  # (a list nothing follows has none)
            self.on_highlight(row)

    @property
    def current_row(self) -> R | None:
        if not self.rows.visible_count:
            return None
        return self.rows.visible(min(self.cursor, self.rows.visible_count - 1))

    def rows_on_screen(self) -> list[R]:
        """The rows in view now: what a lookup for names should cover, and no more."""
        top = int(self.scroll_y)
        return self.rows.visible_rows(top, top + max(1, self.size.height - 1))

    def wants_more(self) -> bool:
        if self.always_want_more:
            return True
        screen = max(1, self.size.height - 1)
        last_seen = max(self.cursor, int(self.scroll_y) + screen)
        return self.rows.visible_count - last_seen <= screen

    def _check_more(self) -> None:
        if self.wants_more():
            self.post_message(self.WantsMore(self))

    # -- order ------------------------------------------------------------------------------

    def sortable(self) -> list[Column]:
        return [c for c in self.COLUMNS if c.sort_key is not None]

    def set_sort(self, sort: Sort | None) -> None:
        """Order the rows by a column (None: the API's order), keeping the cursor's row."""
        self.sort = sort
        key = sort.column.sort_key if sort is not None else None
        if (
            sort is not None
            and key is not None
            and len(self.rows) >= SLOW_SORT_ROWS
            and not self.rows.sort_ready(key, descending=sort.descending)
        ):
            # The order's index is built now: seconds at a million rows, so say so first.
            self.notify(f"Sorting {len(self.rows):,} rows by {sort.column.title}…",
                        timeout=3, markup=False)  # fmt: skip
            self.set_timer(0.05, lambda: self._sort_now(sort))
            return
        self._sort_now(sort)

    def _sort_now(self, sort: Sort | None) -> None:
        if sort is not self.sort:
            return  # another sort was asked for meanwhile
        if sort is None:
            self.rows.set_sort(None)
        else:
            key = sort.column.sort_key
            assert key is not None
            self.rows.set_sort(key, descending=sort.descending)
        self.rows_changed()
        self.post_message(self.SortChanged(self, sort))

    def next_sort(self) -> Sort | None:
        """The sort after this one: each column in its natural direction, then reversed,
        then the next column; after the last, the API's order again."""
        columns = self.sortable()
        if not columns:
            return None
        if self.sort is None:
            return Sort(columns[0], columns[0].descending_first)
        if self.sort.descending == self.sort.column.descending_first:
            return Sort(self.sort.column, not self.sort.descending)
        at = columns.index(self.sort.column) if self.sort.column in columns else -1
        if at + 1 >= len(columns):
            return None
        return Sort(columns[at + 1], columns[at + 1].descending_first)

    def sort_by(self, column: Column) -> None:
        """A click on a header: by that column; again, reversed; a third time, API order."""
        if self.sort is None or self.sort.column is not column:
            self.set_sort(Sort(column, column.descending_first))
        elif self.sort.descending == column.descending_first:
            self.set_sort(Sort(column, not self.sort.descending))
        else:
            self.set_sort(None)

    # -- cursor ----------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.size.height - 2)

    def move_to(self, index: int) -> None:
        count = self.rows.visible_count
        if not count:
            self._check_more()
            return
        index = max(0, min(index, count - 1))
        old = self.cursor
        self.cursor = index
        top = int(self.scroll_y)
        if index < top:
            self.scroll_to(y=index, animate=False, force=True)
        elif index > top + self._page:
            self.scroll_to(y=index - self._page, animate=False, force=True)
        if index == count - 1:
            # The status line (loading…, failed: r to retry) sits just below the last row.
            self.scroll_to(y=index + 1 - self._page, animate=False, force=True)
        self.refresh_lines(old - top + 1, 1)
        self.refresh_lines(index - top + 1, 1)
        row = self.rows.visible(index)
        if row.id != self._cursor_id:
            self._cursor_id = row.id
            if abs(index - old) > 1:
                # A page or more: the list repaints in full, and with the detail pane in the
                # same frame it missed 16 ms; so the list's frame goes first and the detail
                # follows in the next one. A step of one row still updates both at once.
                self._highlight_after_frame()
            else:
                self._highlight(row)
        self._check_more()

    def _highlight_after_frame(self) -> None:
        if not self._highlight_due:
            self._highlight_due = True
            self.call_after_refresh(self._highlight_current)

    def _highlight_current(self) -> None:
        self._highlight_due = False
        self._highlight(self.current_row)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self._page)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self._page)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        """The last loaded row; being there pulls the next page."""
        self.move_to(self.rows.visible_count - 1)
        self.post_message(self.WantsMore(self))

    OPENS: ClassVar[bool] = True  # rows open into something (Enter); a plain list says False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.OPENS or action != "open"

    def action_open(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Opened(self, row))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if int(new_value) > int(old_value):
            self._check_more()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.rows.visible_count + 2)
        self._check_more()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None and column.sort_key is not None:
                self.sort_by(column)
            return
        index = int(self.scroll_y) + offset.y - 1
        if index < self.rows.visible_count:
            self.move_to(index)
            if event.chain >= 2:
                self.post_message(self.Opened(self, self.rows.visible(index)))

    def _column_at(self, x: int) -> Column | None:
        at = 1  # the line starts with a space
        for column, width in self._layout(self.scrollable_content_region.width - 1):
            if at <= x < at + width + 1:
                return column
            at += width + 1
        return None

    # -- drawing ---------------------------------------------------------------------------

    def _layout(self, width: int) -> list[tuple[Column, int]]:
        shown = [c for c in self.COLUMNS if width >= c.min_table]
        fixed = sum(c.width or 0 for c in shown) + len(shown)  # one space after each column
        flex = max(4, width - fixed)
        return [(c, c.width if c.width is not None else flex) for c in shown]

    def _line(self, cells: list[tuple[str, Style]], width: int, base: Style) -> Strip:
        segments = [Segment(" ", base)]
        for text, style in cells:
            segments.append(Segment(text, base + style if style else base))
            segments.append(Segment(" ", base))
        return Strip(segments).adjust_cell_length(width, base)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style
        layout = self._layout(width - 1)
        if y == 0:
            header = self._style("header")
            sort = self.sort
            cells = [(_cell(_title(c, sort), w, c.align_right), header) for c, w in layout]
            return self._line(cells, width, base + header)
        index = int(self.scroll_y) + y - 1
        count = self.rows.visible_count
        if index < count:
            return self._row_line(self.rows.visible(index), index, layout, width, base)
        if index == count and self._status[0]:
            style = self._style(self._status[1])
            return self._line([(fit(self._status[0], width - 2), style)], width, base)
        return Strip.blank(width, base)

    def _row_line(
        self, row: Any, index: int, layout: list[tuple[Column, int]], width: int, base: Style
    ) -> Strip:
        on_cursor = index == self.cursor
        if on_cursor:
            base = base + self._style("cursor" if self.has_focus else "cursor-blurred")
        cells = []
        for column, column_width in layout:
            text, role = column.cell(row)
            style = self._style(role) if role and not on_cursor else Style()
            cells.append((_cell(text, column_width, column.align_right), style))
        return self._line(cells, width, base)


def _title(column: Column, sort: Sort | None) -> str:
    if sort is None or sort.column is not column:
        return column.title
    return f"{column.title}{'↓' if sort.descending else '↑'}"


def _cell(text: str, width: int, align_right: bool) -> str:
    if align_right and len(text) <= width:
        return text.rjust(width)
    return fit(text, width)
