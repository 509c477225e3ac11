"""Compare: four columns, each receiving 5,000 chunks at full speed.

Run from the project root::

    .venv/bin/python -m benchmarks.compare_streams [--repeat N]

A loopback server answers each column's request with its own ~25 KB Markdown reply cut
into 5,000 SSE chunks, sent as fast as it can. Baseline: the same four streams read and
parsed concurrently by ``ChatClient.stream`` with no UI. The app (headless, 160x40)
gets a prompt and Enter on a compare screen of four columns; reported: Enter to the
final frame, once every column finished (goal within 3x of the baseline;
``instruments.FrameClock``), Enter to the moment Pilot saw the app idle (with Pilot's
own waits), the app thread's CPU time, and the longest event-loop stall (goal ≤ 50 ms).
Each run is a fresh process. Results: a table, and benchmarks/results/compare.json.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import (
    FrameClock,
    StallMonitor,
    TimedServer,
    after_start_up,
    arguments,
    in_fresh_process,
    save,
    start_like_the_app,
)
from benchmarks.markdown_reply import long_reply, split_evenly, sse_stream
from tests.support.loopback import Recorded, Reply
from tui.api.client import ChatClient
from tui.api.request import ChatRequest
from tui.config import Paths, Profile, load_config
from tui.model.compare import new_compare
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.screens.compare import CompareScreen
from tui.ui.widgets.prompt import PromptArea

COLUMNS = 4
CHUNKS = 5_000
MODELS = [f"bench/model-{i}" for i in range(COLUMNS)]
GOAL_STALL = 0.050  # issue 20 (was 100 ms)
GOAL_RATIO = 3.0  # Enter → settled against the four streams with no UI (issue 20)
RUN_TIMEOUT = 120.0


def bodies() -> dict[str, tuple[str, bytes]]:
    """Each model's reply text and event-stream body (different text per column)."""
    out = {}
    for index, model in enumerate(MODELS):
        text = long_reply(target_bytes=25_000, seed=7 + index)
        usage = {"prompt_tokens": 20, "completion_tokens": len(text) // 4, "cost": 0.001}
        out[model] = (text, sse_stream(split_evenly(text, CHUNKS), model, usage))
    return out


def serve(server: TimedServer, streams: dict[str, tuple[str, bytes]]) -> None:
    def reply(request: Recorded) -> Reply:
        if not request.path.endswith("/chat/completions"):
            return Reply(status=404, pieces=[b"{}"], chunked=False)
        body = streams[json.loads(request.body)["model"]][1]
        return Reply.sse(body, piece_size=4096)

    server.default = reply


async def baseline(server: TimedServer) -> float:
    """Four streams read and parsed concurrently by the client, no UI."""
    profile = Profile("bench", server.url)

    async def one(client: ChatClient, model: str) -> None:
        request = ChatRequest(model=model, messages=[{"role": "user", "content": "Go"}])
        async for _ in client.stream(request):
            pass

    async with ChatClient(profile) as client:
        start = time.perf_counter()
        await asyncio.gather(*(one(client, m) for m in MODELS))
        return time.perf_counter() - start


async def ui_run(
    server: TimedServer, home: Path, streams: dict[str, tuple[str, bytes]]
) -> dict[str, Any]:
    paths = Paths(home, home, home / "cache")
    base = load_config(paths, environ={})
    profile = Profile("bench", server.url)
    config = dataclasses.replace(base, profile=profile, model=MODELS[0],
                                 profiles={**base.profiles, "bench": profile})
    store = ConversationStore(paths.conversations)
    start_like_the_app()
    app = make_app(config, store=store, client=ChatClient(profile),
                   settings=Settings(home / "settings.toml"),
                   conversation=new_compare(MODELS, store_conversation(store, config)),
                   fetch_catalog=False)
    monitor = StallMonitor(limit=GOAL_STALL)
    frames = FrameClock(app)
    async with app.run_test(size=(160, 40)) as pilot:
        while not isinstance(app.focused, PromptArea):
            await asyncio.sleep(0.01)
        await after_start_up()
        app.query_one(PromptArea).load_text("Go")
        monitor.start()
        start = time.perf_counter()
        cpu_at_start = time.thread_time()  # the app's thread: the server has its own
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        while not screen._workers or screen.streaming:
            await asyncio.sleep(0.005)
        await app.workers.wait_for_complete()
        while any(view.rendering for view in app.screen.query(MarkdownView)):
            await asyncio.sleep(0.005)
        await pilot.pause()
        settled = time.perf_counter()
        app_cpu = time.thread_time() - cpu_at_start
        await monitor.stop()
        problems = []
        if frames.last > settled:
            problems.append("the screen was still changing after it looked settled")
        for column in screen.columns:
            reply = column.transcript.replies()[-1].message
            if reply.content != streams[column.model][0] or reply.error:
                problems.append(f"column {column.index + 1} differs ({reply.error or 'text'})")
    worst = sorted(monitor.stalls, key=lambda s: -s[1])[:5]
    return {"final_frame": frames.last - start, "total": settled - start, "app_cpu": app_cpu,
            "frames": frames.count,
            "longest_stall": monitor.worst,
            "worst_stalls": [{"at": round(at - start, 3), "seconds": round(late, 3)}
                             for at, late in worst],
            "stalls_over_goal": monitor.over_limit, "problems": problems}


def store_conversation(store: ConversationStore, config: Any) -> Any:
    from tui.chat.turn import new_conversation

    conversation = new_conversation(config)
    conversation.id = store.new_id()
    return conversation


async def one_run() -> dict[str, Any]:
    server = TimedServer()
    server.start()
    streams = bodies()
    serve(server, streams)
    try:
        await baseline(server)  # warm-up
        parsed = await baseline(server)
        with tempfile.TemporaryDirectory(prefix="cline-tui-compare-") as home:
            ui = await asyncio.wait_for(ui_run(server, Path(home), streams), RUN_TIMEOUT)
        return {"baseline": parsed, **ui}
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    args = arguments("compare_streams", __doc__, repeat=3).parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run())))
        return 0
    runs = []
    for index in range(args.repeat):
        run = in_fresh_process("compare_streams", timeout=RUN_TIMEOUT + 60)
        runs.append(run)
        print(f"run {index + 1}/{args.repeat}: final frame {run['final_frame']:.2f} s, "
              f"Pilot saw it idle {run['total']:.2f} s, app thread CPU "
              f"{run['app_cpu']:.2f} s, baseline "
              f"{run['baseline']:.2f} s, longest stall {run['longest_stall'] * 1000:.0f} ms",
              flush=True)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    final, total = median("final_frame"), median("total")
    base, stall = median("baseline"), median("longest_stall")
    cpu = median("app_cpu")
    print(f"\ncompare: {COLUMNS} columns x {CHUNKS:,} chunks (~25 KB each), {len(runs)} runs\n")
    print(f"{'figure':<46}{'median':>10}{'baseline':>10}{'ratio':>8}  goal")
    print(f"{'Enter → final frame, every column done':<46}{final:>9.2f}s{base:>9.2f}s"
          f"{final / base:>7.1f}x  ≤ {GOAL_RATIO:.0f}x "
          + ("met" if final <= GOAL_RATIO * base else "MISSED"))
    print(f"{'Enter → Pilot saw the app idle':<46}{total:>9.2f}s{base:>9.2f}s"
          f"{total / base:>7.1f}x")
    print(f"{'app thread CPU, Enter → settled':<46}{cpu:>9.2f}s{base:>9.2f}s{cpu / base:>7.1f}x")
    verdict = "met" if stall <= GOAL_STALL else "MISSED"
    print(f"{'longest event-loop stall':<46}{stall * 1000:>8.0f}ms{'':>18}  ≤ 50 ms {verdict}")
    problems = [p for r in runs for p in r["problems"]]
    print(f"\nevery column whole in every run: {problems or 'yes'}")
    path = save("compare", {"columns": COLUMNS, "chunks": CHUNKS, "runs": runs,
                            "median": {"final_frame": final, "total": total, "app_cpu": cpu,
                                       "baseline": base, "longest_stall": stall}})
    print(f"written: {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
