"""The garbage collector around start-up and streaming replies.

Full collections walk every live object. After start-up that is ~150,000 objects of the
app, Textual and the open conversation, and a full collection stalls the screen for
100+ ms (benchmarks/stream_render.py); so everything alive once the first screen is up
is frozen out of the collector's sight. While a reply streams, the new reply's lines
make each full collection cost 20-80 ms, a stall typing feels
(benchmarks/typing_latency.py); so full collections wait until a moment after the last
reply ended and its last blocks are drawn (benchmarks/compare_streams.py). Young
collections go on as usual, and with ``strip_cycles`` little garbage is left for the
full ones.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFERRED = 1_000_000  # young collections before a full one while a reply streams
RESUME_AFTER = 2.0  # seconds after the last reply ends before full collections resume
_streaming = 0
_threshold = 10  # the full-collection threshold to go back to
_resume_at: float | None = None  # when to go back to it, once no reply streams


def freeze_after_start_up() -> None:
    """``run_app`` turns the collector off for start-up (its collections cost ~50 ms
    before the first frame); this freezes what is alive — the few thousand objects of
    start-up garbage with it — and turns it back on. An app started with the collector
    on (a test's) leaves it alone."""
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()


@contextmanager
def full_collections_deferred() -> Iterator[None]:
    """No full collection while any reply streams (replies may overlap: compare), nor
    for ``RESUME_AFTER`` seconds after the last one ends. The first young collection
    after that puts the threshold back (no timer: it would die with its event loop)."""
    global _streaming, _threshold, _resume_at
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)
    if _streaming == 0 and _resume_at is None:
        young, middle, _threshold = gc.get_threshold()
        gc.set_threshold(young, middle, DEFERRED)
    _resume_at = None
    _streaming += 1
    try:
        yield
    finally:
        _streaming -= 1
        if _streaming == 0:
            _resume_at = time.monotonic() + RESUME_AFTER


def _on_collection(phase: str, info: dict[str, int]) -> None:
    global _resume_at
    if phase == "start" and _resume_at is not None and time.monotonic() >= _resume_at:
        _resume_at = None
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, _threshold)
