"""History: 10,000 saved conversations of 20 messages each. Open the list, search all text.

Run from the project root::

    .venv/bin/python -m benchmarks.history [--repeat N] [--count N]

The conversations are generated once (seeded, deterministic) into a folder under the
system temp dir and reused by later runs. Measured, each the median of ``--repeat`` runs:

* baseline: parse every file with ``scan`` from tests/history_support.py (what opening
  the list would cost without the index), and that plus a substring scan for the search baseline;
* cold index build (no database: every file parsed and indexed);
* warm: ``refresh`` (scan the folder, nothing to parse) plus reading the list;
* the conversations screen, headless at 120x40: Ctrl+L to the list on screen with a warm
  index, and a typed full-text search to its results on screen;
* ``cline-tui history`` in a subprocess with a warm index (beside ``python -c pass``);
* full-text search in the index for a common word, a rare word and a prefix.

Printed as a table and written to ``benchmarks/results/history.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import textual
import tomli_w

from tests.support.history_support import scan
from tui.model.conversation import Conversation, Message, Usage
from tui.storage.history_index import HistoryIndex
from tui.storage.store import ConversationStore, conversation_to_toml
from tui.ui.screens.history import SEARCH_LIMIT

RESULTS = Path(__file__).resolve().parent / "results"
PROJECT = Path(__file__).resolve().parent.parent
SEED = 20261125
MESSAGES = 20
GOAL_LIST = 0.5
GOAL_SEARCH = 0.3
QUERIES = {"common word": "function", "rare word": "zanzibar", "prefix": "refac"}

_VOCABULARY = (
    "the a of to and in is it that for on with as this be are was by or from at an not "
    "function class module test error value return list string number python rust build "
    "release server client request response stream token model reply prompt cache index "
    "query table file folder path config option change commit branch merge review deploy "
    "docker image memory thread async await loop event window screen widget layout style "
    "refactor refactoring performance latency benchmark profile measure improve explain why "
    "how what when where example code block line column type check lint format parse"
)
WORDS = _VOCABULARY.split()
RARE = ["zanzibar", "quokka", "xylophone", "fjord", "kumquat"]


# --- data -------------------------------------------------------------------------------


def generate(folder: Path, count: int) -> None:
    """``count`` conversations of MESSAGES messages into ``folder``; seeded, so every run
    and every machine gets the same files. Written plainly (no fsync): it is test data."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for n in range(count):
        when = start + timedelta(minutes=97 * n)
        c = Conversation(id=f"{when:%Y%m%d-%H%M%S}-{n:06x}", created=when, updated=when,
                         model=rng.choice(["anthropic/claude-sonnet-4.6", "openai/gpt-4.1",
                                           "qwen/qwen3-8b"]), profile="cline")
        if n % 25 == 0:
            c.kind, c.models = "compare", ["openai/gpt-4.1", "qwen/qwen3-8b"]
        for m in range(MESSAGES):
            moment = when + timedelta(seconds=30 * m)
            if m % 2 == 0:
                c.add(Message(role="user", content=_sentence(rng, 12, 40), created=moment))
                continue
            words = _sentence(rng, 60, 160)
            if rng.random() < 0.01:
                words += " " + rng.choice(RARE)
            c.add(Message(
                role="assistant", content=words, created=moment, model=c.model,
                reasoning=_sentence(rng, 10, 40) if rng.random() < 0.3 else "",
                finish_reason="stop",
                usage=Usage(prompt_tokens=rng.randint(100, 9000),
                            completion_tokens=rng.randint(50, 900),
                            cost=round(rng.uniform(0.0001, 0.02), 6)),
            ))
        c.updated = when + timedelta(seconds=30 * MESSAGES)
        path = folder / f"{c.id}.toml"
        path.write_bytes(tomli_w.dumps(conversation_to_toml(c)).encode("utf-8"))
        stamp = c.updated.timestamp()
        os.utime(path, (stamp, stamp))


def _sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def data_home(count: int) -> Path:
    """The generated home, reused when it already holds this data set."""
    home = Path(tempfile.gettempdir()) / f"cline-tui-bench-history-{count}-{SEED}"
    marker = home / "generated.json"
    if marker.exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    print(f"generating {count:,} conversations into {home} (once)…", file=sys.stderr)
    generate(home / "conversations", count)
    marker.write_text(json.dumps({"count": count, "seed": SEED, "messages": MESSAGES}))
    return home


# --- measurements -----------------------------------------------------------------------


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def parse_all(home: Path) -> tuple[float, int]:
    elapsed, (good, bad) = timed(lambda: scan(ConversationStore(home / "conversations")))
    return elapsed, len(good) + len(bad)


def parse_and_grep(home: Path, word: str) -> float:
    def run() -> int:
        good, _ = scan(ConversationStore(home / "conversations"))
        return sum(1 for c in good if any(word in m.content for m in c.messages))

    return timed(run)[0]


def index_for(home: Path) -> HistoryIndex:
    return HistoryIndex(home / "conversations", home / "cache")


def cold_build(home: Path) -> tuple[float, int]:
    index = index_for(home)
    index._discard()
    elapsed, stats = timed(index.refresh)
    return elapsed, stats.parsed


def warm_list(home: Path) -> tuple[float, int]:
    index = index_for(home)

    def run() -> int:
        stats = index.refresh()
        assert stats.parsed == 0, f"warm refresh parsed {stats.parsed} files"
        return len(index.entries())

    return timed(run)


def search(home: Path, query: str, limit: int | None = SEARCH_LIMIT) -> tuple[float, int]:
    index = index_for(home)
    elapsed, hits = timed(lambda: index.search(query, limit=limit))
    return elapsed, len(hits)


def cli_history(home: Path) -> tuple[float, float]:
    env = {**os.environ, "CLINE_TUI_HOME": str(home)}

    def run(*args: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, cwd=PROJECT, check=True,
                       stdout=subprocess.DEVNULL)
        return time.perf_counter() - start

    return run("-m", "tui", "history"), run("-c", "pass")


def ui_run(home: Path) -> dict[str, float]:
    """In a fresh process: the app headless, Ctrl+L to the list on screen, then a search."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.history", "--ui-once", str(home)],
        cwd=PROJECT, check=True, capture_output=True, text=True,
        env={**os.environ, "CLINE_TUI_HOME": str(home)},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


async def _ui_once() -> dict[str, float]:
    from benchmarks.instruments import after_start_up, start_like_the_app
    from tests.support.ui_support import build_app
    from tui.ui.screens.history import HistoryScreen
    from tui.ui.widgets.conversation_list import ConversationList

    start_like_the_app()
    app = build_app(None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await after_start_up()
        start = time.perf_counter()
        await pilot.press("ctrl+l")
        while not (isinstance(app.screen, HistoryScreen) and app.screen._loaded):
            await asyncio.sleep(0.002)
        await pilot.pause()  # the frame with the list is drawn
        listed = time.perf_counter() - start
        rows = len(app.screen.query_one(ConversationList).entries)
        screen = app.screen
        await pilot.press("ctrl+f")
        query = QUERIES["rare word"]
        screen.query_one("#history-filter").value = query  # type: ignore[attr-defined]
        start = time.perf_counter()
        hits = screen.query_one(ConversationList)
        while not (hits.entries and hits.entries[0].snippet):
            await asyncio.sleep(0.002)
        await pilot.pause()
        searched = time.perf_counter() - start
    return {"list_on_screen": listed, "rows": rows, "search_on_screen": searched,
            "hits": len(hits.entries)}


# --- report -----------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(r: dict[str, Any]) -> str:
    base = r["baseline_parse_all"]
    grep = r["baseline_parse_and_grep"]
    rows: list[tuple[str, float, float | None, float | None]] = [
        ("baseline: parse every file (scan)", base, None, None),
        ("cold index build (parse + index all)", r["cold_build"], base, None),
        ("warm refresh + read the list (core)", r["warm_list"], base, None),
        ("screen: Ctrl+L → list on screen (warm)", r["ui"]["list_on_screen"], base, GOAL_LIST),
        ("cline-tui history, subprocess (warm)", r["cli_history"], base, None),
        ("  python -c pass, same machine", r["python_startup"], None, None),
    ]
    for label, query in QUERIES.items():
        rows.append((f"search '{query}' ({label}, core)", r["search"][label], grep,
                     GOAL_SEARCH))
    every = r["meta"]["hits"]["common word"]
    rows.append((f"search '{QUERIES['common word']}', all {every:,} hits (core)",
                 r["search_all_common"], grep, None))
    rows.append(("screen: search typed → hits on screen", r["ui"]["search_on_screen"], grep,
                 GOAL_SEARCH))
    lines = [
        f"history: {r['meta']['count']:,} conversations × {MESSAGES} messages "
        f"({r['meta']['megabytes']:.0f} MB of TOML), median of {r['meta']['repeat']} runs",
        "",
        f"{'figure':<44}{'median':>10}{'baseline':>11}{'ratio':>9}  goal",
    ]
    for label, value, baseline, goal in rows:
        row = f"{label:<44}{_s(value):>10}"
        row += f"{_s(baseline):>11}{value / baseline:>8.3f}x" if baseline else " " * 20
        if goal is not None:
            row += f"  < {_s(goal)} {'met' if value < goal else 'MISSED'}"
        lines.append(row)
    lines += ["", "search baseline: parse every file, then a substring scan of every message;",
              f"core searches ask for the newest {SEARCH_LIMIT} hits with snippets, as the "
              "screen does"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.history",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--ui-once", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.ui_once:
        print(json.dumps(asyncio.run(_ui_once())))
        return 0
    home = data_home(args.count)
    folder = home / "conversations"
    megabytes = sum(p.stat().st_size for p in folder.glob("*.toml")) / 1e6
    runs: list[dict[str, Any]] = []
    for i in range(args.repeat):
        run: dict[str, Any] = {}
        run["baseline_parse_all"], files = parse_all(home)
        run["baseline_parse_and_grep"] = parse_and_grep(home, QUERIES["rare word"])
        run["cold_build"], parsed = cold_build(home)
        assert parsed == files == args.count, (parsed, files)
        run["warm_list"], listed = warm_list(home)
        assert listed == args.count
        run["search"] = {label: search(home, q)[0] for label, q in QUERIES.items()}
        run["hits"] = {label: search(home, q, None)[1] for label, q in QUERIES.items()}
        run["search_all_common"] = search(home, QUERIES["common word"], None)[0]
        run["cli_history"], run["python_startup"] = cli_history(home)
        run["ui"] = ui_run(home)
        assert run["ui"]["rows"] == args.count
        runs.append(run)
        print(f"run {i + 1}/{args.repeat}: parse all {_s(run['baseline_parse_all'])}, "
              f"cold build {_s(run['cold_build'])}, list on screen "
              f"{_s(run['ui']['list_on_screen'])}", file=sys.stderr, flush=True)
    results: dict[str, Any] = {
        "meta": {"count": args.count, "messages": MESSAGES, "megabytes": megabytes,
                 "repeat": args.repeat, "seed": SEED, "textual": textual.__version__,
                 "python": platform.python_version(), "machine": platform.machine(),
                 "goals": {"list_on_screen": GOAL_LIST, "search": GOAL_SEARCH},
                 "queries": QUERIES, "hits": runs[0]["hits"]},
        "runs": runs,
    }
    for key in ("baseline_parse_all", "baseline_parse_and_grep", "cold_build", "warm_list",
                "cli_history", "python_startup", "search_all_common"):
        results[key] = median([r[key] for r in runs])
    results["search"] = {label: median([r["search"][label] for r in runs]) for label in QUERIES}
    results["ui"] = {key: median([r["ui"][key] for r in runs])
                     for key in ("list_on_screen", "search_on_screen")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "history.json").write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\nwritten: {RESULTS / 'history.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
