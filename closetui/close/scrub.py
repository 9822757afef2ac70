"""The key, in every form a server could echo it back, found in any text: so that an error
message, a trace or a log line can have it replaced before anyone reads it."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote


def secret_pattern(secret: str) -> re.Pattern[str] | None:
    """The key as a server might echo it: itself in any case, percent-encoded, as hex (any
    case), and inside any Base64 text (Basic auth sends Base64 of `key:`), at each of
    Base64's three alignments. (JSON's `\\u` escapes and other encodings of the body are
    undone before this is applied: see `trace.py`.)"""
    if not secret:
        return None
    forms = {secret, quote(secret, safe=""), secret.encode().hex()}
    raw = secret.encode()
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * pad + raw).decode()
            # The characters made only of the key's bits, whatever came before or after it.
            core = text[-(-pad * 8 // 6) : (pad + len(raw)) * 8 // 6]
            if len(core) >= 8:
                forms.add(core)
    alternatives = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(form) for form in alternatives), re.IGNORECASE)


def longest_form(secret: str) -> int:
    """The most characters one echo of the key can take, in any form scrubbed or undone
    (a JSON `\\u0061` escape is six characters for one): what a cut must keep clear of."""
    return 6 * len(secret.encode()) + 8
