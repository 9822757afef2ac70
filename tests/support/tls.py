"""One TLS context for a test run, not one per client.

Every `httpx.AsyncClient` builds an `ssl.SSLContext` and loads certifi's CA bundle into it
when it is made (about 20 ms of CPU here), whether or not it will ever speak TLS; the tests
make hundreds of clients, every one talking plain HTTP to the demo server on loopback. The
default context (verify on, no client certificate) depends only on the CA bundle, which
SSL_CERT_FILE / SSL_CERT_DIR may name: it is made once per such setting and shared, as an
`SSLContext` may be, by every connection. Any other verify or cert gets its own, as before.
"""

from __future__ import annotations

import os
import ssl
from typing import Any

_made: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def install() -> None:
    """Put the shared default where httpx's transports look `create_ssl_context` up."""
    import httpx._transports.default as transports

    create = transports.create_ssl_context

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        where = (
            trust_env,
            os.environ.get("SSL_CERT_FILE") if trust_env else None,
            os.environ.get("SSL_CERT_DIR") if trust_env else None,
        )
        if where not in _made:
            _made[where] = create(verify=verify, cert=cert, trust_env=trust_env)
        return _made[where]

    transports.create_ssl_context = shared  # type: ignore[assignment]
