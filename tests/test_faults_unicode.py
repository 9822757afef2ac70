"""The fault matrix, odd Unicode: a server relaying a lone surrogate (`"x\\udc9b"`, legal
JSON, no character) as a sequence's name, the organization's name, a lead's and a contact's
name, and an id. It becomes U+FFFD where the JSON becomes text, so the row is listed, drawn
and cached, nothing crashes, and no raw byte (0x9B is an 8-bit CSI) reaches the terminal,
whether stdout is C.UTF-8 (surrogateescape) or strict UTF-8.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from closetui.demo.data import DEMO_API_KEY, SEED_ID
from tests.support.app import screen_text, settle, wait_until

MARK = "\ufffd"


def _run(args: list[str], tmp_path, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "CLOSE_API_KEY": DEMO_API_KEY,
        "LC_ALL": "C.UTF-8",
        "PYTHONUTF8": "1",
        "CLOSETUI_CACHE_DIR": str(tmp_path / "cache"),
        "CLOSETUI_LOG_DIR": str(tmp_path / "logs"),
    }
    env.pop("PYTHONIOENCODING", None)
    if encoding == "strict":
        env["PYTHONIOENCODING"] = "utf-8:strict"
    return subprocess.run(
        [sys.executable, "-m", "closetui", *args], capture_output=True, env=env, timeout=60
    )


def _no_raw_bytes(stdout: bytes) -> str:
    """stdout as text, failing if any byte is not valid UTF-8 (a surrogate under
    surrogateescape becomes a lone byte such as 0x9B) or any C1 CSI got through."""
    text = stdout.decode("utf-8")  # strict
    assert "\x9b" not in text
    return text


def _cached_names(tmp_path) -> list[str]:
    (file,) = (tmp_path / "cache").glob("*.sqlite3")
    db = sqlite3.connect(file)
    try:
        return [row[0] for row in db.execute("SELECT id || name FROM sequences")]
    finally:
        db.close()


@pytest.mark.parametrize("encoding", ["C.UTF-8", "strict"])
@pytest.mark.parametrize("fmt", ["tsv", "json", "table"])
def test_list_shows_and_caches_a_name_with_a_lone_surrogate(
    server, tmp_path, fmt, encoding, record_property
):
    server.faults.add("lone_surrogate", path="sequence/", query={"_skip": "0"}, times=None)
    done = _run(["list", "--base-url", server.base_url, "--format", fmt], tmp_path, encoding)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = _no_raw_bytes(done.stdout)
    assert b"Traceback" not in done.stderr and b"unexpected error" not in done.stderr
    if fmt == "json":
        assert "\\ufffd" in out or MARK in out
    else:
        assert MARK in out
    cached = _cached_names(tmp_path)
    assert any(MARK in text for text in cached)  # the row is cached, as shown
    record_property(
        "fault_matrix",
        (
            f"a lone surrogate in a name: list --format {fmt} ({encoding})",
            "the row listed with �",
            f"exit 0, {len(cached)} cached",
        ),
    )


@pytest.mark.parametrize("encoding", ["C.UTF-8", "strict"])
def test_subscriptions_names_with_a_lone_surrogate(server, tmp_path, encoding, record_property):
    for path in ("lead/", "contact/"):
        server.faults.add("lone_surrogate", path=path, times=None)
    done = _run(
        ["subscriptions", SEED_ID, "--names", "--base-url", server.base_url], tmp_path, encoding
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = _no_raw_bytes(done.stdout)
    assert MARK in out and len(out.splitlines()) == 15
    assert b"Traceback" not in done.stderr
    record_property(
        "fault_matrix",
        (
            f"a lone surrogate in lead/contact names: subscriptions --names ({encoding})",
            "the names shown with �",
            "exit 0, no raw 0x9B",
        ),
    )


def test_an_id_with_a_lone_surrogate_logs_no_logging_error(server, tmp_path, record_property):
    server.faults.add("lone_surrogate_id", path="sequence/", query={"_skip": "0"}, times=None)
    done = _run(["list", "--base-url", server.base_url, "--format", "tsv"], tmp_path, "strict")
    assert b"Logging error" not in done.stderr and b"Traceback" not in done.stderr
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert MARK in _no_raw_bytes(done.stdout)
    record_property(
        "fault_matrix",
        ("a lone surrogate in an id: list", "the id listed with �", "exit 0, no logging error"),
    )


@pytest.mark.parametrize("where", ["sequence/", "me/", "id"])
async def test_the_app_draws_and_caches_a_lone_surrogate(make_app, server, where, record_property):
    if where == "id":
        server.faults.add("lone_surrogate_id", path="sequence/", query={"_skip": "0"}, times=None)
    else:
        server.faults.add("lone_surrogate", path=where, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        if where != "me/":
            await wait_until(pilot, lambda: MARK in screen_text(app))
        text = screen_text(app)
        assert "failed: r to retry" not in text and "Traceback" not in text
        assert not any("nexpected" in n.message for n in app.told)
        assert app.main.sequences.loaded == 100
        assert app.session.cache.sequence_count() >= 100
        await pilot.press("r")
        await settle(pilot)
        # (An id changed to hold U+FFFD names no sequence: its detail is a 404, told as such.)
        assert "failed: r to retry" not in screen_text(app)
        assert app.is_running
    record_property(
        "fault_matrix",
        (f"a lone surrogate in {where} (the app)", "drawn as �, nothing fails", "100 cached"),
    )


def test_a_cache_holding_a_surrogate_escape_reads_as_valid_unicode(tmp_path, record_property):
    """A cache an older closetui wrote (json.dumps escapes a lone surrogate as `\\udc9b`):
    what is read from it is mended as what is read from the network is."""
    from closetui.store.cache import Cache

    cache = Cache.open(tmp_path / "cache", "acct")
    cache.put_page("subscription", "seq_1", 0, [{"id": "sub_1", "contact_name": "x\udc9b"}],
                   False, 1.0)  # fmt: skip
    cache.close()
    again = Cache.open(tmp_path / "cache", "acct")
    page = again.page("subscription", "seq_1", 0)
    again.close()
    assert page is not None and page[0][0]["contact_name"] == "x" + MARK
    record_property(
        "fault_matrix", ("a cache holding a \\udc9b escape", "read as �", "nothing crashes")
    )
