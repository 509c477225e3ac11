"""A 1,000-message conversation with code blocks: open it, scroll to the end, memory.

Run from the project root::

    .venv/bin/python -m benchmarks.big_conversation [--repeat N]

500 user messages and 500 assistant replies (three paragraphs and a Python fence each)
are saved once per run with ``ConversationStore``. In a fresh process per run: the
baseline parses that TOML file (``store.load``); then ``make_app`` with the loaded
conversation, headless at 120x40, to the first frame (``run_test`` entered and one
``pilot.pause()``); then ``transcript.scroll_end()`` until the last reply's last line is
on screen. Then the save that follows a new prompt (``store.save`` with one more
message, median of 5), beside ``tomli_w.dumps`` of the same conversation with nothing
written (the plain library's writer). Memory is the growth of the process's peak resident set
(``resource.getrusage(...).ru_maxrss``) from just before ``make_app`` to the end: what
the open conversation costs beyond the interpreter and imports. Written to
``results/big_conversation.json``.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import tomli_w

from benchmarks.instruments import (
    arguments,
    in_fresh_process,
    save,
    screenshot_text,
    start_like_the_app,
)
from tui.config import Paths, load_config
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.storage.toml_file import conversation_to_toml
from tui.ui.app import make_app
from tui.ui.widgets.transcript import Transcript

PAIRS = 500
MODEL = "bench/model"
GOAL_OPEN = 1.0
GOAL_MEMORY_MB = 300


def reply(i: int) -> str:
    paragraph = (f"Step {i}: the renderer keeps one widget per reply and caches each block "
                 "once it is drawn, so **scrolling** a long chat costs only the rows on "
                 "screen. `MarkdownView` re-parses the last block while text streams in. ")
    code = "\n".join([f"def step_{i}(items: list[int]) -> int:",
                      "    total = 0", "    for item in items:",
                      "        total += item * item", "    return total"])
    return (f"{paragraph * 2}\n\n{paragraph}\n\n```python\n{code}\n```\n\n"
            f"That is all for part {i}, the end of reply {i}.")


def build(store: ConversationStore) -> Conversation:
    conversation = Conversation(model=MODEL, profile="cline", title="A long chat")
    for i in range(PAIRS):
        conversation.add(Message(role="user", content=f"Question {i}: how does step {i} work?"))
        conversation.add(Message(role="assistant", content=reply(i), model=MODEL,
                                 finish_reason="stop"))
    conversation.id = store.new_id()
    store.save(conversation)
    return conversation


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def one_run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-big-") as tmp:
        home = Path(tmp)
        paths = Paths(home, home, home / "cache")
        store = ConversationStore(paths.conversations)
        saved = build(store)
        size = store.path_for(saved.id).stat().st_size
        start = time.perf_counter()
        conversation = store.load(saved.id)
        parse = time.perf_counter() - start
        config = load_config(paths, environ={})
        rss_before = _rss_mb()
        start = time.perf_counter()
        start_like_the_app()
        app = make_app(config, store=store, conversation=conversation, fetch_catalog=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            opened = time.perf_counter() - start
            transcript = app.screen.query_one(Transcript)
            start = time.perf_counter()
            transcript.scroll_end(animate=False)
            while True:  # every reply laid out, the view at its last row, painted
                await pilot.pause()
                if transcript.max_scroll_y > 0 and transcript.scroll_y >= transcript.max_scroll_y:
                    break
                transcript.scroll_end(animate=False)
                if time.perf_counter() - start > 60:
                    raise RuntimeError("the end of the conversation never showed")
            scrolled = time.perf_counter() - start
            widgets = len(transcript.children)
            if f"part{PAIRS - 1}," not in screenshot_text(app.export_screenshot()):
                raise RuntimeError("the last reply is not on screen")
        rss_after = _rss_mb()
        saves, dumps = _saves(store, conversation)
    return {"parse": parse, "open": opened, "scroll_end": scrolled, "save": saves,
            "dumps": dumps,
            "memory_mb": rss_after - rss_before, "peak_rss_mb": rss_after,
            "widgets": widgets, "toml_bytes": size}


def _saves(store: ConversationStore, conversation: Conversation) -> tuple[float, float]:
    """Median times of a save after a new prompt, and of tomli_w's text of the same."""
    saves, dumps = [], []
    for i in range(5):
        conversation.add(Message(role="user", content=f"One more question ({i})"))
        start = time.perf_counter()
        store.save(conversation)
        saves.append(time.perf_counter() - start)
        start = time.perf_counter()
        tomli_w.dumps(conversation_to_toml(conversation))
        dumps.append(time.perf_counter() - start)
    return statistics.median(saves), statistics.median(dumps)


def measure(repeat: int) -> dict[str, Any]:
    runs = [in_fresh_process("big_conversation") for _ in range(repeat)]
    keys = ("parse", "open", "scroll_end", "save", "dumps", "memory_mb", "peak_rss_mb")
    return {"repeat": repeat, "messages": PAIRS * 2, "widgets": runs[0]["widgets"],
            "medians": {k: statistics.median(r[k] for r in runs) for k in keys}, "runs": runs}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    m = result["medians"]
    label = "store.load of the TOML"
    return [
        {"figure": "1,000 messages: open → first frame", "median": m["open"],
         "baseline": m["parse"], "baseline_label": label,
         "goal": f"< {GOAL_OPEN:g} s", "met": m["open"] < GOAL_OPEN},
        {"figure": "1,000 messages: scroll to the end", "median": m["scroll_end"],
         "baseline": m["parse"], "baseline_label": label, "goal": None, "met": None},
        {"figure": "1,000 messages: save after a new prompt", "median": m["save"],
         "baseline": m["dumps"], "baseline_label": "tomli_w.dumps, nothing written",
         "goal": None, "met": None},
        {"figure": "1,000 messages: peak RSS growth", "median": m["memory_mb"], "unit": "MB",
         "baseline": None, "baseline_label": f"process peak {m['peak_rss_mb']:.0f} MB",
         "goal": f"< {GOAL_MEMORY_MB} MB", "met": m["memory_mb"] < GOAL_MEMORY_MB},
    ]


def main(argv: list[str] | None = None) -> int:
    args = arguments("big_conversation", __doc__, repeat=3).parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run())))
        return 0
    result = measure(max(1, args.repeat))
    result["rows"] = rows(result)
    path = save("big_conversation", result)
    for key, value in result["medians"].items():
        print(f"  {key:<12}{value:>9.3f}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
