"""Clear words for the rest: a TLS handshake that fails says so and why (not "could not
connect"), and empty arguments are usage errors, not silent defaults or odd requests."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from closetui.cli import main
from closetui.demo.data import DEMO_API_KEY


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)


@pytest.fixture
def self_signed(tmp_path):
    """A TLS server on loopback with a self-signed certificate: it completes no handshake
    with a client that checks certificates."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, private = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(private), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, private)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError), conn:
                conn.settimeout(5)
                context.wrap_socket(conn, server_side=True).close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def test_https_to_a_plain_http_port_says_the_handshake_failed(capsys, key, server):
    url = f"https://127.0.0.1:{server.port}/api/v1/"
    assert main(["list", "--base-url", url]) == 1
    err = capsys.readouterr().err
    assert err == (
        "closetui: The TLS handshake with 127.0.0.1 failed: what answered does not speak TLS "
        "(is it a plain http:// port?).\n"
    )


def test_a_self_signed_certificate_says_the_handshake_failed_and_why(
    capsys, key, self_signed, record_property
):
    assert main(["list", "--base-url", f"https://127.0.0.1:{self_signed}/api/v1/"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "closetui: The TLS handshake with 127.0.0.1 failed: its certificate was not accepted "
        "(self-signed certificate).\n"
    )
    record_property(
        "fault_matrix",
        ("TLS: self-signed, or a plain-HTTP port", "'the TLS handshake … failed: why'", "exit 1"),
    )


def test_a_refused_connection_still_says_could_not_connect(capsys, key):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert main(["list", "--base-url", f"https://127.0.0.1:{port}/api/v1/"]) == 1
    assert capsys.readouterr().err == "closetui: Could not connect to 127.0.0.1.\n"


def test_an_empty_base_url_is_a_usage_error(capsys, key):
    assert main(["list", "--base-url", ""]) == 2
    assert capsys.readouterr().err == "closetui: The base URL '' is not an http(s) URL.\n"


def test_show_with_an_empty_id_is_a_usage_error_and_asks_nothing(capsys, key, server):
    for empty in ("", "  "):
        assert main(["show", empty, "--base-url", server.base_url]) == 2
        assert "closetui show needs a sequence id" in capsys.readouterr().err
    assert server.router.requests == []
