"""`closetui completion bash|zsh|fish`: scripts a shell loads, completing commands, options,
--format values and profile names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from closetui.cli import main


def _script(capsys, shell: str) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


@pytest.fixture
def profiles_config(isolated_env):
    (isolated_env / "config.toml").write_text(
        '[profiles.work]\napi_key = "api_x"\n\n[profiles.weekend]\napi_key = "api_y"\n'
    )


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_names_commands_options_and_formats(capsys, shell):
    text = _script(capsys, shell)
    for word in ("list", "show", "subscriptions", "sync", "doctor", "cache", "clear", "profiles",
                 "completion"):  # fmt: skip
        assert word in text
    for option in ("profile", "demo", "offline", "api-key-file", "subscriptions", "names"):
        assert f"--{option}" in text or f"-l {option}" in text
    assert "table tsv csv json jsonl" in text and "text json" in text
    assert "closetui profiles --names" in text  # profile names asked for when completing


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_script_parses_in_its_shell(capsys, shell, tmp_path):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"closetui.{shell}"
    path.write_text(_script(capsys, shell))
    checked = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def _bash_complete(script: Path, line: str) -> list[str]:
    """What bash offers for `line` (the word being completed is the last, maybe empty)."""
    words = line.replace("=", " = ").split(" ")  # bash splits at = (COMP_WORDBREAKS)
    program = f"""
source {script}
COMP_WORDS=({" ".join(f"'{w}'" for w in words)})
COMP_CWORD={len(words) - 1}
_closetui
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    # The script asks `closetui profiles --names`: the closetui of this environment.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "--norc", "-c", program], capture_output=True, text=True, env=env, check=True
    )
    return [word for word in done.stdout.splitlines() if word]


def test_bash_completes_commands_options_values_and_profiles(capsys, tmp_path, profiles_config):
    script = tmp_path / "closetui.bash"
    script.write_text(_script(capsys, "bash"))
    assert _bash_complete(script, "closetui ") == [
        "list", "show", "subscriptions", "who", "sync", "doctor", "cache", "profiles",
        "pause", "resume", "unsubscribe", "completion", "changes",
    ]  # fmt: skip
    assert _bash_complete(script, "closetui s") == ["show", "subscriptions", "sync"]
    assert _bash_complete(script, "closetui --demo list --format ") == [
        "table", "tsv", "csv", "json", "jsonl",
    ]  # fmt: skip
    assert _bash_complete(script, "closetui show --format j") == ["json"]
    assert _bash_complete(script, "closetui cache --offline c") == ["clear"]
    assert "--yes" in _bash_complete(script, "closetui cache clear --")
    assert _bash_complete(script, "closetui list --sub") == []
    assert _bash_complete(script, "closetui sync --sub") == ["--subscriptions"]
    assert _bash_complete(script, "closetui completion ") == ["bash", "zsh", "fish"]
    assert _bash_complete(script, "closetui --profile w") == ["weekend", "work"]
    assert _bash_complete(script, "closetui list --profile=w") == ["weekend", "work"]


def test_fish_completes_commands_values_and_profiles(capsys, tmp_path, profiles_config):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    script = tmp_path / "closetui.fish"
    script.write_text(_script(capsys, "fish"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}

    def offered(line: str) -> list[str]:
        program = f"source {script}; complete -C'{line}'"
        done = subprocess.run(
            ["fish", "--no-config", "-c", program], capture_output=True, text=True, env=env
        )
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert offered("closetui li") == ["list"]
    assert offered("closetui list --format ") == ["csv", "json", "jsonl", "table", "tsv"]
    assert offered("closetui cache c") == ["clear"]
    assert offered("closetui --profile w") == ["weekend", "work"]
    assert "--yes" in offered("closetui cache clear --")
