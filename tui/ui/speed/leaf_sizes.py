"""Keeps a widget with no children from asking for a second layout when its size changed.

After each layout Textual (8.2.8, ``Screen._refresh_layout``) hands every widget its new
size; ``Widget._size_updated`` sets the virtual size through a reactive that asks for a
layout, so any widget that grew or shrank in one layout (the reply's status line when
the reply ends, a Markdown view while it streams) has the whole screen laid out and
painted once more on the next frame — the same screen again. A widget with no children
and no layout of its own (``is_scrollable`` is false: it cannot scroll) has nothing to
arrange with its virtual size, so here it is set without asking for that layout. The
widget's rows are still marked to be drawn again when its size changed.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget

_original = Widget._size_updated


def _size_updated(
    self: Widget, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
) -> bool:
    if layout and not self.is_scrollable:
        layout = False  # a leaf: the layout that measured it is the one under way
    return _original(self, size, virtual_size, container_size, layout)


def install() -> None:
    """Patch the widget once (idempotent)."""
    Widget._size_updated = _size_updated  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own again (for the test that compares the two)."""
    Widget._size_updated = _original  # type: ignore[method-assign]
