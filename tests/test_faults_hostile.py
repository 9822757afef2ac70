"""The fault matrix, continued: a hostile server. Error texts, header values and ids full of
escape codes; the key echoed back in other forms; bodies too big, endless, dripping or
nested too deep; `Retry-After: 0` on every answer. Each row is run by the matrix's own
checks (`tests/test_faults.py`), which also find no control character on the screen or in
a toast, and no key anywhere; here each also says what the person reads about it.
"""

from __future__ import annotations

import base64

import pytest

from closetui.textsafe import inert
from tests.test_faults import KEY, Case, rows, run_row

# OSC 52 writes the clipboard, OSC 0 the window title, CSI colours the text; 0x9B is CSI as
# one C1 character.
ESCAPES = "\x1b]52;c;aGFja2Vk\x07\x1b]0;owned\x07\x1b[31mred\x9b31m"
ECHOED_KEY = f"Basic {base64.b64encode(f'{KEY}:'.encode()).decode()} for {KEY.upper()}"
MB = 1024 * 1024
START = ("start",)  # one phase each: the client path is the same at start and mid-paging

CASES = [
    Case(
        "401 whose text holds escape codes",
        {"kind": "status", "status": 401, "text": ESCAPES},
        "API key was refused",
        False,
        toast=inert(ESCAPES),
        phases=START,
    ),
    Case(
        "500 text/plain holding escape codes",
        {
            "kind": "status",
            "status": 500,
            "text": ESCAPES,
            "content_type": "text/plain",
            "times": None,
        },
        "failed: r to retry",
        toast=inert(ESCAPES),
        phases=START,
    ),
    Case(
        "escape codes in a Content-Type",
        {"kind": "malformed", "content_type": "text/\x1b[31mhtml\x9b", "times": None},
        "failed: r to retry",
        toast="text/␛[31mhtml<U+009B>",
        phases=START,
    ),
    Case(
        "an error echoing the key (Base64, upper case)",
        {"kind": "status", "status": 500, "text": ECHOED_KEY, "times": None},
        "failed: r to retry",
        toast="for ***",
        phases=START,
    ),
    Case(
        "a body over the size cap (5 MB, cap 1 MB)",
        {"kind": "huge", "size": 5 * MB, "times": None},
        "failed: r to retry",
        toast="sent more than 1 MB",
        limits={"max_body": MB},
        phases=("paging",),  # what was loaded stays
    ),
    Case(
        "an endless chunked body",
        {"kind": "endless", "times": None},
        "failed: r to retry",
        toast="sent more than 1 MB",
        limits={"max_body": MB},
        phases=START,
    ),
    Case(
        "JSON nested 100,000 deep",
        {"kind": "deep_json", "times": None},
        "failed: r to retry",
        toast="nested too deeply",
        phases=START,
    ),
    Case(
        "a body dripping past the deadline",
        {"kind": "drip", "seconds": 0.1, "times": None},
        "failed: r to retry",
        toast="did not finish answering /sequence/ within 1 s",
        limits={"deadline": 1.0},
        phases=START,
    ),
    Case(
        "429 storm with Retry-After: 0 (1.5 s)",
        {"kind": "status", "status": 429, "retry_after": 0, "times": None, "seconds": 1.5},
        "rate limited, retrying in",
        extra={"most_429s": 12},  # waits from 50 ms, doubling; at 50 ms it would be 30
        phases=START,
    ),
    Case("an id holding escape codes", {"kind": "hostile_id", "times": None}, None, phases=START),
]


@pytest.mark.parametrize(("case", "phase"), rows(CASES))
async def test_hostile_server(make_app, server, tmp_path, record_property, case: Case, phase: str):
    await run_row(make_app, server, tmp_path, record_property, case, phase)
