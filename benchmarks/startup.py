"""Start-up: process start to the first frame of ``cline-tui``, and the command-line paths.

Run from the project root::

    .venv/bin/python -m benchmarks.startup [--repeat N]

Every figure is a fresh process. The full-screen app is the real console script
(``.venv/bin/cline-tui``) in a pseudo-terminal of 120x40, with ``CLINE_TUI_HOME`` at a
temp dir holding a fresh cached catalog, a dummy key and ``CLINE_BASE_URL`` at a loopback
server that is up. The first frame is the moment the bytes of the footer's last words
("palette", bottom right: Textual paints top to bottom) arrive on the pty; then Ctrl+Q.
Baseline: ``python -c "import textual.app"``. ``cline-tui ask --help`` and
``cline-tui models`` (cached catalog) are timed beside ``python -c pass``, and both are
checked to import no Textual (``-X importtime``). The project's modules are compiled to
bytecode first, as an installed wheel's are. Written to ``results/startup.json``.
"""

from __future__ import annotations

import compileall
import dataclasses
import fcntl
import hashlib
import json
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path
from typing import Any

from benchmarks.instruments import arguments, save
from tests.support.loopback import LoopbackServer
from tui.api.catalog import ModelInfo

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / "cline-tui"
GOAL_APP_OVER_TEXTUAL = 0.10  # seconds over the bare Textual import
GOAL_ASK = 0.25
FIRST_FRAME_MARK = b"palette"  # the footer's last word, the frame's last cells
_ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[a-zA-Z~]|\x1b\][^\x07]*\x07|\x1b[=>()][0-9A-Za-z]?")


def make_home(base_url: str) -> Path:
    """A temp home with a catalog cached a moment ago for the cline profile at base_url."""
    home = Path(tempfile.mkdtemp(prefix="cline-tui-bench-start-"))
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:12]
    models = [ModelInfo(f"bench/model-{i}", f"Model {i}", 200_000, 3e-6, 15e-6) for i in range(300)]
    cache = home / "cache"
    cache.mkdir(parents=True)
    document = {"fetched": time.time(), "models": [dataclasses.asdict(m) for m in models]}
    (cache / f"models-cline-{digest}.json").write_text(json.dumps(document))
    return home


def environment(home: Path, base_url: str) -> dict[str, str]:
    return {**os.environ, "CLINE_TUI_HOME": str(home), "CLINE_BASE_URL": base_url,
            "CLINE_API_KEY": "bench-dummy-key", "TERM": "xterm-256color",
            "COLUMNS": "120", "LINES": "40"}


def app_first_frame(env: dict[str, str], timeout: float = 20.0) -> float:
    """Seconds from spawning the console script in a pty to the first full frame."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen([str(SCRIPT)], stdin=slave, stdout=slave, stderr=slave,
                               env=env, close_fds=True)
    os.close(slave)
    seen = b""
    first_frame = 0.0
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            seen += os.read(master, 65536)
            if FIRST_FRAME_MARK in _ESCAPES.sub(b"", seen):
                first_frame = time.perf_counter() - start
                break
        os.write(master, b"\x11")  # Ctrl+Q
        deadline = time.perf_counter() + 10
        while process.poll() is None and time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)  # keep the pty drained so the app can exit
                except OSError:
                    break
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    if not first_frame:
        raise RuntimeError("no first frame: " + repr(_ESCAPES.sub(b"", seen)[-300:]))
    return first_frame


def timed_run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def textual_imported(args: list[str], env: dict[str, str]) -> bool:
    """Whether ``cline-tui ARGS`` imports any textual module (``-X importtime``)."""
    out = subprocess.run([sys.executable, "-X", "importtime", str(SCRIPT), *args], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return bool(re.search(r"\|\s+textual(\.|$)", out.stderr, re.MULTILINE))


def one_round(env: dict[str, str]) -> dict[str, float]:
    python = sys.executable
    return {
        "app_first_frame": app_first_frame(env),
        "import_textual_app": timed_run([python, "-c", "import textual.app"], env),
        "ask_help": timed_run([str(SCRIPT), "ask", "--help"], env),
        "models_cached": timed_run([str(SCRIPT), "models"], env),
        "python_pass": timed_run([python, "-c", "pass"], env),
    }


def measure(repeat: int) -> dict[str, Any]:
    # Bytecode for the project's own modules, as an installed wheel has: with
    # PYTHONDONTWRITEBYTECODE set (it is on the shared machines) every start would
    # otherwise compile them from source (~20 ms) while Textual's are compiled.
    compileall.compile_dir(str(ROOT / "tui"), quiet=1)
    server = LoopbackServer().start()
    try:
        home = make_home(server.url)
        env = environment(home, server.url)
        one_round(env)  # warm-up: the OS's file cache, .pyc files
        runs = [one_round(env) for _ in range(repeat)]
        imports = {"ask --help": textual_imported(["ask", "--help"], env),
                   "models": textual_imported(["models"], env)}
        catalog_requests = sum(1 for r in server.requests if "models" in r.path)
    finally:
        server.stop()
    medians = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    return {"repeat": repeat, "medians": medians, "runs": runs, "textual_imported": imports,
            "catalog_requests": catalog_requests}


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures for the combined table: figure, median, baseline, goal, met."""
    m = result["medians"]
    over = m["app_first_frame"] - m["import_textual_app"]
    imports = result["textual_imported"]
    return [
        {"figure": "start-up: cline-tui → first frame (pty)", "median": m["app_first_frame"],
         "baseline": m["import_textual_app"], "baseline_label": "import textual.app",
         "goal": f"≤ baseline + {GOAL_APP_OVER_TEXTUAL * 1000:.0f} ms (+{over * 1000:.0f} ms)",
         "met": over <= GOAL_APP_OVER_TEXTUAL},
        {"figure": "start-up: cline-tui ask --help", "median": m["ask_help"],
         "baseline": m["python_pass"], "baseline_label": "python -c pass",
         "goal": f"< {GOAL_ASK * 1000:.0f} ms, no Textual",
         "met": m["ask_help"] < GOAL_ASK and not imports["ask --help"]},
        {"figure": "start-up: cline-tui models (cached)", "median": m["models_cached"],
         "baseline": m["python_pass"], "baseline_label": "python -c pass",
         "goal": "no Textual", "met": not imports["models"]},
    ]


def main(argv: list[str] | None = None) -> int:
    args = arguments("startup", __doc__, repeat=7).parse_args(argv)
    result = measure(max(1, args.repeat))
    result["rows"] = rows(result)
    path = save("startup", result)
    print(f"start-up, median of {args.repeat} rounds (fresh processes):")
    for key, value in result["medians"].items():
        print(f"  {key:<22}{value * 1000:>8.0f} ms")
    print(f"  Textual imported: {result['textual_imported']}; catalog requests to the "
          f"server: {result['catalog_requests']}")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
