"""Text snapshots beside tests/snapshots/: a change to the screen fails until the snapshot is
regenerated on purpose (CLOSETUI_UPDATE_SNAPSHOTS=1), as tests/test_snapshots.py does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent.parent / "snapshots"


def check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
    if os.environ.get("CLOSETUI_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not os.environ.get("CLOSETUI_UPDATE_SNAPSHOTS"):
            pytest.fail(f"snapshot {path.name} was missing and has been written; check it in")
    assert text == path.read_text(encoding="utf-8"), f"screen differs from {path.name}"
