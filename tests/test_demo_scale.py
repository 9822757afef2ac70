"""The demo at scale: `CLOSETUI_DEMO_SUBSCRIPTIONS=1000000` gives the first sequence ("My
Sequence") a million runs, each made from its index when asked for. The last page costs what
the first does, the detail's counts are arithmetic, lead and contact names come from their ids,
and the organization holds nothing per run. And the demo's switches, as a person uses them.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

import pytest

from closetui.cli import main
from closetui.demo import data
from closetui.demo.data import DEMO_API_KEY, SEED_ID, DemoOrg
from closetui.demo.router import FakeClose
from closetui.demo.server import DemoServer
from closetui.errors import NotFound

MILLION = 1_000_000


class _CountedRandom(random.Random):
    made = 0

    def __init__(self, *args: object) -> None:
        _CountedRandom.made += 1
        super().__init__(*args)


@pytest.fixture
def big(monkeypatch):
    """A demo server whose first sequence has a million runs; generators counted."""
    monkeypatch.setattr(data.random, "Random", _CountedRandom)
    org = DemoOrg(subscriptions=MILLION)
    with DemoServer(FakeClose(org, log=False)) as running:
        yield running


def _made() -> int:
    return _CountedRandom.made


async def test_a_million_runs_cost_what_fifteen_do(big, make_client_for):
    client = make_client_for(big)
    began = time.monotonic()

    made = _made()
    sequence, _ = await client.get_sequence(SEED_ID)
    counts = sequence.subscription_counts
    assert counts is not None and sum(v or 0 for v in counts.values()) == MILLION
    assert _made() - made < 20  # arithmetic, not a million generators

    made = _made()
    last = await client.list_subscriptions(SEED_ID, 999_900, 100)
    assert len(last.items) == 100 and not last.has_more
    assert _made() - made == 100  # one generator per run on the page, wherever it is
    first = await client.list_subscriptions(SEED_ID, 0, 100)
    assert first.has_more

    ids: set[str] = set()
    for skip in (0, 100, 123_400, 500_000, 999_800, 999_900):
        page = await client.list_subscriptions(SEED_ID, skip, 100)
        ids.update(sub.id for sub in page.items)
        if skip:
            assert page.has_more == (skip < 999_900)
    assert len(ids) == 600  # unique across the sample
    assert time.monotonic() - began < 10  # (the former counts alone took seconds)

    # Names from the ids alone: a lead of the last page, and the deleted one (every 53rd).
    run = last.items[0]
    assert (await client.get_contact(run.contact_id or "")).name
    assert (await client.get_lead(run.lead_id or "")).name
    deleted = next(j for j in range(999_900, MILLION) if j % 53 == 7)
    with pytest.raises(NotFound):
        await client.get_lead(last.items[deleted - 999_900].lead_id or "")
    # An id that was never made names nothing.
    with pytest.raises(NotFound):
        await client.get_lead("lead_" + "A" * 43)

    # Nothing is held per run: no container of the organization grew with what it served.
    org = big.router.org
    held = [v for v in vars(org).values() if isinstance(v, dict | list | set)]
    assert all(len(v) < 10 for v in held)


@pytest.fixture
async def make_client_for():
    from closetui.close.client import CloseClient

    clients: list[CloseClient] = []

    def make(server: DemoServer) -> CloseClient:
        client = CloseClient(server.base_url, api_key=DEMO_API_KEY, backoff=0.01)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def test_the_default_demo_is_as_it_was():
    org = DemoOrg()
    assert org.subscription_total(SEED_ID) == 15
    assert org.subscription_counts(SEED_ID)["active"] == 5


def test_the_demo_switches_from_the_environment(capsys, monkeypatch):
    # `closetui --demo` runs the fake API in-process: these reach it through the settings.
    monkeypatch.setenv("CLOSETUI_DEMO_SIZE", "1000")
    monkeypatch.setenv("CLOSETUI_DEMO_MAX_SKIP", "400")
    monkeypatch.setenv("CLOSETUI_DEMO_SUBSCRIPTIONS", "2000")
    assert main(["subscriptions", SEED_ID, "--demo"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 500
    assert "Close lists only the first 500 runs" in err and "max_skip = 400" in err
    monkeypatch.setenv("CLOSETUI_DEMO_MAX_SKIP", "many")
    assert main(["list", "--demo"]) == 2
    assert "CLOSETUI_DEMO_MAX_SKIP" in capsys.readouterr().err


def test_the_demo_server_takes_the_same_switches(tmp_path):
    env = {**os.environ, "CLOSE_API_KEY": DEMO_API_KEY, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "closetui.demo.server", "--port", "0"]
    command += ["--max-skip", "400", "--subscriptions", "1000"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        said = server.stdout.readline()  # "Demo Close API at http://127.0.0.1:PORT/api/v1/ …"
        base_url = next(word for word in said.split() if word.startswith("http://"))
        done = subprocess.run(
            [sys.executable, "-m", "closetui", "subscriptions", SEED_ID, "--base-url", base_url],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 500
    assert len(done.stderr.splitlines()) == 1 and "first 500 runs" in done.stderr
