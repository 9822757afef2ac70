"""Where Close is, and which base URLs closetui will send a key to. Kept apart from the
client so that reading the settings does not import httpx."""

from __future__ import annotations

import ipaddress
import re
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


# Everything between "scheme://" and the last "@" before the path: a user name and password.
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:)?(//)?[^/?#]*@")


def without_userinfo(url: str) -> str:
    """`url` as it may be printed: any user name and password in it replaced by `***`."""
    return _USERINFO.sub(lambda m: f"{m.group(1) or ''}{m.group(2) or ''}***@", url, count=1)


def check_base_url(url: str) -> str:
    """A usable base URL ending in '/', or ConfigError. Plain http would send the key in the
    clear, so it is allowed only to this machine (the demo server, tests, a local proxy).
    A user name or password in it is refused, and never printed."""
    shown = repr(without_userinfo(url.strip()))
    if shown != repr(url.strip()):
        raise ConfigError(
            f"The base URL {shown} holds a user name or password: closetui sends only the "
            "API key. Remove the part before the @."
        )
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # an out-of-range or non-numeric port raises here
        host = parts.hostname
    except ValueError as exc:
        raise ConfigError(f"The base URL {shown} is not a valid address ({exc}).") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"The base URL {shown} is not an http(s) URL.")
    if port == 0:
        raise ConfigError(f"The base URL {shown} has port 0, which nothing listens on.")
    if any(ord(c) < 0x21 or 0xD800 <= ord(c) <= 0xDFFF for c in url.strip()):
        raise ConfigError(f"The base URL {shown} holds spaces or control characters.")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"Refusing plain http:// to {host}: the API key would travel unencrypted. "
            "Use https://, or http:// only to a loopback address."
        )
    text = url.strip()
    return text if text.endswith("/") else text + "/"
