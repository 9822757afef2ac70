"""The config file's profiles as a person sees them: which account each one is (its
organization, from that account's cache), where its key comes from, and when the cache last
saw every sequence. Never the key itself."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from closetui.config.settings import (
    Settings,
    choose_profile,
    config_profiles,
    default_config_path,
    load_settings,
    read_config,
)
from closetui.errors import ConfigError
from closetui.store import cache as store
from closetui.textsafe import inert


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    key_source: str  # in words; "" when the profile has no key and none is in the environment
    organization: str | None = None  # from the account's cache; None when never seen
    last_complete_pass: float | None = None  # a time.time(), from the account's cache
    problem: str | None = None  # why the profile cannot be used as it stands
    current: bool = False  # the profile in force (--profile, CLOSETUI_PROFILE, default)
    allow_changes: bool = False  # whether it may change runs in Close (pause, resume, remove)


def profile_names(env: Mapping[str, str] = os.environ) -> list[str]:
    """The names of the config file's profiles, sorted; ConfigError when it does not read."""
    path = default_config_path(env)
    return sorted(config_profiles(read_config(path), path))


def current_profile(requested: str | None, env: Mapping[str, str] = os.environ) -> str | None:
    path = default_config_path(env)
    return choose_profile(read_config(path), path, requested, env)[0]


def settings_for(name: str, *, like: Settings, env: Mapping[str, str] = os.environ) -> Settings:
    """The settings of profile `name`, keeping how this run works (offline, trace) but not
    the command-line options that chose the previous account."""
    return load_settings(
        profile=name,
        offline=like.offline,
        trace=str(like.trace_path) if like.trace_path else None,
        env=env,
    )


def describe(
    requested: str | None = None, env: Mapping[str, str] = os.environ
) -> list[ProfileInfo]:
    """Every profile, sorted by name. A profile that cannot be used (a missing key file, a bad
    base URL) is listed with its problem rather than stopping the list."""
    try:
        current = current_profile(requested, env)
    except ConfigError:
        current = None  # an unknown name asked for: the list is still worth showing
    found: list[ProfileInfo] = []
    for name in profile_names(env):
        try:
            settings = load_settings(profile=name, need_key=False, env=env)
        except ConfigError as exc:
            found.append(ProfileInfo(name, "", problem=exc.message, current=name == current))
            continue
        organization, last_pass = _cached(settings)
        found.append(
            ProfileInfo(
                name,
                settings.key_source,
                organization=organization,
                last_complete_pass=last_pass,
                problem=None if settings.api_key else "no key",
                current=name == current,
                allow_changes=settings.allow_changes,
            )
        )
    return found


def _cached(settings: Settings) -> tuple[str | None, float | None]:
    if settings.api_key is None:
        return None, None
    path: Path = settings.cache_dir / (settings.account + store.SUFFIX)
    if not path.is_file():
        return None, None
    info = store.inspect(path)
    if "error" in info:
        return None, None
    organization = info.get("organization")
    return (inert(organization) if organization else None), info.get("last_complete_sync")
