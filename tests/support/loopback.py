"""A real HTTP/1.1 server on 127.0.0.1 for tests, scripted response by response.

It runs on its own thread and event loop, so async tests, Pilot tests and subprocesses
can all talk to it over real sockets. Each request takes the next scripted ``Reply``
(or the default one); the reply can be chunked into pieces, slowed down, stalled, or
cut off with a TCP reset. Every request is recorded for server-side assertions.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support import strict_chat


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    pieces: list[bytes] = field(default_factory=list)
    chunked: bool = True
    delay: float = 0.0  # seconds between pieces
    stall_after: int | None = None  # after this many pieces, go silent for ``stall`` s
    stall: float = 0.0
    reset_after: int | None = None  # after this many pieces, reset the connection
    path: str | None = None  # answer requests to this path (None: /chat/completions)

    @classmethod
    def sse(cls, body: bytes, piece_size: int = 0, **kwargs: Any) -> Reply:
        pieces = [body] if piece_size <= 0 else [
            body[i : i + piece_size] for i in range(0, len(body), piece_size)
        ]
        return cls(headers=[("Content-Type", "text/event-stream")], pieces=pieces, **kwargs)

    @classmethod
    def json(
        cls, data: Any, status: int = 200, headers: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> Reply:
        body = json.dumps(data).encode()
        return cls(
            status=status,
            headers=[("Content-Type", "application/json"), *(headers or [])],
            pieces=[body],
            chunked=False,
            **kwargs,
        )

    @classmethod
    def http(cls, raw: bytes, **kwargs: Any) -> Reply:
        """A captured HTTP/1.1 response (status line, headers, blank line, body)."""
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() != "content-length":
                headers.append((name.strip(), value.strip()))
        return cls(int(lines[0].split()[1]), headers, [body], chunked=False, **kwargs)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LoopbackServer:
    def __init__(self, strict: bool = False) -> None:
        # Strict: a chat request a strict server rejects (tests/support/strict_chat.py) gets a 400.
        self.strict = strict
        self.violations: list[strict_chat.Violation] = []
        self.replies: deque[Reply] = deque()
        self.default: Reply | Callable[[Recorded], Reply] = Reply(status=404, pieces=[b"{}"])
        self.requests: list[Recorded] = []
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        )
        self._server = future.result(5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def enqueue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def chat_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def _next_reply(self, request: Recorded) -> Reply:
        for reply in list(self.replies):
            if reply.path == request.path or (
                reply.path is None and request.path.endswith("/chat/completions")
            ):
                self.replies.remove(reply)
                return reply
        return self.default(request) if callable(self.default) else self.default

    def _strict_refusal(self, request: Recorded) -> Reply | None:
        if not self.strict or not request.path.endswith("/chat/completions"):
            return None
        broken = strict_chat.violation(request.body)
        if broken is None:
            return None
        self.violations.append(broken)
        return Reply.json(strict_chat.error_body(broken), status=400)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                reply = self._strict_refusal(request) or self._next_reply(request)
                if not await self._respond(reply, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    def head_read(self) -> None:
        """A request's head has been read (its body not yet): a hook for benchmarks."""

    async def _read_request(self, reader: asyncio.StreamReader) -> Recorded | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        self.head_read()
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        return Recorded(method, path, headers, body)

    async def _respond(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        """Send ``reply``; False when the connection was deliberately broken."""
        reason = {200: "OK", 404: "Not Found"}.get(reply.status, "Status")
        head = [f"HTTP/1.1 {reply.status} {reason}"]
        head += [f"{name}: {value}" for name, value in reply.headers]
        if reply.chunked:
            head.append("Transfer-Encoding: chunked")
        else:
            head.append(f"Content-Length: {sum(len(p) for p in reply.pieces)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        for index, piece in enumerate(reply.pieces):
            if reply.reset_after is not None and index == reply.reset_after:
                await asyncio.sleep(0.2)  # let the client read what was sent first
                self._reset(writer)
                return False
            if reply.stall_after is not None and index == reply.stall_after:
                await asyncio.sleep(reply.stall)
            if reply.chunked:
                if piece:
                    writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                writer.write(piece)
            await writer.drain()
            if reply.delay:
                await asyncio.sleep(reply.delay)
        if reply.reset_after is not None and reply.reset_after >= len(reply.pieces):
            await asyncio.sleep(0.2)
            self._reset(writer)
            return False
        if reply.chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        return True

    @staticmethod
    def _reset(writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()


def sse_body(*chunks: dict[str, Any], done: bool = True) -> bytes:
    """An event-stream body from chunk dicts."""
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return body + (b"data: [DONE]\n\n" if done else b"")


def text_chunks(*pieces: str, model: str = "test/model", usage: dict[str, Any] | None = None,
                reasoning: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Chunks of a simple streamed reply: reasoning pieces, then content pieces, then a
    finish chunk carrying ``usage``."""
    chunks: list[dict[str, Any]] = []
    for text in reasoning:
        chunks.append({"id": "gen-1", "model": model,
                       "choices": [{"index": 0, "delta": {"reasoning": text}}]})
    for text in pieces:
        chunks.append({"id": "gen-1", "model": model,
                       "choices": [{"index": 0, "delta": {"content": text}}]})
    final: dict[str, Any] = {"id": "gen-1", "model": model,
                             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    if usage is not None:
        final["usage"] = usage
    chunks.append(final)
    return chunks


def content(text: str, index: int = 0) -> dict[str, Any]:
    """A chunk with a piece of the reply's text."""
    return {"id": "gen-1", "choices": [{"index": index, "delta": {"content": text}}]}


def finish(reason: str = "stop", index: int = 0) -> dict[str, Any]:
    """The chunk that ends a reply."""
    return {"id": "gen-1", "choices": [{"index": index, "delta": {}, "finish_reason": reason}]}


FINISH = finish()


def event_pieces(*chunks: dict[str, Any]) -> list[bytes]:
    """One piece per SSE event, so a reset or a stall can come between two of them."""
    return [b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks]
