"""Building the one CloseClient a run uses: the real API, or the demo organization's fake
API behind an httpx transport, so both go through the same client code."""

from __future__ import annotations

from collections.abc import Callable

from closetui.api import MB, ClientEvent, CloseClient
from closetui.errors import ConfigError
from closetui.settings import Settings


def open_client(
    settings: Settings, on_event: Callable[[ClientEvent], None] | None = None
) -> CloseClient:
    if settings.api_key is None:
        raise ConfigError("No Close API key.")
    transport = None
    if settings.demo:
        from closetui.demo.data import DemoOrg
        from closetui.demo.router import FakeClose, Faults
        from closetui.demo.transport import DemoTransport

        org = DemoOrg(settings.demo_size) if settings.demo_size else DemoOrg()
        transport = DemoTransport(FakeClose(org, Faults(latency=settings.demo_latency)))
    return CloseClient(
        settings.base_url,
        api_key=settings.api_key.reveal(),
        transport=transport,
        backoff=settings.retry_backoff,
        deadline=settings.request_deadline,
        max_body=int(settings.max_response_mb * MB),
        on_event=on_event,
    )
