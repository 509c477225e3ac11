"""Dialogs that fit a small terminal: one part of the box gives up height so that the
rest (the title, the error line, the buttons) stays whole on screen."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widget import Widget


def fit_box(screen: Screen[Any], box: Widget, flexible: Widget, *, share: float = 0.95,
            least: int = 3) -> None:
    """Cap ``flexible`` (a scrolling part or a text area inside ``box``) so that the box
    takes at most ``share`` of the screen's height. Call it after a layout (the other
    parts' heights are measured), e.g. ``call_after_refresh`` from ``on_resize``."""
    others = sum(w.outer_size.height + w.styles.margin.height
                 for w in box.children if w is not flexible)
    frame = box.outer_size.height - box.size.height  # border and padding
    flexible_frame = flexible.outer_size.height - flexible.size.height
    room = int(screen.size.height * share) - others - frame - flexible.styles.margin.height
    flexible.styles.max_height = max(least + flexible_frame, room)
