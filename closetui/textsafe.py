"""Making untrusted text harmless before it reaches a terminal.

Everything that came over the network (names, ids, emails, error texts, header values) is
typed by someone else. Control characters in it (ESC for ANSI and OSC sequences, BEL, C1
controls, bidi overrides, newlines) must not drive the user's terminal, set its title or
clipboard, reorder what they read, or break a row; they are shown as visible stand-ins
instead. `inert` is the one step that does it, at every boundary: stdout, stderr, widgets,
toasts, titles, the clipboard and the log.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls, the soft hyphen, the Arabic letter mark and the other bidi
# marks/embeddings/overrides/isolates, zero-width characters (they hide text, and terminals
# disagree with Textual on their width), the line and paragraph separators (`splitlines`
# breaks on them, some terminals do too), tag characters (invisible letters), and lone
# surrogates (not characters at all: they cannot be encoded, and under surrogateescape one
# would reach the terminal as a raw byte such as 0x9B, an 8-bit CSI).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]"
)
_PICTURES = {0x7F: "␡"}
_ZWJ = 0x200D


def _pictographic(char: str) -> bool:
    """Roughly Unicode's Extended_Pictographic, plus what may end an emoji before a joiner
    (the emoji presentation selector, skin tones and tag characters)."""
    code = ord(char)
    return (
        0x1F000 <= code <= 0x1FAFF
        or 0x2300 <= code <= 0x23FF
        or 0x2600 <= code <= 0x27BF
        or 0x2B00 <= code <= 0x2BFF
        or code in (0xFE0F, 0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139)
        or 0xE0020 <= code <= 0xE007F
    )


def _joins_emoji(match: re.Match[str]) -> bool:
    """A zero-width joiner between two emoji (👩‍💻) is part of one picture, not a trick."""
    text, at = match.string, match.start()
    return 0 < at < len(text) - 1 and _pictographic(text[at - 1]) and _pictographic(text[at + 1])


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x09, 0x0A, 0x0D):
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture": ␛ for ESC
    if code == _ZWJ and _joins_emoji(match):
        return match.group()
    return _PICTURES.get(code, f"<U+{code:04X}>")


def inert(text: str) -> str:
    """`text` with every control character replaced by a visible, inert stand-in, on one line.
    Emoji sequences joined by zero-width joiners are kept whole."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_stand_in, text)


def replace_lone_surrogates(text: str) -> str:
    """`text` with every lone surrogate (from a JSON `\\udc9b` escape, or from bytes decoded
    with surrogateescape) replaced by U+FFFD, the visible replacement character; a pair
    that was split into two code points is joined. The one rule wherever bytes become text."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_lone_surrogates_in(value: Any) -> Any:
    """`value` (parsed JSON: lists, dicts, strings, numbers) with every string in it, keys
    too, through `replace_lone_surrogates`; changed in place, walked without recursion."""
    if isinstance(value, str):
        return replace_lone_surrogates(value)
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for at, item in enumerate(node):
                if isinstance(item, str):
                    node[at] = replace_lone_surrogates(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(node, dict):
            for key, item in list(node.items()):
                if isinstance(item, str):
                    item = replace_lone_surrogates(item)
                elif isinstance(item, list | dict):
                    stack.append(item)
                mended = replace_lone_surrogates(key)
                if mended != key:
                    del node[key]
                node[mended] = item
    return value


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (for plain-text output)."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


# A JSON `\\udXXX` escape for a surrogate (any case), or UTF-8 bytes encoding one (which
# json.loads accepts too: it decodes bytes with surrogatepass).
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")


def parse_json(body: bytes | bytearray) -> Any:
    """The body's JSON, where every string (keys too) is valid Unicode: a lone surrogate,
    legal in JSON and relayed by Close from what its users typed, becomes U+FFFD. Decided
    here, where bytes become text, so that the cache, the row store, the log, the trace,
    the terminal and the clipboard never meet one. Walked without recursion (the parse
    already bounded the depth); only when the bytes could hold a surrogate at all."""
    parsed = json.loads(body)
    # Three plain searches first, each far faster than the pattern's alternation: a page
    # with none of these three (nearly every page) cannot hold a surrogate.
    if not (b"\\ud" in body or b"\\uD" in body or b"\xed" in body):
        return parsed
    if not _MAYBE_SURROGATE.search(body):
        return parsed
    return replace_lone_surrogates_in(parsed)
