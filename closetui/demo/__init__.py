"""The built-in demo organization and a fake Close API that serves it.

Names load on first use, so that `--demo` does not import the HTTP server it never starts.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The meta key that says a demo cache has its history: read before the demo loads, so that
# every later start of `--demo` imports none of it before the first frame.
HISTORY_SEEDED = "demo_history_seeded"

_WHERE = {
    "DEMO_API_KEY": "closetui.demo.data",
    "DemoOrg": "closetui.demo.data",
    "FakeClose": "closetui.demo.router",
    "Fault": "closetui.demo.router",
    "Faults": "closetui.demo.router",
    "DemoServer": "closetui.demo.server",
    "DemoTransport": "closetui.demo.transport",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(name)
    return getattr(import_module(_WHERE[name]), name)
