"""`closetui doctor`: one screen for the person whose setup does not work. Each line is a
check, ✓ or ✗, with the fix under a ✗; `·` lines inform and never fail the run.

Exit status: 0 when every check passes, 1 when any fails, 3 when Close refused the key.
"""

from __future__ import annotations

import json
import locale
import os
import platform
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import TextIO

from closetui import __version__
from closetui.config.settings import KEY_HELP, Settings, default_config_path, read_config
from closetui.errors import ApiError, AuthError, ConfigError
from closetui.logs import LOG_NAME
from closetui.present.sheet import format_age
from closetui.store import cache as store
from closetui.textsafe import inert

OK, FAIL, INFO = "ok", "fail", "info"
MARKS = {OK: "✓", FAIL: "✗", INFO: "·"}


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | fail | info
    detail: str
    fix: str = ""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _config(config_path: Path, error: ConfigError | None) -> Check:
    if error is not None:
        return Check("config", FAIL, inert(error.message), "Correct the file, or move it aside.")
    if not config_path.exists():
        return Check("config", OK, f"none at {config_path}; defaults and environment used")
    try:
        keys = sorted(read_config(config_path))
    except ConfigError as exc:
        return Check("config", FAIL, inert(exc.message), "Correct the file, or move it aside.")
    shown = ", ".join(keys) if keys else "empty"
    return Check("config", OK, f"{config_path} parsed ({shown})")


def _key(settings: Settings | None) -> Check:
    if settings is None or settings.api_key is None:
        config = settings.config_path if settings else default_config_path()
        return Check("API key", FAIL, "none found", KEY_HELP.format(config=config))
    return Check("API key", OK, f"from {settings.key_source} (never shown)")


def _base_url(settings: Settings | None) -> Check:
    if settings is None:
        return Check("base URL", INFO, "not known until the configuration reads")
    return Check("base URL", OK, settings.base_url)


def _changes(settings: Settings | None) -> Check:
    if settings is None or not settings.allow_changes:
        return Check(
            "changes to Close",
            INFO,
            "off: pause, resume and remove are refused, in the app and as commands",
            "To change runs, put allow_changes = true in the profile (or the config file).",
        )
    return Check(
        "changes to Close",
        INFO,
        "allowed: pause, resume and remove change runs in Close, each after a confirmation",
    )


async def _network(settings: Settings) -> tuple[list[Check], bool]:
    """`/me/`, and the rate-limit header its answer carried. True when the key was refused."""
    from closetui.connect import open_client

    client = open_client(settings)
    try:
        began = time.monotonic()
        try:
            me = await client.me()
        except AuthError as exc:
            fix = f"The key came from {settings.key_source}: replace it with a current key."
            return [Check("Close answers /me/", FAIL, inert(exc.message), fix)], True
        except ApiError as exc:
            fix = "Check the network, a proxy or VPN, and the base URL; then run doctor again."
            return [Check("Close answers /me/", FAIL, inert(exc.message), fix)], False
        elapsed = (time.monotonic() - began) * 1000
        organization = me.organizations[0].name if me.organizations else "no organization"
        # Names a server sends are shown, so the key is scrubbed from them as from errors.
        who = inert(client.scrub(f"{me.display_name} in {organization or '?'}"))
        checks = [Check("Close answers /me/", OK, f"{who} ({elapsed:.0f} ms)")]
        limit = client.gate.last
        if limit is None:
            checks.append(
                Check("rate limit", INFO, "no RateLimit header seen; 429s are waited out")
            )
        else:
            values = f"limit={limit.limit}, remaining={limit.remaining}, reset={limit.reset:g} s"
            checks.append(Check("rate limit", OK, f"RateLimit header seen: {values}"))
        return checks, False
    finally:
        await client.aclose()


def _folder(name: str, folder: Path) -> list[Check]:
    checks: list[Check] = []
    if not folder.exists():
        return [Check(name, INFO, f"{folder} does not exist yet; made on first use")]
    mode = _mode(folder)
    owned = folder.stat().st_uid == os.getuid()
    if mode & 0o077 or not owned:
        problem = "not owned by you" if not owned else f"mode {mode:04o}"
        fix = f"chmod 700 {folder}" if owned else f"Remove {folder}, or point closetui elsewhere."
        checks.append(Check(name, FAIL, f"{folder} is {problem}", fix))
    else:
        checks.append(Check(name, OK, f"{folder} (0700)"))
    return checks


def _cache(settings: Settings | None) -> list[Check]:
    if settings is None:
        return []
    folder = settings.cache_dir
    checks = _folder("cache folder", folder)
    if settings.account == "none":
        return checks
    file = folder / f"{settings.account}{store.SUFFIX}"
    if not file.exists():
        checks.append(Check("cache file", INFO, "nothing cached for this account yet"))
        return checks
    found = store.inspect(file)
    mode = _mode(file)
    if "error" in found:
        checks.append(
            Check("cache file", FAIL, f"{file}: {found['error']}", "closetui cache clear")
        )
        return checks
    last = found.get("last_complete_sync")
    age = format_age(time.time() - last) if last else "never"
    size = f"{found['size'] / 1024:,.0f} KB"
    detail = f"{file} ({size}, {found['sequences']:,} sequences, last complete pass: {age})"
    if mode & 0o077:
        checks.append(
            Check("cache file", FAIL, f"{detail} has mode {mode:04o}", f"chmod 600 {file}")
        )
    else:
        checks.append(Check("cache file", OK, detail))
    return checks


def _log(settings: Settings | None) -> list[Check]:
    if settings is None:
        return []
    file = settings.log_dir / LOG_NAME
    checks = _folder("log folder", settings.log_dir)
    if file.exists():
        mode = _mode(file)
        status, fix = (FAIL, f"chmod 600 {file}") if mode & 0o077 else (OK, "")
        checks.append(Check("log file", status, f"{file} ({mode:04o})", fix))
    return checks


def _terminal(env: dict[str, str]) -> list[Check]:
    term = env.get("TERM", "")
    size = shutil.get_terminal_size((0, 0))
    colours = (
        "none (NO_COLOR)"
        if env.get("NO_COLOR")
        else "truecolor"
        if env.get("COLORTERM") in ("truecolor", "24bit")
        else "256"
        if "256color" in term
        else "16 or fewer"
    )
    checks = [
        Check(
            "terminal",
            OK if term and term != "dumb" else FAIL,
            f"TERM={term or '(unset)'}, colours: {colours}, "
            + (f"size {size.columns}x{size.lines}" if size.columns else "not a terminal"),
            "" if term and term != "dumb" else "Set TERM (xterm-256color is a safe choice).",
        )
    ]
    encoding = locale.getpreferredencoding(False)
    utf8 = encoding.lower().replace("-", "") == "utf8"
    checks.append(
        Check(
            "locale",
            OK if utf8 else FAIL,
            f"{encoding} (LANG={env.get('LANG', '')}, LC_ALL={env.get('LC_ALL', '')})",
            "" if utf8 else "Use a UTF-8 locale: export LANG=C.UTF-8",
        )
    )
    where = [w for w, v in (("tmux", "TMUX"), ("SSH", "SSH_CONNECTION")) if env.get(v)]
    checks.append(Check("session", INFO, "inside " + " and ".join(where) if where else "local"))
    if env.get("TMUX"):
        checks.append(_tmux_clipboard())
    return checks


def _tmux_clipboard() -> Check:
    """`y` copies through OSC 52, which tmux passes on only with set-clipboard on."""
    try:
        found = subprocess.run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        found = ""
    if found == "on":
        return Check("tmux clipboard", OK, "set-clipboard on: the copy key reaches your clipboard")
    return Check(
        "tmux clipboard",
        INFO,
        f"set-clipboard {found or 'unknown'}: the copy key may not reach your clipboard",
        "Add `set -g set-clipboard on` to ~/.tmux.conf",
    )


def _versions() -> Check:
    try:
        textual = metadata.version("textual")
    except metadata.PackageNotFoundError:
        textual = "not installed"
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return Check("versions", INFO, f"closetui {__version__}, Textual {textual}, {python}")


async def run(
    settings: Settings | None,
    *,
    config_error: ConfigError | None,
    fmt: str = "text",
    offline: bool = False,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    env = dict(os.environ)
    config_path = settings.config_path if settings else default_config_path()
    checks = [
        _config(config_path, config_error),
        _key(settings),
        _base_url(settings),
        _changes(settings),
    ]
    refused = False
    if offline:
        checks.append(Check("Close answers /me/", INFO, "skipped: --offline makes no request"))
    elif settings is not None and settings.api_key is not None:
        network, refused = await _network(settings)
        checks += network
    checks += [*_cache(settings), *_log(settings), *_terminal(env), _versions()]
    failed = any(c.status == FAIL for c in checks)
    if fmt == "json":
        out.write(json.dumps({"ok": not failed, "checks": [asdict(c) for c in checks]}, indent=2))
        out.write("\n")
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            detail = inert(check.detail)  # it may quote the server, a path, a setting
            out.write(f"{MARKS[check.status]} {check.name:<{width}}  {detail}\n")
            if check.fix and check.status != OK:
                out.write(f"  {'':<{width}}  → {inert(check.fix)}\n")
    return 3 if refused else 1 if failed else 0
