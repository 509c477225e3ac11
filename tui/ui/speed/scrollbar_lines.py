"""A scrollbar's lines drawn again only when what it shows changed.

Textual (8.2.8) repaints a scrollbar whenever the size of what it scrolls changes. While
a reply streams, the transcript grows every frame, so its scrollbar was drawn again every
frame — through the whole style pipeline, one line per row — though its thumb moves one
cell in many frames: 7% of the app's time in benchmarks/stream_render.py. Here the lines
of the last draw are kept with what decides them: the size and crop, the colours and
the thumb's place in eighths of a cell, worked out as ``ScrollBarRender.render_bar``
does. A draw with the same key gives the same lines (tests/ui/test_scrollbar_lines.py
compares them with Textual's own for many sizes and positions).

Nor is a scrollbar repainted when told to while what it shows is what it last drew:
Textual asks for that after every layout that changed the size of what it scrolls, and
the repaint came a frame later as a frame of its own, the screen unchanged.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

_original_render_lines = ScrollBar.render_lines
_original_style_update = ScrollBar.notify_style_update
_original_refresh = ScrollBar.refresh


def thumb(bar: ScrollBarRender, size: int) -> tuple[int, int] | None:
    """Where ``render_bar`` puts the thumb, in eighths of a cell (None: no thumb)."""
    virtual_size, window_size = bar.virtual_size, bar.window_size
    if not (window_size and size and virtual_size and size != virtual_size):
        return None
    bars = len(bar.VERTICAL_BARS if bar.vertical else bar.HORIZONTAL_BARS)
    thumb_size = max(1, window_size / (virtual_size / size))
    position = (size - thumb_size) * (bar.position / (virtual_size - window_size))
    start = int(position * bars)
    return start, start + ceil(thumb_size * bars)


def _key(self: ScrollBar, crop: Region) -> tuple[Any, ...] | None:
    """What this draw of ``self`` depends on, or None when it is not known."""
    if self.BLANK or type(self) is not ScrollBar:
        return None
    bar = self.render()
    if type(bar) is not ScrollBarRender or self.renderer is not ScrollBarRender:
        return None
    size = self.size
    length = size.height if bar.vertical else size.width
    app = self.app
    return (crop, size, bar.style, bar.thickness, bar.vertical, thumb(bar, length),
            self.background_colors, app.ansi_theme, app.native_ansi_color)


def render_lines(self: ScrollBar, crop: Region) -> list[Strip]:
    key = _key(self, crop)
    kept = self.__dict__.get("_kept_lines")
    if key is not None and kept is not None and kept[0] == key:
        return kept[1]
    if key is not None:
        # Drawn afresh, so the lines kept are those of the key: Textual's own cache can
        # hold lines of an earlier state that it has not been told to repaint yet.
        self._styles_cache.clear()
        self._dirty_regions.add(self.size.region)
    lines = _original_render_lines(self, crop)
    self.__dict__["_kept_lines"] = None if key is None else (key, lines)
    return lines


def refresh(self: ScrollBar, *regions: Region, repaint: bool = True, layout: bool = False,
            recompose: bool = False) -> ScrollBar:
    kept = self.__dict__.get("_kept_lines")
    if (kept is not None and repaint and not (regions or layout or recompose)
            and self._is_mounted and _key(self, kept[0][0]) == kept[0]):
        return self  # it would draw the lines it shows
    return _original_refresh(self, *regions, repaint=repaint, layout=layout,
                             recompose=recompose)


def notify_style_update(self: ScrollBar) -> None:
    self.__dict__["_kept_lines"] = None
    _original_style_update(self)


def install() -> None:
    """Patch ``ScrollBar`` once (idempotent)."""
    ScrollBar.render_lines = render_lines  # type: ignore[method-assign,assignment]
    ScrollBar.notify_style_update = notify_style_update  # type: ignore[method-assign,assignment]
    ScrollBar.refresh = refresh  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Textual's own drawing again (for the tests that compare the two)."""
    ScrollBar.render_lines = _original_render_lines  # type: ignore[method-assign]
    ScrollBar.notify_style_update = _original_style_update  # type: ignore[method-assign]
    ScrollBar.refresh = _original_refresh  # type: ignore[method-assign]
