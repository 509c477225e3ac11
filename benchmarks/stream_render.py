"""Stream render: a 100 KB Markdown reply in 20,000 chunks, as fast as the server can send.

Run from the project root::

    .venv/bin/python -m benchmarks.stream_render [--repeat N] [--profile]

Each run is a fresh process (one app per process, as for a user; apps left behind by
``run_test`` would otherwise grow the heap and every later garbage collection). In it a
loopback HTTP server (``tests/support/loopback.py``) sends the same event stream to

* the baselines, with no UI: the body read by plain httpx, and the same request the app
  sends read and parsed by ``ChatClient.stream`` (request to last delta);
* the app, headless at 120x40, opened on a conversation of 60 earlier messages: a prompt
  is typed and Enter pressed; the reply streams into the transcript.

For the app: Enter to the final frame (the last update Textual drew, once the reply
worker finished and no view had blocks waiting; ``instruments.FrameClock``), the last
byte to that frame, and the longest event-loop stall while the reply streamed. Enter to
the moment Pilot saw the app idle is printed too: Pilot waits for 20 ms windows of a
quiet process, so that figure carries its waits on top of the app's. Printed
as a table and written to ``benchmarks/results/stream_render.json``. ``--profile`` adds
one run under pyinstrument (``pip install pyinstrument``; not a project dependency).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import textual
from textual.worker import Worker

from benchmarks.instruments import (
    RESULTS,
    FrameClock,
    GcPauses,
    StallMonitor,
    TimedServer,
    TimedTransport,
    after_start_up,
    arguments,
    in_fresh_process,
    save,
    screenshot_text,
    start_like_the_app,
)
from benchmarks.markdown_reply import long_reply, short_reply, split_evenly, sse_stream
from tests.support.loopback import Reply
from tui.api.client import ChatClient
from tui.api.reply import Delta
from tui.chat.budget import spent_today
from tui.chat.turn import build_request
from tui.config import Config, Paths, Profile, load_config
from tui.model.conversation import Conversation, Message
from tui.storage.settings import Settings
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.screens.chat import ChatScreen

CHUNKS = 20_000
PIECE_SIZE = 4096  # bytes the server writes at a time
HISTORY = 60  # earlier messages, half user, half assistant
MODEL = "bench/model"
PROMPT = "Write the full design document for the streaming renderer"
LAST_WORDS = "ask if any part needs more detail"  # the reply's last sentence
USAGE = {"prompt_tokens": 18_000, "completion_tokens": 25_000, "cost": 0.41}
GOAL_FINAL_FRAME = 0.5  # seconds from the last byte to the final frame
GOAL_STALL = 0.050  # longest event-loop stall while streaming (issue 20; was 100 ms)
RUN_TIMEOUT = 240.0


# --- one run (in its own process) ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Scenario:
    server: TimedServer
    text: str
    body: bytes
    config: Config
    store: ConversationStore
    settings_path: Path

    def history(self) -> Conversation:
        conversation = Conversation(model=MODEL, profile="bench", title="Earlier chat")
        for i in range(HISTORY // 2):
            conversation.add(Message(role="user", content=f"Question {i + 1}: how does part "
                                     f"{i + 1} of the renderer work?"))
            conversation.add(Message(role="assistant", content=short_reply(i), model=MODEL,
                                     finish_reason="stop"))
        return conversation

    def enqueue(self) -> None:
        self.server.enqueue(Reply.sse(self.body, piece_size=PIECE_SIZE))


def make_scenario(server: TimedServer, home: Path) -> Scenario:
    text = long_reply()
    body = sse_stream(split_evenly(text, CHUNKS), MODEL, USAGE)
    paths = Paths(home, home, home / "cache")
    base = load_config(paths, environ={})
    profile = Profile("bench", server.url)
    config = dataclasses.replace(
        base, profile=profile, model=MODEL, profiles={**base.profiles, "bench": profile}
    )
    return Scenario(server, text, body, config, ConversationStore(paths.conversations),
                    home / "settings.toml")


async def raw_read(scenario: Scenario) -> float:
    """Baseline 1: the body read by httpx, nothing parsed."""
    scenario.enqueue()
    async with httpx.AsyncClient() as http:
        start = time.perf_counter()
        size = 0
        url = f"{scenario.server.url}/chat/completions"
        async with http.stream("POST", url, content=b"{}") as response:
            async for piece in response.aiter_bytes():
                size += len(piece)
        end = time.perf_counter()
    if size != len(scenario.body):
        raise RuntimeError("the raw read lost bytes")
    return end - start


async def parsed_read(scenario: Scenario) -> float:
    """Baseline 2: the request the app sends, read and parsed by ChatClient.stream with
    no UI; from the request to the last delta. The client is made (and warmed up) before
    the clock starts, as the app makes its own before Enter."""
    scenario.enqueue()
    conversation = scenario.history()
    conversation.add(Message(role="user", content=PROMPT))
    parts: list[str] = []
    async with ChatClient(scenario.config.profile) as client:
        client.warm_up()
        start = last = time.perf_counter()
        async for event in client.stream(build_request(conversation)):
            if isinstance(event, Delta) and event.kind == "content":
                parts.append(event.text)
                last = time.perf_counter()
    if "".join(parts) != scenario.text:
        raise RuntimeError("the client did not rebuild the reply")
    return last - start


async def _reply_worker(app: Any) -> Worker[Any] | None:
    for _ in range(5000):
        for worker in app.workers:
            if worker.group == "reply":
                return worker
        if len(app.screen.conversation.messages) > HISTORY + 1:
            return None  # already finished
        await asyncio.sleep(0.001)
    raise RuntimeError("the reply worker never started")


async def ui_run(scenario: Scenario, profiler: Any = None) -> dict[str, Any]:
    """The app: open the 60-message conversation, type a prompt, press Enter, wait for the
    reply worker and the screen to settle."""
    scenario.enqueue()
    transport = TimedTransport()
    conversation = scenario.history()
    # A returning user's chat: on disk, and counted in the history index (built once
    # their first reply was saved), so the chat counts today's spend when it opens.
    scenario.store.save(conversation)
    spent_today(scenario.config)
    start_like_the_app()
    app = make_app(
        scenario.config,
        store=scenario.store,
        client=ChatClient(scenario.config.profile, transport=transport),
        settings=Settings(scenario.settings_path),
        conversation=conversation,
        fetch_catalog=False,
    )
    monitor = StallMonitor(limit=GOAL_STALL)
    collections = GcPauses()
    frames = FrameClock(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await after_start_up()
        await pilot.press(*PROMPT)
        monitor.start()
        collections.start()
        if profiler is not None:
            profiler.start()
        submitted = time.perf_counter()
        cpu_at_submit = time.thread_time()  # the app's thread: the server has its own
        await pilot.press("enter")
        worker = await _reply_worker(app)
        if worker is not None:
            await worker.wait()
        worker_done = time.perf_counter()
        await app.workers.wait_for_complete()
        while any(view.rendering for view in app.screen.query(MarkdownView)):
            await asyncio.sleep(0.005)  # blocks still drawn a frame's budget at a time
        await pilot.pause()
        settled = time.perf_counter()
        app_cpu = time.thread_time() - cpu_at_submit
        if profiler is not None:
            profiler.stop()
        collections.stop()
        await monitor.stop()
        await pilot.pause()  # what one pause costs on a quiet screen: the floor under it
        pause_floor = time.perf_counter() - settled
        problems = _check(app, scenario)
        final_frame = frames.last
        if final_frame > settled:
            problems.append("the screen was still changing after it looked settled")
    last_byte = transport.last_byte_at
    if transport.bytes_read < len(scenario.body) - 64:
        problems.append(f"the client read {transport.bytes_read} of {len(scenario.body)} B")
    return {
        "submit_to_final_frame": final_frame - submitted,
        "frames": frames.count,
        "submit_to_settled": settled - submitted,
        "app_cpu": app_cpu,
        "submit_to_first_byte": transport.first_byte_at - submitted,
        "submit_to_last_byte": last_byte - submitted,
        "submit_to_worker_done": worker_done - submitted,
        "last_byte_to_final_frame": final_frame - last_byte,
        "server_sent_to_final_frame": final_frame - scenario.server.sent_at,
        "longest_stall": monitor.worst,
        "stalls_over_goal": monitor.over_limit,
        "worst_stalls": [
            {"at": round(at - submitted, 3), "seconds": round(late, 3)}
            for at, late in sorted(monitor.stalls, key=lambda s: -s[1])[:5]
        ],
        "gc": collections.summary(),
        "gc_pauses_over_50ms": [
            {"at": round(at - submitted, 3), "seconds": round(d, 3), "generation": g}
            for at, d, g in collections.pauses if d > 0.050
        ],
        "pause_floor": pause_floor,
        "problems": problems,
    }


def _check(app: Any, scenario: Scenario) -> list[str]:
    """Whether the reply arrived whole: in the conversation, in its view's Markdown
    source, on disk, and on screen (the transcript follows the end of the reply)."""
    screen = app.screen
    if not isinstance(screen, ChatScreen):
        return ["the chat screen is not showing"]
    problems = []
    reply = screen.conversation.messages[-1]
    if reply.role != "assistant" or reply.content != scenario.text or reply.error:
        problems.append(f"the reply differs from the generated text ({reply.error or 'no error'})")
    view = screen.transcript.replies()[-1]
    if view.body.source != scenario.text:
        problems.append("the reply view's Markdown source differs from the generated text")
    saved = scenario.store.load(screen.conversation.id).messages[-1]
    if saved.content != scenario.text:
        problems.append("the saved reply differs from the generated text")
    source_lines = sum(1 for line in scenario.text.splitlines() if line.strip())
    if view.size.height < source_lines * 0.8:
        problems.append(f"the reply is {view.size.height} rows for {source_lines} source lines")
    if "".join(LAST_WORDS.split()) not in screenshot_text(app.export_screenshot()):
        problems.append("the end of the reply is not on screen")
    return problems


async def one_run(profile: bool) -> dict[str, Any]:
    server = TimedServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="cline-tui-bench-") as home:
            scenario = make_scenario(server, Path(home))
            await parsed_read(scenario)  # warm-up: the client's code paths and imports
            result: dict[str, Any] = {
                "raw_read": await raw_read(scenario),
                "parsed_read": await parsed_read(scenario),
            }
            profiler = None
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.001, async_mode="disabled")
            result["ui"] = await asyncio.wait_for(ui_run(scenario, profiler), RUN_TIMEOUT)
            if profiler is not None:
                _write_profile(profiler)
            result["meta"] = {"reply_bytes": len(scenario.text.encode()),
                              "body_bytes": len(scenario.body)}
            return result
    finally:
        server.stop()


def _write_profile(profiler: Any) -> None:
    from pyinstrument.renderers import ConsoleRenderer

    session = profiler.last_session
    options = {"show_regex": r".*/(textual|rich|markdown_it|httpx|httpcore|tui)/.*",
               "hide_regex": r".*/asyncio/.*", "filter_threshold": 0.01}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stream_render_profile.html").write_text(profiler.output_html())
    tree = ConsoleRenderer(time="percent_of_total", processor_options=options).render(session)
    (RESULTS / "stream_render_profile.txt").write_text(tree)
    flat = ConsoleRenderer(flat=True, time="percent_of_total").render(session)
    (RESULTS / "stream_render_profile_flat.txt").write_text(flat)


# --- the whole benchmark ------------------------------------------------------------


FIGURES = (
    # key, label, goal in seconds or None, shown against the parsed baseline?
    ("submit_to_final_frame", "Enter → final frame, reply whole", None, True),
    ("submit_to_settled", "Enter → Pilot saw the app idle", None, True),
    ("app_cpu", "app thread CPU, Enter → settled", None, True),
    ("submit_to_last_byte", "Enter → last byte read by the app", None, True),
    ("last_byte_to_final_frame", "last byte read → final frame", GOAL_FINAL_FRAME, False),
    ("server_sent_to_final_frame", "server sent all → final frame", GOAL_FINAL_FRAME, False),
    ("longest_stall", "longest event-loop stall", GOAL_STALL, False),
)


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [key for key, *_ in FIGURES] + ["submit_to_first_byte", "submit_to_worker_done",
                                          "pause_floor"]
    ui = {key: summary([r["ui"][key] for r in runs]) for key in keys}
    ui["gc_seconds"] = summary([r["ui"]["gc"]["seconds"] for r in runs])
    ui["gc_gen2_longest"] = summary([r["ui"]["gc"]["gen2_longest"] for r in runs])
    return {
        "meta": {
            **runs[0]["meta"],
            "chunks": CHUNKS,
            "piece_size": PIECE_SIZE,
            "history_messages": HISTORY,
            "terminal": [120, 40],
            "repeat": len(runs),
            "textual": textual.__version__,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "goals": {"last_byte_to_final_frame": GOAL_FINAL_FRAME, "longest_stall": GOAL_STALL},
            "last_byte": "read by the app: when its httpx transport yielded the last body "
                         "bytes; 'server sent' is when the server's last write drained",
        },
        "baseline": {"raw_read": summary([r["raw_read"] for r in runs]),
                     "parsed_read": summary([r["parsed_read"] for r in runs])},
        "ui": ui,
        "runs": runs,
    }


def report(results: dict[str, Any]) -> str:
    meta, ui = results["meta"], results["ui"]
    base = results["baseline"]["parsed_read"]["median"]
    lines = [
        f"stream render: {meta['reply_bytes']:,} B of Markdown in {CHUNKS:,} chunks "
        f"({meta['body_bytes']:,} B of SSE), {meta['repeat']} runs, Textual {meta['textual']}",
        "",
        f"{'figure':<38}{'median':>9}{'min':>9}{'max':>9}{'baseline':>10}{'ratio':>8}  goal",
        f"{'baseline: httpx read, no parsing':<38}"
        + _cells(results["baseline"]["raw_read"]),
        f"{'baseline: ChatClient.stream, no UI':<38}"
        + _cells(results["baseline"]["parsed_read"]),
    ]
    for key, label, goal, compare in FIGURES:
        stats = ui[key]
        row = f"{label:<38}" + _cells(stats)
        row += f"{_s(base):>10}{stats['median'] / base:>7.1f}x" if compare else " " * 18
        if goal is not None:
            row += f"  ≤ {_s(goal)} {'met' if stats['median'] <= goal else 'MISSED'}"
        lines.append(row)
    runs = results["runs"]
    problems = [p for r in runs for p in r["ui"]["problems"]]
    lines += [
        "",
        f"stalls over {_s(GOAL_STALL)} per run: {[r['ui']['stalls_over_goal'] for r in runs]}; "
        f"garbage collection while streaming: median {_s(ui['gc_seconds']['median'])} in all, "
        f"longest full (gen 2) collection {_s(ui['gc_gen2_longest']['median'])}",
        f"pilot.pause() floor, in 'Pilot saw the app idle' only: "
        f"{_s(ui['pause_floor']['median'])}",
        "reply whole in every run (conversation, view source, saved file, on screen): "
        + ("yes" if not problems else "NO: " + "; ".join(sorted(set(problems)))),
    ]
    return "\n".join(lines)


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cells(stats: dict[str, float]) -> str:
    return "".join(f"{_s(stats[k]):>9}" for k in ("median", "min", "max"))


def main(argv: list[str] | None = None) -> int:
    parser = arguments("stream_render", __doc__, repeat=5)
    parser.add_argument("--profile", action="store_true",
                        help="one more run under pyinstrument (results/stream_render_profile*)")
    args = parser.parse_args(argv)
    if args.one_run:
        result = asyncio.run(one_run(args.profile))
        Path(args.one_run).write_text(json.dumps(result))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.profile:
        try:
            import pyinstrument  # noqa: F401
        except ImportError:
            parser.error("--profile needs pyinstrument: .venv/bin/pip install pyinstrument")
    runs = []
    for i in range(args.repeat):
        run = in_fresh_process("stream_render", timeout=RUN_TIMEOUT + 60)
        runs.append(run)
        ui = run["ui"]
        print(f"run {i + 1}/{args.repeat}: Enter → final frame "
              f"{_s(ui['submit_to_final_frame'])}, "
              f"last byte → final frame {_s(ui['last_byte_to_final_frame'])}, longest stall "
              f"{_s(ui['longest_stall'])}, baseline {_s(run['parsed_read'])}"
              + ("" if not ui["problems"] else "  PROBLEMS: " + "; ".join(ui["problems"])),
              file=sys.stderr, flush=True)
    results = aggregate(runs)
    if args.profile:
        results["profiled_run"] = in_fresh_process("stream_render", "--profile",
                                                   timeout=RUN_TIMEOUT + 60)
    save("stream_render", results)
    print(report(results))
    if args.profile:
        flat = (RESULTS / "stream_render_profile_flat.txt").read_text().splitlines()
        print("\nprofiled run (pyinstrument slows it down), self time by function:")
        print("\n".join(line for line in flat[8:38] if line.strip()))
        print(f"call tree: {RESULTS / 'stream_render_profile.txt'} (and .html)")
    print(f"\nwritten: {RESULTS / 'stream_render.json'}")
    return 0 if all(not r["ui"]["problems"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
