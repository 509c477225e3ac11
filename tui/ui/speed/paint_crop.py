"""Keeps Textual from drawing widgets that lie outside the part of the screen it updates.

For a partial update Textual's compositor (8.2.8, ``Compositor._get_renders``) asks every
widget whose *clip* — the visible area of its container — overlaps the updated area to
draw all its visible lines, and then keeps only the lines in that area. A widget's clip
is usually its container's whole region, so while a reply streams into the transcript
every frame also drew the prompt, the footer and the usage panel, and threw the lines
away: the prompt alone (a ``TextArea``, which re-reads its theme on each draw) was a fifth
of the time spent painting (benchmarks/stream_render.py). Here a widget is drawn only
when the part of it that is visible overlaps the updated area; what reaches the terminal
is the same (tests/ui/test_paint_crop.py compares the two on a streaming chat). And only
the rows of the widget within the updated area are drawn: Textual drew all its visible
rows and kept those, so a reply growing at the bottom of the transcript had the whole
reply around it drawn again each frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

_original = Compositor._get_renders


def _get_renders(
    self: Compositor, crop: Region | None = None
) -> Iterable[tuple[Region, Region, list[Strip]]]:
    if crop is None:
        yield from _original(self, crop)
        return
    for widget, (region, clip) in self.visible_widgets.items():
        visible = region.intersection(clip)
        if not (visible.width and visible.height and crop.overlaps(visible)):
            continue
        # Only its rows in the updated area: the compositor keeps no others.
        x, width = visible.x, visible.width
        top, bottom = max(visible.y, crop.y), min(visible.bottom, crop.bottom)
        rows = Region(x, top, width, bottom - top)
        yield region, rows, widget.render_lines(
            Region(x - region.x, top - region.y, width, bottom - top)
        )


def install() -> None:
    """Patch the compositor once (idempotent)."""
    Compositor._get_renders = _get_renders  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own drawing again (for the test that compares the two)."""
    Compositor._get_renders = _original  # type: ignore[method-assign]
