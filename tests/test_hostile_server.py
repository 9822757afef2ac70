"""The commands, and the app's copy key, against a hostile server over loopback: what reaches
the terminal, how much memory an answer can cost, and how long one can take."""

from __future__ import annotations

import base64
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY, HOSTILE_NAMES, SEED_ID
from closetui.textsafe import inert
from tests.support.app import screen_text, settle, wait_until

ESCAPES = "\x1b]52;c;aGFja2Vk\x07\x1b]0;owned\x07\x1b[31mred\x9b31m"
HOSTILE_ID = "seq_\x1b]0;owned\x07\x1b[2J\u202e\x9b6n"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
MB = 1024 * 1024


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _assert_inert(text: str) -> None:
    found = CONTROLS.search(text)
    assert found is None, f"{found.group()!r} reached the terminal"


# -- 1. Nothing from the network drives the terminal ---------------------------------------


@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_an_error_text_full_of_escapes_reaches_stderr_inert(
    capsys, online, server, content_type, record_property
):
    server.faults.add("status", status=401, text=ESCAPES, content_type=content_type, times=None)
    assert main(["list", *online]) == 3
    captured = capsys.readouterr()
    _assert_inert(captured.err + captured.out)
    assert inert(ESCAPES) in captured.err
    assert captured.err.count("\n") == 1
    if content_type is None:
        record_property(
            "fault_matrix",
            ("CLI: 401 whose text holds escape codes", "one inert line on stderr", "exit 3"),
        )


def test_an_id_full_of_escapes_is_printed_inert_by_list_and_show(capsys, online, server):
    server.faults.add("hostile_id", text=HOSTILE_ID, times=None)
    for argv in (["list", "--format", "table"], ["list", "--format", "tsv"], ["show", SEED_ID]):
        assert main([*argv, *online]) == 0, argv
        out = capsys.readouterr().out
        _assert_inert(out)
        assert inert(HOSTILE_ID) in out, argv


def test_an_emoji_joined_by_zwj_survives_in_tsv(capsys, online):
    joined = next(name for name in HOSTILE_NAMES if "\u200d💻" in name)
    assert main(["list", *online]) == 0
    out = capsys.readouterr().out
    assert joined in out  # 👩‍💻 whole, not 👩<U+200D>💻
    assert "zero<U+200B>width<U+200D> name" in out  # a joiner that joins nothing is shown


async def test_an_id_with_control_characters_is_shown_inert_and_not_copied(make_app, server):
    server.faults.add("hostile_id", text=HOSTILE_ID, times=None)
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        assert app.main.sequences.in_order()[0].id == HOSTILE_ID
        await wait_until(pilot, lambda: inert(HOSTILE_ID) in app.main.detail.text)
        _assert_inert(screen_text(app))
        await pilot.press("y")
        await wait_until(pilot, lambda: "Not copied" in screen_text(app))
        assert app.clipboard == ""
        _assert_inert(screen_text(app))
        assert all(not CONTROLS.search(n.message) for n in app.told)
        await pilot.press("s")  # its subscriptions, titled with the id
        await settle(pilot)
        assert inert(HOSTILE_ID) in screen_text(app)
        _assert_inert(screen_text(app))
        await pilot.press("escape", "down", "y")  # an ordinary id is still copied
        assert app.clipboard == app.main.sequences.in_order()[1].id


def test_the_log_holds_network_text_inert(server, online, tmp_path, monkeypatch):
    from closetui.commands import listing

    async def broken(*args, **kwargs):
        raise RuntimeError(f"a bug quoting the server: {ESCAPES}")

    monkeypatch.setattr(listing, "run", broken)
    assert main(["list", *online]) == 1
    logged = (tmp_path / "logs" / "closetui.log").read_text()
    assert "a bug quoting the server" in logged and "Traceback" in logged
    _assert_inert(logged.replace("\n", " "))


def test_the_key_echoed_in_other_forms_is_scrubbed(capsys, online, server):
    basic = base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode()
    text = f"got Basic {basic}, i.e. {DEMO_API_KEY.upper()} or {DEMO_API_KEY}"
    server.faults.add("status", status=403, text=text, times=None)
    assert main(["list", *online]) == 3
    err = capsys.readouterr().err
    assert "got Basic ***" in err
    for needle in (DEMO_API_KEY, DEMO_API_KEY.upper(), basic, basic[:-4], DEMO_API_KEY[4:20]):
        assert needle not in err


# -- 2. No answer costs more memory than the cap --------------------------------------------


def _peak_mb(server, tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    """Run `closetui list` as its own process; its exit status, stderr and peak RSS (MB)."""
    probe = (
        "import resource, sys\n"
        "from closetui.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(f'peak {peak}', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    full_env = {**os.environ, "CLOSE_API_KEY": DEMO_API_KEY, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", probe, "list", "--base-url", server.base_url, *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    err, _, peak = done.stderr.rpartition("peak ")
    return done.returncode, err, int(peak)


def test_a_huge_or_endless_body_costs_no_more_than_the_cap(server, tmp_path, record_property):
    code, err, baseline = _peak_mb(server, tmp_path)
    assert code == 0, err
    for kind, size, name in (("huge", 200 * MB, "200 MB body"), ("endless", 0, "endless body")):
        server.faults.clear()
        server.faults.add(kind, path="sequence/", size=size, times=None)
        code, err, peak = _peak_mb(server, tmp_path)
        assert code == 1
        assert err.strip() == (
            "closetui: 127.0.0.1 sent more than 32 MB for /sequence/; that is more than any "
            "page should be, so it was refused."
        )
        # The 32 MB it read, and a little: before the cap, 200 MB took the process to 655 MB,
        # and an endless body grew it until the kernel killed it.
        assert peak < baseline + 80, (name, baseline, peak)
        record_property(
            "fault_matrix",
            (f"CLI: {name}", "'sent more than 32 MB', exit 1", f"peak RSS +{peak - baseline} MB"),
        )


def test_the_cap_is_configurable(capsys, online, server, monkeypatch):
    server.faults.add("huge", path="sequence/", size=3 * MB, times=None)
    monkeypatch.setenv("CLOSETUI_MAX_RESPONSE_MB", "1")
    assert main(["list", *online]) == 1
    assert "sent more than 1 MB" in capsys.readouterr().err
    monkeypatch.setenv("CLOSETUI_MAX_RESPONSE_MB", "nope")
    assert main(["list", *online]) == 2
    assert "max_response_mb" in capsys.readouterr().err


def test_json_nested_100000_deep_is_a_clear_error(capsys, online, server):
    server.faults.add("deep_json", path="sequence/", times=None)
    assert main(["list", *online]) == 1
    err = capsys.readouterr().err
    assert err == "closetui: 127.0.0.1 sent JSON nested too deeply to read for /sequence/\n"


# -- 3. No wait is unbounded ----------------------------------------------------------------


def test_a_dripping_body_ends_at_the_deadline(capsys, online, server, monkeypatch, record_property):
    monkeypatch.setenv("CLOSETUI_REQUEST_DEADLINE", "1.5")
    server.faults.add("drip", path="sequence/", seconds=0.1, times=None)
    began = time.monotonic()
    assert main(["list", *online]) == 1
    took = time.monotonic() - began
    err = capsys.readouterr().err
    assert "did not finish answering /sequence/ within 1.5 s" in err
    assert 1.4 < took < 10, took  # one byte every 0.1 s would go on for ever
    assert len(server.router.requests_to("sequence/")) == 1  # not retried: it was answering
    record_property(
        "fault_matrix",
        ("CLI: a body dripping for ever", "'did not finish … within 1.5 s', exit 1", "1 request"),
    )


async def test_429_with_retry_after_0_waits_longer_each_time(make_client, server):
    server.faults.add("status", status=429, retry_after=0, times=5, path="sequence/")
    page = await make_client().list_sequences()
    assert page.items
    times = [r.at for r in server.router.requests_to("sequence/")]
    assert len(times) == 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # At least 50, 100, 200, 400, 800 ms, though the server said 0 each time (a busy machine
    # only makes the gaps longer).
    for n, gap in enumerate(gaps):
        assert gap >= 0.05 * 2**n * 0.9, gaps
