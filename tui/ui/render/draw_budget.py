"""How long one turn of the event loop may spend drawing Markdown blocks.

A burst of text (four compare columns catching up at once, a resize of a long reply)
could otherwise keep the loop from drawing a frame or reading a key. Every view drawing
in the same turn of the loop (one layout pass) shares the budget; what is left is drawn
after the frame.
"""

from __future__ import annotations

import asyncio
import time

RENDER_BUDGET = 0.030  # seconds of block drawing per turn of the loop, shared by all views
_pass_deadline: float | None = None


def deadline() -> float:
    """When this turn of the loop must stop drawing blocks (``time.perf_counter``)."""
    global _pass_deadline
    if _pass_deadline is None:
        _pass_deadline = time.perf_counter() + RENDER_BUDGET
        asyncio.get_running_loop().call_soon(_end_pass)
    return _pass_deadline


def _end_pass() -> None:
    global _pass_deadline
    _pass_deadline = None
