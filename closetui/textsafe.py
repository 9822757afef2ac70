"""Making untrusted text harmless before it reaches a terminal.

Sequence names are typed by anyone in the organization. Control characters in them (ESC for
ANSI and OSC sequences, bidi overrides, newlines) must not drive the user's terminal, reorder
what they read, or break a row; they are shown as visible stand-ins instead.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, bidi marks/embeddings/overrides/isolates, and zero-width
# characters (they hide text, and terminals disagree with Textual on their width).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_PICTURES = {0x7F: "␡"}


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in (0x09, 0x0A, 0x0D):
        return " "
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture": ␛ for ESC
    return _PICTURES.get(code, f"<U+{code:04X}>")


def visible(text: str) -> str:
    """`text` with every control character replaced by a visible, inert stand-in, on one line."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_stand_in, text)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, with an ellipsis when cut (for plain-text output)."""
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"
