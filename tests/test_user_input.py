"""Input from the user: a base URL with credentials is refused, and its user name and
password are never printed (nor by `doctor`); a malformed host or port, and a number that is
not finite and positive, are config errors (exit 2, one line naming the setting), never an
"unexpected error"."""

from __future__ import annotations

import pytest

from closetui.cli import main

SECRET = "s3cretPW"


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://user:{SECRET}@127.0.0.1/api/v1/",
        f"http://user:{SECRET}@/api/v1/",
        f"https://user:{SECRET}@api.close.com/api/v1/",
    ],
)
@pytest.mark.parametrize("command", ["list", "doctor"])
def test_a_base_url_with_credentials_is_refused_unprinted(
    capsys, monkeypatch, url, command, record_property
):
    monkeypatch.setenv("CLOSE_API_KEY", "api_x")
    code = main([command, "--base-url", url])
    out, err = capsys.readouterr()
    assert SECRET not in out + err and "user:" not in out + err
    assert code == 2 if command == "list" else code != 0
    if command == "list":
        assert len(err.strip().splitlines()) == 1 and "user name or password" in err
    record_property(
        "fault_matrix",
        (f"credentials in --base-url ({command}, {url.split(':')[0]})",
         "refused: user name or password", f"exit {code}, never printed"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        (["--base-url", "https://[::1"], {}, "base URL"),
        (["--base-url", "http://127.0.0.1:99999/api/v1/"], {}, "Port out of range"),
        (["--base-url", "http://127.0.0.1:abc/"], {}, "base URL"),
        ([], {"CLOSETUI_MAX_RESPONSE_MB": "1e308"}, "max_response_mb"),
        ([], {"CLOSETUI_MAX_RESPONSE_MB": "inf"}, "max_response_mb"),
        ([], {"CLOSETUI_RETRY_BACKOFF": "nan"}, "retry_backoff"),
        ([], {"CLOSETUI_RETRY_BACKOFF": "-1"}, "retry_backoff"),
        ([], {"CLOSETUI_RETRY_BACKOFF": "0"}, "retry_backoff"),
        ([], {"CLOSETUI_REQUEST_DEADLINE": "nan"}, "request_deadline"),
        ([], {"CLOSETUI_TRACE_MAX_MB": "-5"}, "trace_max_mb"),
    ],
)
def test_a_bad_setting_is_a_config_error(capsys, monkeypatch, args, env, names, record_property):
    monkeypatch.setenv("CLOSE_API_KEY", "api_x")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["list", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and names in err
    assert "unexpected error" not in err and "Traceback" not in err
    shown = " ".join(args) or " ".join(f"{k}={v}" for k, v in env.items())
    record_property("fault_matrix", (f"setting {shown}", f"one line naming {names}", "exit 2"))


def test_demo_latency_must_be_finite(capsys, monkeypatch):
    monkeypatch.setenv("CLOSETUI_DEMO_LATENCY", "nan")
    assert main(["list", "--demo"]) == 2
    assert "CLOSETUI_DEMO_LATENCY" in capsys.readouterr().err
