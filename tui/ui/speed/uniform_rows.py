"""Draws one row of a container whose own rows all look the same, and repeats it.

A reply is a container (``ReplyView``): a left border, padding and background around
its children. Textual (8.2.8, ``Widget.render_lines``) draws each of its visible rows on
its own, through the whole style pipeline, though every row is the same border, padding
and background; and the compositor then cuts each of those rows apart around the
children on top of them. While a compare streams, four replies scroll under the screen
and every frame shows rows of them not drawn before: 40% of the time spent painting
(benchmarks/compare_streams.py). A container with no top or bottom edge (no border,
outline or title there) and nothing of its own to draw has identical rows (its padding
is its background, as its content is), so one is drawn and used for every row asked
for; the compositor's cuts of that one row are then cached as well (``Strip.divide``).
Anything else is drawn as Textual draws it (tests/ui/test_uniform_rows.py compares the
two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

# A plain mixin at run time (as ``KeptRows``): a Widget base ahead of a container's own
# class would put Widget's default CSS ahead of the container's.
if TYPE_CHECKING:
    _Base = Widget
else:
    _Base = object

_NO_EDGE = ("", "none", "hidden")


def uniform(widget: Widget) -> bool:
    """Whether every row of ``widget``'s own drawing is the same."""
    styles = widget.styles
    return (
        type(widget).render is Widget.render  # a container: a blank of its background
        and styles.border_top[0] in _NO_EDGE and styles.border_bottom[0] in _NO_EDGE
        and styles.outline_top[0] in _NO_EDGE and styles.outline_bottom[0] in _NO_EDGE
        and not widget.border_title and not widget.border_subtitle
    )


class UniformRows(_Base):
    def render_lines(self, crop: Region) -> list[Strip]:
        if crop.height < 2 or not uniform(self):
            return super().render_lines(crop)
        (line,) = super().render_lines(Region(crop.x, crop.y, crop.width, 1))
        return [line] * crop.height
