"""Typed errors. Every message is written for a person and is safe to show on screen:
it never holds the API key (the client scrubs it) and never a traceback."""

from __future__ import annotations


class CloseTuiError(Exception):
    """Base of every error closetui expects and knows how to explain."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class ConfigError(CloseTuiError):
    """The command line, the environment or the config file is not usable."""


class OfflineEmpty(CloseTuiError):
    """Offline, and the cache holds nothing for this account."""


class ApiError(CloseTuiError):
    """A request to the Close API did not give a usable answer."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """401 or 403: the key is wrong, revoked, or not allowed to see this."""


class NotFound(ApiError):
    """404: the object does not exist or is not visible to this key."""


class BadRequest(ApiError):
    """400: the server refused the request; the message is the server's."""


class SkipCeiling(BadRequest):
    """400 for a `_skip` past the most the resource allows: offset paging reaches no further.

    Not a failure of the list: everything before `skip` could be listed, nothing after it can
    (Close caps `_skip` per resource). `max_skip` is the server's figure, when it said one."""

    def __init__(self, skip: int, max_skip: int | None) -> None:
        cap = f" (max_skip = {max_skip:,})" if max_skip is not None else ""
        super().__init__(
            f"Close lists nothing past item {skip:,} of this list: its limit on paging{cap}.",
            status=400,
        )
        self.skip = skip
        self.max_skip = max_skip


class RateLimited(ApiError):
    """429 and the bounded wait for it ran out."""


class ServerError(ApiError):
    """5xx after the retries ran out, or a status closetui has no meaning for."""


class NetworkError(ApiError):
    """Connect error, DNS failure, timeout or dropped connection after the retries."""


class ProtocolError(ApiError):
    """The answer was not JSON, or not of the shape the API documents."""


class TooSlow(ApiError):
    """The server kept the request going past its total deadline (sending slowly, say)."""

    @classmethod
    def answering(cls, host: str, path: str, seconds: float) -> TooSlow:
        return cls(f"{host} did not finish answering /{path} within {seconds:g} s; gave up.")


class TlsFailed(ApiError):
    """The TLS handshake failed: not a TLS port, or a certificate that was not accepted.
    Not a NetworkError: retrying, or waiting to be back online, would not change it."""
