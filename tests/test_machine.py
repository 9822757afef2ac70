"""A hostile machine: a cache folder someone else can write, links planted where closetui
writes, and files holding the key that others can read."""

from __future__ import annotations

import os
import stat

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY

VICTIM = b"a file of the user's that must not be overwritten\n"


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    server.router.org.size = 150  # two pages keep each run quick
    return ["--base-url", server.base_url]


def _mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _one_notice(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_cache_folder_others_can_write_is_refused_and_the_run_goes_on(
    capsys, online, isolated_env, record_property
):
    folder = isolated_env / "cache"
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    assert main(["list", *online]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 150
    notice = _one_notice(captured.err)
    assert "can be written by other users (mode 0777)" in notice
    assert "running without a cache" in notice
    assert list(folder.iterdir()) == []  # nothing written there
    assert _mode(folder) == 0o777  # and nothing changed: it is not ours to fix
    record_property(
        "fault_matrix",
        ("a cache folder others can write (0777)", "one-line notice", "runs without a cache"),
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder away takes root")
def test_a_cache_folder_another_user_owns_is_refused(capsys, online, isolated_env):
    folder = isolated_env / "cache"
    folder.mkdir(mode=0o700)
    os.chown(folder, 65534, 65534)
    assert main(["list", *online]) == 0
    notice = _one_notice(capsys.readouterr().err)
    assert "belongs to another user (uid 65534)" in notice
    assert list(folder.iterdir()) == []


def test_a_link_at_the_database_path_is_not_followed(capsys, online, isolated_env, server):
    from closetui.config.settings import ApiKey

    folder = isolated_env / "cache"
    folder.mkdir(mode=0o700)
    victim = isolated_env / "victim"
    victim.write_bytes(VICTIM)
    os.chmod(victim, 0o644)
    account = ApiKey(DEMO_API_KEY).fingerprint(server.base_url)
    (folder / f"{account}.sqlite3").symlink_to(victim)
    assert main(["list", *online]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 150
    notice = _one_notice(captured.err)
    assert "symbolic link, which closetui never follows" in notice
    assert victim.read_bytes() == VICTIM and _mode(victim) == 0o644


def test_a_link_at_the_log_path_is_not_followed_and_the_log_is_private(
    capsys, online, isolated_env, monkeypatch
):
    logs = isolated_env / "logs"
    logs.mkdir(mode=0o700)
    victim = isolated_env / "not-yet"
    (logs / "closetui.log").symlink_to(victim)
    assert main(["list", *online]) == 0
    assert not victim.exists()  # before, opening the log created it
    # Elsewhere, the log is made 0600 in a folder tightened to 0700 (they were 0644, 0755).
    other = isolated_env / "logs-2"
    other.mkdir(mode=0o755)
    os.chmod(other, 0o755)
    (other / "closetui.log").write_text("an old line\n")
    os.chmod(other / "closetui.log", 0o644)
    monkeypatch.setenv("CLOSETUI_LOG_DIR", str(other))
    assert main(["list", *online]) == 0
    assert _mode(other) == 0o700 and _mode(other / "closetui.log") == 0o600
    capsys.readouterr()


@pytest.mark.parametrize("where", ["key file", "config api_key", "config api_key_file"])
def test_a_key_file_others_can_read_gets_a_warning(capsys, server, isolated_env, where):
    server.router.org.size = 150
    key_file = isolated_env / "key"
    key_file.write_text(DEMO_API_KEY + "\n")
    config = isolated_env / "config.toml"
    argv = ["list", "--base-url", server.base_url]
    if where == "key file":
        argv += ["--api-key-file", str(key_file)]
        exposed = key_file
    elif where == "config api_key":
        config.write_text(f'api_key = "{DEMO_API_KEY}"\n')
        exposed = config
    else:
        config.write_text(f'api_key_file = "{key_file}"\n')
        exposed = key_file
    os.chmod(exposed, 0o644)
    assert main(argv) == 0
    err = capsys.readouterr().err
    notice = _one_notice(err)
    assert notice.startswith(f"closetui: warning: {exposed} (")
    assert "can be read by other users (mode 0644)" in notice
    assert notice.endswith(f"chmod 600 {exposed}")
    assert DEMO_API_KEY not in err
    os.chmod(exposed, 0o600)
    assert main(argv) == 0
    assert capsys.readouterr().err == ""
