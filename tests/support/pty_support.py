"""Running the real ``cline-tui`` in a pseudo-terminal and keeping every byte it writes.

Widget state can look clean while the bytes sent to the terminal are not, so the hostile
content tests read what a terminal would receive.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.paths import PROJECT

_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")

KEYS = {
    "enter": b"\r",
    "ctrl+q": b"\x11",
    "ctrl+l": b"\x0c",
    "ctrl+b": b"\x02",
    "f2": b"\x1bOQ",
    "escape": b"\x1b",
}


_CONTROLLING_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(1, termios.TIOCSCTTY, 0); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def _feed(fd: int, data: bytes) -> None:
    """Write ``data`` down the pipe and close it (the reader may stop early)."""
    with contextlib.suppress(BrokenPipeError), os.fdopen(fd, "wb") as handle:
        handle.write(data)


class PtyApp:
    def __init__(self, home: Path, base_url: str, key: str, *args: str,
                 size: tuple[int, int] = (120, 40), command: list[str] | None = None,
                 stdin: bytes | None = None) -> None:
        """``cline-tui ARGS`` (or ``command`` + ARGS: a script that prepares the app
        first) in a terminal of ``size``. ``stdin``: piped in (``... | cline-tui``),
        the terminal then being only the process's controlling terminal, ``/dev/tty``,
        as in a shell pipeline."""
        columns, lines = size
        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        env.update({
            "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines),
            "CLINE_TUI_HOME": str(home), "CLINE_BASE_URL": base_url, "CLINE_API_KEY": key,
            "PYTHONPATH": str(PROJECT),
        })
        env.pop("TEXTUAL", None)
        master, slave = pty.openpty()
        # The window size, as a terminal emulator would set it.
        import fcntl
        import struct
        import termios

        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master = master
        argv = [*(command or [sys.executable, "-m", "tui"]), *args]
        pipe = os.pipe() if stdin is not None else None
        if pipe is not None:
            # A new session has no controlling terminal: take the pty (stdout) as it,
            # then become the app. A shell gives a pipeline's programs its own.
            argv = [sys.executable, "-c", _CONTROLLING_TERMINAL, *argv]
        self.process = subprocess.Popen(
            argv, stdin=pipe[0] if pipe else slave, stdout=slave, stderr=slave, env=env,
            start_new_session=True, close_fds=True,
        )
        os.close(slave)
        if pipe is not None:
            os.close(pipe[0])
            threading.Thread(target=_feed, args=(pipe[1], stdin or b""), daemon=True).start()
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:  # the other side closed
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def mark(self) -> int:
        """Where the output is now: ``wait_for(..., since=mark)`` looks only after it."""
        with self._lock:
            return len(self.output)

    def text(self, since: int = 0) -> str:
        """What was written, SGR and cursor moves removed, as text."""
        with self._lock:
            raw = bytes(self.output[since:])
        return _CSI.sub(b"", raw).decode("utf-8", errors="replace")

    def raw(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, KEYS.get(key, key.encode()))
            time.sleep(0.15)  # a lone ESC must not run into the next key

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait_for(self, marker: str, timeout: float = 20.0, since: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.text(since):
            if self.process.poll() is not None:
                raise AssertionError(f"the app exited ({self.process.returncode}) before "
                                     f"showing {marker!r}:\n{self.text()[-2000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{marker!r} never appeared:\n{self.text()[-2000:]}")
            time.sleep(0.05)

    def quit(self, timeout: float = 15.0) -> int:
        assert self.process.poll() is None, "the app quit early"
        self.press("ctrl+q")
        try:
            code = self.process.wait(timeout)
        finally:
            self.close()
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self._reader.join(5)
        if self.master >= 0:  # closing twice is fine (quit() closes too)
            os.close(self.master)
            self.master = -1
