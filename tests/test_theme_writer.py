"""Saving the theme keeps the person's file as it was: CRLF stays CRLF; a file they made
read-only is not written; a symlink is written through only to an existing plain file of
theirs (a dangling one creates nothing); hard links are kept; two savers and an appender at
once lose nothing; and the app writes off the UI thread."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from closetui.config.preferences import save_theme
from closetui.errors import ConfigError
from tests.support.app import settle, wait_until
from tests.test_preferences import _choose_theme

CRLF = '# mine\r\npage_size = 100\r\n\r\n[keymap]\r\n"app.help" = "h"\r\n'


def test_crlf_line_endings_are_kept(tmp_path, record_property):
    config = tmp_path / "config.toml"
    config.write_bytes(CRLF.encode())
    save_theme(config, "nord")
    assert (
        config.read_bytes()
        == CRLF.replace("page_size = 100\r\n", 'page_size = 100\r\ntheme = "nord"\r\n').encode()
    )
    save_theme(config, "dracula")
    assert b'theme = "dracula"\r\n' in config.read_bytes()
    assert config.read_bytes().count(b"\n") == config.read_bytes().count(b"\r\n")
    record_property(
        "fault_matrix", ("theme saved to a CRLF config", "CRLF kept", "one line changed")
    )


def test_a_read_only_file_is_not_written(tmp_path, record_property):
    config = tmp_path / "config.toml"
    config.write_text("page_size = 100\n")
    config.chmod(0o444)
    with pytest.raises(ConfigError, match="read-only"):
        save_theme(config, "nord")
    assert config.read_text() == "page_size = 100\n"
    assert config.stat().st_mode & 0o777 == 0o444
    record_property(
        "fault_matrix", ("theme saved to a 0444 config", "not written: read-only", "file as it was")
    )


def test_a_hard_link_is_kept(tmp_path, record_property):
    config, other = tmp_path / "config.toml", tmp_path / "dotfiles-config.toml"
    config.write_text("page_size = 100\n")
    os.link(config, other)
    save_theme(config, "nord")
    assert config.stat().st_ino == other.stat().st_ino and config.stat().st_nlink == 2
    assert 'theme = "nord"' in other.read_text()
    record_property(
        "fault_matrix",
        ("theme saved to a hard-linked config", "written in place", "both names see it"),
    )


def test_a_dangling_symlink_creates_nothing(tmp_path, record_property):
    config = tmp_path / "config.toml"
    config.symlink_to(tmp_path / "missing" / "deeper" / "config.toml")
    with pytest.raises(ConfigError, match="link to nothing"):
        save_theme(config, "nord")
    assert not (tmp_path / "missing").exists()
    record_property(
        "fault_matrix", ("theme saved through a dangling symlink", "not written", "nothing created")
    )


def test_a_symlink_to_a_file_of_yours_is_followed(tmp_path):
    real = tmp_path / "dotfiles" / "closetui.toml"
    real.parent.mkdir()
    real.write_text("page_size = 100\n")
    config = tmp_path / "config.toml"
    config.symlink_to(real)
    save_theme(config, "nord")
    assert config.is_symlink() and 'theme = "nord"' in real.read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_symlink_to_another_users_file_is_not_followed(tmp_path):
    real = tmp_path / "theirs.toml"
    real.write_text("page_size = 100\n")
    os.chown(real, 65534, 65534)
    config = tmp_path / "config.toml"
    config.symlink_to(real)
    with pytest.raises(ConfigError, match="not a plain file of yours"):
        save_theme(config, "nord")
    assert real.read_text() == "page_size = 100\n"


SAVER = """
import sys
from pathlib import Path
from closetui.config.preferences import save_theme
path = Path(sys.argv[1])
for n in range(int(sys.argv[2])):
    save_theme(path, ("nord", "dracula", "gruvbox")[n % 3])
"""
APPENDER = """
import sys
path = sys.argv[1]
for n in range(int(sys.argv[2])):
    with open(path, "a") as out:  # as `>>` does: no lock
        out.write(f"\\n[table_{n}]\\nn = {n}\\n")
"""


def test_concurrent_savers_and_an_appender_lose_nothing(tmp_path, record_property):
    config = tmp_path / "config.toml"
    config.write_text("page_size = 100\n")
    tables = 300
    run = [sys.executable, "-c"]
    workers = [
        subprocess.Popen([*run, SAVER, str(config), "60"]),
        subprocess.Popen([*run, SAVER, str(config), "60"]),
        subprocess.Popen([*run, APPENDER, str(config), str(tables)]),
    ]
    codes = [worker.wait(timeout=120) for worker in workers]
    assert codes == [0, 0, 0]
    text = config.read_text()
    kept = sum(f"[table_{n}]\n" in text for n in range(tables))
    assert kept == tables, f"{tables - kept} of {tables} tables lost"
    assert text.count("theme = ") == 1
    record_property(
        "fault_matrix",
        (
            "two theme savers and an appender at once",
            f"{kept} of {tables} tables kept",
            "one theme line",
        ),
    )


async def test_the_app_saves_the_theme_off_the_ui_thread(make_app, isolated_env, monkeypatch):
    config = isolated_env / "config.toml"
    config.write_text("page_size = 100\n")
    release, saving = threading.Event(), threading.Event()
    real_save = save_theme

    def slow_save(path: Path, name: str) -> None:
        saving.set()
        assert threading.current_thread() is not threading.main_thread()
        assert release.wait(10)
        real_save(path, name)

    monkeypatch.setattr("closetui.tui.app.save_theme", slow_save)
    app = make_app()
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await _choose_theme(pilot, "gruvbox")
        await wait_until(pilot, saving.is_set)
        before = app.main.sequence_list.cursor
        await pilot.press("down")  # answered while the file is being written
        assert app.main.sequence_list.cursor == before + 1
        assert not app.theme_saved
        release.set()
        await wait_until(pilot, lambda: app.theme_saved)
    assert 'theme = "gruvbox"' in config.read_text()


def test_the_detail_layout_is_saved_by_the_same_writer(tmp_path):
    from closetui.config.preferences import save_detail_layout

    config = tmp_path / "config.toml"
    config.write_bytes(CRLF.encode())
    save_detail_layout(config, "split", "even")
    assert b'split = "even"\r\n' in config.read_bytes()
    assert config.read_bytes().count(b"\n") == config.read_bytes().count(b"\r\n")
    config.chmod(0o444)
    with pytest.raises(ConfigError, match=r'split = "detail" was not saved: .* read-only'):
        save_detail_layout(config, "split", "detail")
