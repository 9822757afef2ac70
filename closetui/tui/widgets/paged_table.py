"""A line-API table over a PagedList: renders only the lines on screen.

Textual's DataTable re-does work for every row on each append (measured: 5 s to add 10,000
rows as 100 pages, 225 s for 100,000). Here an append changes `virtual_size` and repaints
what is visible, so a page costs the same at 100 rows as at 100,000, and so does a keypress.
Drawn lines are kept (keyed by row, width, cursor and focus) until the list's `version`
moves, so a cursor step draws the two lines that changed, not the screen.

The table holds no list state of its own: the rows, the filter and the order are the list's
(`lists.paged.PagedList`); the table keeps only its cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
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

from closetui.lists.paged import PagedList
from closetui.lists.rows import KeyedRow
from closetui.tui.text import fit
from closetui.tui.widgets.styles import ComponentStyles
from closetui.tui.workers import spawn


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a paged table: its title, width and what each row shows in it."""

    title: str
    width: int | None  # None: this column takes the width the others leave
    cell: Callable[[Any], tuple[str, str]]  # row -> (text, role)
    align_right: bool = False
    min_table: int = 0  # hidden when the table is narrower than this
    order: str | None = None  # the list's order a click on the header sorts by


@dataclass(frozen=True, slots=True)
class Sort:
    """The column a table is sorted by, and which way."""

    column: Column
    descending: bool

    @property
    def label(self) -> str:
        return f"{self.column.title} {'↓' if self.descending else '↑'}"


R = TypeVar("R", bound=KeyedRow)


class PagedTable(ComponentStyles, ScrollView, Generic[R], can_focus=True):
    """Rows from a PagedList, a cursor, and one status line after the last row."""

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
        """The rows' order changed (a header click, or the sort key): `sort` says how; or a
        sort was asked for and is being prepared (`pending`), the order not changed yet."""

        def __init__(
            self, table: PagedTable[Any], sort: Sort | None, *, pending: Sort | None = None
        ) -> None:
            super().__init__(table, None)
            self.sort = sort
            self.pending = pending

    class WantsMore(Message):
        """The cursor or the view came within a screen of the last loaded row."""

        def __init__(self, table: PagedTable[Any]) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> PagedTable[Any]:
            return self.table

    def __init__(self, rows: PagedList[R], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows = rows
        self.cursor = 0
        self._cursor_id: str | None = None
        self._status: tuple[str, str] = ("", "status")
        # Called at once when the cursor lands on a row, rather than by a message: a message
        # reaches the screen a frame later, so the detail would trail the cursor.
        self.on_highlight: Callable[[R | None], None] | None = None
        self._highlight_due = False
        self._lines: dict[tuple[Any, ...], Strip] = {}  # drawn rows, while `_drawn` holds
        self._drawn: tuple[Any, ...] = ()

    @property
    def sort(self) -> Sort | None:
        """The list's order, as one of this table's columns."""
        state = self.rows.sort_state
        if state is None:
            return None
        column = next((c for c in self.COLUMNS if c.order == state.name), None)
        return Sort(column, state.descending) if column is not None else None

    # -- data changes ----------------------------------------------------------------------

    def set_status(self, text: str, role: str = "status") -> None:
        """The line after the last row: `loading…`, `failed: r to retry`, or nothing."""
        if (text, role) != self._status:
            self._status = (text, role)
            self.refresh()

    def rows_changed(self, *, to_top: bool = False) -> None:
        """Call after the list changed: keeps the cursor on the same row, or (`to_top`, after
        a new filter or order) puts it on the first row with the view at the top."""
        count = self.rows.count
        self.virtual_size = Size(self.size.width, count + 2)  # header line and status line
        if to_top:
            self.cursor = 0
            self.scroll_to(y=0, animate=False, force=True)
        elif self._cursor_id is not None:
            moved = self.rows.index_of(self._cursor_id)
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
        count = self.rows.count
        if not count:
            return None
        return self.rows.row(min(self.cursor, count - 1))

    def rows_on_screen(self) -> list[R]:
        """The rows in view now: what a lookup for names should cover, and no more."""
        top = int(self.scroll_y)
        return self.rows.rows_between(top, top + max(1, self.size.height - 1))

    def wants_more(self) -> bool:
        """Within a screen of the last loaded row (or the list wants every page anyway)."""
        if self.rows.wants_all:
            return True
        screen = max(1, self.size.height - 1)
        last_seen = max(self.cursor, int(self.scroll_y) + screen)
        return self.rows.count - last_seen <= screen

    def _check_more(self) -> bool:
        if self.wants_more():
            self.post_message(self.WantsMore(self))
            return True
        return False

    # -- order ------------------------------------------------------------------------------

    def sortable(self) -> list[Column]:
        """The columns a sort can be by: those on screen at this width."""
        width = self.scrollable_content_region.width - 1
        shown = {id(c) for c, _ in self._layout(width)} if width > 0 else None
        return [
            c for c in self.COLUMNS if c.order is not None and (shown is None or id(c) in shown)
        ]

    def _largest_first(self, column: Column) -> bool:
        order = self.rows.orders.get(column.order) if column.order else None
        return order is not None and order.largest_first

    def set_sort(self, sort: Sort | None) -> None:
        """Order the rows by a column (None: the API's order); the cursor goes to the first
        row. A first sort of a long list builds its index on a thread, the view usable and
        a line saying so meanwhile."""
        name = sort.column.order if sort is not None else None
        descending = sort.descending if sort is not None else False
        if sort is not None and name is not None and not self.rows.sort_is_ready(name, descending):
            self.notify(f"Sorting {self.rows.loaded:,} rows by {sort.column.title}…",
                        timeout=3, markup=False)  # fmt: skip
            ready = self.rows.sort_in_background(name, descending)  # "sorting…" from now on
            spawn(self, self._sort_when_ready(sort, ready), "sort")
            self.post_message(self.SortChanged(self, None, pending=sort))
            return
        self.rows.sort(name, descending)
        self._sorted(sort)

    async def _sort_when_ready(self, sort: Sort, ready: Coroutine[Any, Any, bool]) -> None:
        if await ready:
            self._sorted(sort)

    def _sorted(self, sort: Sort | None) -> None:
        self.rows_changed(to_top=True)
        self.post_message(self.SortChanged(self, sort))

    def next_sort(self) -> Sort | None:
        """The sort after this one: each column on screen in its natural direction, then
        reversed, then the next column; after the last, the API's order again."""
        columns = self.sortable()
        if not columns:
            return None
        current = self.sort
        if current is None or current.column not in columns:
            return Sort(columns[0], self._largest_first(columns[0]))
        if current.descending == self._largest_first(current.column):
            return Sort(current.column, not current.descending)
        at = columns.index(current.column)
        if at + 1 >= len(columns):
            return None
        return Sort(columns[at + 1], self._largest_first(columns[at + 1]))

    def sort_by(self, column: Column) -> None:
        """A click on a header: by that column; again, reversed; a third time, API order."""
        current = self.sort
        first = self._largest_first(column)
        if current is None or current.column is not column:
            self.set_sort(Sort(column, first))
        elif current.descending == first:
            self.set_sort(Sort(column, not current.descending))
        else:
            self.set_sort(None)

    # -- cursor ----------------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.size.height - 2)

    def move_to(self, index: int) -> bool:
        """The cursor to row `index` (clamped). True when it asked the list for more."""
        count = self.rows.count
        if not count:
            return self._check_more()
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
        row = self.rows.row(index)
        if row.id != self._cursor_id:
            self._cursor_id = row.id
            if abs(index - old) > 1:
                # A page or more: the list repaints in full, and with the detail pane in the
                # same frame it missed 16 ms; so the list's frame goes first and the detail
                # follows in the next one. A step of one row still updates both at once.
                self._highlight_after_frame()
            else:
                self._highlight(row)
        return self._check_more()

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
        """The last loaded row; being there pulls the next page (asked for once)."""
        if not self.move_to(self.rows.count - 1):
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
        self.virtual_size = Size(event.size.width, self.rows.count + 2)
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
            if column is not None and column.order is not None:
                self.sort_by(column)
            return
        index = int(self.scroll_y) + offset.y - 1
        if index < self.rows.count:
            self.move_to(index)
            if event.chain >= 2:
                self.post_message(self.Opened(self, self.rows.row(index)))

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

    def redraw(self) -> None:
        """Something a row's cells read besides the row itself changed (a list's marks):
        the drawn rows are drawn again."""
        self._lines.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # drawn in the old styles

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style
        layout = self._layout(width - 1)
        if y == 0:
            return self._header_line(layout, width, base + self._style("header"))
        index = int(self.scroll_y) + y - 1
        count = self.rows.count
        if index < count:
            drawn = (self.rows.version, width, self.has_focus)
            if drawn != self._drawn:
                self._drawn = drawn
                self._lines.clear()
            row = self.rows.row(index)
            key = (row.id, index == self.cursor)
            line = self._lines.get(key)
            if line is None:
                line = self._row_line(row, index, layout, width, base)
                if len(self._lines) > 4 * max(1, self.size.height):
                    self._lines.clear()  # what scrolled away
                self._lines[key] = line
            return line
        if index == count and self._status[0]:
            style = self._style(self._status[1])
            return self._line([(fit(self._status[0], width - 2), style)], width, base)
        return Strip.blank(width, base)

    def _header_line(self, layout: list[tuple[Column, int]], width: int, base: Style) -> Strip:
        """The titles; the sorted one with its arrow, which takes the space before it when
        the title fills its column ("Steps↓", not "Step…")."""
        sort = self.sort
        segments = [Segment(" ", base)]
        for column, column_width in layout:
            title = _title(column, sort)
            if len(title) == column_width + 1:
                segments[-1] = Segment("", base)
                segments.append(Segment(title, base))
            else:
                segments.append(Segment(_cell(title, column_width, column.align_right), base))
            segments.append(Segment(" ", base))
        return Strip(segments).adjust_cell_length(width, base)

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
