"""What a step says: an email template's HTML body, or an SMS template's text, as readable
styled lines.

A body is the most attacker-shaped text closetui renders (script tags, `javascript:` links,
enormous bodies, nested tables, entities, invisible characters), so this is a reader of
text, not a browser: the standard library's `html.parser` (tolerant of broken HTML, no
dependency, nothing fetched or run) walks the tags, and only text comes out. Paragraphs,
line breaks and list items become lines; bold and italic become roles; a link becomes its
text and its address (http, https and mailto only: any other address, `javascript:` above
all, is named by its scheme and never shown as something to follow); images their alt text;
scripts, styles and the document's head are dropped. Template variables (`{{ … }}`) stay as
typed, in their own role, never evaluated. Every piece of text is made inert. The input is
cut at MAX_BODY_CHARS, the output at MAX_LINES lines of at most MAX_LINE_CHARS characters,
and the nesting that indents lists at MAX_DEPTH.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urlsplit

from closetui.present.spans import Line, Span, with_variables
from closetui.textsafe import inert

MAX_BODY_CHARS = 200_000  # of HTML read; a longer body is read up to here and said to be cut
MAX_LINES = 2_000  # lines kept of one body, whatever is drawn of them
MAX_LINE_CHARS = 2_000  # characters of one line (a paragraph): the rest is cut with …
MAX_DEPTH = 8  # list levels indented; deeper lists stay at the deepest indent
SAFE_SCHEMES = ("http", "https", "mailto")

_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_PARAGRAPHS = frozenset(
    ["p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "hr"]
)
_DROPPED = frozenset(
    ["script", "style", "head", "title", "template", "noscript", "iframe", "object", "svg", "math"]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
_BOLD = frozenset(["b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th"])
_ITALIC = frozenset(["i", "em", "cite", "q"])
_SPACE = re.compile(r"[ \t\n\r\f\v]+")


@dataclass(frozen=True, slots=True)
class Body:
    """A body as lines, and whether the input was longer than what was read."""

    lines: tuple[tuple[Span, ...], ...]
    cut: bool = False


def _safe_address(href: str) -> str | None:
    """The address to show beside a link's text, or None when it is not one to follow."""
    href = href.strip()
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in SAFE_SCHEMES else None


def _scheme(href: str) -> str:
    found = re.match(r"\s*([A-Za-z][A-Za-z0-9+.\-]{0,20}):", href)
    return found.group(1).lower() if found else "relative"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[Span]] = []
        self.line: list[Span] = []
        self.line_chars = 0  # characters in `line` so far (summed once, not on every piece)
        self.dropped = 0  # inside <script>, <style> … (as a count: they can nest)
        self.bold = 0
        self.italic = 0
        self.pre = 0
        self.links: list[str | None] = []  # the open links' hrefs
        self.link_text: list[str] = []  # what each open link says
        self.lists: list[list[int]] = []  # open lists: [number of the next item, or -1]
        self.full = False
        self.blank_due = False

    # -- building lines --------------------------------------------------------------------

    def _role(self) -> str:
        if self.links:
            return "link"
        if self.bold:
            return "strong"
        if self.italic:
            return "em"
        return "body"

    def _emit(self, text: str, role: str | None = None) -> None:
        if self.full or not text:
            return
        if not self.line:
            text = text.lstrip(" ")
            if not text:
                return
            if self.blank_due and self.lines:
                self._push([])
            self.blank_due = False
            depth = min(len(self.lists), MAX_DEPTH)
            if depth > 1:
                self.line.append(Span("  " * (depth - 1), "body"))
                self.line_chars += 2 * (depth - 1)
        elif self.line[-1].text.endswith(" ") and text.startswith(" "):
            text = text.lstrip(" ")
            if not text:
                return
        room = MAX_LINE_CHARS - self.line_chars
        if room <= 0:
            return
        if len(text) > room:
            text = text[:room] + "…"
        if self.links and role is None:
            self.link_text[-1] += text
        self.line.extend(with_variables(inert(text), role or self._role()))
        self.line_chars += len(text)

    def _push(self, line: list[Span]) -> None:
        if len(self.lines) >= MAX_LINES:
            self.full = True
            return
        self.lines.append(line)

    def _break(self) -> None:
        """End the line being built (an empty one is not kept)."""
        if self.line:
            while self.line and not self.line[-1].text.strip():
                self.line.pop()
            if self.line:
                last = self.line[-1]
                self.line[-1] = Span(last.text.rstrip(), last.role)
                self._push(self.line)
            self.line = []
            self.line_chars = 0

    def _paragraph(self) -> None:
        self._break()
        self.blank_due = True

    # -- the parser's events -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped += 1
            return
        if self.dropped:
            return
        found = dict(attrs)
        if tag == "br" or (tag in ("ul", "ol") and self.lists):
            self._break()  # a list inside a list item: its lines follow without a gap
        elif tag in _PARAGRAPHS:
            self._paragraph()
        elif tag in _BLOCKS:
            self._break()
        if tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else -1])
        elif tag == "li":
            number = self.lists[-1] if self.lists else [-1]
            mark = "• " if number[0] < 0 else f"{number[0]}. "
            if number[0] > 0:
                number[0] += 1
            self._emit(mark, "body")
        elif tag in _BOLD:
            self.bold += 1
        elif tag in _ITALIC:
            self.italic += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "a":
            self.links.append(found.get("href"))
            self.link_text.append("")
        elif tag == "img":
            alt = (found.get("alt") or "").strip()
            self._emit(f" [image: {alt}] " if alt else " [image] ", "dim")
        elif tag in ("td", "th"):
            if self.line:
                self._emit("  ", "body")
        elif tag == "hr":
            self._emit("───", "dim")
            self._paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
            return
        if self.dropped or tag in _VOID:
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in _BOLD:
            self.bold = max(0, self.bold - 1)
        elif tag in _ITALIC:
            self.italic = max(0, self.italic - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            href, said = self.links.pop(), self.link_text.pop().strip()
            if href is not None and href.strip():
                address = _safe_address(href)
                if address is None:
                    self._emit(f" ({_scheme(href)} link, not shown)", "warn")
                elif said not in (address, address.removeprefix("mailto:")):
                    self._emit(" <", "dim")
                    self._emit(address.removeprefix("mailto:"), "address")
                    self._emit(">", "dim")
        if tag in _PARAGRAPHS and not (tag in ("ul", "ol") and self.lists):
            self._paragraph()
        elif tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if self.dropped or self.full:
            return
        if self.pre:
            parts = data.replace("\r\n", "\n").split("\n")
            for n, part in enumerate(parts):
                if n:
                    self._break()
                self._emit(part.replace("\t", "    "))
            return
        self._emit(_SPACE.sub(" ", data))

    def finish(self) -> list[list[Span]]:
        self.close()
        self._break()
        return self.lines


@lru_cache(maxsize=256)
def _complete_tags_only(html: str) -> str:
    """The HTML with every `<` that does not open a complete tag or comment written as text
    (`&lt;`), in one pass: Python's `html.parser` (before 3.11.13, CVE-2025-6069) reads
    again from each unfinished `<` to the end, so `"<a" * 100_000` took it minutes."""
    out: list[str] = []
    at, end = 0, len(html)
    while at < end:
        lt = html.find("<", at)
        if lt < 0:
            out.append(html[at:])
            break
        out.append(html[at:lt])
        if html.startswith("<!--", lt):
            close = html.find("-->", lt + 4)
            if close < 0:  # a comment never closed: the rest is text
                out.append(html[lt:].replace("<", "&lt;"))
                break
            out.append(html[lt : close + 3])
            at = close + 3
            continue
        following = html.find("<", lt + 1)
        stop = following if following >= 0 else end
        gt = html.find(">", lt + 1, stop)
        if gt < 0:
            out.append("&lt;")  # no `>` before the next `<`: not a tag
            at = lt + 1
            continue
        out.append(html[lt : gt + 1])
        at = gt + 1
    return "".join(out)


def html_body(html: str) -> Body:
    """An email template's HTML as readable lines (remembered: a body is read once however
    often the detail is drawn)."""
    cut = len(html) > MAX_BODY_CHARS
    reader = _Reader()
    try:
        reader.feed(_complete_tags_only(html[:MAX_BODY_CHARS]))
        lines = reader.finish()
    except (AssertionError, ValueError):  # html.parser's last resort on broken input
        lines = [[Span(inert(_SPACE.sub(" ", html[:MAX_LINE_CHARS])), "body")]]
    return Body(tuple(tuple(line) for line in lines), cut or reader.full)


@lru_cache(maxsize=256)
def text_body(text: str) -> Body:
    """An SMS template's text as lines, its variables highlighted."""
    cut = len(text) > MAX_BODY_CHARS
    lines: list[tuple[Span, ...]] = []
    for raw in text[:MAX_BODY_CHARS].splitlines():
        if len(lines) >= MAX_LINES:
            cut = True
            break
        raw = raw.rstrip()
        if len(raw) > MAX_LINE_CHARS:
            raw = raw[:MAX_LINE_CHARS] + "…"
        lines.append(tuple(with_variables(inert(raw), "body")) if raw else ())
    while lines and not lines[-1]:
        lines.pop()
    return Body(tuple(lines), cut)


def body_lines(body: Body, limit: int | None) -> tuple[list[Line], int]:
    """At most `limit` of a body's lines (None: all), and how many more there were."""
    shown = body.lines if limit is None else body.lines[:limit]
    return [list(line) for line in shown], len(body.lines) - len(shown)
