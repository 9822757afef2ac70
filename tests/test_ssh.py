"""The app over a real SSH session: OpenSSH's sshd on 127.0.0.1 with throwaway keys, the app
run through `ssh -t` inside tmux, keys sent and the screen read as a person would."""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.terminal import end_process

SSHD = shutil.which("sshd") or next(
    (p for p in ("/usr/sbin/sshd", "/usr/local/sbin/sshd") if Path(p).exists()), None
)
pytestmark = [
    pytest.mark.skipif(SSHD is None, reason="OpenSSH's sshd is not installed (openssh-server)"),
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(shutil.which("ssh") is None, reason="the ssh client is not installed"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    root = tmp_path_factory.mktemp("ssh")
    for name in ("host_key", "user_key"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(root / name)], check=True
        )
    (root / "authorized_keys").write_text((root / "user_key.pub").read_text())
    os.chmod(root / "authorized_keys", 0o600)
    port = _free_port()
    config = root / "sshd_config"
    config.write_text(
        f"""
Port {port}
ListenAddress 127.0.0.1
HostKey {root / "host_key"}
AuthorizedKeysFile {root / "authorized_keys"}
PidFile {root / "sshd.pid"}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin yes
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
"""
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation needs it
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            pytest.skip(f"sshd could not run here: {proc.stderr.read().decode()[:300]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.skip("sshd did not start listening")
            time.sleep(0.05)
    yield {"port": port, "key": root / "user_key", "root": root}
    proc.terminate()
    proc.wait(timeout=5)


def _screen(sock: str) -> str:
    return subprocess.run(
        ["tmux", "-L", sock, "capture-pane", "-p", "-t", "app"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout


def _wait_for(sock: str, needle: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = _screen(sock)
        if needle in screen:
            return screen
        time.sleep(0.1)  # polling a real terminal: there is no worker to await
    raise AssertionError(f"{needle!r} never appeared on screen:\n{_screen(sock)}")


@pytest.mark.parametrize("term", ["xterm-256color", "screen-256color", "tmux-256color"])
def test_the_app_over_ssh(sshd, term, tmp_path):
    remote_env = {
        "CLOSETUI_CACHE_DIR": str(tmp_path / "cache"),
        "CLOSETUI_LOG_DIR": str(tmp_path / "logs"),
        "CLOSETUI_CONFIG": str(tmp_path / "config.toml"),
        "CLOSETUI_DEMO_LATENCY": "0",
    }
    pid_file = tmp_path / "app.pid"  # the remote app's pid: it is ended with the test
    remote = " ".join(
        ["echo", "$$", ">", shlex.quote(str(pid_file)), ";",
         "exec", "env", *(f"{k}={shlex.quote(v)}" for k, v in remote_env.items()),
         shlex.quote(sys.executable), "-m", "closetui", "--demo"]
    )  # fmt: skip
    ssh = [
        "ssh", "-tt", "-p", str(sshd["port"]), "-i", str(sshd["key"]),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "LogLevel=ERROR", "-o", "BatchMode=yes",
        f"{getpass.getuser()}@127.0.0.1", remote,
    ]  # fmt: skip
    sock = f"closetui-ssh-{os.getpid()}-{term}"
    command = f"env TERM={term} {shlex.join(ssh)}; sleep 5"
    subprocess.run(
        ["tmux", "-L", sock, "new-session", "-d", "-s", "app", "-x", "110", "-y", "32", command],
        check=True,
    )
    try:
        _wait_for(sock, "My Sequence")
        screen = _wait_for(sock, "100 loaded · more")
        assert "Demo" in screen
        _wait_for(sock, "Intro: quick")  # the lookups ran over SSH too (the template name)
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "app", "j"], check=True)
        screen = _wait_for(sock, "seq_hxh5kG3YljlowBkTHF0001")  # the detail follows the cursor
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "app", "y"], check=True)
        screen = _wait_for(sock, "Copied seq_hxh5kG3YljlowBkTHF0001")  # the toast says what
        subprocess.run(["tmux", "-L", sock, "send-keys", "-t", "app", "q"], check=True)
        deadline = time.monotonic() + 10
        while "My Sequence" in _screen(sock) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "My Sequence" not in _screen(sock)
        assert "Traceback" not in _screen(sock)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], check=False, capture_output=True)
        if pid_file.exists() and pid_file.read_text().strip():
            # Hung up on (a test that failed before `q`), it must not stay behind, idle.
            end_process(int(pid_file.read_text()))
