"""`closetui list`, `show` and `sync`: output, streaming, exit status, offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY, SEED_ID, SEED_SEQUENCE


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def test_list_tsv_when_piped(capsys, online):
    assert main(["list", *online]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1500
    assert lines[0].split("\t") == [SEED_ID, "active", "2", "4", "2022-02-07", "My Sequence"]
    assert all(len(line.split("\t")) == 6 for line in lines)
    assert not any("\x1b" in line for line in lines)  # hostile names cannot drive a terminal
    assert any("␛[31mRed ANSI␛[0m" in line for line in lines)


def test_list_table(capsys, online):
    assert main(["list", *online, "--format", "table", "--filter", "my seq"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["ID", "STATUS", "STEPS", "SPAN", "UPDATED", "NAME"]
    assert out[1].split() == [SEED_ID, "active", "2", "4", "d", "2022-02-07", "My", "Sequence"]
    assert len(out) == 2


def test_list_json_is_the_apis_objects_unchanged(capsys, online):
    assert main(["list", *online, "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 1500
    assert items[0] == SEED_SEQUENCE
    assert "allow_manual_enrollment" in items[1]


def test_list_jsonl_with_a_status_filter(capsys, online):
    assert main(["list", *online, "--format", "jsonl", "--status", "DRAFT"]) == 0
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert items and all(item["status"] == "draft" for item in items)


def test_list_streams_the_first_page_before_the_last_is_served(server):
    server.faults.latency = 0.25
    env = {**os.environ, "CLOSE_API_KEY": DEMO_API_KEY, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "closetui", "list", "--base-url", server.base_url],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    first = proc.stdout.readline()
    asked = len(server.router.requests_to("sequence/"))
    rest = proc.stdout.read()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(SEED_ID)
    assert asked < 15  # 15 pages in all: the first line came long before the last page
    assert len(rest.splitlines()) == 1499


def test_show_prints_the_seed_cadence(capsys, online):
    assert main(["show", SEED_ID, "--full", *online]) == 0
    out = capsys.readouterr().out
    lines = [line.strip(" │") for line in out.splitlines()]
    day1 = next(i for i, line in enumerate(lines) if line.startswith("● Day 1"))
    day4 = next(i for i, line in enumerate(lines) if line.startswith("● Day 4"))
    assert "Email" in lines[day1] and "Call" in lines[day4]
    assert "wait 3 days" in lines[day1:day4]
    assert "template Intro: quick question" in out and "by Ava Adler" in out
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_show_json_and_a_missing_id(capsys, online):
    assert main(["show", SEED_ID, *online, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == SEED_ID and data["subscription_counts_by_status"]["active"] == 5
    assert main(["show", "seq_nope", *online]) == 1
    assert "No sequence seq_nope" in capsys.readouterr().err


def test_sync_then_offline_list_and_show_print_the_same(capsys, online, server):
    # Two pages (the second half full), enough to prove the offline copy whole: each sequence
    # costs --subscriptions a request (300 took 10 s of CPU).
    server.router.org.size = 150
    assert main(["list", *online]) == 0
    listed = capsys.readouterr().out
    assert main(["show", SEED_ID, *online]) == 0
    shown = capsys.readouterr().out
    assert main(["sync", *online, "--subscriptions"]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith("Synced 150 sequences, 12 users,")
    assert "150 subscription counts" in summary
    before = len(server.router.requests)
    assert main(["list", *online, "--offline"]) == 0
    assert capsys.readouterr().out == listed
    assert main(["show", SEED_ID, *online, "--offline"]) == 0
    offline_shown = capsys.readouterr().out
    assert len(server.router.requests) == before
    strip = lambda t: [line for line in t.splitlines() if not line.startswith("Fetched")]  # noqa: E731
    assert strip(offline_shown) == strip(shown)


def test_sync_in_parallel_earns_no_429_under_a_limit_it_can_keep(capsys, online, server):
    server.router.org.size = 3000
    server.faults.rate_limit = 8
    server.faults.rate_window = 0.25
    started = time.monotonic()
    assert main(["sync", *online]) == 0
    assert 429 not in server.router.statuses
    assert "Synced 3,000 sequences" in capsys.readouterr().out
    assert time.monotonic() - started < 30


def test_sync_resumes_after_an_interruption(capsys, online, server):
    # The 8th list request fails for good: the sync stops there, keeping what it committed.
    server.faults.add("status", status=400, query={"_skip": "700"}, times=1)
    assert main(["sync", *online]) == 1
    capsys.readouterr()
    asked = len(server.router.requests_to("sequence/"))
    assert main(["sync", *online]) == 0
    out, err = capsys.readouterr()
    assert "resuming an interrupted sync" in err
    resumed = [r.query["_skip"] for r in server.router.requests_to("sequence/")[asked:]]
    assert resumed[0] != "0" and int(resumed[0]) <= 700
    assert "Synced 1,500 sequences" in out


def test_offline_with_nothing_cached_exits_4(capsys, online):
    assert main(["list", *online, "--offline"]) == 4
    assert "nothing is cached" in capsys.readouterr().err
    assert main(["show", SEED_ID, *online, "--offline"]) == 4


def test_sync_refuses_offline(capsys, online):
    assert main(["sync", *online, "--offline"]) == 2


def test_sigkill_mid_sync_keeps_every_committed_page_and_sync_resumes(server, tmp_path):
    import signal

    server.faults.latency = 0.05
    env = {**os.environ, "CLOSE_API_KEY": DEMO_API_KEY}
    base = [sys.executable, "-m", "closetui"]
    proc = subprocess.Popen(
        [*base, "sync", "--base-url", server.base_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while len(server.router.requests_to("sequence/")) < 6 and time.monotonic() < deadline:
        time.sleep(0.02)  # watching another process: there is nothing to await
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    server.faults.latency = 0
    listed = subprocess.run(
        [*base, "list", "--offline", "--base-url", server.base_url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert len(listed) >= 100 and len(listed) % 100 == 0  # whole pages only
    assert listed[0].startswith(SEED_ID)
    again = subprocess.run(
        [*base, "sync", "--base-url", server.base_url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Synced 1,500 sequences" in again.stdout
