"""The garbage collector around start-up and streaming replies.

Full collections walk every live object. After start-up that is ~150,000 objects of the
app, Textual and the open conversation, and a full collection stalls the screen for
100+ ms (benchmarks/stream_render.py); so everything alive once the first screen is up
is frozen out of the collector's sight. While a reply streams, the new reply's lines
make each full collection cost 20-50 ms, a stall typing feels
(benchmarks/typing_latency.py); so full collections wait until no reply streams. Young
collections go on as usual, and with ``strip_cycles`` little garbage is left for the
full ones.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

DEFERRED = 1_000_000  # young collections before a full one while a reply streams
_streaming = 0
_threshold = 10  # the full-collection threshold to go back to


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
    """No full collection while any reply streams (replies may overlap: compare)."""
    global _streaming, _threshold
    if _streaming == 0:
        young, middle, _threshold = gc.get_threshold()
        gc.set_threshold(young, middle, DEFERRED)
    _streaming += 1
    try:
        yield
    finally:
        _streaming -= 1
        if _streaming == 0:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, _threshold)
