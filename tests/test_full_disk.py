"""A full disk is said, never hidden, on a real full filesystem: a 1 MB tmpfs (mounting needs
root; the tests skip, saying so, where it cannot be mounted).

- The cache's disk fills during `closetui sync`: exit 1, one line naming the full disk, the
  cache keeps what it had (and is sound), and the next sync, once there is room, completes it.
- The cache's disk is full before the sync starts: the same.
- TMPDIR is full while a big runs list loads every page (`L`): the list's row store moves to
  memory, says so once, and the list loads to its end; the app never exits.
"""

from __future__ import annotations

import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from closetui.cli import main
from closetui.demo import DEMO_API_KEY, DemoOrg, DemoServer, FakeClose
from tests.support.app import screen_text, settle, wait_until

RUNS = 20_000


def _mount(where: Path, size: str) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")


@pytest.fixture
def disk(tmp_path):
    """A folder on a 1 MB filesystem of its own."""
    where = tmp_path / "disk"
    where.mkdir()
    _mount(where, "1m")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False, capture_output=True)


def _grow(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=32m", str(disk)], check=True)


def _cached(cache_dir: Path) -> int:
    files = list(cache_dir.glob("*.sqlite3"))
    if not files:
        return 0
    db = sqlite3.connect(files[0])
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(db.execute("SELECT count(*) FROM sequences").fetchone()[0])
    finally:
        db.close()


def _sync(server, capsys) -> tuple[int, str, str]:
    code = main(["sync", "--base-url", server.base_url])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("when", ["fills during the sync", "is full before it"])
def test_a_sync_that_cannot_store_what_it_fetched_fails_and_the_next_completes_it(
    disk, server, monkeypatch, capsys, when, record_property
):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    cache_dir = disk / "cache"
    monkeypatch.setenv("CLOSETUI_CACHE_DIR", str(cache_dir))
    if when == "is full before it":
        assert main(["list", "--base-url", server.base_url, "--format", "tsv"]) == 0  # some kept
        capsys.readouterr()
        before = _cached(cache_dir)
        filler = disk / "filler"
        with filler.open("wb") as out:  # everything left, taken
            try:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            except OSError:
                pass
    else:
        before = 0
    code, out, err = _sync(server, capsys)
    assert code == 1
    lines = [line for line in err.splitlines() if not line.endswith("…")]  # not the progress
    assert len(lines) == 1 and "disk is full" in lines[0], err
    assert "Synced" not in out
    kept = _cached(cache_dir)
    assert kept >= before and kept < 1500  # what it had stays, and the file is sound
    _grow(disk)
    if when == "is full before it":
        (disk / "filler").unlink()
    code, out, err = _sync(server, capsys)
    assert code == 0, err
    assert "Synced 1,500 sequences" in out
    assert _cached(cache_dir) == 1500
    record_property(
        "fault_matrix",
        (
            f"the cache's disk {when} (closetui sync)",
            f"exit 1, one line: disk is full; {kept:,} kept",
            "next sync: 1,500 cached, exit 0",
        ),
    )


@pytest.fixture
def many_runs():
    with DemoServer(FakeClose(DemoOrg(subscriptions=RUNS), log=False)) as running:
        yield running


async def test_a_full_tmpdir_moves_the_row_store_to_memory(
    disk, many_runs, tmp_path, monkeypatch, record_property
):
    from closetui.close.client import CloseClient
    from closetui.config.settings import ApiKey, Settings
    from closetui.tui.app import ClosetuiApp

    monkeypatch.setattr(tempfile, "tempdir", str(disk))  # what TMPDIR sets
    settings = Settings(
        base_url=many_runs.base_url,
        api_key=ApiKey(DEMO_API_KEY),
        key_source="the CLOSE_API_KEY environment variable",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "logs",
        config_path=tmp_path / "config.toml",
    )
    client = CloseClient(many_runs.base_url, api_key=DEMO_API_KEY, backoff=0.01)
    app = ClosetuiApp(settings, client=client)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: "Subscriptions" in screen_text(app))
        await pilot.press("L")
        await wait_until(pilot, lambda: f"all {RUNS:,}" in screen_text(app), timeout=120)
        await settle(pilot)
        told = [t.message for t in app.told if "temporary folder is full" in t.message]
        assert len(told) == 1, [t.message for t in app.told]  # said once
        text = screen_text(app)
        assert "failed" not in text and "Traceback" not in text
        assert not any("nexpected" in t.message for t in app.told)
        await pilot.press("S")  # a sort, over rows now in memory
        await settle(pilot)
        assert "Sorted by" in screen_text(app) and "failed" not in screen_text(app)
        assert app.is_running
    record_property(
        "fault_matrix",
        (
            f"TMPDIR full during L on {RUNS:,} runs",
            "one notice: rows kept in memory",
            f"all {RUNS:,} loaded, app runs",
        ),
    )
