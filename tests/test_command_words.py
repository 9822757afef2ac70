"""The commands say what they mean: unknown ids and statuses, the sort column printed, chosen
columns, a narrow table that gives the name its room, TSV's header, help texts, the offline
age on stderr, and an offline run without a key."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from closetui.cli import main
from closetui.demo import DEMO_API_KEY
from closetui.demo.data import SEED_ID


@pytest.fixture
def online(server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    return ["--base-url", server.base_url]


def _big_sequence(server) -> str:
    org = server.router.org
    for position in range(1, 200):
        item = org.sequence_at(position)
        if org.subscription_total(item["id"]) >= 30:
            return str(item["id"])
    raise AssertionError("no sequence with runs in the demo")


@pytest.mark.parametrize("command", ["show", "subscriptions"])
def test_an_unknown_sequence_id_exits_1_with_the_same_line(capsys, online, command):
    assert main([command, "seq_totallywrong", *online]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "closetui: No sequence seq_totallywrong in this organization."


def test_offline_after_a_complete_pass_an_unknown_id_is_said_as_online(capsys, online):
    assert main(["list", *online]) == 0  # a complete pass
    capsys.readouterr()
    for command in ("show", "subscriptions"):
        assert main([command, "seq_totallywrong", *online, "--offline"]) == 1
        err = capsys.readouterr().err
        assert "No sequence seq_totallywrong in this organization (offline:" in err


def test_status_takes_the_apps_comma_list(capsys, online):
    assert main(["list", *online, "--status", "paused,DRAFT"]) == 0
    statuses = {line.split("\t")[1] for line in capsys.readouterr().out.splitlines()}
    assert statuses == {"paused", "draft"}
    assert main(["list", *online, "--status", "status:draft"]) == 0
    assert {ln.split("\t")[1] for ln in capsys.readouterr().out.splitlines()} == {"draft"}


@pytest.mark.parametrize(
    ("command", "bad", "known"),
    [
        ("list", "pause", "active, paused, draft"),
        ("list", "active,finished", "active, paused, draft"),
        ("subscriptions", "done", "active, paused, finished, goal, error"),
    ],
)
def test_an_unknown_status_exits_2_naming_the_known_ones(capsys, online, command, bad, known):
    args = [command, SEED_ID] if command == "subscriptions" else [command]
    assert main([*args, *online, "--status", bad]) == 2
    out, err = capsys.readouterr()
    assert out == "" and known in err and "not " in err


def test_subscriptions_take_a_status_list(capsys, online, server):
    sequence_id = _big_sequence(server)
    assert main(["subscriptions", sequence_id, *online, "--status", "goal,finished"]) == 0
    statuses = {line.split("\t")[1] for line in capsys.readouterr().out.splitlines()}
    assert statuses and statuses <= {"goal", "finished"}


def test_the_sort_column_is_always_printed(capsys, online):
    assert main(["list", *online, "--format", "csv", "--sort", "err:desc"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["id", "status", "err", "steps", "span", "updated", "name"]
    assert main(["list", *online, "--format", "table", "--sort", "errors:desc"]) == 0  # old word
    assert capsys.readouterr().out.split()[:3] == ["ID", "STATUS", "ERR"]
    assert main(["list", *online, "--columns", "name,id", "--sort", "steps", "--header"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["name", "id", "steps"]
    steps = [int(line.split("\t")[2]) for line in lines[1:]]
    assert steps == sorted(steps)


def test_columns_choose_and_order_with_the_apps_names(capsys, online):
    assert main(["list", *online, "--columns", "Name,Status", "--filter", "my seq"]) == 0
    assert capsys.readouterr().out.splitlines() == ["My Sequence\tactive"]
    assert main(["list", *online, "--columns", "name,colour"]) == 2
    err = capsys.readouterr().err
    assert "--columns takes a comma list of id, status, err" in err and "'colour'" in err
    assert main(["list", *online, "--columns", "name", "--format", "json"]) == 2


def test_subscriptions_sort_and_columns(capsys, online, server):
    sequence_id = _big_sequence(server)
    args = ["subscriptions", sequence_id, *online]
    assert main([*args, "--sort", "contact:desc", "--columns", "status", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["status", "contact"]
    contacts = [r[1].casefold() for r in rows[1:]]
    assert len(contacts) >= 30 and contacts == sorted(contacts, reverse=True)
    assert main([*args, "--columns", "contact_name,contact", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["contact_name", "contact"] and all(r[0] for r in rows[1:])  # looked up
    assert main([*args, "--sort", "colour"]) == 2


def test_tsv_is_headerless_unless_asked(capsys, online):
    assert main(["list", *online, "--filter", "my seq"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(SEED_ID)
    assert main(["list", *online, "--filter", "my seq", "--header"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id\tstatus\tsteps\tspan\tupdated\tname" and lines[1].startswith(SEED_ID)
    assert "no header row" in _help("list") and "--header" in _help("list")


def test_at_80_columns_the_name_gets_the_room_first(capsys, online, server, monkeypatch):
    org = server.router.org
    long_name = "Outbound cold — Enterprise accounts in the Nordics, second wave"
    org.insert_head(long_name)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["list", *online, "--format", "table", "--filter", "nordics"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "STATUS", "NAME"]
    assert len(row) <= 80 and "Enterprise accounts in the" in row
    monkeypatch.setenv("COLUMNS", "140")  # room for all: nothing dropped
    assert main(["list", *online, "--format", "table", "--filter", "nordics"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "STATUS", "STEPS", "SPAN", "UPDATED", "NAME"]
    assert long_name in row


def test_at_80_columns_the_runs_table_gives_the_person_room(capsys, online, server, monkeypatch):
    sequence_id = _big_sequence(server)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["subscriptions", sequence_id, *online, "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "CONTACT"]
    assert all(len(line) <= 80 for line in lines)
    assert not any("…" in line for line in lines[1:])  # every email whole
    assert (
        main(["subscriptions", sequence_id, *online, "--format", "table", "--sort", "sender"]) == 0
    )
    assert capsys.readouterr().out.split()[:4] == ["ID", "STATUS", "SENDER", "CONTACT"]


def _help(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "closetui", *command, "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return result.stdout


def test_help_texts_describe_every_argument():
    runs = _help("subscriptions")
    assert "SEQ_ID      the sequence's id" in runs or "SEQ_ID" in runs.split("options:")[0]
    positional = runs.split("positional arguments:")[1].split("options:")[0]
    assert "the sequence's id" in positional
    assert "--format {table,tsv,csv,json,jsonl}\n" in runs
    after = runs.split("--format {table,tsv,csv,json,jsonl}\n")[1].split("--")[0]
    assert "table on a terminal" in after
    for option in ("--sort", "--columns", "--header", "--names", "--status"):
        assert option in runs
    completion = _help("completion")
    assert "~/.local/share/bash-completion/completions/closetui" in completion
    assert "last complete pass" in _help("cache")


def test_every_command_and_option_is_in_the_readme():
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands and options")[1].split("\n## ")[0]
    top = _help()
    listed = top.split("COMMAND\n")[1].split("\n\n")[0]
    commands = re.findall(r"^    ([a-z]+)", listed, re.M)
    assert "subscriptions" in commands and "list" in commands
    for command in commands:
        assert f"`closetui {command}" in table, command
        own = _help(command).split("connection options")[0]  # described once, in --help
        for flag in set(re.findall(r"(--[a-z][a-z-]+)", own)) - {"--help"}:
            assert flag in table, f"{command} {flag}"
    for flag in set(re.findall(r"(--[a-z][a-z-]+)", top)) - {"--help"}:
        assert flag in table, flag
    for fmt in ("table", "tsv", "csv", "json", "jsonl"):
        assert f"\\|{fmt}" in table or f"{fmt}\\|" in table, fmt


def test_a_refused_key_ends_in_one_period(capsys, server, monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", "wrong-key")
    assert main(["list", "--base-url", server.base_url]) == 3
    err = capsys.readouterr().err
    assert ".." not in err and err.rstrip().endswith(".")


def test_list_offline_says_the_datas_age_on_stderr(capsys, online):
    assert main(["list", *online]) == 0
    capsys.readouterr()
    assert main(["list", *online, "--offline"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1500
    assert err.strip() == (
        "closetui: offline: cached data from just now; last complete pass just now."
    )


def test_offline_without_a_key_uses_the_one_cached_account(capsys, online, monkeypatch):
    assert main(["list", *online]) == 0
    capsys.readouterr()
    monkeypatch.delenv("CLOSE_API_KEY")
    assert main(["list", "--offline"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1500 and "offline: cached data" in err
    assert main(["show", SEED_ID, "--offline"]) == 0


def test_offline_without_a_key_lists_several_and_says_how_to_choose(
    capsys, online, server, monkeypatch
):
    from closetui.store import cache as store

    assert main(["list", *online]) == 0
    capsys.readouterr()
    monkeypatch.delenv("CLOSE_API_KEY")
    server_cache = _cache_dir()
    (server_cache / ("0" * 16 + store.SUFFIX)).write_bytes(b"")  # another account's file
    assert main(["list", "--offline"]) == 2
    err = capsys.readouterr().err
    assert "2 accounts are cached" in err and "CLOSETUI_ACCOUNT=NAME" in err
    assert "--profile NAME" in err and "closetui cache info" in err
    first = sorted(p.name.split(".")[0] for p in store.accounts(server_cache))
    good = next(name for name in first if name != "0" * 16)
    assert main(["cache", "info"]) == 0
    assert "CLOSETUI_ACCOUNT=ACCOUNT closetui --offline" in capsys.readouterr().out
    monkeypatch.setenv("CLOSETUI_ACCOUNT", good)
    assert main(["list", "--offline"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1500
    monkeypatch.setenv("CLOSETUI_ACCOUNT", "nope")
    assert main(["list", "--offline"]) == 2


def test_offline_without_a_key_or_a_cache_exits_4(capsys):
    assert main(["list", "--offline"]) == 4
    assert "no account cached" in capsys.readouterr().err


def _cache_dir():
    import os
    from pathlib import Path

    return Path(os.environ["CLOSETUI_CACHE_DIR"])


def test_on_a_terminal_the_error_status_is_bold_red_and_never_with_no_color(server):
    import os
    import pty
    import select

    sequence_id = _big_sequence(server)

    def table(**env: str) -> str:
        main_fd, child_fd = pty.openpty()
        args = ["subscriptions", sequence_id, "--base-url", server.base_url, "--status", "error"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "closetui", *args],
            stdout=child_fd,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "CLOSE_API_KEY": DEMO_API_KEY, "TERM": "xterm", **env},
        )
        os.close(child_fd)
        chunks = []
        while True:
            ready, _, _ = select.select([main_fd], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(main_fd)
        assert proc.wait(timeout=30) == 0
        return b"".join(chunks).decode()

    coloured = table()
    assert "\x1b[1;31merror" in coloured  # bold as well as red: red may be white in 16
    plain = table(NO_COLOR="1")
    assert "\x1b" not in plain and "error" in plain


def test_cache_info_says_last_complete_pass_as_the_readme(capsys, online):
    assert main(["list", *online]) == 0
    capsys.readouterr()
    assert main(["cache", "info", *online]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert header.endswith("last complete pass") and "sync" not in header


def test_a_failing_check_of_the_id_does_not_stop_the_runs(capsys, online, server):
    sequence_id = _big_sequence(server)
    # The sequence itself fails to answer (every retry), its runs do not: they are printed.
    server.faults.add("status", path=f"sequence/{sequence_id}", status=500, times=None)
    assert main(["subscriptions", sequence_id, *online]) == 0
    assert len(capsys.readouterr().out.splitlines()) >= 30


def test_subscriptions_offline_names_come_from_the_cache(capsys, online, server):
    sequence_id = _big_sequence(server)
    args = ["subscriptions", sequence_id, *online, "--names", "--format", "csv"]
    assert main(args) == 0
    online_rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    before = len(server.router.requests)
    assert main([*args, "--offline"]) == 0
    out, err = capsys.readouterr()
    offline_rows = list(csv.DictReader(io.StringIO(out)))
    assert len(server.router.requests) == before  # nothing asked
    assert [r["contact_name"] for r in offline_rows] == [r["contact_name"] for r in online_rows]
    assert all(r["contact_name"] for r in offline_rows)
    assert "closetui: offline: cached data from just now" in err
