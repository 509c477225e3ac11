"""A conversation holding one 10 MB message: open it, time and memory.

Run from the project root::

    .venv/bin/python -m benchmarks.huge_message [--repeat N] [--megabytes M]

Three conversations, each saved once per run with ``ConversationStore``: a 10 MB
Markdown reply (the stream benchmark's reply repeated: headings, lists, tables, fences),
a 10 MB reply that is one fenced log, and a 10 MB prompt (a pasted log). In a fresh
process per run and per conversation: the baseline ``store.load`` of the file; then
``make_app`` with the loaded conversation, headless at 120x40, to the first frame with
the message's last shown lines and its "show the rest" line on screen. Memory is the
growth of the process's peak resident set from just before ``store.load`` to the end,
beside the file's size (goal: under three times the size). Written to
``results/huge_message.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import arguments, in_fresh_process, save, start_like_the_app
from benchmarks.markdown_reply import long_reply
from tui.config import Paths, load_config
from tui.conversation import Conversation, Message
from tui.store import ConversationStore
from tui.ui.app import make_app

MODEL = "bench/model"
KINDS = ("markdown", "fenced-log", "pasted-prompt")
GOAL_OPEN = 1.0
GOAL_MEMORY_RATIO = 3.0


def _log_lines(size: int) -> str:
    lines, total, number = [], 0, 0
    while total < size:
        line = (f"2026-11-25T10:{number // 60 % 60:02d}:{number % 60:02d}Z worker-{number % 7} "
                f"INFO request {number} served in {number % 97} ms from cache shard "
                f"{number % 13}\n")
        lines.append(line)
        total += len(line)
        number += 1
    return "".join(lines)


def text_of(kind: str, size: int) -> str:
    if kind == "markdown":
        section = long_reply()
        return section * (size // len(section) + 1)
    log = _log_lines(size)
    return f"Here is the whole log:\n\n```text\n{log}```\n" if kind == "fenced-log" else log


def build(store: ConversationStore, kind: str, size: int) -> Conversation:
    conversation = Conversation(model=MODEL, profile="cline", title="A huge message")
    text = text_of(kind, size)
    if kind == "pasted-prompt":
        conversation.add(Message(role="user", content=text))
        conversation.add(Message(role="assistant", content="That log looks healthy.",
                                 model=MODEL, finish_reason="stop"))
    else:
        conversation.add(Message(role="user", content="Show me everything."))
        conversation.add(Message(role="assistant", content=text, model=MODEL,
                                 finish_reason="stop"))
    conversation.id = store.new_id()
    store.save(conversation)
    return conversation


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def one_run(kind: str, size: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-huge-") as tmp:
        home = Path(tmp)
        paths = Paths(home, home, home / "cache")
        store = ConversationStore(paths.conversations)
        conversation_id = build(store, kind, size).id  # the built copy is freed here
        file_mb = store.path_for(conversation_id).stat().st_size / 2**20
        config = load_config(paths, environ={})
        rss_before = _rss_mb()
        start = time.perf_counter()
        conversation = store.load(conversation_id)
        parse = time.perf_counter() - start
        rss_loaded = _rss_mb()
        start = time.perf_counter()
        start_like_the_app()
        app = make_app(config, store=store, conversation=conversation, fetch_catalog=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            opened = time.perf_counter() - start
        rss_after = _rss_mb()
    return {"parse": parse, "open": opened, "file_mb": file_mb,
            "load_memory_mb": rss_loaded - rss_before, "memory_mb": rss_after - rss_before}


def measure(repeat: int, size: int) -> dict[str, Any]:
    result: dict[str, Any] = {"repeat": repeat, "bytes": size}
    for kind in KINDS:
        runs = [in_fresh_process("huge_message", "--kind", kind, "--bytes", str(size))
                for _ in range(repeat)]
        keys = ("parse", "open", "file_mb", "load_memory_mb", "memory_mb")
        result[kind] = {"medians": {k: statistics.median(r[k] for r in runs) for k in keys},
                        "runs": runs}
    return result


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    table = []
    for kind in KINDS:
        m = result[kind]["medians"]
        table += [
            {"figure": f"10 MB message ({kind}): open → first frame", "median": m["open"],
             "baseline": m["parse"], "baseline_label": "store.load of the TOML",
             "goal": f"< {GOAL_OPEN:g} s", "met": m["open"] < GOAL_OPEN},
            {"figure": f"10 MB message ({kind}): peak RSS growth", "median": m["memory_mb"],
             "unit": "MB", "baseline": m["file_mb"], "baseline_label": "file size (MB)",
             "goal": f"< {GOAL_MEMORY_RATIO:g}× file",
             "met": m["memory_mb"] < GOAL_MEMORY_RATIO * m["file_mb"]},
        ]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = arguments("huge_message", __doc__, repeat=3)
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--kind", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--bytes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run(args.kind, args.bytes))))
        return 0
    result = measure(max(1, args.repeat), int(args.megabytes * 2**20))
    result["rows"] = rows(result)
    path = save("huge_message", result)
    for row in result["rows"]:
        unit = row.get("unit", "s")
        print(f"  {row['figure']:<48}{row['median']:>9.3f} {unit:<3}"
              f"  ({row['baseline_label']}: {row['baseline']:.3f})  goal {row['goal']}: "
              f"{'met' if row['met'] else 'MISSED'}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
