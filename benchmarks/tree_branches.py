"""Conversations as trees: opening one with many branches, switching to a long branch.

Run from the project root::

    .venv/bin/python -m benchmarks.tree_branches [--repeat N]

Four cases, each in a fresh process per run, alternating:

- ``open-tree``: a 1,000-message conversation with 100 branch points (a reply
  regenerated and the chat carried on from the new one, 100 times: 900 messages on the
  branch shown, 100 old replies beside it), saved with ``ConversationStore``; then
  ``store.load`` of the file, and ``make_app`` with it, headless at 120x40, to its first
  frame (``run_test`` entered and one ``pilot.pause()``), as ``big_conversation`` does.
- ``open-linear``: the same for today's linear 1,000-message file (the baseline).
  Goal: under 1 s, and within 1.2x of the linear file, for each of the two.
- ``switch``: a conversation whose second message has two alternatives, each going on
  for 500 messages, open on one of them; ``tree.switch`` to the other, the chat screen
  shows it (``Transcript.show`` and the sidebar) until the frame with the branch's last
  reply at the bottom is drawn. Also reported: the model's part alone (``tree.switch``
  and working out the new branch, before any widget is touched).
- ``show-linear``: the baseline: the app open on one 502-message linear conversation,
  ``Transcript.show`` of another until its last reply is drawn. Goal: under 100 ms.

Written to ``results/tree_branches.json``.
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

from benchmarks.big_conversation import reply
from benchmarks.instruments import (
    after_start_up,
    arguments,
    in_fresh_process,
    save,
    screenshot_text,
    start_like_the_app,
)
from tui.config import Paths, load_config
from tui.model import tree
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.reply_view import ReplyView
from tui.ui.widgets.transcript import Transcript

MODEL = "bench/model"
MESSAGES = 1000
BRANCH_POINTS = 100
BRANCH_LENGTH = 500
GOAL_OPEN, GOAL_RATIO, GOAL_SWITCH = 1.0, 1.2, 0.1
CASES = ("open-linear", "open-tree", "show-linear", "switch")


def _prompt(c: Conversation, i: int, tag: str = "") -> Message:
    return c.add(Message(role="user", content=f"Question {tag}{i}: how does step {i} work?"))


def _reply(i: int, tag: str = "") -> Message:
    return Message(role="assistant", content=reply(i) + f" [{tag}{i}]", model=MODEL,
                   finish_reason="stop")


def linear(pairs: int, tag: str = "") -> Conversation:
    c = Conversation(model=MODEL, profile="cline", title="A long chat")
    for i in range(pairs):
        _prompt(c, i, tag)
        c.add(_reply(i, tag))
    return c


def branching() -> Conversation:
    """1,000 messages, 100 branch points: every 4-5 turns a reply was regenerated (the old
    one stays beside it) and the chat went on from the new reply."""
    c = Conversation(model=MODEL, profile="cline", title="A branching chat")
    pairs = (MESSAGES - BRANCH_POINTS) // 2
    points = {k * pairs // BRANCH_POINTS for k in range(BRANCH_POINTS)}
    for i in range(pairs):
        prompt = _prompt(c, i)
        if i in points:
            c.add(_reply(i, "old "))
            tree.add_after(c, prompt, _reply(i))
        else:
            c.add(_reply(i))
    assert len(c.nodes) == MESSAGES and len(points) == BRANCH_POINTS
    return c


def two_long_branches() -> tuple[Conversation, Message, Message]:
    """A first turn, then two alternative second prompts each going on for 500 messages;
    the newer branch is shown. Returns it, the shown branch's first message and the
    other branch's last."""
    c = linear(1)
    first_reply = c.messages[-1]
    for tag in ("B", "A"):  # B older; A newer, shown
        tree.go_on_from(c, first_reply)
        start = _prompt(c, 1, tag)
        c.add(_reply(1, tag))
        for i in range(2, BRANCH_LENGTH // 2 + 1):
            _prompt(c, i, tag)
            c.add(_reply(i, tag))
    a_first = tree.children(c, first_reply)[1]
    assert a_first is start
    b_last = tree.newest_leaf(c, tree.children(c, first_reply)[0])
    return c, a_first, b_last


def _at_bottom(transcript: Transcript, last: Message) -> bool:
    """``last`` is the bottom reply, drawn whole (its text rendered, not waiting for a
    later frame's budget), and the view is scrolled to the end."""
    views = transcript.query(ReplyView)
    if not views or views.last().message is not last or views.last().region.height == 0:
        return False
    if any(view.rendering for view in views.last().query(MarkdownView)):
        return False
    return transcript.scroll_y >= transcript.max_scroll_y


class FrameWatch:
    """``App._display`` wrapped: the time of the first frame written to the terminal in
    which ``last`` is the bottom reply of the chat, drawn whole, scrolled to the end."""

    def __init__(self, app: Any) -> None:
        self.last: Message | None = None
        self.at: float | None = None
        original = app._display

        def display(target: Any, renderable: Any) -> None:
            original(target, renderable)
            screen = app.screen
            if (renderable is not None and self.last is not None and self.at is None
                    and isinstance(screen, ChatScreen)
                    and _at_bottom(screen.transcript, self.last)):
                self.at = time.perf_counter()

        app._display = display

    def watch(self, last: Message) -> None:
        self.last, self.at = last, None


async def _drawn(pilot: Any, transcript: Transcript, last: Message, began: float) -> float:
    """Seconds from ``began`` until the screen has settled with ``last`` as the bottom
    reply (every page of messages mounted, nothing left to do)."""
    while True:
        await pilot.pause()
        if _at_bottom(transcript, last):
            return time.perf_counter() - began
        if time.perf_counter() - began > 60:
            raise RuntimeError("the branch never showed")


def _check(app: Any, last: Message) -> None:
    tail = last.content.rsplit(" ", 1)[-1]  # "[A250]"
    if tail not in screenshot_text(app.export_screenshot()):
        raise RuntimeError(f"{tail} is not on screen")


async def open_case(case: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-tree-") as tmp:
        home = Path(tmp)
        paths = Paths(home, home, home / "cache")
        store = ConversationStore(paths.conversations)
        built = branching() if case == "open-tree" else linear(MESSAGES // 2)
        built.id = store.new_id()
        store.save(built)
        start = time.perf_counter()
        conversation = store.load(built.id)
        load = time.perf_counter() - start
        config = load_config(paths, environ={})
        start = time.perf_counter()
        start_like_the_app()
        app = make_app(config, store=store, conversation=conversation, fetch_catalog=False)
        frames = FrameWatch(app)
        frames.watch(conversation.messages[-1])
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            settled = await _drawn(pilot, screen.transcript, conversation.messages[-1], start)
            if frames.at is None:
                raise RuntimeError("no frame showed the conversation")
            _check(app, conversation.messages[-1])
        return {"load": load, "open": frames.at - start, "settled": settled,
                "nodes": len(conversation.nodes), "branch": len(conversation.messages)}


async def show_case(case: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-tree-") as tmp:
        home = Path(tmp)
        paths = Paths(home, home, home / "cache")
        store = ConversationStore(paths.conversations)
        config = load_config(paths, environ={})
        if case == "switch":
            conversation, a_first, last = two_long_branches()
            other = conversation
            conversation.id = store.new_id()
            store.save(conversation)
        else:
            conversation = linear(BRANCH_LENGTH // 2 + 1, "A")
            other = linear(BRANCH_LENGTH // 2 + 1, "B")
            last = other.messages[-1]
        start_like_the_app()
        app = make_app(config, store=store, conversation=conversation, fetch_catalog=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await after_start_up()
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            transcript = screen.transcript
            await _drawn(pilot, transcript, conversation.messages[-1], time.perf_counter())
            core = 0.0
            if case == "switch":
                # The model's part alone: to the other branch and back, no widget touched.
                began = time.perf_counter()
                b_first = tree.switch(conversation, a_first, -1)
                if b_first is None or tree.switch(conversation, b_first, 1) is not a_first:
                    raise RuntimeError("no branch to switch to")
                core = (time.perf_counter() - began) / 2
                screen.select(a_first.id)  # the cursor on the branch point
                await pilot.pause()
            frames = FrameWatch(app)
            frames.watch(last)
            began = time.perf_counter()
            if case == "switch":
                _press(app, "left")  # the previous alternative: the older branch
            else:
                await screen.load_conversation(other)  # what opening a conversation does
            settled = await _drawn(pilot, transcript, last, began)
            if frames.at is None:
                raise RuntimeError("no frame showed the branch")
            if other.messages[-1] is not last:
                raise RuntimeError("switched to the wrong branch")
            _check(app, last)
        return {"show": frames.at - began, "settled": settled, "core": core,
                "branch": len(other.messages), "nodes": len(other.nodes)}


def _press(app: Any, key: str) -> None:
    """A key as a terminal's would arrive: a ``Key`` event through the driver."""
    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)


def measure(repeat: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {case: [] for case in CASES}
    for _ in range(repeat):
        for case in CASES:  # alternating: a slow spell of the machine hits every case
            runs[case].append(in_fresh_process("tree_branches", "--case", case))

    def median(case: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[case])

    medians = {
        "linear_load": median("open-linear", "load"), "tree_load": median("open-tree", "load"),
        "linear_open": median("open-linear", "open"), "tree_open": median("open-tree", "open"),
        "linear_show": median("show-linear", "show"), "switch": median("switch", "show"),
        "switch_core": median("switch", "core"),
    }
    return {"repeat": repeat, "medians": medians, "runs": runs}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    m = result["medians"]
    return [
        {"figure": "tree 1,000 msgs/100 branches: store.load", "median": m["tree_load"],
         "baseline": m["linear_load"], "baseline_label": "linear 1,000: store.load",
         "goal": f"< {GOAL_OPEN:g} s, ≤ {GOAL_RATIO}x",
         "met": m["tree_load"] < GOAL_OPEN and m["tree_load"] <= GOAL_RATIO * m["linear_load"]},
        {"figure": "tree 1,000 msgs/100 branches: open → frame", "median": m["tree_open"],
         "baseline": m["linear_open"], "baseline_label": "linear 1,000: open → frame",
         "goal": f"< {GOAL_OPEN:g} s, ≤ {GOAL_RATIO}x",
         "met": m["tree_open"] < GOAL_OPEN and m["tree_open"] <= GOAL_RATIO * m["linear_open"]},
        {"figure": "switch to a 500-message branch → frame", "median": m["switch"],
         "baseline": m["linear_show"], "baseline_label": "show a linear 502 → frame",
         "goal": f"< {GOAL_SWITCH * 1000:g} ms", "met": m["switch"] < GOAL_SWITCH},
        {"figure": "switch: tree.switch + the new branch (model)", "median": m["switch_core"],
         "baseline": m["switch"], "baseline_label": "the whole switch → frame",
         "goal": None, "met": None},
    ]


def main(argv: list[str] | None = None) -> int:
    parser = arguments("tree_branches", __doc__, repeat=3)
    parser.add_argument("--case", choices=CASES, help="one case, once (with --one-run)")
    args = parser.parse_args(argv)
    if args.one_run:
        case = args.case or "open-tree"
        run = open_case if case.startswith("open") else show_case
        Path(args.one_run).write_text(json.dumps(asyncio.run(run(case))))
        return 0
    result = measure(max(1, args.repeat))
    result["rows"] = rows(result)
    path = save("tree_branches", result)
    for key, value in result["medians"].items():
        print(f"  {key:<12}{value * 1000:>9.2f} ms")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
