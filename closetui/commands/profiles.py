"""`closetui profiles`: the config file's accounts, which one is in force, where each key comes
from (never the key) and what its cache knows."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from closetui.config.profiles import current_profile, describe, profile_names
from closetui.config.settings import default_config_path
from closetui.present.sheet import format_age
from closetui.textsafe import inert

EXAMPLE = """\
No profiles yet. Add one per Close account to {config}:

  default_profile = "work"

  [profiles.work]
  api_key_file = "~/.close-work-key"

  [profiles.side]
  api_key_file = "~/.close-side-key"
  page_size = 50

then choose one with --profile NAME or CLOSETUI_PROFILE=NAME.
"""


def run(requested: str | None, *, names_only: bool = False, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if names_only:
        # For shell completion and scripts: one name a line, nothing else.
        for name in profile_names():
            out.write(f"{name}\n")
        return 0
    current_profile(requested)  # an unknown name exits 2 listing the known ones, as everywhere
    profiles = describe(requested)
    config = default_config_path()
    if not profiles:
        out.write(EXAMPLE.format(config=config))
        return 0
    header = ("", "profile", "organization", "key from", "last complete pass", "changes")
    rows = [header]
    for info in profiles:
        if info.problem and not info.key_source:
            where = info.problem
        elif info.problem:
            where = f"{info.key_source} ({info.problem})"
        else:
            where = info.key_source
        last = info.last_complete_pass
        rows.append(
            (
                "*" if info.current else "",
                info.name,
                info.organization or "?",
                where,
                format_age(time.time() - last) if last else "never",
                "allowed" if info.allow_changes else "off",
            )
        )
    rows = [(a, inert(b), inert(c), inert(d), e, f) for a, b, c, d, e, f in rows]  # a server's
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        out.write("  ".join(cells).rstrip() + "\n")
    out.write(
        f"\n* in force · changes: whether pause, resume and remove may change runs in Close "
        f"(allow_changes = true) · config: {config}\n"
    )
    return 0
