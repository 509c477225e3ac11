"""The garbage collector around start-up and streaming replies.

Full collections walk every live object. After start-up that is ~150,000 objects of the
app, Textual and the open conversation, and a full collection stalls the screen for
100+ ms (benchmarks/stream_render.py); so everything alive once the first screen is up
is frozen out of the collector's sight. While a reply streams, the new reply's lines
make each full collection cost 20-80 ms, a stall typing feels
(benchmarks/typing_latency.py); so full collections wait until a moment after the last
reply ended and its last blocks are drawn (benchmarks/compare_streams.py). The same
goes while keys are pressed (the message cursor, typing): a full collection then falls
on a key's frame every 20 keys or so and makes it 50-140 ms late
(benchmarks/message_cursor.py); they wait until the keys have stopped for a moment, at
most ``MAX_KEY_HOLD`` seconds. Young collections go on as usual, and with
``strip_cycles`` little garbage is left for the full ones.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFERRED = 1_000_000  # young collections before a full one while a reply streams
RESUME_AFTER = 2.0  # seconds after the last reply or key before full collections resume
MAX_KEY_HOLD = 30.0  # seconds of keys in a row after which a full collection may come
_streaming = 0
_threshold = 10  # the full-collection threshold to go back to
_resume_at: float | None = None  # when to go back to it, once no reply streams
_held_since: float | None = None  # when keys began holding full collections back


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
    global _streaming, _resume_at, _held_since
    _defer()
    _resume_at = _held_since = None
    _streaming += 1
    try:
        yield
    finally:
        _streaming -= 1
        if _streaming == 0:
            _resume_at = time.monotonic() + RESUME_AFTER


def key_pressed() -> None:
    """A key was pressed: no full collection until ``RESUME_AFTER`` seconds after the
    last key (a reply streaming holds them back anyway), unless keys have held them back
    for ``MAX_KEY_HOLD`` seconds already."""
    global _resume_at, _held_since
    if _streaming:
        return
    now = time.monotonic()
    if _resume_at is None:
        _defer()
    if _held_since is None:
        _held_since = now
    elif now - _held_since > MAX_KEY_HOLD:
        return  # the hold ends on time, and the next key starts another
    _resume_at = now + RESUME_AFTER


def _defer() -> None:
    global _threshold
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)
    if _streaming == 0 and _resume_at is None:
        young, middle, _threshold = gc.get_threshold()
        gc.set_threshold(young, middle, DEFERRED)


def _on_collection(phase: str, info: dict[str, int]) -> None:
    global _resume_at, _held_since
    if phase == "start" and _resume_at is not None and time.monotonic() >= _resume_at:
        _resume_at = _held_since = None
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, _threshold)
