"""Keeps the map of every widget that a layout has just made.

A layout (Textual 8.2.8, ``Compositor.reflow``) arranges every widget of the screen,
those scrolled out of sight too, and keeps that as the full map. But a flag set before
it, when a widget to repaint was not among those on screen (``update_widgets``: a
Markdown view that grew below the rows shown, a hidden status line), still says the
full map is stale. The first lookup of a widget off screen after the layout (its size,
when the layout hands it a new one; its region, when it is painted) then arranges the
whole screen again: 1-4 ms for a 60-message chat or a compare of four columns, in most
frames of a reply that streams. Here the layout's own map is marked current.
"""

from __future__ import annotations

from textual._compositor import Compositor, ReflowResult
from textual.geometry import Size
from textual.widget import Widget

_original = Compositor.reflow


def _reflow(self: Compositor, parent: Widget, size: Size) -> ReflowResult:
    result = _original(self, parent, size)
    self._full_map_invalidated = False  # the map just made covers every widget
    return result


def install() -> None:
    """Patch the compositor once (idempotent)."""
    Compositor.reflow = _reflow  # type: ignore[method-assign]


def uninstall() -> None:
    """Textual's own again (for the test that compares the two)."""
    Compositor.reflow = _original  # type: ignore[method-assign]
