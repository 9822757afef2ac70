"""`--offline` with no key: the key only names the cache, so the cache can be named instead.
One cached account is used as it is; several are listed, with how to choose one."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

from closetui.config.settings import SUFFIX_HINT, Settings
from closetui.errors import ConfigError, OfflineEmpty
from closetui.store import cache as store
from closetui.textsafe import inert

ACCOUNT_ENV = "CLOSETUI_ACCOUNT"  # a cached account's name, as `closetui cache info` prints it


def choose_cached_account(settings: Settings, env: Mapping[str, str] = os.environ) -> Settings:
    """The settings of the one cached account offline can use, or an error that lists them."""
    if settings.api_key is not None or settings.demo:
        return settings
    found = [f for f in store.accounts(settings.cache_dir) if f.name != "demo" + store.SUFFIX]
    names = {f.name[: -len(store.SUFFIX)]: f for f in found}
    wanted = env.get(ACCOUNT_ENV, "").strip()
    if wanted:
        if wanted not in names:
            raise ConfigError(
                f"{ACCOUNT_ENV}={inert(wanted)} names no cached account; "
                f"`closetui cache info` lists them ({', '.join(names) or 'none yet'})."
            )
        return dataclasses.replace(settings, cached_account=wanted)
    if not names:
        raise OfflineEmpty(
            f"Offline, with no key and no account cached in {settings.cache_dir}: run closetui "
            "online first (or try closetui --demo)."
        )
    if len(names) == 1:
        (only,) = names
        return dataclasses.replace(settings, cached_account=only)
    listed = "; ".join(f"{name} ({_organization(path)})" for name, path in sorted(names.items()))
    raise ConfigError(
        f"Offline with no key, and {len(names)} accounts are cached: {listed}. Choose one with "
        f"its key ({SUFFIX_HINT}), --profile NAME, or {ACCOUNT_ENV}=NAME from "
        "`closetui cache info`."
    )


def _organization(path: Path) -> str:
    info = store.inspect(path)
    organization = info.get("organization")
    return inert(organization) if organization else "organization unknown"
