"""A real terminal: the 20,000-chunk reply into ``cline-tui`` in a pseudo-terminal.

Run from the project root (needs pyte: ``pip install -e '.[bench]'``)::

    .venv/bin/python -m benchmarks.terminal [--repeat N] [--chunks N]

The real console script (``.venv/bin/cline-tui``) runs in a pseudo-terminal of 140x45
(``TERM=xterm-256color``), with ``CLINE_TUI_HOME`` at a fresh temp dir, ``CLINE_API_KEY``
a dummy and ``CLINE_BASE_URL`` at the loopback server, which runs in its own process and
sends the ~100 KB Markdown reply as 20,000 SSE chunks as fast as it can. Every byte the
app writes is fed to a terminal emulator (``pyte``). Once the first frame is up (the
prompt box on the emulated screen) a prompt is typed and Enter written to the pty.
Timed from that write to the arrival of the bytes that put the reply's last line on the
emulated screen, and to the arrival of the last bytes that changed the screen's text
("settled"; a blinking cursor only changes colours).

Baselines from the same run: ``cline-tui ask PROMPT`` for the same stream with stdout to
/dev/null (process start to exit, and the request's arrival at the server to exit), and
``ask`` in the same pseudo-terminal. Goal: Enter → last line within 2x of ``ask`` to
/dev/null. Every run checks the reply arrived whole (the saved conversation holds it).
Written to ``results/terminal.json``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import arguments, save
from benchmarks.markdown_reply import long_reply
from benchmarks.pty_terminal import SIZE, EmulatedTerminal, StreamServerProcess
from benchmarks.startup import make_home

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "cline-tui"
PROMPT = "Write the full design document for the streaming renderer"
LAST_LINE = "ask if any part needs more detail."  # the reply's last line (and only there)
FIRST_FRAME = "Enter sends"  # the prompt box's placeholder
CHUNKS = 20_000
GOAL_RATIO = 2.0  # Enter → last line, against ask to /dev/null
TIMEOUT = 120.0


def environment(home: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.pop("TEXTUAL", None)
    env.update({"CLINE_TUI_HOME": str(home), "CLINE_BASE_URL": base_url,
                "CLINE_API_KEY": "sk-test", "TERM": "xterm-256color",
                "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1]), "PYTHONPATH": str(ROOT)})
    return env


def saved_whole(home: Path, text: str) -> bool:
    """Whether a saved conversation under ``home`` holds the reply, whole."""
    from tui.storage.store import ConversationStore

    store = ConversationStore(home / "conversations")
    for path in (home / "conversations").glob("*.toml"):
        conversation = store.load(path.stem)
        if any(m.role == "assistant" and m.content == text for m in conversation.messages):
            return True
    return False


def _wait_saved(home: Path, text: str, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if saved_whole(home, text):
                return True
        except Exception:  # a file being replaced: look again
            pass
        time.sleep(0.1)
    return False


def _request_and_sent(server: StreamServerProcess, since: float) -> tuple[float, float]:
    events = server.chat_events(since)
    request = next((e["at"] for e in events if e["event"] == "request"), 0.0)
    sent = next((e["at"] for e in events if e["event"] == "sent"), 0.0)
    return request, sent


def app_run(server: StreamServerProcess, text: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    """The full-screen app: first frame, prompt typed, Enter → last line → settled."""
    home = make_home(server.url)
    term = EmulatedTerminal([str(SCRIPT)], environment(home, server.url))
    try:
        first_frame = term.wait_for(FIRST_FRAME, 30) - term.started
        term.wait_quiet(1.0)  # start-up's deferred work done, as a person reading first
        term.type(PROMPT)
        term.wait_for(PROMPT[-30:], 10)
        term.watch(LAST_LINE)
        enter = term.press("enter")
        last_line = term.wait_for_lazily(LAST_LINE, timeout)
        settled = term.wait_quiet(1.0, timeout)
        request, sent = _request_and_sent(server, enter)
        whole = _wait_saved(home, text)
        bytes_written = term.bytes_read
    finally:
        term.close()
        shutil.rmtree(home, ignore_errors=True)
    return {
        "first_frame": first_frame,
        "enter_to_last_line": last_line - enter,
        "enter_to_settled": settled - enter,
        "enter_to_request": request - enter,
        "request_to_last_line": last_line - request,
        # The server's last write drains into the kernel's socket buffers long before the
        # app has read it (loopback buffers hold megabytes): noted, not a figure.
        "server_sent_to_last_line": last_line - sent,
        "bytes_written": bytes_written,
        "whole": whole,
    }


def ask_devnull(server: StreamServerProcess, text: str) -> dict[str, Any]:
    """``cline-tui ask PROMPT`` with stdout to /dev/null: start → exit, request → exit."""
    home = make_home(server.url)
    start = time.monotonic()
    subprocess.run([str(SCRIPT), "ask", PROMPT], env=environment(home, server.url),
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True, timeout=TIMEOUT)
    end = time.monotonic()
    request, _ = _request_and_sent(server, start)
    whole = _wait_saved(home, text)
    shutil.rmtree(home, ignore_errors=True)
    return {"start_to_exit": end - start, "request_to_exit": end - request, "whole": whole}


def ask_in_pty(server: StreamServerProcess, text: str) -> dict[str, Any]:
    """``cline-tui ask PROMPT`` printing into the same kind of pseudo-terminal."""
    home = make_home(server.url)
    term = EmulatedTerminal([str(SCRIPT), "ask", PROMPT], environment(home, server.url))
    try:
        term.watch(LAST_LINE)
        end = term.wait_exit(TIMEOUT)
        term._reader.join(5)  # the rest of its output, up to the terminal's EOF
        request, _ = _request_and_sent(server, term.started)
        on_screen = bool(term.seen_at(LAST_LINE))
        whole = on_screen and _wait_saved(home, text)
    finally:
        term.close(quit_key=None)
        shutil.rmtree(home, ignore_errors=True)
    return {"start_to_exit": end - term.started, "request_to_exit": end - request,
            "whole": whole}


def one_round(server: StreamServerProcess, text: str) -> dict[str, Any]:
    """One of each; the machine's 1-minute load noted before (2 shared cores: other work
    running shows in every figure)."""
    load = round(os.getloadavg()[0], 2)
    return {"ask_devnull": ask_devnull(server, text), "app": {**app_run(server, text),
                                                             "load": load},
            "ask_pty": ask_in_pty(server, text)}


FIGURES = (
    # (part, key), label
    (("app", "enter_to_last_line"), "cline-tui: Enter → last line on screen"),
    (("app", "enter_to_settled"), "cline-tui: Enter → screen settled"),
    (("app", "enter_to_request"), "cline-tui: Enter → request at the server"),
    (("app", "request_to_last_line"), "cline-tui: request → last line on screen"),
    (("app", "first_frame"), "cline-tui: start → first frame"),
    (("ask_devnull", "start_to_exit"), "ask > /dev/null: start → exit"),
    (("ask_devnull", "request_to_exit"), "ask > /dev/null: request → exit"),
    (("ask_pty", "start_to_exit"), "ask in the pty: start → exit"),
    (("ask_pty", "request_to_exit"), "ask in the pty: request → exit"),
)


def measure(repeat: int, chunks: int = CHUNKS) -> dict[str, Any]:
    text = long_reply()
    server = StreamServerProcess(chunks)
    try:
        ask_devnull(server, text)  # warm-up: the OS's file cache, .pyc files
        runs = []
        for i in range(repeat):
            run = one_round(server, text)
            runs.append(run)
            app, ask = run["app"], run["ask_devnull"]
            print(f"run {i + 1}/{repeat}: Enter → last line {_s(app['enter_to_last_line'])}, "
                  f"settled {_s(app['enter_to_settled'])}; ask > /dev/null "
                  f"{_s(ask['start_to_exit'])}, in the pty {_s(run['ask_pty']['start_to_exit'])}"
                  + ("" if all(r["whole"] for r in run.values()) else "  REPLY NOT WHOLE"),
                  file=sys.stderr, flush=True)
    finally:
        server.stop()
    medians = {f"{part}.{key}": statistics.median(r[part][key] for r in runs)
               for (part, key), _ in FIGURES}
    return {"repeat": repeat, "chunks": chunks, "terminal": list(SIZE), "medians": medians,
            "whole": all(r[p]["whole"] for r in runs for p in r), "runs": runs}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures for the combined table."""
    m = result["medians"]
    ask = m["ask_devnull.start_to_exit"]
    label = "ask > /dev/null, start → exit"
    whole = "" if result["whole"] else " (REPLY NOT WHOLE)"
    return [
        {"figure": "terminal 140x45, 20k chunks: Enter → last line",
         "median": m["app.enter_to_last_line"], "baseline": ask, "baseline_label": label,
         "goal": f"≤ {GOAL_RATIO:g}x baseline{whole}",
         "met": m["app.enter_to_last_line"] <= GOAL_RATIO * ask and result["whole"]},
        {"figure": "terminal: Enter → screen settled", "median": m["app.enter_to_settled"],
         "baseline": ask, "baseline_label": label, "goal": None, "met": None},
        {"figure": "terminal: ask in the pty, start → exit",
         "median": m["ask_pty.start_to_exit"], "baseline": ask, "baseline_label": label,
         "goal": None, "met": None},
    ]


def report(result: dict[str, Any]) -> str:
    loads = [r["app"].get("load", 0.0) for r in result["runs"]]
    lines = [f"terminal {SIZE[0]}x{SIZE[1]}, {result['chunks']:,} chunks, medians of "
             f"{result['repeat']} runs (min-max); machine load {min(loads):.1f}-"
             f"{max(loads):.1f}", ""]
    for (part, key), label in FIGURES:
        values = [r[part][key] for r in result["runs"]]
        lines.append(f"  {label:<42}{_s(statistics.median(values)):>9}   "
                     f"({_s(min(values))}-{_s(max(values))})")
    m = result["medians"]
    ratio = m["app.enter_to_last_line"] / m["ask_devnull.start_to_exit"]
    lines += ["", f"Enter → last line is {ratio:.1f}x ask > /dev/null (goal ≤ {GOAL_RATIO:g}x: "
              f"{'met' if ratio <= GOAL_RATIO else 'MISSED'}); bytes the app wrote: "
              f"{statistics.median(r['app']['bytes_written'] for r in result['runs']):,.0f}",
              "reply whole in every run (saved conversation; ask's last line on its screen): "
              + ("yes" if result["whole"] else "NO")]
    return "\n".join(lines)


def _s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = arguments("terminal", __doc__, repeat=3)
    parser.add_argument("--chunks", type=int, default=CHUNKS, help="SSE chunks in the reply")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    result = measure(args.repeat, args.chunks)
    result["rows"] = rows(result)
    path = save("terminal", result)
    print(report(result))
    print(f"\nwritten: {path}")
    return 0 if result["whole"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
