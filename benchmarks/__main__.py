"""Every benchmark, one table: ``.venv/bin/python -m benchmarks [--quick] [--only NAME ...]``.

The existing benchmarks run as their own commands (each spawns a fresh process per run)
and are read back from their JSON; the newer ones are called through ``measure``/``rows``.
The table is printed and written to ``benchmarks/results/all.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import (
    attachments,
    big_conversation,
    huge_message,
    message_cursor,
    parsing,
    startup,
    terminal,
    tree_branches,
    typing_latency,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
Row = dict[str, Any]


def _spawned(module: str, repeat: int, result: str) -> dict[str, Any]:
    subprocess.run([sys.executable, "-m", f"benchmarks.{module}", "--repeat", str(repeat)],
                   cwd=ROOT, check=True, stdout=sys.stderr)
    data: dict[str, Any] = json.loads((RESULTS / result).read_text())
    return data


def stream_render(repeat: int) -> list[Row]:
    r = _spawned("stream_render", repeat, "stream_render.json")
    ui, base = r["ui"], r["baseline"]["parsed_read"]["median"]
    label = "ChatClient.stream, no UI"
    final = ui["submit_to_final_frame"]["median"]
    return [
        {"figure": "stream 100 KB/20k chunks: Enter → final frame", "median": final,
         "baseline": base, "baseline_label": label, "goal": "≤ 2x baseline",
         "met": final <= 2 * base},
        {"figure": "stream: Enter → Pilot saw the app idle",
         "median": ui["submit_to_settled"]["median"], "baseline": base,
         "baseline_label": label, "goal": None, "met": None},
        {"figure": "stream: app thread CPU, Enter → settled",
         "median": ui["app_cpu"]["median"], "baseline": base, "baseline_label": label,
         "goal": None, "met": None},
        {"figure": "stream: last byte read → final frame",
         "median": ui["last_byte_to_final_frame"]["median"], "baseline": None,
         "baseline_label": "", "goal": "≤ 500 ms",
         "met": ui["last_byte_to_final_frame"]["median"] <= 0.5},
        {"figure": "stream: server sent all → final frame",
         "median": ui["server_sent_to_final_frame"]["median"], "baseline": None,
         "baseline_label": "", "goal": "≤ 500 ms",
         "met": ui["server_sent_to_final_frame"]["median"] <= 0.5},
        {"figure": "stream: longest event-loop stall", "median": ui["longest_stall"]["median"],
         "baseline": None, "baseline_label": "", "goal": "≤ 50 ms",
         "met": ui["longest_stall"]["median"] <= 0.05},
    ]


def compare(repeat: int) -> list[Row]:
    m = _spawned("compare_streams", repeat, "compare.json")["median"]
    label = "4 × ChatClient.stream"
    return [
        {"figure": "compare 4 columns × 5k chunks: Enter → final frame",
         "median": m["final_frame"], "baseline": m["baseline"], "baseline_label": label,
         "goal": "≤ 3x baseline", "met": m["final_frame"] <= 3 * m["baseline"]},
        {"figure": "compare: Enter → Pilot saw the app idle", "median": m["total"],
         "baseline": m["baseline"], "baseline_label": label, "goal": None, "met": None},
        {"figure": "compare: app thread CPU, Enter → settled", "median": m["app_cpu"],
         "baseline": m["baseline"], "baseline_label": label, "goal": None, "met": None},
        {"figure": "compare: longest event-loop stall", "median": m["longest_stall"],
         "baseline": None, "baseline_label": "", "goal": "≤ 50 ms",
         "met": m["longest_stall"] <= 0.05},
    ]


def history(repeat: int) -> list[Row]:
    r = _spawned("history", repeat, "history.json")
    scan, grep = r["baseline_parse_all"], r["baseline_parse_and_grep"]
    return [
        {"figure": "history 10k: Ctrl+L → list on screen", "median": r["ui"]["list_on_screen"],
         "baseline": scan, "baseline_label": "parse every file", "goal": "< 500 ms",
         "met": r["ui"]["list_on_screen"] < 0.5},
        {"figure": "history 10k: search typed → hits on screen",
         "median": r["ui"]["search_on_screen"], "baseline": grep,
         "baseline_label": "parse + scan every file", "goal": "< 300 ms",
         "met": r["ui"]["search_on_screen"] < 0.3},
        {"figure": "history 10k: cline-tui history", "median": r["cli_history"],
         "baseline": r["python_startup"], "baseline_label": "python -c pass",
         "goal": None, "met": None},
    ]


def _new(module: Any) -> Callable[[int], list[Row]]:
    def run(repeat: int) -> list[Row]:
        rows: list[Row] = module.rows(module.measure(repeat))
        return rows

    return run


# name: (run, repeats, quick repeats)
BENCHMARKS: dict[str, tuple[Callable[[int], list[Row]], int, int]] = {
    "startup": (_new(startup), 7, 3),
    "typing": (_new(typing_latency), 3, 1),
    "big_conversation": (_new(big_conversation), 3, 1),
    "huge_message": (_new(huge_message), 3, 1),
    "tree": (_new(tree_branches), 3, 1),
    "cursor": (_new(message_cursor), 3, 1),
    "stream_render": (stream_render, 5, 1),
    "parsing": (_new(parsing), 5, 1),
    "compare": (compare, 3, 1),
    "history": (history, 3, 1),
    "terminal": (_new(terminal), 3, 1),
    "attachments": (_new(attachments), 5, 1),
}


def _value(row: Row, key: str) -> str:
    value = row[key]
    if value is None:
        return ""
    if row.get("unit") == "MB":
        return f"{value:.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row]) -> str:
    lines = [f"{'figure':<48}{'median':>10}  {'baseline':<36}{'ratio':>8}  {'goal':<34}result",
             "-" * 146]
    for row in rows:
        base = f"{_value(row, 'baseline')} ({row['baseline_label']})" if row["baseline"] \
            else row["baseline_label"]
        ratio = f"{row['median'] / row['baseline']:.2g}x" if row["baseline"] else ""
        met = {True: "met", False: "MISSED", None: ""}[row["met"]]
        lines.append(f"{row['figure']:<48}{_value(row, 'median'):>10}  {base:<36}{ratio:>8}  "
                     f"{row['goal'] or '':<34}{met}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a rough look)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"some of: {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    repeats = {}
    for name in args.only or BENCHMARKS:
        run, repeat, quick = BENCHMARKS[name]
        repeats[name] = quick if args.quick else repeat
        began = time.perf_counter()
        print(f"[{name}] {repeats[name]} runs…", file=sys.stderr, flush=True)
        rows += run(repeats[name])
        print(f"[{name}] done in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    text = table(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "all.json").write_text(json.dumps(
        {"repeats": repeats, "quick": args.quick, "rows": rows, "table": text}, indent=2) + "\n")
    print(text)
    print(f"\nwritten: {RESULTS / 'all.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
