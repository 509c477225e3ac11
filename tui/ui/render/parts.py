"""Where each part of a long saved message ends: such a message is drawn a part at a time
(``tui/ui/widgets/held_text.py`` has the line that draws the next part)."""

from __future__ import annotations

PART = 16 * 1024  # characters drawn at a time: ~250 lines, a few screens; ~0.3 s to draw


def next_cut(text: str, start: int, size: int = PART) -> int:
    """Where the part of ``text`` drawn after ``start`` ends: ``size`` characters on, back
    to the end of a line; the whole rest when less than another part would be left."""
    end = start + size
    if len(text) - start <= 2 * size:
        return len(text)
    line_end = text.rfind("\n", start, end)
    return line_end + 1 if line_end > start else end
