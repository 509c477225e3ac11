"""Keeps the rows Textual drew of a widget that only grew or shrank.

Textual (8.2.8, ``Widget._size_updated``) forgets every line it drew of a widget whose
size changed, and setting the widget's virtual size (a layout reactive) forgets them once
more. While a reply streams its view and the reply around it grow taller every frame, so
every frame drew all their visible rows again although only the bottom ones changed. A
widget with this mixin says which of its top rows are still right at the new height
(``rows_kept``); only the rows below them are drawn again. The layout is already under
way when this runs, so the virtual size is set without asking for another one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Region, Size
from textual.widget import Widget

# A plain mixin at run time: a Widget base ahead of a container's own class would put
# Widget's default CSS ahead of the container's (a VerticalScroll would stop scrolling).
if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object


class KeptRows(_Base):
    def rows_kept(self, old: Size, new: Size) -> int:
        """How many rows from the top are drawn the same at height ``new`` as at ``old``
        (same width). By default a container's: every row above its bottom border and
        padding (its content is its children, drawn on their own)."""
        return min(old.height, new.height) - self.styles.gutter.bottom

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        old = self._size
        if (old == size and self.virtual_size != virtual_size and self.show_vertical_scrollbar
                and min(self.virtual_size.height, virtual_size.height) > size.height
                and self.virtual_size.width == virtual_size.width):
            # Only what it scrolls grew and its scrollbar stays (a transcript while a
            # reply streams): its own rows are the same; the scrollbar is updated.
            return super()._size_updated(size, virtual_size, container_size, layout=False)
        if old.width == size.width and old.height and old.height != size.height:
            kept = self.rows_kept(old, size) - self.styles.gutter.top  # content rows
            if kept > 0:
                bottom = max(old.height, size.height)  # in the widget's own rows
                width = size.width - self.styles.gutter.width
                self._set_dirty(Region(0, kept, width, bottom - self.styles.gutter.top - kept))
                self._size = size  # so Textual does not forget every row
                super()._size_updated(size, virtual_size, container_size, layout=False)
                return True
        return super()._size_updated(size, virtual_size, container_size, layout)
