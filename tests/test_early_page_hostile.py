"""Page 0 asked for while the command starts (`closetui.prefetch`, through http.client), against
a careless or hostile server on loopback: every wait is bounded by the request deadline, a good
answer is used once, and the environment's proxies are obeyed as the client obeys them."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest

from closetui.cli import main
from closetui.demo import DEMO_API_KEY, DemoOrg, FakeClose

Handler = Callable[[socket.socket], None]
# Far beyond what a one-second deadline allows (the plain request's and the client's own,
# retries included): a command still running then is one the deadline did not stop.
HANG = 90


def _demo_page_0() -> tuple[dict[str, str], bytes]:
    token = base64.b64encode(f"{DEMO_API_KEY}:".encode()).decode()
    reply = FakeClose(DemoOrg(3)).handle(
        "GET", "/api/v1/sequence/?_skip=0&_limit=100", {"authorization": f"Basic {token}"}
    )
    assert reply.status == 200
    return reply.headers, reply.body


class RawServer:
    """A loopback HTTP server that reads each request's head and hands the socket to `answer`;
    counts the requests for page 0."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.page_0 = 0
        self.heads: list[bytes] = []  # each request's head, as it came
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/api/v1/"
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        with conn:
            try:
                while not self.stop.is_set():
                    head = b""
                    while b"\r\n\r\n" not in head:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        head += chunk
                    with self._lock:
                        self.heads.append(head)
                        if b"_skip=0" in head.split(b"\r\n", 1)[0]:
                            self.page_0 += 1
                    self.answer(conn)
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self._listener.close()


@pytest.fixture
def raw() -> Iterator[Callable[[Handler], RawServer]]:
    made: list[RawServer] = []

    def make(answer: Handler) -> RawServer:
        made.append(RawServer(answer))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _drip(stop: threading.Event, conn: socket.socket, first: bytes, again: bytes) -> None:
    conn.sendall(first)
    while not stop.wait(0.05):
        conn.sendall(again)


def _list_in_a_process(base_url: str, tmp_path) -> subprocess.CompletedProcess[str]:
    """`closetui list` against `base_url` with a one-second request deadline; fails the test
    if the command is still running long after every deadline it has passed."""
    env = {
        **os.environ,
        "CLOSE_API_KEY": DEMO_API_KEY,
        "CLOSETUI_REQUEST_DEADLINE": "1",
        "CLOSETUI_CACHE_DIR": str(tmp_path / "cache"),
        "CLOSETUI_LOG_DIR": str(tmp_path / "logs"),
    }
    try:
        return subprocess.run(
            [sys.executable, "-m", "closetui", "list", "--base-url", base_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`closetui list` still waiting after {HANG} s with a 1 s request deadline")


# -- Every wait ends at the deadline -----------------------------------------------------------


def test_a_server_that_drips_its_headers_is_given_up_at_the_deadline(raw, tmp_path):
    # One header byte every 50 ms: each read gets something, so only the deadline can end it
    # (the client's own request says TooSlow after 1 s).
    server = raw(lambda conn: _drip(server.stop, conn, b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"))
    done = _list_in_a_process(server.base_url, tmp_path)
    assert done.returncode != 0
    assert "within 1 s" in done.stderr
    assert "Traceback" not in done.stderr and DEMO_API_KEY not in done.stderr


def test_endless_100_continue_answers_are_given_up_at_the_deadline(raw, tmp_path):
    server = raw(
        lambda conn: _drip(
            server.stop, conn, b"HTTP/1.1 100 Continue\r\n\r\n", b"HTTP/1.1 100 Continue\r\n\r\n"
        )
    )
    done = _list_in_a_process(server.base_url, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and DEMO_API_KEY not in done.stderr


def test_a_chunked_answer_with_endless_trailers_is_given_up_at_the_deadline(raw, tmp_path):
    _, body = _demo_page_0()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
    first = head + b"\r\n" + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n"
    server = raw(lambda conn: _drip(server.stop, conn, first, b"X-Trailer: a\r\n"))
    done = _list_in_a_process(server.base_url, tmp_path)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and DEMO_API_KEY not in done.stderr


# -- A good answer is used, once -------------------------------------------------------------


def _answer_with(extra: bytes) -> Handler:
    headers, body = _demo_page_0()
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
    reply = (
        b"HTTP/1.1 200 OK\r\n"
        + head
        + f"Content-Length: {len(body)}\r\n".encode()
        + extra
        + b"\r\n"
        + body
    )
    return lambda conn: conn.sendall(reply)


@pytest.mark.parametrize(
    "extra",
    [
        b"",  # the control: the raw server itself gives a usable page 0
        # HTTP/1.1 lets any server (or the proxy in front of it) close after an answer; the
        # answer is as good as any. Thrown away, page 0 costs a second request and round trip.
        b"Connection: close\r\n",
    ],
    ids=["keep-alive", "connection-close"],
)
def test_a_good_answer_is_asked_for_once(extra, raw, capsys, monkeypatch):
    server = raw(_answer_with(extra))
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    assert main(["list", "--base-url", server.base_url, "--format", "jsonl"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert server.page_0 == 1


def _fields(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines) if k
    }


def test_the_early_request_reaches_close_as_the_clients_do(raw, capsys, monkeypatch):
    # Page 0 first fails (a 503), so the client asks again: both requests are in the log.
    page = _answer_with(b"")
    failed = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    answers = iter([lambda conn: conn.sendall(failed)])
    server = raw(lambda conn: next(answers, page)(conn))
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    assert main(["list", "--base-url", server.base_url, "--format", "jsonl"]) == 0
    assert server.page_0 == 2
    early, client = (_fields(head) for head in server.heads[:2])
    for name in ("user-agent", "accept", "authorization"):
        assert early[name] == client[name], name
    assert early["user-agent"].startswith("closetui/")


# -- The environment's proxies, as httpx reads them ----------------------------------------


@pytest.mark.parametrize("name", ["Http_Proxy", "ALL_proxy"])
def test_a_proxy_named_in_any_case_is_not_gone_round(name, server, capsys, monkeypatch):
    # httpx takes its proxies from urllib's getproxies(), which reads every *_proxy variable
    # whatever its case: the request for page 0 with the key in it must meet the same (dead)
    # proxy as every other request, and never go to the server directly.
    monkeypatch.setenv("CLOSE_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert main(["list", "--base-url", server.base_url, "--format", "jsonl"]) != 0
    assert sum(1 for r in server.router.requests_to("sequence/") if r.query["_skip"] == "0") == 0
