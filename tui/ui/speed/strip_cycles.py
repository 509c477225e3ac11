"""Keeps Textual's ``Strip`` from referring to itself, so used lines are freed at once.

Three ``Strip`` methods (Textual 8.2.8) cache their result on the strip, and when the
result is the strip itself — a line divided at its own end, adjusted to its own length,
cropped to its own extent, which is most lines of most frames — the strip holds itself
in a cycle. Every such line then waits for the garbage collector: while a reply streams
that is ~10,000 strips and 80,000 of their caches a few seconds, and full collections of
40-50 ms each that stall typing (benchmarks/typing_latency.py). Here the cache entry is
dropped when the answer is the strip itself; those answers are cheap to work out again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from textual.strip import Strip


def _uncycled(method: Callable[..., Any], cache: str) -> Callable[..., Any]:
    @wraps(method)
    def call(self: Strip, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if result is self or (type(result) is list and len(result) == 1 and result[0] is self):
            getattr(self, cache).clear()
        return result

    call.__uncycled__ = True  # type: ignore[attr-defined]
    return call


def install() -> None:
    """Patch ``Strip`` once (idempotent)."""
    for name, cache in (
        ("divide", "_divide_cache"),
        ("adjust_cell_length", "_line_length_cache"),
        ("crop_extend", "_crop_extend_cache"),
    ):
        method = getattr(Strip, name)
        if not getattr(method, "__uncycled__", False):
            setattr(Strip, name, _uncycled(method, cache))
