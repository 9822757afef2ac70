"""The headers every request to Close carries: the client's, and those of the early first
page (`prefetch`), which goes out without httpx and must reach Close as the client would."""

from __future__ import annotations

import base64

from closetui import __version__


def common_headers() -> dict[str, str]:
    """Who asks, and what it takes back (the key goes separately: see `basic_credentials`)."""
    return {"User-Agent": f"closetui/{__version__}", "Accept": "application/json"}


def basic_credentials(api_key: str) -> str:
    """An `Authorization` value for Close's API key: HTTP Basic, the key as the user name
    and no password, encoded as httpx's `BasicAuth` encodes it (UTF-8)."""
    token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
    return f"Basic {token}"
