"""Standard output whose reader went away (``cline-tui ask … | head -c 20``).

Unix convention: a program writing into a closed pipe stops writing quietly, with no
traceback. Python raises ``BrokenPipeError`` instead, and once more when it flushes
stdout at exit; ``silence_stdout`` points stdout at /dev/null so nothing is left to fail.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO


def silence_stdout() -> None:
    """Send the rest of stdout (and Python's flush at exit) to /dev/null."""
    if sys.stdout is None:  # started with stdout closed: nothing to flush
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


class QuietPipe:
    """A text stream that stops writing, silently, once its reader has gone."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        # None: the process started with stdout closed (``cline-tui ask … >&-``).
        self.closed_by_reader = stream is None

    def write(self, text: str) -> int:
        if self._stream is not None and not self.closed_by_reader:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if self._stream is not None and not self.closed_by_reader:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def _reader_gone(self) -> None:
        self.closed_by_reader = True
        silence_stdout()
