"""A program in a pseudo-terminal, its output fed to a terminal emulator (``pyte``), and
the loopback stream server in its own process: what ``benchmarks.terminal`` and
``benchmarks.peers`` measure with.

Every time here is ``time.monotonic()``, one clock for all processes of the machine. A
reader thread stamps each read from the pty as it arrives and does nothing else; the
emulator is fed from the main thread (``EmulatedTerminal.pump``), and what it finds
(a text on screen, the screen's text changing) is dated by the arrival of the bytes that
did it, not by when the emulator got to them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE = (140, 45)  # columns, lines

_STRING_OPENERS = (b"\x1b_", b"\x1bP", b"\x1b^", b"\x1bX")
_CONTROL_STRING = re.compile(rb"\x1b[_P^X].*?(?:\x1b\\|\x07)", re.DOTALL)

KEYS = {"enter": b"\r", "ctrl+q": b"\x11", "ctrl+c": b"\x03", "ctrl+j": b"\n", "ctrl+n": b"\x0e",
        "tab": b"\t", "escape": b"\x1b"}


class StreamServerProcess:
    """``python -m benchmarks.stream_server --chunks N``, and the events it reports."""

    def __init__(self, chunks: int, python: str = sys.executable) -> None:
        self.process = subprocess.Popen(
            [python, "-m", "benchmarks.stream_server", "--chunks", str(chunks)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.process.stdout is not None
        first = json.loads(self.process.stdout.readline() or "{}")
        if first.get("event") != "listening":
            self.process.kill()
            raise RuntimeError("the stream server did not start")
        self.url: str = first["url"]
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.events.append(json.loads(line))

    def chat_events(self, since: float) -> list[dict[str, Any]]:
        """The chat requests and sent-alls reported after ``since``."""
        with self._lock:
            return [e for e in self.events if e["at"] >= since and (
                e["event"] == "sent" or e.get("path", "").endswith("/chat/completions"))]

    def requests(self, since: float = 0.0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if e["event"] == "request" and e["at"] >= since]

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class EmulatedTerminal:
    """``command`` in a pseudo-terminal of ``size`` (TIOCSWINSZ set before exec), every
    byte it writes kept with its arrival time and fed to a ``pyte`` screen."""

    def __init__(self, command: Sequence[str], env: dict[str, str],
                 size: tuple[int, int] = SIZE, cwd: str | Path | None = None) -> None:
        try:  # here, so that python -m benchmarks runs the others without the extra
            import pyte
        except ImportError as error:
            raise SystemExit("this benchmark needs pyte: pip install -e '.[bench]' "
                             "(or pip install 'pyte>=0.8,<0.9')") from error
        self.columns, self.lines = size
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.lines, self.columns,
                                                           0, 0))
        self.master = master
        self.started = time.monotonic()
        self.process = subprocess.Popen(list(command), stdin=slave, stdout=slave, stderr=slave,
                                        env=env, cwd=cwd, start_new_session=True,
                                        close_fds=True)
        os.close(slave)
        self.exited_at = 0.0
        self.screen = pyte.Screen(self.columns, self.lines)
        self._stream = pyte.ByteStream(self.screen)
        self._rows = [""] * self.lines
        self._carry = b""
        self._chunks: list[tuple[float, bytes]] = []
        self._fed = 0
        self.bytes_read = 0
        self.last_byte_at = 0.0
        self.text_changed_at = 0.0  # arrival of the last bytes that changed the screen's text
        self.first_text_at = 0.0  # arrival of the first bytes that put any text on screen
        self._watches: dict[str, float] = {}
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # --- reading and emulating ---------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    if self.process.poll() is not None and not self.exited_at:
                        self.exited_at = time.monotonic()
                    continue
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the program and its children closed the terminal
                break
            if not data:
                break
            now = time.monotonic()
            with self._lock:
                self._chunks.append((now, data))

    def pump(self) -> None:
        """Feed the emulator every byte read so far, noting what each read changed."""
        with self._lock:
            pending = self._chunks[self._fed:]
            self._fed = len(self._chunks)
        for arrived, data in pending:
            self.bytes_read += len(data)
            self.last_byte_at = arrived
            self._stream.feed(self._without_strings(data))
            changed = False
            for y in self.screen.dirty:
                if y >= self.lines:
                    continue
                line = self.screen.buffer[y]
                row = "".join(line[x].data for x in range(self.columns))
                if row != self._rows[y]:
                    self._rows[y] = row
                    changed = True
                    for text, seen in self._watches.items():
                        if not seen and text in row:
                            self._watches[text] = arrived
            self.screen.dirty.clear()
            if changed:
                self.text_changed_at = arrived
                if not self.first_text_at and any(r.strip() for r in self._rows):
                    self.first_text_at = arrived

    def _without_strings(self, data: bytes) -> bytes:
        """``data`` without control strings (APC, DCS, PM, SOS: a graphics protocol's
        queries and images), which pyte does not know and would draw as text. One cut
        across two reads is carried over to the next."""
        data = self._carry + data
        self._carry = b""
        start = max(data.rfind(opener) for opener in _STRING_OPENERS)
        ended = data.find(b"\x1b\\", start) >= 0 or data.find(b"\x07", start) >= 0
        if start >= 0 and not ended and len(data) - start < 1 << 20:
            data, self._carry = data[:start], data[start:]
        return _CONTROL_STRING.sub(b"", data)

    def text(self) -> str:
        self.pump()
        return "\n".join(self._rows)

    def watch(self, text: str) -> None:
        """From now on, note when ``text`` shows up on a line of the screen (if it is
        there already, now)."""
        self.pump()
        on_screen = any(text in row for row in self._rows)
        self._watches[text] = self.last_byte_at if on_screen else 0.0

    def seen_at(self, text: str) -> float:
        self.pump()
        return self._watches.get(text, 0.0)

    def wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what}: not after {timeout:.0f} s; the screen:\n"
                                   + self.text())
            if self.process.poll() is not None:
                self.pump()
                if done():
                    return
                raise RuntimeError(f"{what}: the program exited "
                                   f"({self.process.returncode}); the screen:\n{self.text()}")
            time.sleep(0.01)

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """The arrival time of the bytes that put ``text`` on the screen."""
        if text not in self._watches:
            self.watch(text)
        self.wait(lambda: bool(self.seen_at(text)), timeout, f"{text!r} on screen")
        return self._watches[text]

    def wait_for_lazily(self, text: str, timeout: float, pump_every: float = 2.0) -> float:
        """``wait_for``, but the emulator (~1.3 µs a byte of the harness's CPU, which a
        2-core machine takes from the program measured) is fed only once ``text`` shows
        up in the raw bytes, or every ``pump_every`` s in case it never does as such
        (split by escape sequences). The time is still that of the bytes' arrival."""
        if text not in self._watches:
            self.watch(text)
        needle = text.encode()
        with self._lock:
            scanned = len(self._chunks)
        tail = b""
        last_pump = time.monotonic()

        def done() -> bool:
            nonlocal scanned, tail, last_pump
            with self._lock:
                fresh = self._chunks[scanned:]
                scanned += len(fresh)
            raw = tail + b"".join(data for _, data in fresh)
            tail = raw[-len(needle):]
            now = time.monotonic()
            if needle in raw or now - last_pump >= pump_every:
                last_pump = now
                return bool(self.seen_at(text))
            return False

        self.wait(done, timeout, f"{text!r} on screen")
        return self._watches[text]

    def wait_quiet(self, quiet: float = 1.0, timeout: float = 60.0) -> float:
        """Wait until the screen's text has not changed for ``quiet`` s (a blinking cursor
        changes only colours, so it does not count); the arrival of the last change."""
        def still() -> bool:
            self.pump()
            return time.monotonic() - max(self.text_changed_at, self.started) >= quiet
        self.wait(still, timeout, f"the screen still for {quiet} s")
        return self.text_changed_at

    def wait_exit(self, timeout: float = 60.0) -> float:
        """Wait for the program to end; when it did (noticed within ~50 ms by the reader)."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired as error:
            raise TimeoutError(f"still running after {timeout:.0f} s:\n{self.text()}") from error
        ended = time.monotonic()
        return min(ended, self.exited_at) if self.exited_at else ended

    # --- typing ---------------------------------------------------------------------------

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def press(self, key: str) -> float:
        """Write a key's bytes to the terminal; the moment just before."""
        at = time.monotonic()
        os.write(self.master, KEYS[key])
        return at

    def close(self, quit_key: str | None = "ctrl+q", timeout: float = 10.0) -> None:
        """Quit with ``quit_key`` (draining the output meanwhile), else end the program's
        process group."""
        if self.process.poll() is None and quit_key:
            try:
                os.write(self.master, KEYS[quit_key])
                self.process.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self._reader.join(5)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
