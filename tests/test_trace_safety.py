"""The trace is safe to hand over and stays bounded: the key echoed in any encoding the
client itself reads (JSON escapes, UTF-16, hex) or straddling the body cut never reaches it;
a FIFO in its place is refused at once; the file stops at its cap, saying so; a body of
control characters does not become a huge line; and replay refuses a trace that could
kill it or smuggle headers. Each is a fault-matrix row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from closetui.cli import main

KEY = "api_TRACEsafe_9f3c2b7e1d0a5546"
HALF = len(KEY) // 2


def _forbidden(key: str) -> list[bytes]:
    """Every form of the key (and of either half of it) that must not be in the file."""
    forms = []
    for part in (key, key[:HALF], key[HALF:]):
        forms += [part.encode(), part.upper().encode(), part.encode().hex().encode()]
        forms += [part.encode("utf-16-le"), "".join(f"\\u{ord(c):04x}" for c in part).encode()]
    return forms


@pytest.mark.parametrize("form", ["escapes", "utf16", "hex", "straddle"])
def test_an_echoed_key_never_reaches_the_trace(
    tmp_path, server, monkeypatch, form, record_property
):
    server.router.api_key = KEY
    server.faults.add("echo_key", text=form, path="sequence/", times=None)
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    path = tmp_path / "trace.jsonl"
    code = main(["list", "--base-url", server.base_url, "--format", "tsv", "--trace", str(path)])
    data = path.read_bytes()
    assert data.count(b"\n") >= 1  # the exchange is there…
    for needle in _forbidden(KEY):
        assert needle.lower() not in data.lower(), (form, needle)  # …the key is not
    entry = json.loads(data.splitlines()[0])
    assert entry["path"] == "/api/v1/sequence/" and entry["status"] == 200
    if form == "straddle":
        assert "so that no key is cut in two" in entry["body_cut"]
    record_property(
        "fault_matrix",
        (f"the key echoed ({form}) into --trace", f"list exits {code}", "trace holds no key"),
    )


def test_a_fifo_as_the_trace_is_refused_without_blocking(tmp_path, server, record_property):
    fifo = tmp_path / "trace.fifo"
    os.mkfifo(fifo)
    env = {**os.environ, "CLOSE_API_KEY": KEY}
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "closetui", "list", "--base-url", server.base_url, "--trace",
         str(fifo)],
        capture_output=True, text=True, env=env, timeout=20, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "not a plain file" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert time.monotonic() - began < 15
    record_property(
        "fault_matrix", ("a FIFO as --trace FILE", "exit 2: not a plain file", "no wait")
    )


def test_the_trace_stops_at_its_cap_and_says_so(
    tmp_path, server, monkeypatch, capsys, record_property
):
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    monkeypatch.setenv("CLOSETUI_TRACE_MAX_MB", "0.3")
    server.router.api_key = KEY
    path = tmp_path / "trace.jsonl"
    assert (
        main(["list", "--base-url", server.base_url, "--format", "tsv", "--trace", str(path)]) == 0
    )
    err = capsys.readouterr().err
    assert f"{path}: the trace reached its cap of 0.3 MB" in err  # said to the person too
    size = path.stat().st_size
    assert size <= 0.3 * 1024 * 1024 + 400  # the cap, and the line saying it stopped
    *exchanges, last = [json.loads(line) for line in path.read_text().splitlines()]
    assert exchanges and all(e["status"] == 200 for e in exchanges)  # whole lines, then…
    assert "reached its cap of 0.3 MB" in last["stopped"]  # …the line saying it stopped
    record_property(
        "fault_matrix",
        (
            "a trace over its cap (0.3 MB)",
            f"stops at {size:,} bytes, last line says so",
            "list exits 0",
        ),
    )


def test_a_body_of_control_characters_makes_no_huge_line(
    tmp_path, server, monkeypatch, record_property
):
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    server.router.api_key = KEY
    server.faults.add(
        "status", status=500, text="\x01" * 999_000, content_type="text/plain", times=None
    )
    path = tmp_path / "trace.jsonl"
    main(["list", "--base-url", server.base_url, "--format", "tsv", "--trace", str(path)])
    longest = max(len(line) for line in path.read_bytes().splitlines())
    assert longest < 2_100_000, longest  # was 6 MB: each \x01 is six characters escaped
    record_property(
        "fault_matrix",
        (
            "a 999,000-byte body of \\x01 in --trace",
            f"longest line {longest:,} bytes",
            "cut, marked",
        ),
    )


def _replay(trace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "closetui.demo.server", "--replay", str(trace), "--port", "0"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def test_replay_refuses_json_nested_too_deep(tmp_path, record_property):
    trace = tmp_path / "deep.jsonl"
    ok = {"method": "GET", "path": "/api/v1/me/", "status": 200, "body": "{}"}
    trace.write_text(json.dumps(ok) + "\n" + "[" * 200_000 + "]" * 200_000 + "\n")
    done = _replay(trace)
    assert done.returncode == 2
    assert "line 2 is JSON nested too deeply" in done.stderr
    assert "Traceback" not in done.stderr
    record_property(
        "fault_matrix", ("replay of JSON nested 200,000 deep", "exit 2 naming line 2", "no crash")
    )


def test_replay_refuses_a_header_holding_a_line_break(tmp_path, record_property):
    trace = tmp_path / "crlf.jsonl"
    entry = {
        "method": "GET",
        "path": "/api/v1/me/",
        "status": 200,
        "headers": {"content-type": "application/json\r\nSet-Cookie: owned=1"},
        "body": "{}",
    }
    trace.write_text(json.dumps(entry) + "\n")
    done = _replay(trace)
    assert done.returncode == 2
    assert "line 1 (GET /api/v1/me/)" in done.stderr and "line break" in done.stderr
    assert "Traceback" not in done.stderr
    record_property(
        "fault_matrix", ("replay of a header holding CR/LF", "exit 2 naming line 1", "nothing sent")
    )
