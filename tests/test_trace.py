"""`--trace FILE` records real exchanges without the key; the demo server replays a trace, so
a user's trace (here: one built from Close's documented examples) becomes a test."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from closetui.cli import main
from closetui.close.trace import BODY_LIMIT
from closetui.demo import DEMO_API_KEY, DemoServer
from closetui.demo.data import SEED_ID
from closetui.demo.replay import Replay
from tests.support.contract import load

SECRET = "api_7Hq2ZsecretKEYfortrace0000"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _key_forms(key: str) -> list[str]:
    return [key, key.upper(), base64.b64encode(f"{key}:".encode()).decode()]


def test_a_trace_holds_each_exchange_and_no_key(tmp_path, server, monkeypatch, capsys):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    path = tmp_path / "trace.jsonl"
    assert main(["show", SEED_ID, "--base-url", server.base_url, "--trace", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = _lines(path)
    served = [(r.method, r.path) for r in server.router.requests]
    assert [(e["method"], e["path"].removeprefix("/api/v1/")) for e in entries] == served
    detail = next(e for e in entries if e["path"] == f"/api/v1/sequence/{SEED_ID}/")
    assert detail["status"] == 200 and isinstance(detail["elapsed_ms"], int)
    assert detail["headers"]["ratelimit"].startswith("limit=")
    assert json.loads(detail["body"])["id"] == SEED_ID
    users = next(e for e in entries if e["path"] == "/api/v1/user/")
    assert users["query"] == "_skip=0&_limit=100"
    text = path.read_text()
    for form in _key_forms(DEMO_API_KEY):
        assert form not in text
    assert "authorization" not in text.lower()


def test_a_server_echoing_the_key_in_any_form_leaves_no_key_in_the_trace(tmp_path, monkeypatch):
    echoed = " ".join(_key_forms(SECRET)) + " " + SECRET.lower()
    replay = Replay(
        [
            {
                "method": "GET",
                "path": f"/api/v1/sequence/{SEED_ID}/",
                "status": 401,
                "headers": {"content-type": "application/json"},
                "body": json.dumps({"error": f"bad key {echoed}"}),
            }
        ]
    )
    path = tmp_path / "trace.jsonl"
    monkeypatch.setenv("CLOSE_API_KEY", SECRET)
    with DemoServer(replay) as server:  # type: ignore[arg-type]
        code = main(["show", SEED_ID, "--base-url", server.base_url, "--trace", str(path)])
    assert code == 3
    text = path.read_text()
    assert "bad key" in text
    for form in [*_key_forms(SECRET), SECRET.lower()]:
        assert form not in text


def test_a_body_over_a_megabyte_is_cut_and_marked(tmp_path, monkeypatch):
    big = {"data": [{"id": f"seq_{i:022d}", "name": "x" * 200} for i in range(8000)]}
    big["has_more"] = False
    replay = Replay(
        [
            {
                "method": "GET",
                "path": "/api/v1/sequence/",
                "status": 200,
                "headers": {"content-type": "application/json"},
                "body": json.dumps(big),
            }
        ]
    )
    path = tmp_path / "trace.jsonl"
    monkeypatch.setenv("CLOSE_API_KEY", SECRET)
    monkeypatch.setenv("CLOSETUI_TRACE", str(path))  # the environment works as the option does
    with DemoServer(replay) as server:  # type: ignore[arg-type]
        assert main(["list", "--base-url", server.base_url, "--format", "jsonl"]) == 0
    (entry,) = _lines(path)
    assert len(entry["body"].encode()) <= BODY_LIMIT
    assert "bytes sent; the first 1,000,000 kept" in entry["body_cut"]


def _documented_trace(path: Path) -> None:
    """What a user's trace against Close would hold, built from the reference's examples."""
    sequence = load("sequence-get.json")
    template_id = sequence["steps"][1]["email_template_id"]
    rate = {"content-type": "application/json", "ratelimit": "limit=100, remaining=99, reset=5"}
    exchanges = [
        ("/api/v1/sequence/", "_skip=0&_limit=100", load("sequence-list.json")),
        (f"/api/v1/sequence/{sequence['id']}/", "", sequence),
        ("/api/v1/user/", "_skip=0&_limit=100", load("user-list.json")),  # has_more: true
        ("/api/v1/user/", "_skip=100&_limit=100", {"data": [], "has_more": False}),
        (f"/api/v1/email_template/{template_id}/", "", load("email-template-get.json")),
        ("/api/v1/me/", "", load("me.json")),
    ]
    with path.open("w") as handle:
        for url_path, query, body in exchanges:
            entry = {"method": "GET", "path": url_path, "query": query, "status": 200}
            entry.update(headers=rate, body=json.dumps(body), elapsed_ms=80)
            handle.write(json.dumps(entry) + "\n")


def test_a_trace_of_the_documented_examples_replays_through_show(tmp_path, monkeypatch, capsys):
    trace = tmp_path / "documented.jsonl"
    _documented_trace(trace)
    monkeypatch.setenv("CLOSE_API_KEY", SECRET)
    sequence_id = load("sequence-get.json")["id"]
    with DemoServer(Replay.from_file(trace)) as server:  # type: ignore[arg-type]
        assert main(["show", sequence_id, "--base-url", server.base_url]) == 0
    out = capsys.readouterr().out
    assert "by Stefan Wojcik" in out  # /user/'s organizations are ids, and names still show
    assert "Cold 1 · I bet using other sales tool sucks" in out
    assert "10 active" in out and "America/Los_Angeles" in out
    assert "user_N6Kh" not in out


def test_the_demo_server_replays_a_trace_from_the_command_line(tmp_path, monkeypatch, capsys):
    trace = tmp_path / "documented.jsonl"
    _documented_trace(trace)
    process = subprocess.Popen(
        [sys.executable, "-m", "closetui.demo.server", "--port", "0", "--replay", str(trace)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        base_url = next(word for word in first.split() if word.startswith("http://"))
        monkeypatch.setenv("CLOSE_API_KEY", SECRET)
        assert main(["list", "--base-url", base_url, "--format", "tsv"]) == 0
    finally:
        process.terminate()
        process.wait(timeout=10)
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("seq_3CtqAl6ynk4FbJmZIlCYAx\tactive\t2")


@pytest.mark.parametrize("where", ["before", "after"])
def test_trace_is_taken_before_or_after_the_command(tmp_path, server, monkeypatch, where):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    path = tmp_path / "t.jsonl"
    option = ["--trace", str(path)]
    argv = ["list", "--base-url", server.base_url, "--format", "json"]
    argv = [*option, *argv] if where == "before" else [*argv, *option]
    assert main(argv) == 0
    entries = _lines(path)
    answered = sorted((e["path"], e["query"]) for e in entries if "status" in e)
    served = [("/api/v1/" + r.path, "&".join(f"{k}={v}" for k, v in r.query.items()))
              for r in server.router.requests]  # fmt: skip
    # Every request the server saw is there; one cancelled on its way (the pages asked for
    # past the end) is there too, marked with what stopped it.
    assert all(pair in answered or pair in [(e["path"], e["query"]) for e in entries]
               for pair in served)  # fmt: skip
    assert len(answered) >= 15 and all("error" in e for e in entries if "status" not in e)


def test_a_trace_file_that_cannot_be_written_is_one_clear_line(
    tmp_path, server, monkeypatch, capsys
):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    target = tmp_path / "elsewhere"
    target.write_text("")
    link = tmp_path / "link.jsonl"
    os.symlink(target, link)  # never followed: a planted link cannot aim the trace elsewhere
    assert main(["list", "--base-url", server.base_url, "--trace", str(link)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("closetui: Cannot write the trace file") and err.count("\n") == 1
    assert target.read_text() == ""
