"""Where the key, the base URL and the paths come from.

The key comes from `--api-key-file`, the profile in force, the `CLOSE_API_KEY` environment
variable, or the config file (`api_key` or `api_key_file`), in that order; never from a bare
command-line argument, which would land in shell history and `ps`.

A profile (`[profiles.NAME]` in the config file, chosen by `--profile`, `CLOSETUI_PROFILE` or
`default_profile`) is a deliberate choice of account, so its key, base URL and page size come
before the environment's; only command-line options come before a profile.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import platformdirs

from closetui.close.urls import (
    DEFAULT_BASE_URL,
    DEFAULT_PAGE_SIZE,
    DEMO_API_KEY,
    DEMO_BASE_URL,
    SEQUENCE_URL,
    check_base_url,
)
from closetui.errors import ConfigError
from closetui.store.private import readable_by_others

APP_NAME = "closetui"
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_MB = 32.0
DEFAULT_TRACE_MAX_MB = 50.0  # a trace stops growing here, and says so in its last line
SUFFIX_HINT = "CLOSE_API_KEY, --api-key-file or the config file"
KEY_HELP = (
    "Give an API key in one of these ways: set CLOSE_API_KEY, pass --api-key-file PATH "
    '(a file holding only the key), or put api_key_file = "PATH" in {config}. '
    "Create a key in Close under Settings → Developer → API Keys. "
    "Or try the app with no account: closetui --demo"
)


class ApiKey:
    """The key, kept out of every repr and str so it cannot reach a log or a screen by
    accident; `reveal()` is the one place it is read."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def fingerprint(self, salt: str) -> str:
        """A one-way name for the account (base URL + key), used to name its cache."""
        return hashlib.sha256(f"{salt}\0{self._value}".encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return "ApiKey(****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("ApiKey", self._value))


@dataclass(frozen=True)
class Settings:
    """What a command or the app runs with: where Close is, the key, the folders, the limits."""

    base_url: str
    api_key: ApiKey | None
    key_source: str  # where the key came from, in words, for error messages
    demo: bool = False
    offline: bool = False
    page_size: int = DEFAULT_PAGE_SIZE
    cache_dir: Path = field(default_factory=lambda: default_cache_dir())
    log_dir: Path = field(default_factory=lambda: default_log_dir())
    config_path: Path = field(default_factory=lambda: default_config_path())
    demo_latency: float = 0.15
    demo_size: int | None = None
    demo_max_skip: int | None = None  # the demo refuses a `_skip` past this, as Close does
    demo_subscriptions: int | None = None  # runs of the demo's first sequence, if not 15
    retry_backoff: float = 0.5  # seconds before the first retry; doubles each time
    trace_path: Path | None = None  # --trace FILE: every HTTP exchange, one JSON line each
    sequence_url: str = SEQUENCE_URL  # where `o` takes a sequence: {id} is replaced
    request_deadline: float = DEFAULT_DEADLINE  # seconds for one request, whatever it does
    max_response_mb: float = DEFAULT_MAX_RESPONSE_MB  # a bigger answer is refused
    trace_max_mb: float = DEFAULT_TRACE_MAX_MB  # --trace FILE stops growing at this size
    warnings: tuple[str, ...] = ()  # one line each, for the person to read before anything
    profile: str | None = None  # the config file's [profiles.NAME] in force, if any
    cached_account: str | None = None  # offline with no key: the cache chosen by its name
    history_per_sequence: int = 20  # earlier versions of one sequence the cache keeps
    history_total: int = 2000  # earlier versions kept across the account
    watch: float | None = None  # --watch: seconds between refreshes (None: no watching)
    # Changes to Close (pause, resume, unsubscribe) only where the person turned them on:
    # `allow_changes = true` in the profile or at the top of the config file.
    allow_changes: bool = False

    @property
    def account(self) -> str:
        """The cache's name for this account: a hash, so neither key nor URL is readable."""
        if self.demo:
            return "demo"
        if self.cached_account is not None:
            return self.cached_account
        if self.api_key is None:
            return "none"
        return self.api_key.fingerprint(self.base_url)


def default_cache_dir(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("CLOSETUI_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def default_log_dir(env: Mapping[str, str] = os.environ) -> Path:
    return Path(env.get("CLOSETUI_LOG_DIR") or platformdirs.user_log_dir(APP_NAME))


def default_config_path(env: Mapping[str, str] = os.environ) -> Path:
    if env.get("CLOSETUI_CONFIG"):
        return Path(env["CLOSETUI_CONFIG"])
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def read_config(path: Path) -> dict[str, object]:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
    # Imported only for a file there is: tomllib compiles its regular expressions as it loads
    # (about 3 ms), which a start without a config file has no use for.
    import tomllib

    with handle:
        try:
            return tomllib.load(handle)
        except OSError as exc:
            raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"The config file {path} is not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:  # TOML is UTF-8 (a file saved as Latin-1, say)
            raise ConfigError(
                f"The config file {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                f"at offset {exc.start}): save it as UTF-8."
            ) from None


def _exposed(path: Path, what: str) -> str | None:
    """A warning, as ssh gives for a private key, when others may read a file with the key."""
    mode = readable_by_others(path)
    if mode is None:
        return None
    return f"warning: {path} ({what}) can be read by other users (mode {mode}): chmod 600 {path}"


# The largest value each number may take: past these a setting is a typo (1e308 MB would
# overflow the byte count it becomes; a deadline of a century never ends).
MOST = {
    "request_deadline": 86_400.0,
    "max_response_mb": 4096.0,
    "retry_backoff": 3600.0,
    "trace_max_mb": 100_000.0,
    "demo_latency": 60.0,
}


def _limit(
    name: str, env: Mapping[str, str], config: Mapping[str, object], default: float
) -> float:
    """A positive number from CLOSETUI_<NAME> or the config file's <name>, else `default`:
    finite, above 0 and at most its `MOST` (nan, inf, 0 and negatives are config errors)."""
    variable = f"CLOSETUI_{name.upper()}"
    raw: object = env.get(variable) or config.get(name, default)
    try:
        value = float(raw) if isinstance(raw, int | float | str) else -1.0
    except (TypeError, ValueError, OverflowError):
        value = -1.0
    most = MOST.get(name, float("inf"))
    if isinstance(raw, bool) or not 0 < value <= most or not math.isfinite(value):
        bound = f" of at most {most:g}" if most != float("inf") else ""
        raise ConfigError(
            f"{name} ({variable} or the config file) must be a positive number{bound}, "
            f"not {str(raw)[:40]!r}."
        )
    return value


PROFILE_SETTINGS = ("api_key_file", "api_key", "base_url", "page_size", "allow_changes")
ALLOW_CHANGES = "allow_changes"
# Profile names are typed on command lines and offered by shell completion: keep them to
# characters no shell treats specially.
PROFILE_NAME = re.compile(r"[\w-]+")


def config_profiles(
    config: Mapping[str, object], config_path: Path
) -> dict[str, dict[str, object]]:
    """The config file's `[profiles.NAME]` tables, checked, or ConfigError naming the fault."""
    raw = config.get("profiles", {})
    if not isinstance(raw, dict):
        raise ConfigError(f"profiles in {config_path} must be [profiles.NAME] tables.")
    for name, table in raw.items():
        if not PROFILE_NAME.fullmatch(name):
            raise ConfigError(
                f"The profile name {name!r} in {config_path} may hold only letters, digits, "
                "'-' and '_'."
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"profiles.{name} in {config_path} must be a [profiles.{name}] table."
            )
        unknown = sorted(set(table) - set(PROFILE_SETTINGS))
        if unknown:
            raise ConfigError(
                f"profiles.{name} in {config_path} has an unknown setting {unknown[0]!r} "
                f"(known: {', '.join(PROFILE_SETTINGS)})."
            )
    return raw


def choose_profile(
    config: Mapping[str, object],
    config_path: Path,
    requested: str | None,
    env: Mapping[str, str] = os.environ,
) -> tuple[str | None, dict[str, object]]:
    """The profile in force and its settings: `--profile`, else `CLOSETUI_PROFILE`, else
    `default_profile`, else none. An unknown name is a ConfigError listing the known ones."""
    profiles = config_profiles(config, config_path)
    name, origin = requested, "--profile"
    if name is None and env.get("CLOSETUI_PROFILE", "").strip():
        name, origin = env["CLOSETUI_PROFILE"].strip(), "CLOSETUI_PROFILE"
    if name is None and "default_profile" in config:
        default = config["default_profile"]
        if not isinstance(default, str):
            raise ConfigError(f"default_profile in {config_path} must be a profile's name.")
        name, origin = default, f"default_profile in {config_path}"
    if name is None:
        return None, {}
    if name not in profiles:
        known = (
            f"Known profiles: {', '.join(sorted(profiles))}."
            if profiles
            else f"No profiles are defined in {config_path}: add a [profiles.{name}] table."
        )
        raise ConfigError(f"Unknown profile {name!r} (from {origin}). {known}")
    return name, profiles[name]


def _read_key_file(path: Path, described: str) -> ApiKey:
    try:
        text = path.expanduser().read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"The key file {path} ({described}) does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable text"
        raise ConfigError(f"Cannot read the key file {path} ({described}): {reason}") from None
    if not text or len(text.split()) != 1:
        raise ConfigError(f"The key file {path} ({described}) should hold only the key.")
    return ApiKey(text)


def _sequence_url(config: Mapping[str, object], config_path: Path) -> str:
    template = config.get("sequence_url", SEQUENCE_URL)
    if not isinstance(template, str) or "{id}" not in template:
        raise ConfigError(f"sequence_url in {config_path} must be text with {{id}} in it.")
    if not template.startswith(("https://", "http://")):
        raise ConfigError(f"sequence_url in {config_path} must be an http(s) address.")
    return template


class _Common(TypedDict):
    """What every account's settings share, built once and spread into Settings."""

    retry_backoff: float
    request_deadline: float
    max_response_mb: float
    trace_max_mb: float
    offline: bool
    cache_dir: Path
    log_dir: Path
    config_path: Path
    trace_path: Path | None
    sequence_url: str
    page_size: int
    history_per_sequence: int
    history_total: int
    watch: float | None


class _Demo(TypedDict):
    demo_latency: float
    demo_size: int | None
    demo_max_skip: int | None
    demo_subscriptions: int | None


def _demo_count(name: str, env: Mapping[str, str]) -> int | None:
    """A demo knob that counts something (None when unset); ValueError when it is no count."""
    text = env.get(name, "").strip()
    if not text:
        return None
    number = int(text)
    if number < 0:
        raise ValueError(name)
    return number


WATCH_FLOOR = 30.0  # seconds: watching never refreshes more often than this
_WATCH_UNITS = {"s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def _count_setting(name: str, config: Mapping[str, object], default: int) -> int:
    """A whole number of 0 or more from the config file's `name`."""
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(f"{name} in the config file must be a whole number of 0 or more.")
    return value


def watch_floor(env: Mapping[str, str] = os.environ) -> float:
    """The shortest watch interval: 30 s, which CLOSETUI_WATCH_FLOOR may lower for tests
    against the loopback demo server (never below 0.05 s)."""
    try:
        return max(0.05, min(WATCH_FLOOR, float(env.get("CLOSETUI_WATCH_FLOOR") or WATCH_FLOOR)))
    except ValueError:
        return WATCH_FLOOR


def watch_seconds(value: object, env: Mapping[str, str] = os.environ) -> float | None:
    """`--watch 5m` / `watch = "90s"` (or a number of seconds) as seconds, at least the floor;
    None (or an empty text, or `off`) means no watching."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "off", "no")):
        return None
    problem = ConfigError(
        f"The watch interval must be a duration such as 30s, 5m or 1h, not {value!r}."
    )
    if isinstance(value, bool):
        raise problem
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        unit = text[len(number) :].strip() or "s"
        try:
            seconds = float(number) * _WATCH_UNITS[unit]
        except (ValueError, KeyError):
            raise problem from None
    else:
        raise problem
    if not 0 < seconds < float("inf"):
        raise problem
    return max(seconds, watch_floor(env))


def load_settings(
    *,
    demo: bool = False,
    offline: bool = False,
    base_url: str | None = None,
    page_size: int | None = None,
    api_key_file: str | None = None,
    trace: str | None = None,
    need_key: bool = True,
    profile: str | None = None,
    watch: str | None = None,
    env: Mapping[str, str] = os.environ,
) -> Settings:
    """Settings from options, environment and config file, or ConfigError saying what to fix."""
    config_path = default_config_path(env)
    config = read_config(config_path)
    trace = trace if trace is not None else env.get("CLOSETUI_TRACE")
    common: _Common = {
        # nan here would remove the retry floor: checked like every other number.
        "retry_backoff": _limit("retry_backoff", env, config, 0.5),
        "trace_max_mb": _limit("trace_max_mb", env, config, DEFAULT_TRACE_MAX_MB),
        "request_deadline": _limit("request_deadline", env, config, DEFAULT_DEADLINE),
        "max_response_mb": _limit("max_response_mb", env, config, DEFAULT_MAX_RESPONSE_MB),
        "offline": offline,
        "cache_dir": default_cache_dir(env),
        "log_dir": default_log_dir(env),
        "config_path": config_path,
        "trace_path": Path(trace).expanduser() if trace else None,
        "sequence_url": _sequence_url(config, config_path),
        "page_size": DEFAULT_PAGE_SIZE,
        "history_per_sequence": _count_setting("history_per_sequence", config, 20),
        "history_total": _count_setting("history_total", config, 2000),
        "watch": watch_seconds(watch if watch is not None else config.get("watch"), env),
    }
    # The demo is one fixed organization: profiles do not apply to it.
    name, chosen = (None, {}) if demo else choose_profile(config, config_path, profile, env)
    where = f"[profiles.{name}] of {config_path}" if name else str(config_path)
    size: object = page_size
    if size is None:
        size = chosen.get("page_size", config.get("page_size", DEFAULT_PAGE_SIZE))
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100:
        raise ConfigError(f"The page size must be a whole number from 1 to 100, not {size!r}.")
    common["page_size"] = size
    if demo:
        latency = env.get("CLOSETUI_DEMO_LATENCY")
        try:
            delay = float(latency) if latency else 0.15
            if not 0 <= delay <= MOST["demo_latency"]:  # nan and inf too
                raise ValueError(latency)
            extra: _Demo = {
                "demo_latency": delay,
                "demo_size": _demo_count("CLOSETUI_DEMO_SIZE", env),
                "demo_max_skip": _demo_count("CLOSETUI_DEMO_MAX_SKIP", env),
                "demo_subscriptions": _demo_count("CLOSETUI_DEMO_SUBSCRIPTIONS", env),
            }
        except ValueError:
            raise ConfigError(
                "CLOSETUI_DEMO_LATENCY must be a number, and CLOSETUI_DEMO_SIZE, "
                "CLOSETUI_DEMO_MAX_SKIP and CLOSETUI_DEMO_SUBSCRIPTIONS whole numbers of 0 or more."
            ) from None
        return Settings(
            base_url=DEMO_BASE_URL,
            api_key=ApiKey(DEMO_API_KEY),
            key_source="the demo organization",
            demo=True,
            # The demo's changes live in memory only; still, they are off until asked for.
            allow_changes=env.get("CLOSETUI_DEMO_ALLOW_CHANGES", "").strip() in ("1", "true"),
            **common,
            **extra,
        )

    # An empty --base-url is a mistake to say, not a wish for the default.
    url = (
        base_url
        if base_url is not None
        else chosen.get("base_url")
        or env.get("CLOSE_BASE_URL")
        or config.get("base_url")
        or DEFAULT_BASE_URL
    )
    if not isinstance(url, str):
        raise ConfigError(f"base_url in {where} must be text.")
    url = check_base_url(url)

    key: ApiKey | None = None
    source = ""
    key_file: Path | None = None
    if api_key_file:
        key_file = Path(api_key_file)
        key = _read_key_file(key_file, "--api-key-file")
        source = f"the key file {api_key_file} (--api-key-file)"
    elif "api_key_file" in chosen or "api_key" in chosen:
        key, source = _profile_key(name or "", chosen, where)
        if isinstance(chosen.get("api_key_file"), str):
            key_file = Path(str(chosen["api_key_file"]))
    elif env.get("CLOSE_API_KEY", "").strip():
        key, source = ApiKey(env["CLOSE_API_KEY"].strip()), "the CLOSE_API_KEY environment variable"
    elif isinstance(config.get("api_key_file"), str):
        key_file = Path(str(config["api_key_file"]))
        key = _read_key_file(key_file, f"api_key_file in {config_path}")
        source = f"the key file {key_file} (api_key_file in {config_path})"
    elif isinstance(config.get("api_key"), str) and str(config["api_key"]).strip():
        key, source = ApiKey(str(config["api_key"]).strip()), f"api_key in {config_path}"
    if key is None and need_key:
        raise ConfigError("No Close API key. " + KEY_HELP.format(config=config_path))
    if key is not None and not (key.reveal().isascii() and key.reveal().isprintable()):
        # Undecodable bytes in the environment arrive as lone surrogates: no key has them,
        # and they could not be sent in a header. The key itself is never quoted.
        raise ConfigError(
            f"The API key from {source} holds characters no Close key has (not printable ASCII)."
        )
    warnings = [
        _exposed(key_file.expanduser(), "the key file") if key_file else None,
        _exposed(config_path, "the config file, holding api_key") if _holds_key(config) else None,
    ]
    return Settings(
        base_url=url,
        api_key=key,
        key_source=source,
        warnings=tuple(w for w in warnings if w),
        profile=name,
        allow_changes=_allow_changes(config, chosen, config_path, where),
        **common,
    )


def _allow_changes(
    config: Mapping[str, object], chosen: Mapping[str, object], config_path: Path, where: str
) -> bool:
    """`allow_changes` of the profile in force, else the top of the config file, else off.
    Only a TOML true turns it on: "yes" or 1 is a mistake to say, not a wish."""
    if ALLOW_CHANGES in chosen:
        value, origin = chosen[ALLOW_CHANGES], where
    else:
        value, origin = config.get(ALLOW_CHANGES, False), str(config_path)
    if not isinstance(value, bool):
        raise ConfigError(f"{ALLOW_CHANGES} in {origin} must be true or false.")
    return value


def _holds_key(config: Mapping[str, object]) -> bool:
    """The config file has a key in it: at the top, or in any profile."""
    if isinstance(config.get("api_key"), str):
        return True
    profiles = config.get("profiles")
    return isinstance(profiles, dict) and any(
        isinstance(t, dict) and isinstance(t.get("api_key"), str) for t in profiles.values()
    )


def _profile_key(name: str, table: Mapping[str, object], where: str) -> tuple[ApiKey, str]:
    if "api_key_file" in table:
        path = table["api_key_file"]
        if not isinstance(path, str) or not path.strip():
            raise ConfigError(f"api_key_file in {where} must be a file's path.")
        key = _read_key_file(Path(path), f"api_key_file in {where}")
        return key, f"the key file {path} ([profiles.{name}])"
    value = table.get("api_key")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"api_key in {where} must be the key, as text.")
    return ApiKey(value.strip()), f"api_key in [profiles.{name}]"
