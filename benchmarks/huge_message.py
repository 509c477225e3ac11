"""A conversation holding one 10 MB message: open it, time and memory.

Run from the project root::

    .venv/bin/python -m benchmarks.huge_message [--repeat N] [--megabytes M]

Three conversations, saved once with ``ConversationStore``: a 10 MB Markdown reply (the
stream benchmark's reply repeated: headings, lists, tables, fences), a 10 MB reply that
is one fenced log, and a 10 MB prompt (a pasted log). In a fresh process per run: the
baseline ``store.load`` of the file; then ``make_app`` with the loaded conversation,
headless at 120x40, until the part of the message drawn at first is drawn whole (its
last lines and the "characters not shown" line at the bottom of the screen). Memory:
the growth of the peak resident set (``VmHWM``, reset through ``/proc/self/clear_refs``)
during the open beyond the loaded conversation, beside the file's size (goal: under
three times), and the same for ``store.load``. Written to ``results/huge_message.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import (
    arguments,
    in_fresh_process,
    save,
    screenshot_text,
    start_like_the_app,
)
from benchmarks.markdown_reply import long_reply
from tui.config import Paths, load_config
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.app import make_app
from tui.ui.render.markdown_view import MarkdownView

MODEL = "bench/model"
KINDS = ("markdown", "fenced-log", "pasted-prompt")
SMALL = 1024  # bytes of the message opened for comparison
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
        section = long_reply(min(size, 100_000))
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


def _rss_mb(field: str = "VmRSS") -> float:
    """The resident set now (``VmRSS``) or at its peak (``VmHWM``)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # the peak resident set starts again from now


async def one_run(home: Path, conversation_id: str) -> dict[str, Any]:
    paths = Paths(home, home, home / "cache")
    store = ConversationStore(paths.conversations)
    config = load_config(paths, environ={})
    file_mb = store.path_for(conversation_id).stat().st_size / 2**20
    rss_before = _rss_mb()
    _reset_peak()
    start = time.perf_counter()
    conversation = store.load(conversation_id)
    parse = time.perf_counter() - start
    peak_loading = _rss_mb("VmHWM")
    rss_loaded = _rss_mb()
    _reset_peak()
    start = time.perf_counter()
    start_like_the_app()
    app = make_app(config, store=store, conversation=conversation, fetch_catalog=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        while any(view.rendering for view in app.screen.query(MarkdownView)):
            await pilot.pause()  # the part drawn is drawn a frame's budget at a time
        opened = time.perf_counter() - start
        offered = "charactersnotshown" in screenshot_text(app.export_screenshot())
        peak_open = _rss_mb("VmHWM")
    return {"parse": parse, "open": opened, "file_mb": file_mb,
            "load_memory_mb": peak_loading - rss_before,
            "open_memory_mb": peak_open - rss_loaded, "rest_offered": offered}


def measure(repeat: int, size: int = 10 * 2**20) -> dict[str, Any]:
    result: dict[str, Any] = {"repeat": repeat, "bytes": size}
    keys = ("parse", "open", "file_mb", "load_memory_mb", "open_memory_mb")
    with tempfile.TemporaryDirectory(prefix="cline-tui-bench-huge-") as tmp:
        home = Path(tmp)
        store = ConversationStore(Paths(home, home, home / "cache").conversations)
        built = {kind: build(store, kind, size).id for kind in KINDS}
        built["small"] = build(store, "markdown", SMALL).id  # the machine's pace, this run
        for kind, conversation_id in built.items():
            runs = [in_fresh_process("huge_message", "--home", tmp, "--id", conversation_id)
                    for _ in range(repeat)]
            result[kind] = {"runs": runs,
                            "medians": {k: statistics.median(r[k] for r in runs) for k in keys}}
    return result


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    table = []
    small = result["small"]["medians"]["open"]
    for kind in KINDS:
        m = result[kind]["medians"]
        table += [
            {"figure": f"10 MB message ({kind}): store.load", "median": m["parse"],
             "baseline": None, "baseline_label": "", "goal": None, "met": None},
            {"figure": f"10 MB message ({kind}): open → drawn", "median": m["open"],
             "baseline": small, "baseline_label": "the same for a 1 KB message",
             "goal": f"< {GOAL_OPEN:g} s", "met": m["open"] < GOAL_OPEN},
            {"figure": f"10 MB message ({kind}): open, peak RSS growth",
             "median": m["open_memory_mb"], "unit": "MB", "baseline": m["file_mb"],
             "baseline_label": "file size (MB)", "goal": f"< {GOAL_MEMORY_RATIO:g}× file",
             "met": m["open_memory_mb"] < GOAL_MEMORY_RATIO * m["file_mb"]},
            {"figure": f"10 MB message ({kind}): store.load, peak RSS growth",
             "median": m["load_memory_mb"], "unit": "MB", "baseline": m["file_mb"],
             "baseline_label": "file size (MB)", "goal": None, "met": None},
        ]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = arguments("huge_message", __doc__, repeat=3)
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--id", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_run:
        Path(args.one_run).write_text(json.dumps(asyncio.run(one_run(Path(args.home), args.id))))
        return 0
    result = measure(max(1, args.repeat), int(args.megabytes * 2**20))
    result["rows"] = rows(result)
    path = save("huge_message", result)
    for row in result["rows"]:
        unit = row.get("unit", "s")
        goal, base = "", ""
        if row["goal"]:
            goal = f"  goal {row['goal']}: {'met' if row['met'] else 'MISSED'}"
        if row["baseline"] is not None:
            base = f"  ({row['baseline_label']}: {row['baseline']:.3f})"
        print(f"  {row['figure']:<56}{row['median']:>8.3f} {unit:<3}{base}{goal}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
