"""The `closetui` command through its entry point, as a user or a script runs it."""

from __future__ import annotations

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY, SEED_ID

WRONG_KEY = "api_WRONG_cli_secret_never_printed"


def test_list_demo_prints_every_demo_sequence(capsys):
    assert main(["list", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1500
    assert lines[0].split("\t") == [SEED_ID, "active", "2", "4", "2022-02-07", "My Sequence"]


def test_list_against_the_server_prints_the_same(capsys, server, monkeypatch):
    assert main(["--demo", "list"]) == 0
    demo = capsys.readouterr().out
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    assert main(["list", "--base-url", server.base_url]) == 0
    assert capsys.readouterr().out == demo


def test_connection_options_work_before_and_after_the_command(capsys, server, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(DEMO_API_KEY + "\n")
    assert main(["--base-url", server.base_url, "list", "--api-key-file", str(key_file)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1500


def test_no_key_says_where_a_key_can_come_from(capsys):
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "CLOSE_API_KEY" in err and "--api-key-file" in err and "--demo" in err
    assert "Traceback" not in err


def test_a_refused_key_exits_3_naming_its_source_not_its_value(capsys, server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", WRONG_KEY)
    assert main(["list", "--base-url", server.base_url]) == 3
    captured = capsys.readouterr()
    assert "CLOSE_API_KEY environment variable" in captured.err
    assert WRONG_KEY not in captured.err + captured.out


def test_a_missing_key_file_is_a_clear_usage_error(capsys, tmp_path):
    assert main(["list", "--api-key-file", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_broken_config_file_is_a_clear_usage_error(capsys, isolated_env):
    (isolated_env / "config.toml").write_text("api_key = [unclosed")
    assert main(["list"]) == 2
    assert "not valid TOML" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["list", "--demo"], ["doctor", "--offline"], ["--demo"]])
def test_a_config_file_not_in_utf8_is_one_line_naming_the_byte(capsys, isolated_env, command):
    (isolated_env / "config.toml").write_bytes('theme = "café"\n'.encode("latin-1"))
    code = main(command)
    err, out = capsys.readouterr()[::-1]
    assert code in (1, 2)  # doctor reports it as a failed check, the rest as a usage error
    said = err + out
    assert "not UTF-8 text (byte 0xe9 at offset 12)" in said, said
    assert "unexpected" not in said and "Traceback" not in said


def test_a_dead_network_is_one_line_and_exit_1(capsys, server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    server.faults.add("drop", times=None)
    assert main(["list", "--base-url", server.base_url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "dropped" in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("closetui ")


def test_cache_path_info_and_clear(capsys, isolated_env):
    cache_dir = isolated_env / "cache"
    assert main(["cache", "path", "--demo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [str(cache_dir), str(cache_dir / "demo.sqlite3")]

    assert main(["cache", "info"]) == 0
    assert "Nothing cached yet" in capsys.readouterr().out

    from closetui.store.cache import Cache, SequenceSummary

    cache = Cache.open(cache_dir, "demo")
    cache.put_sequence_page(
        0, [{"id": "seq_1"}], [SequenceSummary("seq_1", "a", "active", 1, 0, None)], 1, 0.0
    )
    cache.set_meta("organization", "Demo")
    cache.close()
    assert main(["cache", "info", "--demo"]) == 0
    info = capsys.readouterr().out
    assert "demo (this)" in info and "Demo" in info and " 1 " in info

    assert main(["cache", "clear", "--demo"]) == 2  # stdin is not a terminal: no silent delete
    assert "add --yes" in capsys.readouterr().err
    assert (cache_dir / "demo.sqlite3").exists()
    assert main(["cache", "clear", "--demo", "--yes"]) == 0
    assert not (cache_dir / "demo.sqlite3").exists()


def test_cache_clear_without_an_account_asks_which(capsys):
    assert main(["cache", "clear", "--yes"]) == 2
    assert "--all" in capsys.readouterr().err
