"""Moving the message cursor: key to frame.

Run from the project root::

    .venv/bin/python -m benchmarks.message_cursor [--repeat N]

Each run is a fresh process: the app headless at 120x40 on a 200-message conversation
with 20 branch points (a reply regenerated every 10 messages), opened at its end. Alt+Up
is sent the way a terminal's would arrive (a ``Key`` event through the driver) 40 times,
then Alt+Down 40 times, 40 ms apart; the clock stops when a frame has been produced (the
compositor's update rendered to terminal bytes, as ``typing_latency`` does) in which the
message the cursor moved to is marked. Baseline: keystrokes typed into the prompt of the
same screen, measured the same way. Goal: p95 under 30 ms. Also reported: the CPU time
the app's thread spent from each Alt key to its frame (``moves_cpu``), which a busy
machine's other processes change less than the wall time. Written to
``results/message_cursor.json``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events

from benchmarks.instruments import (
    after_start_up,
    arguments,
    in_fresh_process,
    save,
    start_like_the_app,
)
from benchmarks.markdown_reply import short_reply
from benchmarks.typing_latency import FrameProbe, percentile
from tui.config import Paths, load_config
from tui.model import tree
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.prompt import PromptArea

MODEL = "bench/model"
EXCHANGES = 100  # 200 messages on the branch shown
BRANCH_EVERY = 5  # exchanges between branch points: 20 of them
MOVES = 40
GAP = 0.040
KEYS = "the quick brown fox jumps over the lazy dog"
GOAL_P95 = 0.030


def branching() -> Conversation:
    conversation = Conversation(model=MODEL, title="Cursor")
    for i in range(EXCHANGES):
        prompt = conversation.add(Message(role="user", content=f"Question {i + 1}?"))
        conversation.add(Message(role="assistant", content=short_reply(i), model=MODEL,
                                 finish_reason="stop"))
        if i % BRANCH_EVERY == 0:  # regenerated: the new reply is the one carried on
            tree.go_on_from(conversation, prompt)
            conversation.add(Message(role="assistant", content=short_reply(i + 1),
                                     model=MODEL, finish_reason="stop"))
    return conversation


class CursorProbe:
    """``App._display`` wrapped (through ``FrameProbe``): a frame in which the awaited
    message is marked ends the wait."""

    def __init__(self, app: Any, screen: ChatScreen) -> None:
        self.app, self.screen = app, screen
        self.awaited: str | None = None
        self.shown = asyncio.Event()
        # CPU time of the app's thread from the key to the frame: what the move costs,
        # which the other processes of a busy machine do not change as they do the wall
        # time.
        self.cpu: list[float] = []
        self._cpu_start = 0.0
        original = app._display

        def display(target: Any, renderable: Any) -> None:
            original(target, renderable)
            if self.awaited is None or renderable is None or self.shown.is_set():
                return
            view = screen.transcript.view_of(self.awaited)
            if view is not None and view.marked:
                self.cpu.append(time.thread_time() - self._cpu_start)
                self.shown.set()

        app._display = display

    async def move(self, key: str) -> tuple[float, str | None]:
        before = self.screen._selected
        views = self.screen.transcript.message_views()
        ids = [v.message.id for v in views]
        if before is None:
            target = ids[-1] if key == "alt+up" else None
        else:
            index = ids.index(before) + (-1 if key == "alt+up" else 1)
            target = ids[index] if 0 <= index < len(ids) else None
        if target is None:
            return 0.0, None
        self.awaited = target
        self.shown.clear()
        event = events.Key(key, None)
        event.set_sender(self.app)
        self._cpu_start = time.thread_time()
        start = time.perf_counter()
        self.app._driver.send_message(event)
        await asyncio.wait_for(self.shown.wait(), 5)
        return time.perf_counter() - start, target


async def one_run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-cursor-") as tmp:
        home = Path(tmp)
        paths = Paths(home, home, home / "cache")
        store = ConversationStore(paths.conversations)
        conversation = branching()
        conversation.id = store.new_id()
        store.save(conversation)
        start_like_the_app()
        app = make_app(load_config(paths, environ={}), store=store,
                       conversation=store.load(conversation.id), fetch_catalog=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await after_start_up()
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            prompt = screen.query_one(PromptArea)
            typing = FrameProbe(app, prompt)
            baseline = []
            for key in KEYS:
                baseline.append(await typing.type_key(key))
                await asyncio.sleep(GAP)
            typing.awaited = None
            prompt.text = ""
            probe = CursorProbe(app, screen)
            moves: list[float] = []
            for key in ["alt+up"] * MOVES + ["alt+down"] * (MOVES - 1):
                took, target = await probe.move(key)
                if target is None:
                    raise RuntimeError("the cursor ran out of messages")
                moves.append(took)
                await asyncio.sleep(GAP)
        return {"moves": moves, "typing": baseline, "moves_cpu": probe.cpu,
                "nodes": len(conversation.nodes),
                "branch": len(conversation.messages)}


def measure(repeat: int) -> dict[str, Any]:
    runs = [in_fresh_process("message_cursor") for _ in range(repeat)]
    figures = {
        f"{kind}_{name}": statistics.median(percentile(r[kind], fraction) for r in runs)
        for kind in ("moves", "typing", "moves_cpu")
        for name, fraction in (("p50", 0.5), ("p95", 0.95))
    }
    return {"repeat": repeat, "medians": figures, "runs": runs}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    m = result["medians"]
    label = "typing in the same prompt"
    return [
        {"figure": "message cursor (Alt+Up/Down, 200 msgs), p50", "median": m["moves_p50"],
         "baseline": m["typing_p50"], "baseline_label": label, "goal": None, "met": None},
        {"figure": "message cursor (Alt+Up/Down, 200 msgs), p95", "median": m["moves_p95"],
         "baseline": m["typing_p95"], "baseline_label": label,
         "goal": f"< {GOAL_P95 * 1000:.0f} ms", "met": m["moves_p95"] < GOAL_P95},
    ]


def main(argv: list[str] | None = None) -> int:
    args = arguments("message_cursor", __doc__, repeat=3).parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run())))
        return 0
    result = measure(max(1, args.repeat))
    result["rows"] = rows(result)
    path = save("message_cursor", result)
    for key, value in result["medians"].items():
        print(f"  {key:<14}{value * 1000:>7.1f} ms")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
