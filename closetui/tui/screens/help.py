"""`?`: every key, gathered from the bindings themselves so the list cannot go stale, with
the config file's `[keymap]` applied: the keys shown are the keys in force."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from closetui.tui.keymap import key_label


@dataclass(frozen=True, slots=True)
class HelpLine:
    """One key of help: its keys in force, what it does, and the ids a keymap names it by."""

    keys: str
    words: str
    ids: tuple[str, ...]

    @property
    def text(self) -> str:
        """What a search in help looks through."""
        return f"{self.keys} {self.words} {' '.join(self.ids)}".casefold()


def help_lines(
    sections: Iterable[tuple[str, Iterable[BindingType]]], keymap: Mapping[str, str] | None = None
) -> list[tuple[str, list[HelpLine]]]:
    """The sections' bindings, each with its keys (the keymap's, where it remaps one), what it
    does and its id (what a keymap names). A key that does the same under two ids in one
    section (a screen's own `q` and the app's) is one line naming both."""
    keymap = keymap or {}
    found: list[tuple[str, list[HelpLine]]] = []
    for title, bindings in sections:
        lines: list[HelpLine] = []
        shown: dict[tuple[str, str], int] = {}  # (keys, words) -> its line in this section
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            keys = key_label(keymap.get(binding.id, binding.key) if binding.id else binding.key)
            words = binding.tooltip or binding.description  # the footer's word may be short
            ids = (binding.id,) if binding.id else ()
            if (keys, words) in shown:
                index = shown[(keys, words)]
                merged = tuple(dict.fromkeys((*lines[index].ids, *ids)))
                lines[index] = HelpLine(keys, words, merged)
                continue
            shown[(keys, words)] = len(lines)
            lines.append(HelpLine(keys, words, ids))
        if lines:
            found.append((title, lines))
    return found


def _words(line: HelpLine) -> Content:
    ids = f"  ({', '.join(line.ids)})" if line.ids else ""
    return Content.assemble(line.words, (ids, "$text-muted"))


LEGEND = Content.assemble(
    "\n",
    ("Signs", "bold $accent"),
    "\n",
    ("  ~2024-03-01           ", "bold"),
    "Started: the run has no start date yet; the day it was created\n",
    ("  ?                     ", "bold"),
    "Close sent a value closetui cannot read there (the rest still shows)\n",
    ("  ·  —                  ", "bold"),
    "not known yet / nothing there",
)


class HelpRow(Horizontal):
    """A key and its words side by side: the words (and the id) wrap in their own column."""

    DEFAULT_CSS = """
    HelpRow { height: auto; }
    HelpRow > .help-keys { width: 24; padding-left: 2; text-style: bold; }
    HelpRow > .help-words { width: 1fr; }
    """

    def __init__(self, line: HelpLine) -> None:
        super().__init__()
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(Content(self.line.keys), classes="help-keys")
        yield Static(_words(self.line), classes="help-words")


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close help (or clear the search)", id="help.close"),
        Binding("q,question_mark", "dismiss", "Close help", show=False, id="help.quit"),
        Binding("slash", "search", "Search the keys", key_display="/", id="help.search"),
        Binding("down,j", "scroll('down')", "Down", show=False),
        Binding("up,k", "scroll('up')", "Up", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .help-section { text-style: bold; color: $accent; margin-top: 1; }
    HelpScreen .help-section.-first { margin-top: 0; }
    HelpScreen #help-search { display: none; height: 1; border: none; padding: 0 1;
                              background: $boost; }
    HelpScreen #help-search.-active { display: block; }
    HelpScreen #help-none { display: none; color: $text-muted; }
    """

    def __init__(
        self,
        sections: list[tuple[str, Iterable[BindingType]]],
        keymap: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap or {}

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "/ search · Esc to close"
            yield Input(placeholder="search the keys: a key, a word or an id", id="help-search")
            yield Static("No key matches.", id="help-none")
            for index, (title, lines) in enumerate(help_lines(self._sections, self._keymap)):
                yield Static(
                    Content(title), classes="help-section" + (" -first" if not index else "")
                )
                for line in lines:
                    yield HelpRow(line)
            yield Static(LEGEND, id="help-legend")

    @property
    def search(self) -> Input:
        return self.query_one("#help-search", Input)

    def action_search(self) -> None:
        self.search.add_class("-active")
        self.query_one(VerticalScroll).scroll_home(animate=False)  # the box is at the top
        self.search.focus()

    def action_close(self) -> None:
        if self.search.has_class("-active"):  # Esc first ends the search, then closes
            self.search.value = ""
            self.search.remove_class("-active")
            self.query_one(VerticalScroll).focus()
            return
        self.dismiss()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_matches(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(VerticalScroll).focus()  # the keys scroll again; the search stays

    def show_matches(self, text: str) -> None:
        """Only the keys whose keys, words or id hold `text`; each section with any."""
        needle = text.strip().casefold()
        any_shown = False
        section: Static | None = None
        section_shown = False
        for child in self.query_one(VerticalScroll).children:
            if isinstance(child, HelpRow):
                child.display = not needle or needle in child.line.text
                section_shown = section_shown or child.display
                any_shown = any_shown or child.display
            elif child.has_class("help-section"):
                if section is not None:
                    section.display = section_shown
                section, section_shown = child, False  # type: ignore[assignment]
            elif child.id == "help-legend":
                child.display = not needle
        if section is not None:
            section.display = section_shown
        self.query_one("#help-none").display = not any_shown

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one(VerticalScroll)
        if direction == "down":
            scroll.scroll_down()
        else:
            scroll.scroll_up()
