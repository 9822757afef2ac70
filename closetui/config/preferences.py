"""How a person likes the app: `theme` and `[keymap]` from the config file, and the theme
chosen in the palette written back to it.

Writing back edits the one `theme = …` line (or adds it among the top-level settings) and
leaves every other byte of the file as the person wrote it: comments, order, spacing, line
endings (CRLF stays CRLF). The edit is checked by parsing the result, and written to the
file only if the result means exactly what the file meant, with the new theme; otherwise
nothing is written. Nor is it written to a file the person made read-only, through a
symbolic link to anything but an existing plain file of theirs, or over an edit made by
anyone else meanwhile: savers take a lock on the file, and the file must still hold what
the edit was made from (compare-and-swap; an editor or `>>` takes no lock). A file with
other names (hard links) is written in place, so that it keeps them; any other is
replaced all at once.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from closetui.config.settings import read_config
from closetui.errors import ConfigError


@dataclass(frozen=True)
class Preferences:
    """The person's theme and keymap from the config file, and what could not be used."""

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
COMMENT_OR_BLANK = re.compile(r"^[ \t]*(#[^\r\n]*)?\r?$")
LOCK_WAIT = 2.0  # seconds to wait for another saver's lock
TRIES = 5  # edits made again when the file changed under one


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n"


def _with_value(text: str, key: str, name: str) -> str:
    """`text` with the top-level `key = "name"` set: the one line edited, or added after the
    last top-level setting, in the file's own line endings."""
    pattern = THEME_LINE if key == "theme" else _setting_line(key)
    value = json.dumps(name)  # a TOML basic string: JSON's escapes are TOML's
    eol = "\r\n" if "\r\n" in text else "\n"  # the file's own line ending
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += eol
    top = next((i for i, line in enumerate(lines) if TABLE_HEADER.match(line)), len(lines))
    for i in range(top):
        found = pattern.match(lines[i])
        if found:
            if found["value"] is None:
                lines[i] = f"{found['head']}{value}{_ending(lines[i])}"  # an odd value
            else:
                lines[i] = lines[i][: found.start("value")] + value + lines[i][found.end("value") :]
            return "".join(lines)
    # No theme yet: after the last top-level setting, so a comment above the first table
    # stays with its table; or at the top of the file when there is no setting.
    settings = [i for i in range(top) if not COMMENT_OR_BLANK.match(lines[i])]
    at = settings[-1] + 1 if settings else 0
    new = [f"{key} = {value}{eol}"]
    if not settings and at < len(lines):
        new.append(eol)
    return "".join(lines[:at] + new + lines[at:])


def save_theme(path: Path, name: str) -> None:
    """Set `theme = "name"` in the config file, or ConfigError saying why it was not saved.
    A config file that is a symlink (kept with dotfiles) stays one: its target is edited,
    if it is an existing plain file of yours. Slow for a huge file: call it off the UI
    thread."""
    _save_setting(path, "theme", name, "The theme")


def _save_setting(path: Path, key: str, name: str, what: str) -> None:
    """`key = "name"` kept in the config file, safely (see the module); `what` names it
    in the ConfigError that says why it was not."""
    for _ in range(TRIES):
        target = _target(path, what)
        with _locked(target, path, what) as fd:
            data = _read(fd, path)
            edited = _edited(data, path, key, name, what)
            if fd is None:  # no file yet: a new one, readable by you alone
                _replace(target, edited, 0o600, what)
                return
            if _current(target) != data:
                continue  # changed since it was read (another editor): read it again
            found = os.fstat(fd)
            if found.st_nlink > 1:
                _write_in_place(edited, target, what)
            else:
                _replace(target, edited, stat.S_IMODE(found.st_mode), what)
            return
    raise ConfigError(
        f"{what} was not saved: {path} kept changing while closetui wrote to it; "
        "it applies for this run."
    )


def _target(path: Path, what: str) -> Path:
    """The file to edit: `path`, or the existing plain file of yours a link at it names."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
            found = target.stat()
        except (OSError, RuntimeError):
            raise ConfigError(
                f"{what} was not saved: {path} is a symbolic link to nothing; closetui "
                "does not create what a link points at. It applies for this run."
            ) from None
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.geteuid():
            raise ConfigError(
                f"{what} was not saved: {path} links to {target}, which is not a plain "
                "file of yours. It applies for this run."
            )
        return target
    return path


@contextmanager
def _locked(target: Path, path: Path, what: str) -> Iterator[int | None]:
    """The file, open and locked against other savers (None when there is no file yet)."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            yield None
            return
        except OSError as exc:
            raise ConfigError(f"{what} was not saved: cannot open {path}: {exc.strerror}") from None
        try:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode):
                raise ConfigError(f"{what} was not saved: {path} is not a plain file.")
            if not found.st_mode & stat.S_IWUSR:
                raise ConfigError(
                    f"{what} was not saved: {path} is read-only (you made it so); "
                    "it applies for this run."
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
                if time.monotonic() > deadline:
                    raise ConfigError(
                        f"{what} was not saved: another closetui is writing {path}."
                    ) from None
                time.sleep(0.01)  # another saver holds it for a moment
                continue
            # Locked, but the saver before may have replaced the file: lock the new one.
            if os.stat(target).st_ino != found.st_ino:
                continue
            yield fd
            return
        finally:
            os.close(fd)


def _current(target: Path) -> bytes | None:
    """What the file at `target` holds now (None if it is gone)."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        return _read(fd, target)
    finally:
        os.close(fd)


def _read(fd: int | None, path: Path) -> bytes:
    """Everything in the file open at `fd` (nothing when there is no file)."""
    if fd is None:
        return b""
    chunks = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _edited(data: bytes, path: Path, key: str, name: str, what: str) -> str:
    import tomllib  # (here, not at the top: the app's start reads no TOML when there is no file)

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{what} was not saved: cannot read {path}: not UTF-8 text") from None
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"{what} was not saved: {path} is not valid TOML.") from None
    edited = _with_value(text, key, name)
    try:
        after = tomllib.loads(edited)
    except tomllib.TOMLDecodeError:
        after = None
    if after != {**before, key: name}:
        raise ConfigError(
            f'{what} was not saved: put {key} = "{name}" in {path} yourself '
            "(closetui could not place it without changing something else)."
        )
    return edited


def _write_in_place(text: str, target: Path, what: str) -> None:
    """Over the file's own bytes, so that its other names (hard links) see the edit too."""
    data = text.encode("utf-8")
    try:
        out = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.pwrite(out, data, 0)
            os.ftruncate(out, len(data))
            os.fsync(out)
        finally:
            os.close(out)
    except OSError as exc:
        raise ConfigError(f"{what} was not saved: cannot write {target}: {exc.strerror}") from None


def _replace(target: Path, text: str, mode: int, what: str = "The theme") -> None:
    """Write `text` to `target` all at once (a crash leaves the old file or the new one, never
    half of one), with the old file's permissions, or 0600 for a new one: it may hold keys."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"{what} was not saved: cannot write {target}: {exc.strerror}") from None


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


def save_detail_layout(path: Path, key: str, name: str) -> None:
    """Keep `cadence` or `split` in the config file as the theme is kept (see the module):
    one line edited, checked by reading the result back; ConfigError saying why not."""
    _save_setting(path, key, name, f'{key} = "{name}"')
