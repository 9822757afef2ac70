"""The client against the demo server over real loopback HTTP."""

from __future__ import annotations

import math

import httpx
import pytest

from closetui.close.client import CloseClient
from closetui.close.paging import Seen, walk
from closetui.demo.data import SEED_ID
from closetui.errors import (
    AuthError,
    BadRequest,
    ConfigError,
    NetworkError,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
)

WRONG_KEY = "api_WRONG_secret_key_that_must_not_leak"


async def _all_ids(client: CloseClient, limit: int = 100) -> list[str]:
    seen = Seen()
    ids: list[str] = []
    async for page in walk(client.list_sequences, limit):
        ids += [s.id for s in seen.new(page.items)]
    return ids


async def test_paging_yields_every_id_once_with_one_request_per_page(make_client, server):
    ids = await _all_ids(make_client())
    total = server.router.org.count
    assert len(ids) == len(set(ids)) == total
    lists = server.router.requests_to("sequence/")
    assert len(lists) == math.ceil(total / 100)
    assert [r.query["_skip"] for r in lists[:3]] == ["0", "100", "200"]
    assert {r.query["_limit"] for r in lists} == {"100"}


async def test_shifted_offsets_still_give_every_id_once(make_client, server):
    originals = {server.router.org.sequence_at(i)["id"] for i in range(server.router.org.count)}
    # A sequence is created before the 2nd and the 5th page are served: both pages start one
    # item earlier than the client expects and repeat an item it has seen.
    server.faults.add("insert_head", path="sequence/", after=1)
    server.faults.add("insert_head", path="sequence/", after=3)
    ids = await _all_ids(make_client())
    assert len(ids) == len(set(ids))
    assert originals <= set(ids)


async def test_a_429_with_retry_after_is_waited_out_and_reported(make_client, server):
    server.faults.add("status", status=429, retry_after=0.2, path="sequence/")
    events = []
    client = make_client(on_event=events.append)
    page = await client.list_sequences(0, 100)
    assert len(page.items) == 100
    assert [e.kind for e in events] == ["rate_limited"]
    assert events[0].describe().startswith("rate limited, retrying in")
    assert len(server.router.requests_to("sequence/")) == 2


async def test_a_429_storm_ends_in_rate_limited_after_a_bounded_wait(make_client, server):
    server.faults.add("status", status=429, retry_after=0.1, times=None)
    client = make_client(max_rate_wait=0.35)
    with pytest.raises(RateLimited) as caught:
        await client.list_sequences()
    assert "429" in caught.value.message


async def test_remaining_zero_waits_for_the_reset_instead_of_earning_a_429(make_client, server):
    server.faults.rate_limit = 3
    server.faults.rate_window = 0.3
    client = make_client(max_retries=0)
    for _ in range(8):
        await client.get("me/")
    assert 429 not in server.router.statuses


async def test_503_twice_then_200_succeeds(make_client, server):
    server.faults.add("status", status=503, times=2)
    events = []
    page = await make_client(on_event=events.append).list_sequences()
    assert page.items[0].id == SEED_ID
    assert [e.kind for e in events] == ["retrying", "retrying"]


async def test_5xx_after_the_retries_is_a_server_error(make_client, server):
    server.faults.add("status", status=502, times=None)
    with pytest.raises(ServerError) as caught:
        await make_client().list_sequences()
    assert "502" in caught.value.message
    assert len(server.router.requests) == 4  # one try and three retries


async def test_401_is_an_auth_error_that_does_not_contain_the_key(make_client):
    client = make_client(api_key=WRONG_KEY)
    with pytest.raises(AuthError) as caught:
        await client.list_sequences()
    assert caught.value.status == 401
    for text in (str(caught.value), repr(caught.value), caught.value.message, repr(client)):
        assert WRONG_KEY not in text


async def test_malformed_json_is_a_protocol_error(make_client, server):
    server.faults.add("malformed")
    with pytest.raises(ProtocolError) as caught:
        await make_client().list_sequences()
    assert "not JSON" in caught.value.message


async def test_a_wrong_shape_is_a_protocol_error(make_client, server):
    server.faults.add("wrong_shape")
    with pytest.raises(ProtocolError, match="'data'"):
        await make_client().list_sequences()


async def test_a_redirect_loop_is_a_protocol_error(make_client, server):
    server.faults.add("redirect_loop", times=None)
    with pytest.raises(ProtocolError, match="redirect loop"):
        await make_client().list_sequences()


async def test_a_dropped_connection_is_retried(make_client, server):
    server.faults.add("drop", times=2)
    page = await make_client().list_sequences()
    assert page.items


async def test_a_dead_server_is_a_network_error(server):
    port = server.port
    server.stop()
    async with CloseClient(f"http://127.0.0.1:{port}/api/v1/", api_key="k", backoff=0.01) as client:
        with pytest.raises(NetworkError, match=r"(?i)could not connect"):
            await client.me()


async def test_a_read_timeout_is_a_network_error(make_client, server):
    server.faults.add("hang", seconds=2, times=None)
    client = make_client(timeout=httpx.Timeout(0.2), max_retries=1)
    with pytest.raises(NetworkError, match="did not answer"):
        await client.me()


async def test_a_missing_sequence_is_not_found(make_client):
    with pytest.raises(NotFound):
        await make_client().get_sequence("seq_doesnotexist")


async def test_a_too_large_limit_retries_with_the_servers_maximum(make_client, server):
    client = make_client()
    page = await client.list_sequences(0, 250)
    assert (page.limit, len(page.items), page.next_skip) == (100, 100, 100)
    again = await client.list_sequences(100, 250)
    assert again.skip == 100 and len(again.items) == 100
    limits = [r.query["_limit"] for r in server.router.requests_to("sequence/")]
    assert limits == ["250", "100", "100"]  # the maximum is remembered


async def test_other_400s_carry_the_servers_message(make_client):
    with pytest.raises(BadRequest, match="sequence_id"):
        await make_client().get("sequence_subscription/")


async def test_requests_carry_user_agent_trailing_slash_and_basic_auth(make_client, server):
    client = make_client()
    await client.get("me")
    assert server.router.requests[-1].path == "me/"  # no redirect round trip
    assert client._http.headers["user-agent"].startswith("closetui/")


async def test_bearer_token_auth(make_client):
    from closetui.demo.data import DEMO_API_KEY

    user = await make_client(api_key=None, oauth_token=DEMO_API_KEY).me()
    assert user.organizations[0].name == "Demo"


@pytest.mark.parametrize(
    "url",
    ["http://api.close.com/api/v1/", "http://10.0.0.5/api/v1/", "ftp://x/", "https://u:p@h/"],
)
def test_unsafe_base_urls_are_refused(url):
    with pytest.raises(ConfigError):
        CloseClient(url, api_key="k")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9/api/v1/", "http://localhost/", "http://[::1]/"]
)
def test_loopback_http_is_allowed(url):
    assert CloseClient(url, api_key="k").base_url.endswith("/")
