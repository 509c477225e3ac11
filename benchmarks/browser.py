"""The app in a browser (``cline-tui serve``) beside the same app in a pseudo-terminal.

Run from the project root (needs /usr/bin/chromium)::

    .venv/bin/python -m benchmarks.browser [--repeat N]

Two figures, each for a headless Chromium tab (Playwright, the distribution's browser) and
for a pty of about the same size:

* page load to first frame: from asking for the page (browser) or spawning the app
  (pty) to the prompt box of the first screen being drawn. In the
  browser this includes the page, its script, the websocket and the app process's start.
* Enter to the last line: a 100 KB Markdown reply in 20,000 SSE chunks from a loopback
  server, sent as fast as it can; from Enter to the reply's last line on screen.

The browser's screen is read from xterm.js's buffer (polled every animation frame), the
pty's from its output (polled every 50 ms). Each run starts a fresh server and app.
Printed as a table and written to ``benchmarks/results/browser.json``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import arguments, save
from benchmarks.markdown_reply import long_reply, split_evenly, sse_stream
from tests.support.loopback import LoopbackServer, Recorded, Reply
from tests.support.pty_support import PtyApp
from tests.support.serve_support import (
    CHROMIUM,
    Served,
    chromium,
    open_app,
    terminal_size,
    wait_for_text,
)

CHUNKS = 20_000
LAST_LINE = "That is the whole answer, 20000 pieces later."
FIRST_FRAME = "Enter sends"  # the prompt box, near the bottom (the footer waits for focus in a tab)
KEY = "bench-dummy-key"


def reply_body() -> bytes:
    text = long_reply(target_bytes=100_000) + "\n\n" + LAST_LINE + "\n"
    usage = {"prompt_tokens": 20, "completion_tokens": len(text) // 4, "cost": 0.001}
    return sse_stream(split_evenly(text, CHUNKS), "bench/model", usage)


def chat_server(body: bytes) -> LoopbackServer:
    server = LoopbackServer().start()

    def answer(request: Recorded) -> Reply:
        if request.path.endswith("/chat/completions"):
            return Reply.sse(body, piece_size=64 * 1024)
        return Reply(status=404, pieces=[b"{}"])

    server.default = answer
    return server


def browser_run(body: bytes) -> dict[str, float]:
    server = chat_server(body)
    with tempfile.TemporaryDirectory() as folder:
        serve = Served(Path(folder) / "home", base_url=server.url, key=KEY)
        try:
            with chromium(Path(folder) / "chromium", width=1200, height=800) as browser:
                started = time.perf_counter()
                page = open_app(browser, serve.url)
                wait_for_text(page, FIRST_FRAME)
                first_frame = time.perf_counter() - started
                page.evaluate("window.clineTerminals[0].terminal.focus()")
                page.keyboard.type("Write it all")
                entered = time.perf_counter()
                page.keyboard.press("Enter")
                wait_for_text(page, LAST_LINE, timeout=300)
                reply = time.perf_counter() - entered
                cols, rows = terminal_size(page)
            serve.interrupt()
        finally:
            serve.close()
            server.stop()
    return {"first_frame": first_frame, "reply": reply, "cols": cols, "rows": rows}


def pty_run(body: bytes, size: tuple[int, int]) -> dict[str, float]:
    server = chat_server(body)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = PtyApp(Path(folder) / "home", server.url, KEY, size=size)
        try:
            app.wait_for(FIRST_FRAME)
            first_frame = time.perf_counter() - started
            app.type("Write it all")
            mark = app.mark()
            entered = time.perf_counter()
            app.press("enter")
            app.wait_for(LAST_LINE, timeout=300, since=mark)
            reply = time.perf_counter() - entered
            app.quit()
        finally:
            app.close()
            server.stop()
    return {"first_frame": first_frame, "reply": reply}


def summary(runs: list[dict[str, float]], name: str) -> dict[str, Any]:
    values = [run[name] for run in runs]
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values}


def main() -> None:
    args = arguments("browser", __doc__, repeat=3).parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    body = reply_body()
    browser_runs, pty_runs = [], []
    for _ in range(args.repeat):  # alternated, so a busy moment weighs on both
        browser_runs.append(browser_run(body))
        size = (int(browser_runs[-1]["cols"]), int(browser_runs[-1]["rows"]))
        pty_runs.append(pty_run(body, size))
    result = {
        "browser": {name: summary(browser_runs, name) for name in ("first_frame", "reply")},
        "pty": {name: summary(pty_runs, name) for name in ("first_frame", "reply")},
        "size": [browser_runs[0]["cols"], browser_runs[0]["rows"]],
        "chunks": CHUNKS, "reply_bytes": len(body),
    }
    path = save("browser", result)
    print(f"{'median of ' + str(args.repeat) + ' runs':<40} {'browser':>10} {'pty':>10}")
    for name, label in (("first_frame", "page load / spawn → first frame"),
                        ("reply", "Enter → 20,000-chunk reply's last line")):
        print(f"{label:<40} {result['browser'][name]['median']:>9.2f}s "
              f"{result['pty'][name]['median']:>9.2f}s")
    print(f"terminal {result['size'][0]}x{result['size'][1]}; written to {path}")


if __name__ == "__main__":
    main()
