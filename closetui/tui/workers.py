"""Background work in the app: every coroutine runs as a Textual worker of the node that
owns it (so it ends when that node does), and an unexpected error goes to the log with one
toast saying where, never a traceback on screen."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from textual.app import App
from textual.widget import Widget

from closetui.logs import log

Work = Coroutine[Any, Any, None]


async def _guarded(node: Widget | App[Any], work: Work) -> None:
    try:
        await work
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unexpected error in a background task")
        path = getattr(node.app, "log_path", None)
        where = f" (details in {path})" if path else ""
        node.notify(f"Unexpected error{where}", severity="error", markup=False)


def spawn(node: Widget | App[Any], work: Work, group: str) -> None:
    """Run `work` as a worker of `node`: cancelled when `node` is unmounted."""
    if not node.is_attached:
        work.close()  # never awaited: no "coroutine was never awaited" warning either
        return
    node.run_worker(_guarded(node, work), group=group, exit_on_error=False)
