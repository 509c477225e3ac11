"""When a key was last pressed in a prompt. Text streaming into a reply yields to
keystrokes for a moment, so the frame that shows a keystroke is a cheap one."""

from __future__ import annotations

import time

_last = float("-inf")


def note() -> None:
    global _last
    _last = time.monotonic()


def since() -> float:
    """Seconds since the last keystroke."""
    return time.monotonic() - _last
