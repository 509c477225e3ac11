"""Mouse selection in a view that draws its own lines (``MarkdownView``).

Textual finds where the pointer is in a line from the ``offset`` each segment carries
(``Strip.apply_offsets``: the column in characters and the line), keeps the selection
per widget as a ``Selection`` of those offsets, and asks the widget for the text under
it. These helpers answer for a view drawn as a list of lines: the selected text, and
a line with its selected part drawn in the selection's colours.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.selection import Selection
from textual.strip import Strip


def selected_text(lines: Sequence[str], selection: Selection) -> str:
    """The part of ``lines`` that ``selection`` covers, as shown: each line without the
    spaces that pad it to the right, lines joined by newlines."""
    picked: list[str] = []
    for y, line in enumerate(lines):
        span = selection.get_span(y)
        if span is None:
            if picked:
                break  # past the selection's last line
            continue
        start, end = span
        picked.append(line[start:] if end == -1 else line[start:end])
    return "\n".join(part.rstrip() for part in picked)


def selection_style(under: Style, background: Color, foreground: Color) -> Style:
    """The selection's colours (the ``screen--selection`` component's) as a Rich style
    for text drawn in ``under``. The theme gives them with alpha — by default the primary
    colour half see-through and a transparent foreground, so the text keeps its own
    colour — and a Rich style has none: they are blended here with what is beneath.
    (Textual's ``get_component_rich_style`` blends the transparent foreground into the
    background: the selected text would vanish.)"""
    below = Color.from_rich_color(under.bgcolor) if under.bgcolor is not None else None
    back = below + background if below is not None else background.with_alpha(1.0)
    if foreground.a == 0:
        return Style(bgcolor=back.rich_color)
    text = Color.from_rich_color(under.color) if under.color is not None else None
    fore = text + foreground if text is not None else foreground.with_alpha(1.0)
    return Style(color=fore.rich_color, bgcolor=back.rich_color)


def highlight(strip: Strip, span: tuple[int, int], style: Style) -> Strip:
    """``strip`` with the characters from ``span[0]`` to ``span[1]`` (-1: the line's end)
    drawn in ``style`` over their own; spaces that pad the line to the right stay as
    they are (they are not copied either). A segment is cut where the span starts or
    ends, so apply offsets (``Strip.apply_offsets``) after this, not before."""
    start, end = span
    shown = len(strip.text.rstrip())
    end = shown if end == -1 else min(end, shown)
    if end <= start:
        return strip
    segments: list[Segment] = []
    position = 0
    for segment in strip:
        piece, own, control = segment
        after = position + len(piece)
        if control or after <= start or position >= end:
            segments.append(segment)
        else:
            cut_in, cut_out = max(start - position, 0), min(end - position, len(piece))
            if cut_in:
                segments.append(Segment(piece[:cut_in], own))
            segments.append(Segment(piece[cut_in:cut_out], own + style if own else style))
            if cut_out < len(piece):
                segments.append(Segment(piece[cut_out:], own))
        position = after
    return Strip(segments, strip.cell_length)
