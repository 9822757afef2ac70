"""`closetui doctor`: one line per check, the fix under each failure, and an exit status a
script can use."""

from __future__ import annotations

import json

from closetui.cli import main
from closetui.demo import DEMO_API_KEY

KEY = "api_8uV3doctorTESTkey000000000"


def _lines(out: str) -> dict[str, str]:
    return {line[2:].split("  ")[0].strip(): line for line in out.splitlines() if line[:1] in "✓✗·"}


def test_doctor_against_the_demo_server_passes(server, monkeypatch, capsys):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert main(["list", "--base-url", server.base_url, "--format", "json"]) == 0
    capsys.readouterr()
    code = main(["doctor", "--base-url", server.base_url])
    out = capsys.readouterr().out
    checks = _lines(out)
    assert checks["Close answers /me/"].startswith("✓") and "Ava Adler in Demo" in out
    assert checks["rate limit"].startswith("✓") and "limit=1000" in out
    assert checks["API key"].startswith("✓") and "CLOSE_API_KEY" in out
    assert checks["cache file"].startswith("✓") and "1,500 sequences" in out
    assert checks["log folder"].startswith("✓") and checks["cache folder"].startswith("✓")
    assert "versions" in checks and "Textual 8.2.8" in out
    assert DEMO_API_KEY not in out
    assert code == 0, out


def test_doctor_with_a_refused_key_exits_3_and_says_where_the_key_came_from(
    server, monkeypatch, capsys
):
    monkeypatch.setenv("CLOSE_API_KEY", KEY)
    assert main(["doctor", "--base-url", server.base_url]) == 3
    out = capsys.readouterr().out
    line = _lines(out)["Close answers /me/"]
    assert line.startswith("✗") and "refused the API key" in line
    assert "→ The key came from the CLOSE_API_KEY environment variable" in out
    assert KEY not in out


def test_doctor_offline_skips_the_network_and_says_so(server, monkeypatch, capsys):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    server.router.reset_log()
    assert main(["doctor", "--offline", "--base-url", server.base_url, "--format", "json"]) in (
        0,
        1,
    )
    report = json.loads(capsys.readouterr().out)
    network = next(c for c in report["checks"] if c["name"] == "Close answers /me/")
    assert network["status"] == "info" and "skipped" in network["detail"]
    assert server.router.requests == []


def test_doctor_without_a_key_or_with_a_broken_config_says_what_to_fix(
    tmp_path, monkeypatch, capsys
):
    assert main(["doctor", "--offline"]) == 1
    out = capsys.readouterr().out
    assert _lines(out)["API key"].startswith("✗") and "set CLOSE_API_KEY" in out
    (tmp_path / "config.toml").write_text("api_key = [unclosed\n")
    assert main(["doctor", "--offline"]) == 1
    out = capsys.readouterr().out
    assert _lines(out)["config"].startswith("✗") and "is not valid TOML" in out


def test_doctor_reports_a_cache_folder_others_can_write(server, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    main(["doctor", "--offline", "--base-url", server.base_url])
    out = capsys.readouterr().out
    assert _lines(out)["cache folder"].startswith("✗") and "mode 0777" in out
    assert f"chmod 700 {folder}" in out


def test_doctor_scrubs_the_key_a_server_echoes_in_the_users_name(server, monkeypatch, capsys):
    import base64

    from closetui.demo.data import DemoOrg

    echoes = [
        DEMO_API_KEY,
        DEMO_API_KEY.upper(),
        base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode(),
        DEMO_API_KEY.encode().hex(),
    ]
    original = DemoOrg.me

    def me() -> dict:
        user = original()
        user["first_name"] = " ".join(echoes)
        return user

    monkeypatch.setattr(DemoOrg, "me", staticmethod(me))
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    for fmt in ("text", "json"):
        main(["doctor", "--base-url", server.base_url, "--format", fmt])
        out = capsys.readouterr().out
        assert "***" in out, out
        for echo in echoes:
            assert echo.casefold() not in out.casefold(), (fmt, echo)
