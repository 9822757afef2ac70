"""Over to Close's web app: the address of a lead or a sequence, and whether this session
can open a browser at all (over SSH, or with no display, it cannot: the address is shown and
copied instead)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from urllib.parse import quote

from closetui.close.urls import LEAD_URL, SEQUENCE_URL

__all__ = ["LEAD_URL", "SEQUENCE_URL"]


def url_for(template: str, object_id: str) -> str:
    """The template with the id in it, quoted: an id is untrusted text like any other."""
    return template.replace("{id}", quote(object_id, safe=""))


def can_open_browser(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> bool:
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False  # a browser would open on the far machine, if at all
    if platform.startswith("linux") or "bsd" in platform:
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True
