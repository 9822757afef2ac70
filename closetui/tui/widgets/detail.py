"""The detail pane: the selected sequence's heading and cadence, scrollable.

A line-API widget: showing another sequence swaps its lines and repaints its own region, with
no layout pass over the screen, so moving the cursor through the list stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar
from weakref import WeakKeyDictionary

from rich.segment import Segment
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from closetui.config.preferences import read_detail_layout
from closetui.present.roles import ROLES
from closetui.present.sheet import CadenceView, Line, Span, plain
from closetui.tui.messages import SettingChosen
from closetui.tui.text import wrap_line
from closetui.tui.widgets.styles import ComponentStyles

SIZE_DELAY = 0.2  # seconds the cursor must rest before the scroll extent follows the content
WRAPS_KEPT = 4096  # wrapped lines remembered (bodies' paragraphs, long values)
Sheet = Callable[[CadenceView], list[Line]]  # a sequence's (or a run's) lines, for a view

# The view in force, per app: every detail pane (the main one, a run's) draws the same way,
# and a choice not kept in the file (an unwritable config) still holds for this run.
_VIEWS: WeakKeyDictionary[object, CadenceView] = WeakKeyDictionary()


class DetailPane(ComponentStyles, ScrollView, can_focus=True):
    STYLE_PREFIX = "detail"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="detail.page_up"),
        Binding(
            "pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="detail.page_down"
        ),
        Binding("home,g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("escape,shift+tab", "screen.back", "Back to list", id="detail.back"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {f"detail--{role}" for role in ROLES}
    DEFAULT_CSS = """
    DetailPane {
        overflow-x: hidden;
        overflow-y: scroll;
        & > .detail--title { text-style: bold; }
        & > .detail--section { text-style: bold; color: $text-accent; }
        & > .detail--label { color: $text-muted; }
        & > .detail--dim { color: $text-muted; }
        & > .detail--id { color: $text-muted; }
        & > .detail--good { color: $text-success; }
        & > .detail--rail { color: $text-primary; }
        & > .detail--day { text-style: bold; }
        & > .detail--wait { text-style: italic; color: $text-muted; }
        & > .detail--kind { text-style: bold; }
        & > .detail--kind-email { color: $text-accent; }
        & > .detail--kind-call { color: $text-success; }
        & > .detail--kind-sms { color: $text-warning; }
        & > .detail--kind-other { color: $text-secondary; }
        & > .detail--warn { color: $text-warning; }
        & > .detail--error { color: $text-error; text-style: bold; }
        & > .detail--value { }
        & > .detail--chip-good { background: $success; color: $background; text-style: bold; }
        & > .detail--chip-warn { background: $warning; color: $background; text-style: bold; }
        & > .detail--chip-error { background: $error; color: $background; text-style: bold; }
        & > .detail--chip-dim { background: $panel-lighten-2; color: $text; text-style: bold; }
        & > .detail--mark { color: $text-secondary; }
        & > .detail--body { }
        & > .detail--strong { text-style: bold; }
        & > .detail--em { text-style: italic; }
        & > .detail--link { text-style: underline; color: $text-accent; }
        & > .detail--address { color: $text-muted; }
        & > .detail--variable { color: $text-secondary; background: $boost; text-style: bold; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.showing: str | None = None  # the id of the sequence on display
        self._lines: list[Line] = [[Span("Nothing selected.", "dim")]]
        self._rows: list[Line] = []
        self._wrapped_for = -1
        self._size_timer: Timer | None = None
        self._sheet: Sheet | None = None
        self._wrap_cache: dict[tuple[object, ...], list[Line]] = {}

    # -- the view: compact or full, bodies or not ---------------------------------------------

    @property
    def view(self) -> CadenceView:
        """The cadence's layout (kept in the config file, as the theme is) and whether bodies
        show (for this run)."""
        view = _VIEWS.get(self.app)
        if view is None:
            settings = getattr(self.app, "settings", None)
            full = False
            if settings is not None:
                full = read_detail_layout(settings.config_path).cadence == "full"
            view = _VIEWS[self.app] = CadenceView(full=full)
        return view

    def _change_view(self, view: CadenceView) -> None:
        _VIEWS[self.app] = view
        if self._sheet is not None:
            self._set(self._sheet(view), defer_size=False)
            self.scroll_to(y=min(self.scroll_y, self.max_scroll_y), animate=False)

    def action_toggle_layout(self) -> None:
        view = replace(self.view, full=not self.view.full)
        self._change_view(view)
        self.notify(
            "The full cadence: a line for each detail" if view.full else "The compact cadence",
            timeout=2,
            markup=False,
        )
        self.post_message(SettingChosen("cadence", "full" if view.full else "compact"))

    def action_toggle_bodies(self) -> None:
        view = replace(self.view, bodies=not self.view.bodies)
        self._change_view(view)
        self.notify(
            "Bodies shown: what each step says" if view.bodies else "Bodies hidden",
            timeout=2,
            markup=False,
        )

    # -- content ---------------------------------------------------------------------------

    def show_sheet(self, sheet: Sheet, sequence_id: str | None) -> None:
        """Lines made for the view in force, made again when the view changes (`v`, `b`)."""
        self._sheet = sheet
        self._show(sheet(self.view), sequence_id)

    def show_lines(self, lines: list[Line], sequence_id: str | None) -> None:
        self._sheet = None
        self._show(lines, sequence_id)

    def _show(self, lines: list[Line], sequence_id: str | None) -> None:
        moved = sequence_id != self.showing
        if moved:
            self.scroll_to(0, 0, animate=False, force=True)
        self.showing = sequence_id
        # While the cursor runs through the list, the scroll extent can wait: the pane shows
        # each sequence from its top anyway, and a new extent costs a layout pass.
        self._set(lines, defer_size=moved and not self.has_focus)

    def show_message(self, text: str, role: str = "dim") -> None:
        self.showing = None
        self._sheet = None
        self.scroll_to(0, 0, animate=False, force=True)
        self._set([[Span(line, role)] for line in text.split("\n")], defer_size=False)

    def _set(self, lines: list[Line], *, defer_size: bool) -> None:
        self._lines = lines
        self._wrapped_for = -1
        self._wrap(defer_size=defer_size)
        self.refresh()

    def _wrap(self, *, defer_size: bool = False) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._wrapped_for:
            return
        self._wrapped_for = width
        self._rows = [row for line in self._lines for row in self._wrapped(line, width - 1)]
        size = Size(width, len(self._rows))
        if size == self.virtual_size:
            return
        if self._size_timer is not None:
            self._size_timer.stop()
            self._size_timer = None
        if defer_size:
            self._size_timer = self.set_timer(SIZE_DELAY, self._apply_size)
        else:
            self.virtual_size = size

    def _wrapped(self, line: Line, width: int) -> list[Line]:
        """`wrap_line`, remembered for the lines that need it: with bodies shown, a cursor
        move would otherwise lay out the same paragraphs again, character by character."""
        if len(line) < 2:
            return wrap_line(line, width)
        key = (tuple(line), width, type(line))
        rows = self._wrap_cache.get(key)
        if rows is None:
            rows = wrap_line(line, width)
            if len(rows) > 1:
                if len(self._wrap_cache) > WRAPS_KEPT:
                    self._wrap_cache.clear()
                self._wrap_cache[key] = rows
        return rows

    def _apply_size(self) -> None:
        self._size_timer = None
        self.virtual_size = Size(self._wrapped_for, len(self._rows))

    def on_focus(self) -> None:
        if self._size_timer is not None:
            self._size_timer.stop()
            self._apply_size()

    # The pane's keys move it at once, as a pager's do: Textual's own actions animate, End over
    # a whole second, which over SSH is a second of frames, and what the pane showed in that
    # second (to a person, or to a test reading it) was a point on the way, short of the end.

    def _scrollable(self) -> None:
        if not self.allow_vertical_scroll:
            raise SkipAction()  # as Textual's own: the key goes on to the screen's bindings

    def action_scroll_up(self) -> None:
        self._scrollable()
        self.scroll_up(animate=False)

    def action_scroll_down(self) -> None:
        self._scrollable()
        self.scroll_down(animate=False)

    def action_page_up(self) -> None:
        self._scrollable()
        self.scroll_page_up(animate=False)

    def action_page_down(self) -> None:
        self._scrollable()
        self.scroll_page_down(animate=False)

    def action_scroll_home(self) -> None:
        self._scrollable()
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self._scrollable()
        self.scroll_end(animate=False)

    @property
    def text(self) -> str:
        """What the pane shows, as plain text before wrapping (for tests and screen readers)."""
        return plain(self._lines)

    # -- drawing ---------------------------------------------------------------------------

    def on_resize(self) -> None:
        self._wrap()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.base_style
        # round, as Textual does when it decides to repaint: an animated scroll ends at
        # 108.9999… then 109, and with int() the pane stayed one line short after End.
        index = round(self.scroll_y) + y
        if index >= len(self._rows):
            return Strip.blank(width, base)
        segments = [
            Segment(span.text, base + self._style(span.role) if span.role else base)
            for span in self._rows[index]
        ]
        return Strip(segments).adjust_cell_length(width, base)
