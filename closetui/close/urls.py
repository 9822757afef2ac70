"""Where Close is, and which base URLs closetui will send a key to. Kept apart from the
client so that reading the settings does not import httpx."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from closetui.errors import ConfigError

DEFAULT_BASE_URL = "https://api.close.com/api/v1/"
DEFAULT_PAGE_SIZE = 100
DEMO_BASE_URL = "https://demo.closetui.invalid/api/v1/"  # never resolved: the demo is in-process
DEMO_API_KEY = "api_demo_closetui_0000000000000000"  # the demo server's one valid key
LEAD_URL = "https://app.close.com/lead/{id}/"  # widely used, and what Close's own links are
# Close's docs do not say where a sequence's page is: this is a guess, settable in the config.
SEQUENCE_URL = "https://app.close.com/sequences/{id}/"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """A usable base URL ending in '/', or ConfigError. Plain http would send the key in the
    clear, so it is allowed only to this machine (the demo server, tests, a local proxy)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"The base URL {url!r} is not an http(s) URL.")
    if parts.username or parts.password:
        raise ConfigError("The base URL must not contain a user name or password.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: the API key would travel unencrypted. "
            "Use https://, or http:// only to a loopback address."
        )
    text = url.strip()
    return text if text.endswith("/") else text + "/"
