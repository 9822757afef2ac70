"""The SQLite store: permissions, faults, and two processes at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time

from closetui.store.cache import Cache, SequenceSummary
from tests.support.app import screen_text, settle


def _page(cache: Cache, skip: int, prefix: str, n: int = 100) -> None:
    raw = [{"id": f"{prefix}{skip + i}", "name": f"n{skip + i}"} for i in range(n)]
    summaries = [SequenceSummary(r["id"], r["name"], "active", 1, 0, None) for r in raw]
    cache.put_sequence_page(skip, raw, summaries, 1, time.time())


def test_file_0600_in_a_0700_folder(tmp_path):
    folder = tmp_path / "c"
    cache = Cache.open(folder, "acct")
    _page(cache, 0, "seq_")
    cache.close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_garbage_is_moved_aside_and_the_cache_rebuilt(tmp_path):
    tmp_path.joinpath("acct.sqlite3").write_bytes(b"this is not a database at all" * 100)
    cache = Cache.open(tmp_path, "acct")
    notices = cache.take_notices()
    assert len(notices) == 1 and "moved to acct.sqlite3.broken-" in notices[0]
    _page(cache, 0, "seq_")
    assert cache.sequence_count() == 100 and not cache.in_memory
    assert list(tmp_path.glob("acct.sqlite3.broken-*"))


def test_a_truncated_file_is_recovered_without_an_exception(tmp_path):
    cache = Cache.open(tmp_path, "acct")
    for skip in range(0, 3000, 100):
        _page(cache, skip, "seq_")
    cache._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cache.close()
    path = tmp_path / "acct.sqlite3"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    cache = Cache.open(tmp_path, "acct")
    rows = [cache.sequence_rows(skip, skip + 100) for skip in range(0, 3000, 100)]
    cache.sequence_count()
    notices = cache.take_notices()
    assert notices, "a damaged file must be reported"
    assert all(isinstance(r, list) for r in rows)
    _page(cache, 0, "seq_")  # and it works again
    assert cache.sequence_count() >= 100


def test_a_foreign_schema_version_is_set_aside(tmp_path):
    db = sqlite3.connect(tmp_path / "acct.sqlite3")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    db.commit()
    db.close()
    cache = Cache.open(tmp_path, "acct")
    assert "schema version 99" in cache.take_notices()[0]
    assert cache.sequence_count() == 0


def test_an_unwritable_folder_means_no_cache_with_a_notice(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = Cache.open(blocker / "cache", "acct")
    assert cache.in_memory
    assert "running without a cache" in cache.take_notices()[0]
    _page(cache, 0, "seq_")
    assert cache.sequence_count() == 100


def _writer(folder, body: str) -> str:
    """A script for another process that opens the cache in `folder` as `cache`, then runs
    `body` (which may call `_page`)."""
    head = f"""
        import sys
        sys.path.insert(0, {str(os.getcwd())!r})
        from pathlib import Path
        from closetui.store.cache import Cache
        from tests.test_cache import _page
        cache = Cache.open(Path({str(folder)!r}), "acct")
    """
    return textwrap.dedent(head) + textwrap.dedent(body)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    script = _writer(
        tmp_path,
        """
        for skip in range(0, 3000, 100):
            _page(cache, skip, sys.argv[1])
        assert not cache.take_notices()
        """,
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, p], stderr=subprocess.PIPE, text=True)
        for p in ("a_", "b_")
    ]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    assert [code for code, _ in results] == [0, 0], results
    cache = Cache.open(tmp_path, "acct")
    assert cache.sequence_count() == 6000


def test_sigkill_mid_write_loses_at_most_the_page_in_flight(tmp_path):
    script = _writer(
        tmp_path,
        """
        skip = 0
        while True:
            _page(cache, skip, "seq_")
            skip += 100
            if skip == 500:
                print("ready", flush=True)
        """,
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = Cache.open(tmp_path, "acct")
    count = cache.sequence_count()
    assert count >= 500 and count % 100 == 0  # whole pages only
    assert not cache.take_notices()


async def test_the_app_reports_a_corrupt_cache_and_carries_on(make_app, tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "anything.sqlite3").write_bytes(b"junk")
    app = make_app(cache_dir=folder)
    account = app.settings.account
    (folder / f"{account}.sqlite3").write_bytes(b"\x00garbage" * 512)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "cache file was unreadable" in text
        assert "My Sequence" in text


class _FullDisk:
    """A connection whose writes fail as a full disk makes them fail."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE")):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args):
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def test_a_full_disk_keeps_what_is_cached_readable_and_says_so_once(tmp_path):
    cache = Cache.open(tmp_path, "acct")
    _page(cache, 0, "seq_")
    cache._db = _FullDisk(cache._db)
    _page(cache, 100, "seq_")
    _page(cache, 200, "seq_")
    notices = cache.take_notices()
    assert len(notices) == 1 and "disk is full" in notices[0]
    assert cache.sequence_count() == 100
    assert cache.sequence("seq_5") is not None


def test_a_read_only_cache_stays_readable(tmp_path):
    cache = Cache.open(tmp_path, "acct")
    _page(cache, 0, "seq_")
    cache._db.execute("PRAGMA query_only=ON")
    _page(cache, 100, "seq_")
    _page(cache, 200, "seq_")
    assert cache.read_only
    assert ["read-only" in n for n in cache.take_notices()] == [True]
    assert len(cache.sequence_rows(0, 100)) == 100


async def test_a_disk_filling_up_mid_session_is_a_notice_not_a_failure(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        app.session.cache._db = _FullDisk(app.session.cache._db)
        await pilot.press("end")
        await settle(pilot)
        assert app.main.sequences.loaded == 200  # shown, though not kept
        toasts = [n.message for n in app.told]
        assert [m for m in toasts if "disk is full" in m and "not kept" in m]
        assert "Cache" in screen_text(app)
        row = app.main.sequences.in_order()[150]
        app.main.jump_to(row.id)
        await pilot.pause()
        assert row.id in app.main.detail.text  # its detail, from memory
