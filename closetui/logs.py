"""The log file: where unexpected errors go, so that the screen never shows a traceback.

The log may quote the server (an error text in an exception), and people read it with `cat`
or `tail -f`: every line goes through the same inert-making step as the screen. It lives in
a 0700 folder as a 0600 file, opened without following a symbolic link.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

from closetui.store.private import open_private, private_folder
from closetui.textsafe import inert

LOG_NAME = "closetui.log"
log = logging.getLogger("closetui")


class _InertFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Line by line, so that a traceback keeps its shape.
        return "\n".join(inert(line) for line in super().format(record).split("\n"))


class _PrivateFileHandler(logging.FileHandler):
    def _open(self) -> io.TextIOWrapper:
        fd = open_private(Path(self.baseFilename), os.O_WRONLY | os.O_APPEND)
        return io.TextIOWrapper(
            io.FileIO(fd, "a"), encoding=self.encoding or "utf-8", errors=self.errors
        )


def setup_logging(log_dir: Path) -> Path | None:
    """Log to a file under `log_dir`; None when that folder cannot be written or trusted."""
    path = log_dir / LOG_NAME
    root = logging.getLogger()
    for existing in root.handlers:
        if isinstance(existing, logging.FileHandler) and Path(existing.baseFilename) == path:
            return path
    if private_folder(log_dir) is not None:
        return None
    try:
        handler = _PrivateFileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(_InertFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request line at INFO; the URL holds no secret but it drowns the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
