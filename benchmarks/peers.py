"""The peers: cline-tui beside oterm and elia on the same stream, in the same terminal.

Run from the project root (needs pyte: ``pip install -e '.[bench]'``, and the package
registry the first time)::

    .venv/bin/python -m benchmarks.peers [--chunks 2000 5000] [--cap 120]

Not part of ``python -m benchmarks`` nor of CI. The first run creates a venv for each
peer under ``benchmarks/results/peers-venv/`` (``PINS``; each its own venv, as their
Textual versions differ) and reuses it afterwards. Each client runs in a pseudo-terminal
of 140x45 with a fresh temp HOME (and XDG dirs), configured to use the loopback stream
server (``benchmarks/stream_server.py``) as an OpenAI-compatible provider, and is driven
with its own keys: a prompt typed, then its send key. Measured as in
``benchmarks.terminal``: start to the first non-empty screen, then the send key to the
reply's last line on the emulated screen and to the screen's text settling, for a
~100 KB reply in 2,000 and in 5,000 chunks, each capped at ``--cap`` seconds ("> 120 s"
when the last line never appears). Whether each client saved the whole reply is checked
in its own store. One table, written with the details to ``results/peers.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.instruments import save
from benchmarks.markdown_reply import long_reply
from benchmarks.pty_terminal import EmulatedTerminal, StreamServerProcess
from benchmarks.startup import make_home
from benchmarks.stream_server import MODEL
from benchmarks.terminal import (
    FIRST_FRAME,
    PROMPT,
    SCRIPT,
    SIZE,
    saved_whole,
)
from benchmarks.terminal import environment as cline_environment

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / "benchmarks" / "results" / "peers-venv"
PINS = {"oterm": "oterm==0.26.1", "elia": "elia-chat==1.10.0"}
LAST_WORDS = "more detail."  # the end of the reply's last line; nowhere else in it
CHUNK_COUNTS = (2_000, 5_000)
CAP = 120.0


@dataclasses.dataclass
class Client:
    """How to start one client against the server, and how to talk to it."""

    name: str
    version: str
    command: list[str]
    env: dict[str, str]
    home: Path
    ready: str  # text on its screen once the prompt can be typed into
    send: str  # the key that sends the prompt
    saved: Callable[[Path, str], bool]  # whether its store holds the whole reply


def _base_env(home: Path) -> dict[str, str]:
    """A clean environment: no proxies, no Textual settings of ours, HOME in a temp dir."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and not k.startswith(("TEXTUAL", "CLINE_", "OPENAI_", "ELIA_", "OTERM_", "OLLAMA_"))}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local/share"),
                "XDG_CACHE_HOME": str(home / ".cache"), "TERM": "xterm-256color",
                "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])})
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # let them keep their bytecode, as installed
    return env


# --- the peers' venvs -----------------------------------------------------------------


def peer_venv(name: str) -> Path:
    """``results/peers-venv/NAME``, created and installed the first time; its bin dir."""
    venv = VENVS / name
    marker = venv / "installed.txt"
    if not marker.exists() or marker.read_text().strip() != PINS[name]:
        print(f"[peers] creating {venv} with {PINS[name]} (once)…", file=sys.stderr, flush=True)
        shutil.rmtree(venv, ignore_errors=True)
        python = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", PINS[name]], check=True,
                       stdout=sys.stderr)
        marker.write_text(PINS[name] + "\n")
    return venv / "bin"


def installed_version(bin_dir: Path, distribution: str) -> str:
    out = subprocess.run([str(bin_dir / "python"), "-c", "import importlib.metadata as m; "
                          f"print(m.version({distribution!r}))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


# --- the clients ----------------------------------------------------------------------


def _cells_hold(database: Path, text: str) -> bool:
    """Whether any text cell of any table of a SQLite file holds ``text`` (as is, or as
    a JSON string inside a JSON document)."""
    if not database.exists():
        return False
    needles = (text, json.dumps(text)[1:-1])
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in connection.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for needle in needles:
                    row = connection.execute(
                        f'SELECT 1 FROM "{table}" WHERE instr("{column}", ?) > 0 LIMIT 1',
                        (needle,)).fetchone()
                    if row:
                        return True
    return False


def cline_tui(url: str) -> Client:
    home = make_home(url)
    return Client("cline-tui", installed_version(Path(sys.executable).parent, "cline-tui"),
                  [str(SCRIPT)], cline_environment(home, url), home, FIRST_FRAME, "enter",
                  saved_whole)


def elia(url: str) -> Client:
    """elia reads ``$XDG_CONFIG_HOME/elia/config.toml``: a ``[[models]]`` entry with a
    LiteLLM model name (``openai/…``: any OpenAI-compatible server), ``api_base`` and
    ``api_key``, made the default. It sends with Ctrl+J (a line feed on the pty)."""
    bin_dir = peer_venv("elia")
    home = Path(tempfile.mkdtemp(prefix="bench-peer-elia-"))
    config = home / ".config" / "elia"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(
        'default_model = "bench"\n\n[[models]]\nid = "bench"\n'
        f'name = "openai/{MODEL}"\ndisplay_name = "Bench"\nprovider = "Loopback"\n'
        f'api_key = "sk-test"\napi_base = "{url}"\n')
    env = _base_env(home)
    # LiteLLM fetches its model price list from GitHub on import unless told not to.
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

    def saved(home: Path, text: str) -> bool:
        return _cells_hold(home / ".local/share/elia/elia.sqlite", text)

    return Client("elia", installed_version(bin_dir, "elia-chat"), [str(bin_dir / "elia")],
                  env, home, "message...", "ctrl+j", saved)


OTERM_SEED = """
import asyncio
from oterm.store.store import Store
from oterm.types import ChatModel

async def main():
    store = await Store.get_store()
    await store.save_chat(ChatModel(name="bench", model={model!r},
                                    provider="openai-compat/loopback"))

asyncio.run(main())
"""


def oterm(url: str) -> Client:
    """oterm 0.26 reads ``$OTERM_DATA_DIR/config.json``: an ``openaiCompatible`` endpoint
    (``base_url``, ``api_key``) becomes the provider ``openai-compat/NAME`` (pydantic-ai's
    OpenAI chat model). A chat with that provider and model is saved first with oterm's
    own store (what Ctrl+N's dialog would save), so it opens on that chat, the prompt
    focused; Enter sends. The splash screen is off."""
    bin_dir = peer_venv("oterm")
    home = Path(tempfile.mkdtemp(prefix="bench-peer-oterm-"))
    data = home / ".local/share/oterm"
    data.mkdir(parents=True)
    (data / "config.json").write_text(json.dumps({
        "theme": "textual-dark", "splash-screen": False,
        "openaiCompatible": {"loopback": {"base_url": url, "api_key": "sk-test"}}}))
    env = _base_env(home)
    env["OTERM_DATA_DIR"] = str(data)
    env["OLLAMA_HOST"] = "127.0.0.1:9"  # nothing listens there: refused at once
    subprocess.run([str(bin_dir / "python"), "-c", OTERM_SEED.format(model=MODEL)], env=env,
                   check=True, capture_output=True)

    def saved(home: Path, text: str) -> bool:
        return _cells_hold(data / "store.db", text)

    return Client("oterm", installed_version(bin_dir, "oterm"), [str(bin_dir / "oterm")], env,
                  home, f"model: {MODEL}", "enter", saved)


CLIENTS: dict[str, Callable[[str], Client]] = {"cline-tui": cline_tui, "oterm": oterm,
                                                "elia": elia}


# --- one measurement ------------------------------------------------------------------


def drive(client: Client, server: StreamServerProcess, cap: float) -> dict[str, Any]:
    """Start the client, wait for it, type the prompt, send it, and time the reply."""
    result: dict[str, Any] = {"first_screen": None, "ready": None, "send_to_last_line": None,
                              "send_to_settled": None, "whole": False, "error": None}
    term = EmulatedTerminal(client.command, client.env, cwd=client.home)
    try:
        term.wait(lambda: bool(term.text().strip()), 60, "a first non-empty screen")
        result["first_screen"] = term.first_text_at - term.started
        result["ready"] = term.wait_for(client.ready, 60) - term.started
        term.wait_quiet(1.0, 30)
        term.type(PROMPT)
        term.wait_for(PROMPT[-20:], 20)
        term.watch(LAST_WORDS)
        sent = term.press(client.send)
        try:
            result["send_to_last_line"] = term.wait_for_lazily(LAST_WORDS, cap,
                                                               pump_every=10) - sent
        except TimeoutError:
            result["error"] = f"the last line not on screen after {cap:.0f} s"
            term.pump()
            # Still drawing at the cap, or stuck: when its screen's text last changed.
            result["last_change"] = term.text_changed_at - sent
        else:
            result["send_to_settled"] = term.wait_quiet(1.0, cap) - sent
        requests = server.chat_events(sent)
        result["requests"] = sum(1 for e in requests if e["event"] == "request")
        result["screen_at_end"] = term.text()
        result["bytes_written"] = term.bytes_read
    except (TimeoutError, RuntimeError) as error:
        result["error"] = str(error).splitlines()[0]
        result["screen_at_end"] = term.text()
    finally:
        term.close()
    deadline = time.monotonic() + (10 if result["send_to_last_line"] else 2)
    while time.monotonic() < deadline and not result["whole"]:
        with contextlib.suppress(OSError, sqlite3.Error, ValueError):
            result["whole"] = client.saved(client.home, long_reply())
        if not result["whole"]:
            time.sleep(0.2)
    return result


def measure(names: list[str], chunk_counts: list[int], cap: float) -> dict[str, Any]:
    results: dict[str, Any] = {"cap": cap, "chunks": chunk_counts, "terminal": list(SIZE),
                               "clients": {}, "runs": {}}
    for chunks in chunk_counts:
        server = StreamServerProcess(chunks)
        try:
            for name in names:
                try:
                    client = CLIENTS[name](server.url)
                except (subprocess.CalledProcessError, OSError) as error:
                    results["clients"][name] = {"error": f"could not configure: {error}"}
                    continue
                results["clients"][name] = {"version": client.version}
                began = time.monotonic()
                load = os.getloadavg()[0]
                run = drive(client, server, cap)
                # The machine's 1-minute load before and after: on 2 shared cores, other
                # work running shows up in every figure.
                run["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
                shutil.rmtree(client.home, ignore_errors=True)
                results["runs"].setdefault(name, {})[str(chunks)] = run
                print(f"[peers] {name} {chunks:,} chunks: {_cell(run, cap)} "
                      f"({time.monotonic() - began:.0f} s; {run['error'] or 'ok'})",
                      file=sys.stderr, flush=True)
        finally:
            server.stop()
    return results


# --- the table ------------------------------------------------------------------------


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cell(run: dict[str, Any], cap: float = CAP) -> str:
    if run["send_to_last_line"] is None:
        return f"> {cap:.0f} s" if run["error"] and "after" in run["error"] else "failed"
    return _s(run["send_to_last_line"])


def table(results: dict[str, Any]) -> str:
    cap, counts = results["cap"], results["chunks"]
    head = f"{'client':<20}{'first screen':>14}{'ready':>10}"
    for chunks in counts:
        head += f"{f'{chunks:,}: last line':>20}{'settled':>10}{'saved':>7}"
    lines = [head, "-" * len(head)]
    for name, info in results["clients"].items():
        label = f"{name} {info.get('version', '')}".strip()
        if "error" in info:
            lines.append(f"{label:<20}{info['error']}")
            continue
        runs = results["runs"][name]
        first = next(iter(runs.values()))
        row = f"{label:<20}{_s(first['first_screen']):>14}{_s(first['ready']):>10}"
        for chunks in counts:
            run = runs[str(chunks)]
            row += (f"{_cell(run, cap):>20}{_s(run['send_to_settled']):>10}"
                    f"{'whole' if run['whole'] else 'no':>7}")
        lines.append(row)
    notes = []
    for name, runs in results["runs"].items():
        for chunks, run in runs.items():
            if run["send_to_last_line"] is None and "last_change" in run:
                still = run["last_change"] < cap - 2
                notes.append(f"{name}, {int(chunks):,} chunks: " + (
                    f"the screen still from {run['last_change']:.0f} s on, the last line "
                    "not in view" if still else f"still drawing at {cap:.0f} s")
                    + f"; {'whole reply' if run['whole'] else 'no reply'} in its store")
            elif run["error"] and run["send_to_last_line"] is None:
                notes.append(f"{name}, {int(chunks):,} chunks: {run['error']}")
    return "\n".join(lines + (["", *notes] if notes else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=list(CHUNK_COUNTS))
    parser.add_argument("--cap", type=float, default=CAP, help="seconds allowed per reply")
    parser.add_argument("--only", nargs="+", choices=list(CLIENTS), default=list(CLIENTS))
    args = parser.parse_args(argv)
    results = measure(args.only, args.chunks, args.cap)
    results["table"] = table(results)
    path = save("peers", results)
    loads = [x for runs in results["runs"].values() for r in runs.values() for x in r["load"]]
    print(f"the peers: a ~100 KB reply in a {SIZE[0]}x{SIZE[1]} pseudo-terminal, one run each; "
          f"times from the send key; machine load {min(loads):.1f}-{max(loads):.1f}")
    print(results["table"])
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
