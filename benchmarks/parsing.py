"""Parsing: ``ChatClient.stream`` against a raw httpx read of the same bytes.

Run from the project root::

    .venv/bin/python -m benchmarks.parsing [--repeat N] [--profile]

Each run is a fresh process. In it a loopback HTTP server (``tests/support/loopback.py``)
sends the stream-render benchmark's event stream (``markdown_reply.long_reply``, ~100 KB
of Markdown, as 20,000 SSE chunks in 4 KB writes) to

* the baseline: plain httpx reads the whole body, nothing parsed;
* ``ChatClient.stream``: the same bytes read, decoded and built into the reply, from the
  request to the last delta.

Both clients are made and used once before the clock starts (the app makes its client
before Enter), then the two reads take turns, ``PAIRS`` of each; a run's figure is the
median of its reads. Every read checks that it got the whole body, and every parsed one
that the deltas rebuild the reply exactly. Printed with the ratio (goal: within 3x) and
written to ``benchmarks/results/parsing.json``. ``--profile`` adds one run of the parsed
read under pyinstrument (``pip install pyinstrument``; not a project dependency).
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.instruments import RESULTS, TimedServer, arguments, in_fresh_process, save
from benchmarks.markdown_reply import long_reply, split_evenly, sse_stream
from tests.support.loopback import Reply
from tui.api.client import ChatClient
from tui.api.reply import Delta
from tui.api.request import ChatRequest
from tui.config import Profile

CHUNKS = 20_000
PIECE_SIZE = 4096  # bytes the server writes at a time, as in stream_render
MODEL = "bench/model"
USAGE = {"prompt_tokens": 18_000, "completion_tokens": 25_000, "cost": 0.41}
PAIRS = 3  # raw and parsed reads per run, by turns
GOAL = 3.0  # ChatClient.stream within this many times the raw read
REQUEST = ChatRequest(MODEL, [{"role": "user", "content": "Write the design document"}])


async def raw_read(server: TimedServer, http: httpx.AsyncClient, body: bytes) -> float:
    """The baseline: the body read by httpx, nothing parsed."""
    server.enqueue(Reply.sse(body, piece_size=PIECE_SIZE))
    size = 0
    start = time.perf_counter()
    async with http.stream("POST", f"{server.url}/chat/completions", content=b"{}") as response:
        async for piece in response.aiter_bytes():
            size += len(piece)
    end = time.perf_counter()
    if size != len(body):
        raise RuntimeError(f"the raw read got {size} of {len(body)} B")
    return end - start


async def parsed_read(server: TimedServer, client: ChatClient, body: bytes, text: str) -> float:
    """``ChatClient.stream``: request to the last delta, the reply checked whole."""
    server.enqueue(Reply.sse(body, piece_size=PIECE_SIZE))
    parts: list[str] = []
    stream = client.stream(REQUEST)
    start = last = time.perf_counter()
    async for event in stream:
        if isinstance(event, Delta) and event.kind == "content":
            parts.append(event.text)
            last = time.perf_counter()
    if "".join(parts) != text or stream.reply.content != text or stream.failure is not None:
        raise RuntimeError(f"the client did not rebuild the reply ({stream.failure})")
    return last - start


async def one_run(profile: bool) -> dict[str, Any]:
    text = long_reply()
    body = sse_stream(split_evenly(text, CHUNKS), MODEL, USAGE)
    server = TimedServer()
    server.start()
    try:
        async with httpx.AsyncClient() as http, ChatClient(Profile("bench", server.url)) as client:
            client.warm_up()
            await raw_read(server, http, body)  # warm-up: connections, imports, code paths
            await parsed_read(server, client, body, text)
            raw, parsed = [], []
            for _ in range(PAIRS):
                raw.append(await raw_read(server, http, body))
                parsed.append(await parsed_read(server, client, body, text))
            if profile:
                _profiled(await _under_profiler(parsed_read(server, client, body, text)))
        await asyncio.sleep(0.05)  # the server sees the connections close before it stops
    finally:
        server.stop()
    return {"raw_read": statistics.median(raw), "parsed_read": statistics.median(parsed),
            "raw_reads": raw, "parsed_reads": parsed,
            "meta": {"reply_bytes": len(text.encode()), "body_bytes": len(body)}}


async def _under_profiler(work: Any) -> Any:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    try:
        await work
    finally:
        profiler.stop()
    return profiler


def _profiled(profiler: Any) -> None:
    from pyinstrument.renderers import ConsoleRenderer

    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "parsing_profile.html").write_text(profiler.output_html())
    session = profiler.last_session
    tree = ConsoleRenderer(time="percent_of_total",
                           processor_options={"filter_threshold": 0.005}).render(session)
    (RESULTS / "parsing_profile.txt").write_text(tree)
    flat = ConsoleRenderer(flat=True, time="percent_of_total").render(session)
    (RESULTS / "parsing_profile_flat.txt").write_text(flat)


# --- the whole benchmark ------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    raw = summary([r["raw_read"] for r in runs])
    parsed = summary([r["parsed_read"] for r in runs])
    ratios = summary([r["parsed_read"] / r["raw_read"] for r in runs])
    return {
        "meta": {**runs[0]["meta"], "chunks": CHUNKS, "piece_size": PIECE_SIZE,
                 "pairs_per_run": PAIRS, "repeat": len(runs), "goal_ratio": GOAL,
                 "python": platform.python_version(), "machine": platform.machine()},
        "raw_read": raw,
        "parsed_read": parsed,
        "ratio": parsed["median"] / raw["median"],
        "ratio_per_run": ratios,
        "met": parsed["median"] / raw["median"] <= GOAL,
        "runs": runs,
    }


def measure(repeat: int) -> dict[str, Any]:
    runs = []
    for i in range(repeat):
        run = in_fresh_process("parsing", timeout=300)
        runs.append(run)
        print(f"run {i + 1}/{repeat}: httpx {_ms(run['raw_read'])}, ChatClient.stream "
              f"{_ms(run['parsed_read'])} ({run['parsed_read'] / run['raw_read']:.2f}x)",
              file=sys.stderr, flush=True)
    results = aggregate(runs)
    save("parsing", results)
    return results


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The row for ``python -m benchmarks``."""
    return [{"figure": "parsing 100 KB/20k chunks: ChatClient.stream",
             "median": results["parsed_read"]["median"],
             "baseline": results["raw_read"]["median"], "baseline_label": "raw httpx read",
             "goal": f"≤ {GOAL:g}x baseline", "met": results["met"]}]


def report(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        f"parsing: {meta['reply_bytes']:,} B of Markdown in {CHUNKS:,} chunks "
        f"({meta['body_bytes']:,} B of SSE), {meta['repeat']} runs × {PAIRS} reads each",
        "",
        f"{'figure':<36}{'median':>9}{'min':>9}{'max':>9}",
        f"{'baseline: httpx read, no parsing':<36}" + _cells(results["raw_read"]),
        f"{'ChatClient.stream, to last delta':<36}" + _cells(results["parsed_read"]),
        "",
        f"ratio of medians {results['ratio']:.2f}x ({_ms(results['parsed_read']['median'])}"
        f" / {_ms(results['raw_read']['median'])}; per run: median "
        f"{results['ratio_per_run']['median']:.2f}x, "
        f"{results['ratio_per_run']['min']:.2f}-{results['ratio_per_run']['max']:.2f}x); "
        f"goal ≤ {GOAL:g}x: {'met' if results['met'] else 'MISSED'}",
        "reply rebuilt whole in every parsed read: yes",
    ]
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _cells(stats: dict[str, float]) -> str:
    return "".join(f"{_ms(stats[k]):>9}" for k in ("median", "min", "max"))


def main(argv: list[str] | None = None) -> int:
    parser = arguments("parsing", __doc__, repeat=5)
    parser.add_argument("--profile", action="store_true",
                        help="one more run, its parsed read under pyinstrument "
                             "(results/parsing_profile*)")
    args = parser.parse_args(argv)
    if args.one_run:
        result = asyncio.run(one_run(args.profile))
        Path(args.one_run).write_text(json.dumps(result))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = measure(args.repeat)
    if args.profile:
        in_fresh_process("parsing", "--profile", timeout=300)
    print(report(results))
    if args.profile:
        flat = (RESULTS / "parsing_profile_flat.txt").read_text().splitlines()
        print("\nprofiled read (pyinstrument slows it down), self time by function:")
        print("\n".join(line for line in flat[8:38] if line.strip()))
        print(f"call tree: {RESULTS / 'parsing_profile.txt'} (and .html)")
    print(f"\nwritten: {RESULTS / 'parsing.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
