"""Page 0 asked for while the command starts, without httpx (`closetui.prefetch`): the same
rows as the client's own request, one request for it, and whatever goes wrong said as the
client says it."""

from __future__ import annotations

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _page_0_requests(server) -> int:
    return sum(1 for r in server.router.requests_to("sequence/") if r.query["_skip"] == "0")


def test_a_cold_list_asks_for_page_0_once_and_prints_every_row(capsys, online, server):
    server.router.org.size = 250
    assert main(["list", *online, "--format", "jsonl"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 250
    assert _page_0_requests(server) == 1
    assert sorted(int(r.query["_skip"]) for r in server.router.requests_to("sequence/")) == [
        0,
        100,
        200,
    ]


def test_the_early_request_goes_through_a_proxy_the_environment_names(
    capsys, online, server, monkeypatch
):
    # httpx would send it to the proxy: so the early request is the client's too, and meets
    # the same dead proxy (nothing listens on port 9) as every other request.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert main(["list", *online, "--format", "jsonl"]) != 0
    assert _page_0_requests(server) == 0  # nothing went round the proxy


def test_a_refused_key_on_the_early_request_is_said_as_the_client_says_it(
    capsys, online, server, monkeypatch
):
    monkeypatch.setenv("CLOSE_API_KEY", "api_not_this_one_0000000000000000")
    assert main(["list", *online]) == 3
    err = capsys.readouterr().err
    assert "refused" in err.lower() or "401" in err
    assert "api_not_this_one" not in err
    # The early request took the 401 without a word; the client asked again and said it.
    assert _page_0_requests(server) == 2


def test_a_server_error_on_the_early_request_costs_only_a_request(capsys, online, server):
    server.router.org.size = 50
    server.faults.add("status", status=500, times=1, path="sequence/")
    assert main(["list", *online, "--format", "jsonl"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 50
    assert _page_0_requests(server) == 2  # the early one met the 500; the client's did not
