from __future__ import annotations

import pytest

from closetui.api import CloseClient
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the developer's key, config, cache or logs."""
    monkeypatch.delenv("CLOSE_API_KEY", raising=False)
    monkeypatch.delenv("CLOSE_BASE_URL", raising=False)
    monkeypatch.setenv("CLOSETUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("CLOSETUI_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("CLOSETUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("CLOSETUI_DEMO_LATENCY", "0")
    monkeypatch.setenv("CLOSETUI_RETRY_BACKOFF", "0.01")
    return tmp_path


@pytest.fixture
def router() -> FakeClose:
    return FakeClose(DemoOrg())


@pytest.fixture
def server(router):
    with DemoServer(router) as running:
        yield running


@pytest.fixture
async def make_client(server):
    clients: list[CloseClient] = []

    def make(**options) -> CloseClient:
        options.setdefault("api_key", DEMO_API_KEY)
        options.setdefault("backoff", 0.01)
        client = CloseClient(server.base_url, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
