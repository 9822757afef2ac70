"""The fake Close API as an httpx transport: `--demo` runs the real client, paging and
retries over it, with no socket and no account."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx

from closetui.demo.router import FakeClose


class DemoTransport(httpx.AsyncBaseTransport):
    def __init__(self, router: FakeClose | None = None) -> None:
        self.router = router or FakeClose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.raw}
        target = request.url.raw_path.decode("ascii")
        # Generating a page of a large organization takes milliseconds: keep it off the loop
        # that paints the screen.
        body = await request.aread()
        reply = await asyncio.to_thread(
            self.router.handle, request.method, target, headers, bytes(body)
        )
        latency = self.router.faults.latency
        if latency > 0:
            await asyncio.sleep(latency)
        if reply.action == "drop":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if reply.action == "hang":
            await asyncio.sleep(reply.hang_seconds)
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        if reply.stream is not None:
            return httpx.Response(reply.status, headers=reply.headers, stream=_Chunks(reply.stream))
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)


class _Chunks(httpx.AsyncByteStream):
    """A body made as it is read (a huge, endless or dripping one), off the event loop."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while (chunk := await asyncio.to_thread(next, self._chunks, None)) is not None:
            yield chunk
