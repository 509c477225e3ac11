"""The benchmark reply served from its own process, for the pseudo-terminal benchmarks.

``python -m benchmarks.stream_server --chunks N`` starts the loopback server
(``tests/support/loopback.py``) on 127.0.0.1 and answers every chat request with the
~100 KB Markdown reply (``markdown_reply.long_reply``) as N SSE chunks, as fast as it
can, and ``GET .../models`` with a one-model list (for clients that ask). It prints one
JSON line per event on stdout: ``listening`` (with the URL), then ``request`` and
``sent`` (the last write of a reply drained) with ``time.monotonic()`` stamps, one clock
for every process of the machine. It stops when its stdin closes.

Its own process, so that neither the terminal emulator nor the harness's threads, which
hold the GIL for long stretches, slow down the sending.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from benchmarks.markdown_reply import long_reply, split_evenly, sse_stream
from tests.support.loopback import LoopbackServer, Recorded, Reply

MODEL = "bench/model"
PIECE_SIZE = 4096  # bytes the server writes at a time, as in stream_render
USAGE = {"prompt_tokens": 18_000, "completion_tokens": 25_000, "cost": 0.41}
MODELS = {"object": "list", "data": [{"id": MODEL, "object": "model", "created": 0,
                                      "owned_by": "bench"}]}


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "at": time.monotonic(), **fields}), flush=True)


class ReportingServer(LoopbackServer):
    """The loopback server, telling the harness when each request came and when the last
    write of its reply drained into the kernel's socket buffers."""

    async def _respond(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        done = await super()._respond(reply, writer)
        say("sent", bytes=sum(len(p) for p in reply.pieces))
        return done


def make_server(chunks: int) -> ReportingServer:
    body = sse_stream(split_evenly(long_reply(), chunks), MODEL, USAGE)

    def answer(request: Recorded) -> Reply:
        say("request", method=request.method, path=request.path)
        if request.path.rstrip("/").endswith("/models") or "/models?" in request.path:
            return Reply.json(MODELS)
        if request.path.endswith("/chat/completions"):
            return Reply.sse(body, piece_size=PIECE_SIZE)
        return Reply.json({"error": {"message": f"no {request.path} here"}}, status=404)

    server = ReportingServer()
    server.default = answer
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stream_server",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    args = parser.parse_args(argv)
    server = make_server(args.chunks).start()
    say("listening", url=server.url)
    try:
        sys.stdin.read()  # until the harness closes our stdin (or goes away)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
