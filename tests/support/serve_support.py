"""``cline-tui serve`` as a subprocess, and the distribution's Chromium (driven by
Playwright) looking at it.

The page's terminal is xterm.js drawing on a canvas, so the tests read its text from
xterm.js's buffer: ``open_app`` rewrites textual-serve's script as it is loaded so the page
keeps a handle on its terminal (``window.clineTerminals``), and ``screen_text`` reads every
line of it. Nothing here sleeps to wait: it waits for a line of output, a process, or a
state of the page.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.cli_support import FAKE_KEY, PROXY_VARS
from tests.support.paths import PROJECT

CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium hangs on a closed network; as root it needs
# --no-sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# The end of textual-serve's start-up script: each terminal is fitted, then connected.
SCRIPT_END = "t.fit(),s||t.connect()"
KEEP_HANDLE = "(window.clineTerminals=window.clineTerminals||[]).push(t),t.fit(),s||t.connect()"
SCREEN_TEXT = """() => {
  const terminals = window.clineTerminals || [];
  if (!terminals.length) return "";
  const buffer = terminals[0].terminal.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
  return lines.join("\\n");
}"""
TERMINAL_SIZE = """() => {
  const t = (window.clineTerminals || [])[0];
  return t ? [t.terminal.cols, t.terminal.rows] : [0, 0];
}"""
PROMPT_READY = "Enter sends"  # the prompt box's placeholder: the chat screen is up


class Served:
    """``python -m tui serve ARGS`` with its own home; every line it prints is kept."""

    def __init__(self, home: Path, *args: str, base_url: str | None = None,
                 key: str = FAKE_KEY, env_extra: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
        env.pop("CLINE_TUI_SERVE_TOKEN", None)
        env.update(CLINE_TUI_HOME=str(home), CLINE_API_KEY=key, PYTHONPATH=str(PROJECT))
        env.pop("CLINE_BASE_URL", None)
        if base_url is not None:
            env["CLINE_BASE_URL"] = base_url
        env.update(env_extra or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", "--port", "0", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=env, start_new_session=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self.wait_for(r"cline-tui serve: open (\S+)").group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            self._new.put(line)
        self._new.put(None)

    def wait_for(self, pattern: str, timeout: float = 30.0, after: int = 0) -> re.Match[str]:
        """The first printed line (from line ``after`` on) that matches ``pattern``."""
        deadline = time.monotonic() + timeout
        seen = after
        while True:
            for line in self.lines[seen:]:
                seen += 1
                found = re.search(pattern, line)
                if found:
                    return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))
            try:
                if self._new.get(timeout=remaining) is None and seen >= len(self.lines):
                    raise AssertionError(
                        f"serve exited before {pattern!r}:\n" + "\n".join(self.lines)
                    )
            except queue.Empty:
                continue

    def app_pids(self, after: int = 0) -> list[int]:
        """The app processes of the connections opened so far."""
        return [int(m.group(1)) for line in self.lines[after:]
                if (m := re.search(r"opened from .*: app process (\d+)", line))]

    @property
    def port(self) -> int:
        found = re.search(r":(\d+)/", self.url)
        assert found, self.url
        return int(found.group(1))

    def interrupt(self, timeout: float = 30.0) -> int:
        """Ctrl+C, as the terminal sends it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reader.join(10)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie waiting to be reaped is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_gone(pids: list[int], timeout: float = 30.0) -> list[int]:
    """The pids still running once all have gone or ``timeout`` has passed."""
    deadline = time.monotonic() + timeout
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a state, not waiting as an assertion
    return [p for p in pids if alive(p)]


@contextmanager
def chromium(profile: Path, width: int = 1200, height: int = 800,
             permissions: tuple[str, ...] = ()) -> Iterator[Any]:
    """A headless Chromium (the distribution's) with a fresh profile; yields its context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height}, permissions=list(permissions),
        )
        try:
            yield context
        finally:
            context.close()


def open_app(context: Any, url: str) -> Any:
    """A new tab on ``url`` whose terminal the test can read."""
    page = context.new_page()

    def keep_handle(route: Any) -> None:
        response = route.fetch()
        script = response.text()
        assert SCRIPT_END in script, "textual-serve's script changed: update SCRIPT_END"
        route.fulfill(response=response, body=script.replace(SCRIPT_END, KEEP_HANDLE))

    page.route("**/static/js/textual.js", keep_handle)
    page.goto(url)
    return page


def screen_text(page: Any) -> str:
    return str(page.evaluate(SCREEN_TEXT))


def wait_for_text(page: Any, text: str, timeout: float = 30.0) -> None:
    """Until ``text`` is on the page's terminal."""
    try:
        page.wait_for_function(
            f"text => ({SCREEN_TEXT})().includes(text)", arg=text, timeout=timeout * 1000,
        )
    except Exception as error:  # Playwright's TimeoutError: say what the screen showed
        raise AssertionError(f"{text!r} not on the page:\n{screen_text(page)}") from error


def terminal_size(page: Any) -> tuple[int, int]:
    cols, rows = page.evaluate(TERMINAL_SIZE)
    return int(cols), int(rows)


def wait_for_clipboard(page: Any, text: str, timeout: float = 30.0) -> None:
    """Until the browser's clipboard holds ``text`` (read in the page, polled: reading it
    is a promise, which ``wait_for_function`` would take as true)."""
    deadline = time.monotonic() + timeout
    held = None
    while time.monotonic() < deadline:
        held = page.evaluate("() => navigator.clipboard.readText()")
        if held == text:
            return
        page.wait_for_timeout(50)  # polling a state, not waiting as an assertion
    raise AssertionError(f"the clipboard holds {held!r}, not {text!r}")
