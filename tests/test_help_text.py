"""`closetui --help` and each command's: a one-line description per command, the connection
options described once under their heading."""

from __future__ import annotations

import pytest

from closetui.cli import main

COMMANDS = ("list", "show", "sync", "doctor", "cache", "profiles", "completion")


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_the_top_help_describes_each_command_and_the_connection_options_once(capsys):
    text = _help(capsys)
    lines = text.splitlines()
    for command in COMMANDS:
        line = next(line for line in lines if line.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1]) > 10  # a description on the same line
    assert text.count("connection options (before or after the command):") == 1
    for option in ("--profile NAME", "--offline", "--base-url URL", "--api-key-file PATH"):
        assert text.count(option) == 2  # in the usage line, and described once


@pytest.mark.parametrize("command", [("list",), ("show",), ("cache", "clear"), ("profiles",)])
def test_a_command_help_shows_its_own_options_and_points_to_the_rest(capsys, command):
    text = _help(capsys, *command)
    assert "--base-url" in text and "see closetui --help" in text  # named once, in the note
    assert "--base-url URL" not in text and "--api-key-file PATH" not in text
    assert "connection options (before" not in text
