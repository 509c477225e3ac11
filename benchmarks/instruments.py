"""What the benchmarks measure with: clocks on the server and the client's transport, an
event-loop stall probe and a garbage-collector pause log. All use ``time.perf_counter``,
one clock for every thread of the process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import html
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from tests.support.loopback import LoopbackServer, Reply


class TimedServer(LoopbackServer):
    """The loopback server, noting when its last write of a reply drained: every byte is
    then in the kernel's socket buffers, ready for the client to read."""

    sent_at = 0.0

    async def _respond(self, reply: Reply, writer: asyncio.StreamWriter) -> bool:
        done = await super()._respond(reply, writer)
        self.sent_at = time.perf_counter()
        return done


class _TimedBody(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, owner: TimedTransport) -> None:
        self.inner = inner
        self.owner = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in self.inner:
            now = time.perf_counter()
            if not self.owner.first_byte_at:
                self.owner.first_byte_at = now
            self.owner.last_byte_at = now
            self.owner.bytes_read += len(piece)
            yield piece

    async def aclose(self) -> None:
        await self.inner.aclose()


class TimedTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, noting when the client read the first and the last body
    bytes. The reads happen on the reading loop, so a busy UI loop reads them late."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.first_byte_at = 0.0
        self.last_byte_at = 0.0
        self.bytes_read = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_TimedBody(response.stream, self),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class StallMonitor:
    """Sleeps ``tick`` seconds at a time on the running loop; how late each wake-up comes
    is how long the loop was kept from running anything else."""

    def __init__(self, tick: float = 0.005, limit: float = 0.100) -> None:
        self.tick = tick
        self.limit = limit
        self.worst = 0.0
        self.over_limit = 0
        self.ticks = 0
        self.stalls: list[tuple[float, float]] = []  # (start, lateness) above 50 ms
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.tick)
            late = time.perf_counter() - before - self.tick
            self.ticks += 1
            self.worst = max(self.worst, late)
            if late > self.limit:
                self.over_limit += 1
            if late > 0.050:
                self.stalls.append((before, late))


class FrameClock:
    """When the app drew its last frame. Textual hands each update it composed to
    ``App._display`` (headless too, where nothing is written out); this notes the time of
    every one that changed the screen. Pilot's own waits (``press`` and ``pause`` wait
    for the whole process to idle for 20 ms at a time) come after the final frame and
    are not the app's time."""

    def __init__(self, app: Any) -> None:
        self.count = 0
        self.last = 0.0
        display = app._display

        def timed(screen: Any, update: Any) -> None:
            display(screen, update)
            if update is not None:
                self.count += 1
                self.last = time.perf_counter()

        app._display = timed


ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def arguments(module: str, doc: str | None, repeat: int) -> argparse.ArgumentParser:
    """``python -m benchmarks.MODULE [--repeat N]``, and the hidden ``--one-run OUT`` that
    ``in_fresh_process`` passes to run one measurement."""
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{module}",
                                     description=(doc or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=repeat, help="runs (each a fresh process)")
    parser.add_argument("--one-run", metavar="OUT", help=argparse.SUPPRESS)
    return parser


def save(name: str, result: dict[str, Any]) -> Path:
    """``results/NAME.json`` (not committed)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def in_fresh_process(module: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    """One run of ``python -m benchmarks.MODULE --one-run OUT ARGS`` and its JSON result.
    Each run is a fresh process: an app closed by ``run_test`` is not freed at once, and
    apps left in the heap make every later garbage collection slower."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, "-m", f"benchmarks.{module}", "--one-run", out.name, *args]
        subprocess.run(command, cwd=ROOT, check=True, timeout=timeout)
        result: dict[str, Any] = json.loads(Path(out.name).read_text())
        return result


def start_like_the_app() -> None:
    """The collector off, as ``run_app`` leaves it for start-up: the app freezes the heap
    and turns the collector back on once its first screen is up (``tui.ui.speed.heap``)."""
    gc.disable()


async def after_start_up(timeout: float = 10.0) -> None:
    """Wait for the end of the app's start-up (its warm-up, 0.3 s after mount, ends by
    turning the collector on), as a person reading the screen before typing does."""
    deadline = time.perf_counter() + timeout
    while not gc.isenabled():
        if time.perf_counter() > deadline:
            raise RuntimeError("the app never finished starting up")
        await asyncio.sleep(0.01)


class GcPauses:
    """Every cyclic garbage collection between ``start`` and ``stop``: when, how long,
    which generation."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []
        self._began = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.pauses.append((self._began, time.perf_counter() - self._began,
                                info["generation"]))

    def start(self) -> None:
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def summary(self) -> dict[str, float]:
        full = [d for _, d, generation in self.pauses if generation == 2]
        return {
            "count": len(self.pauses),
            "seconds": sum(d for _, d, _ in self.pauses),
            "gen2_count": len(full),
            "gen2_longest": max(full, default=0.0),
        }


def screenshot_text(svg: str) -> str:
    """The characters of an ``App.export_screenshot()`` SVG, whitespace removed."""
    text = "".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    return "".join(html.unescape(text).split())
