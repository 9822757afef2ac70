"""The log file: where unexpected errors go, so that the screen never shows a traceback."""

from __future__ import annotations

import logging
import os
from pathlib import Path

LOG_NAME = "closetui.log"
log = logging.getLogger("closetui")


def setup_logging(log_dir: Path) -> Path | None:
    """Log to a file under `log_dir`; None when that folder cannot be written."""
    path = log_dir / LOG_NAME
    root = logging.getLogger()
    for existing in root.handlers:
        if isinstance(existing, logging.FileHandler) and Path(existing.baseFilename) == path:
            return path
    try:
        # The log may hold ids and server messages: the user's eyes only.
        log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(log_dir, 0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        os.chmod(path, 0o600)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every request line at INFO; the URL holds no secret but it drowns the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
