"""Building the one CloseClient a run uses: the real API, or the demo organization's fake
API behind an httpx transport, so both go through the same client code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from closetui.config.settings import Settings
from closetui.errors import ConfigError

if TYPE_CHECKING:  # (httpx comes with the client: not for the early page, which needs none)
    from closetui.close.client import ClientEvent, CloseClient
    from closetui.close.trace import Trace
    from closetui.demo.router import FakeClose


def open_client(
    settings: Settings, on_event: Callable[[ClientEvent], None] | None = None
) -> CloseClient:
    from closetui.close.client import MB, CloseClient

    if settings.api_key is None:
        raise ConfigError("No Close API key.")
    transport = None
    if settings.demo:
        from closetui.demo.transport import DemoTransport

        transport = DemoTransport(demo_router(settings))
    return CloseClient(
        settings.base_url,
        api_key=settings.api_key.reveal(),
        transport=transport,
        backoff=settings.retry_backoff,
        deadline=settings.request_deadline,
        max_body=int(settings.max_response_mb * MB),
        on_event=on_event,
        trace=open_trace(settings),
    )


def demo_router(settings: Settings) -> FakeClose:
    """The demo organization's fake API, as `--demo` and its settings make it."""
    from closetui.demo.data import DEFAULT_SIZE, DemoOrg
    from closetui.demo.router import FakeClose, Faults

    org = DemoOrg(settings.demo_size or DEFAULT_SIZE, subscriptions=settings.demo_subscriptions)
    faults = Faults(latency=settings.demo_latency)
    # In-process, nothing reads the request log: it is not kept, so that a walk of a million
    # runs costs the demo no memory.
    return FakeClose(org, faults, max_skip=settings.demo_max_skip, log=False)


def open_trace(settings: Settings) -> Trace | None:
    """The `--trace` file, opened for appending, or ConfigError saying why it cannot be."""
    from closetui.close.client import MB
    from closetui.close.trace import Trace

    if settings.trace_path is None:
        return None
    secrets = [settings.api_key.reveal()] if settings.api_key is not None else []
    try:
        return Trace(settings.trace_path, secrets, int(settings.trace_max_mb * MB))
    except OSError as exc:
        raise ConfigError(
            f"Cannot write the trace file {settings.trace_path}: {exc.strerror}"
        ) from None
