"""How a person likes the app: `theme` and `[keymap]` from the config file, and the theme
chosen in the palette written back to it.

Writing back edits the one `theme = …` line (or adds it among the top-level settings) and
leaves every other byte of the file as the person wrote it: comments, order, spacing. The
edit is checked by parsing the result, and written to the file only if the result means
exactly what the file meant, with the new theme; otherwise nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from closetui.config.settings import read_config
from closetui.errors import ConfigError


@dataclass(frozen=True)
class Preferences:
    theme: str | None = None
    keymap: dict[str, object] = field(default_factory=dict)  # binding id -> keys, unchecked
    problems: list[str] = field(default_factory=list)  # one line each, for the person


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, object]:
    """`list.down = "j"` written without quotes is a nested table in TOML; it still means
    the binding id `list.down`."""
    flat: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def read_preferences(path: Path) -> Preferences:
    try:
        config = read_config(path)
    except ConfigError as exc:
        return Preferences(problems=[exc.message])
    problems: list[str] = []
    theme = config.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.append(f"theme in {path} must be a theme's name, as text: using the default.")
        theme = None
    keymap = config.get("keymap", {})
    if not isinstance(keymap, dict):
        problems.append(f"keymap in {path} must be a [keymap] table: ignored.")
        keymap = {}
    return Preferences(theme=theme or None, keymap=_flatten(keymap), problems=problems)


# -- writing the theme back ------------------------------------------------------------------

THEME_LINE = re.compile(
    r"""^(?P<head>[ \t]*theme[ \t]*=[ \t]*)(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')?"""
)
TABLE_HEADER = re.compile(r"^[ \t]*\[")
COMMENT_OR_BLANK = re.compile(r"^[ \t]*(#.*)?$")


def _with_theme(text: str, name: str) -> str:
    value = json.dumps(name)  # a TOML basic string: JSON's escapes are TOML's
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    top = next((i for i, line in enumerate(lines) if TABLE_HEADER.match(line)), len(lines))
    for i in range(top):
        found = THEME_LINE.match(lines[i])
        if found:
            if found["value"] is None:
                lines[i] = f"{found['head']}{value}\n"  # an odd value: the whole line
            else:
                lines[i] = lines[i][: found.start("value")] + value + lines[i][found.end("value") :]
            return "".join(lines)
    # No theme yet: after the last top-level setting, so a comment above the first table
    # stays with its table; or at the top of the file when there is no setting.
    settings = [i for i in range(top) if not COMMENT_OR_BLANK.match(lines[i])]
    at = settings[-1] + 1 if settings else 0
    new = [f"theme = {value}\n"]
    if not settings and at < len(lines):
        new.append("\n")
    return "".join(lines[:at] + new + lines[at:])


def save_theme(path: Path, name: str) -> None:
    """Set `theme = "name"` in the config file, or ConfigError saying why it was not saved.
    A config file that is a symlink (kept with dotfiles) stays one: its target is edited."""
    target = path.resolve() if path.is_symlink() else path
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable text"
        raise ConfigError(f"The theme was not saved: cannot read {path}: {reason}") from None
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"The theme was not saved: {path} is not valid TOML.") from None
    edited = _with_theme(text, name)
    try:
        after = tomllib.loads(edited)
    except tomllib.TOMLDecodeError:
        after = None
    if after != {**before, "theme": name}:
        raise ConfigError(
            f'The theme was not saved: put theme = "{name}" in {path} yourself '
            "(closetui could not place it without changing something else)."
        )
    _replace(target, edited)


def _replace(target: Path, text: str) -> None:
    """Write `text` to `target` all at once (a crash leaves the old file or the new one, never
    half of one), with the old file's permissions, or 0600 for a new one: it may hold keys."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(
            f"The theme was not saved: cannot write {target}: {exc.strerror}"
        ) from None


# -- how the detail is laid out: the cadence's layout and the panes' split -------------------

CADENCE_LAYOUTS = ("compact", "full")
SPLITS = ("balanced", "even", "detail", "list")  # the order the split key cycles through


@dataclass(frozen=True)
class DetailLayout:
    """`cadence = "compact" | "full"` and `split = "balanced" | "even" | "detail" | "list"`
    from the config file; an unknown value is the default, with one line for the person."""

    cadence: str = "compact"
    split: str = "balanced"
    problems: list[str] = field(default_factory=list)


def read_detail_layout(path: Path) -> DetailLayout:
    try:
        config = read_config(path)
    except ConfigError:
        return DetailLayout()  # read_preferences says what is wrong with the file
    problems: list[str] = []
    chosen: dict[str, str] = {}
    for key, allowed in (("cadence", CADENCE_LAYOUTS), ("split", SPLITS)):
        value = config.get(key)
        if value is None:
            continue
        if value in allowed:
            chosen[key] = str(value)
        else:
            problems.append(
                f"{key} in {path} must be one of {', '.join(allowed)}: using {allowed[0]}."
            )
    return DetailLayout(**chosen, problems=problems)


def _setting_line(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"""^(?P<head>[ \t]*{re.escape(key)}[ \t]*=[ \t]*)"""
        r"""(?P<value>"(?:[^"\\\n]|\\.)*"|'[^'\n]*')?"""
    )


def _with_setting(text: str, key: str, name: str) -> str:
    """`text` with the top-level `key = "name"` set: the one line edited, or added after the
    last top-level setting."""
    value = json.dumps(name)
    pattern = _setting_line(key)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    top = next((i for i, line in enumerate(lines) if TABLE_HEADER.match(line)), len(lines))
    for i in range(top):
        found = pattern.match(lines[i])
        if found:
            if found["value"] is None:
                lines[i] = f"{found['head']}{value}\n"
            else:
                lines[i] = lines[i][: found.start("value")] + value + lines[i][found.end("value") :]
            return "".join(lines)
    settings = [i for i in range(top) if not COMMENT_OR_BLANK.match(lines[i])]
    at = settings[-1] + 1 if settings else 0
    new = [f"{key} = {value}\n"]
    if not settings and at < len(lines):
        new.append("\n")
    return "".join(lines[:at] + new + lines[at:])


def save_detail_layout(path: Path, key: str, name: str) -> None:
    """Keep `cadence` or `split` in the config file as the theme is kept: one line edited,
    checked by reading the result back, written all at once; ConfigError saying why not."""
    target = path.resolve() if path.is_symlink() else path
    what = f'{key} = "{name}"'
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable text"
        raise ConfigError(f"{what} was not saved: cannot read {path}: {reason}") from None
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"{what} was not saved: {path} is not valid TOML.") from None
    edited = _with_setting(text, key, name)
    try:
        after = tomllib.loads(edited)
    except tomllib.TOMLDecodeError:
        after = None
    if after != {**before, key: name}:
        raise ConfigError(f"{what} was not saved: put it in {path} yourself.")
    try:
        _replace(target, edited)
    except ConfigError as exc:
        message = exc.message.replace("The theme was not saved", f"{what} was not saved")
        raise ConfigError(message) from None
