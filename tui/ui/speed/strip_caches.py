"""Makes a Textual ``Strip`` (a line of a frame) cheaper to create.

Each ``Strip`` (Textual 8.2.8) starts with seven ``FIFOCache`` objects for the results of
its methods, each a Python object built by a Python ``__init__``: 1.2 µs of the 1.7 µs a
strip takes to make, and every frame makes thousands (each crop, divide, style and
offset makes a new one). In the compare benchmark ``FIFOCache.__init__`` was the single
biggest line of the profile (7%). Here the caches are small ``dict`` subclasses with the
same bound, so making one is a C call and a hit is a plain ``dict.get``; a strip takes
half the time to make. The strip's behaviour is unchanged
(tests/ui/test_strip_caches.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from textual.strip import Strip

_original_init = Strip.__init__
# The attributes Textual 8.2.8's Strip.__init__ sets; another version is left alone.
_SLOTS = {"_segments", "_cell_length", "_divide_cache", "_crop_cache", "_style_cache",
          "_filter_cache", "_render_cache", "_line_length_cache", "_crop_extend_cache",
          "_offsets_cache", "_link_ids", "_cell_count"}


class _Bounded(dict):
    """A dict that forgets its oldest entry beyond ``LIMIT`` entries, like FIFOCache."""

    __slots__ = ()
    LIMIT = 4

    def __setitem__(self, key: Any, value: Any, _set: Any = dict.__setitem__) -> None:
        if len(self) >= self.LIMIT and key not in self:
            del self[next(iter(self))]
        _set(self, key, value)

    set = __setitem__  # FIFOCache's other name for it


class _Bounded16(_Bounded):
    __slots__ = ()
    LIMIT = 16


def _init(self: Strip, segments: Iterable[Segment], cell_length: int | None = None) -> None:
    # Strip.__init__ of Textual 8.2.8 with the caches above; the same sizes.
    self._segments = list(segments)
    self._cell_length = cell_length
    self._divide_cache = _Bounded()  # type: ignore[assignment]
    self._crop_cache = _Bounded16()  # type: ignore[assignment]
    self._style_cache = _Bounded16()  # type: ignore[assignment]
    self._filter_cache = _Bounded()  # type: ignore[assignment]
    self._line_length_cache = _Bounded()  # type: ignore[assignment]
    self._crop_extend_cache = _Bounded()  # type: ignore[assignment]
    self._offsets_cache = _Bounded()  # type: ignore[assignment]
    self._render_cache = None
    self._link_ids = None
    self._cell_count = None


def install() -> bool:
    """Patch ``Strip`` once (idempotent); False if this Textual's Strip is not the one
    this was written for."""
    if set(Strip.__slots__) != _SLOTS:
        return False
    Strip.__init__ = _init  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    """Textual's own caches again (for the test that compares the two)."""
    Strip.__init__ = _original_init  # type: ignore[method-assign]
