"""The fake Close API as a real HTTP server on loopback, for tests, benchmarks and trying the
client against something that speaks HTTP: `python -m closetui.demo.server --port 8765`."""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from closetui.demo.data import DEFAULT_SIZE, DEMO_API_KEY, SEED_ID, DemoOrg
from closetui.demo.replay import Replay
from closetui.demo.router import FakeClose, Faults, Reply

Router = FakeClose | Replay  # what answers: the demo organization, or a recorded trace


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Close's servers do
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # the router keeps the request log; stderr stays quiet

    def setup(self) -> None:
        super().setup()
        # The head and the body go out as two writes: with Nagle's algorithm the body waits
        # for the head's delayed ACK, 40 ms on every small answer. Servers in front of APIs
        # send at once, and so does this one.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        router = self.server.router
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 1_000_000)) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        faults = router.faults
        back = faults.latency
        if faults.jitter > 0:
            there = max(0.0, faults.latency / 2 + random.uniform(-faults.jitter, faults.jitter))
            back = max(0.0, faults.latency / 2 + random.uniform(-faults.jitter, faults.jitter))
            time.sleep(there)
        reply = router.handle(self.command, self.path, headers, body)  # logged as it arrives
        if back > 0:
            time.sleep(back)
        if reply.action == "hang":
            self.server.stopping.wait(reply.hang_seconds)
            reply.action = "drop"
        if reply.action == "drop":
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            self._send_stream(reply)
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _send_stream(self, reply: Reply) -> None:
        """A body made as it goes: until it ends, the client hangs up, or the server stops."""
        assert reply.stream is not None
        chunked = reply.length is None
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(reply.length))
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in reply.stream:
                if self.server.stopping.is_set():
                    break
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
                self.wfile.flush()
            else:
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client left: what a client that caps a body does

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops connections when a client opens more at once,
    # and each dropped one arrives a second late (its first packet resent): no real API does.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up (or a dropped-connection fault) is not news

    def __init__(self, address: tuple[str, int], router: Router) -> None:
        self.router = router
        self.stopping = threading.Event()
        super().__init__(address, _Handler)


class DemoServer:
    """`with DemoServer() as server:` serves on a free port of 127.0.0.1 in a thread."""

    def __init__(self, router: Router | None = None, host: str = "127.0.0.1", port: int = 0):
        self.router = router or FakeClose()
        self._server = _Server((host, port), self.router)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1/"

    @property
    def faults(self) -> Faults:
        return self.router.faults

    def start(self) -> DemoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server.stopping.is_set():
            return
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m closetui.demo.server", description="Serve the demo Close API on loopback."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="number of sequences")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--jitter", type=float, default=0.0, help="± seconds on each trip")
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per second")
    parser.add_argument(
        "--max-skip",
        type=int,
        default=None,
        metavar="N",
        help="refuse a _skip past N with Close's 400 (max_skip = N), as Close caps paging",
    )
    parser.add_argument(
        "--subscriptions",
        type=int,
        default=None,
        metavar="N",
        help=f"runs of the first sequence, {SEED_ID} (default 15), made as they are asked for",
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        type=Path,
        help="answer with the exchanges a `closetui --trace FILE` recorded, any key accepted",
    )
    args = parser.parse_args(argv)
    if args.replay is not None:
        try:
            replay = Replay.from_file(args.replay)
        except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            parser.error(f"cannot replay the trace {args.replay}: {exc}")
        server = DemoServer(replay, port=args.port)
        print(
            f"Replaying {args.replay} at {server.base_url} (any key); Ctrl+C stops it.", flush=True
        )
    else:
        faults = Faults(latency=args.latency, jitter=args.jitter, rate_limit=args.rate_limit)
        org = DemoOrg(args.size, subscriptions=args.subscriptions)
        router = FakeClose(org, faults, max_skip=args.max_skip, log=False)
        server = DemoServer(router, port=args.port)
        print(
            f"Demo Close API at {server.base_url} (key: {DEMO_API_KEY}); Ctrl+C stops it.",
            flush=True,
        )
    with contextlib.suppress(KeyboardInterrupt):
        server._server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
