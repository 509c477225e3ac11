"""What a crash leaves behind: a short traceback in an owner-only log file.

Textual's own crash report prints every local variable of every frame, which in this
app means the whole conversation (and whatever else was in memory) on the terminal,
in scrollback and in any captured output. The log keeps the frames and the exception
only, in the cache folder, readable by its owner alone; the terminal gets one line.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from tui.files import make_private_dir


def write_crash_log(cache_dir: Path, error: BaseException) -> Path | None:
    """Write ``error``'s traceback (no locals) to ``cache_dir/crash-<time>.log``;
    the path, or None when even that failed."""
    when = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = cache_dir / f"crash-{when}.log"
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        make_private_dir(cache_dir)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
    except OSError:
        return None
    return path


def crash_line(error: BaseException, log: Path | None) -> str:
    """The one line the terminal gets."""
    where = f"details in {log}" if log is not None else "the details could not be written"
    return f"cline-tui crashed ({type(error).__name__}); {where}"
