"""How many rows a Markdown block will take, guessed from its source without drawing it.

A view draws the blocks on screen first and the rest a frame's budget at a time
(``tui/ui/render/markdown_view.py``); until a block is drawn it holds this many blank
rows, so the view has about its final height at once and the scrollbar is about right.
The guess wraps each source line at word boundaries as Rich does, at the width the
block type leaves for text. It does not strip inline markup, so it errs a little high on
text with many ``**`` and links a little low; a drawn block takes its true height.
"""

from __future__ import annotations

import re

_LIST_MARKER = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s+")
_QUOTE_MARKER = re.compile(r"\s*(?:>\s?)+")
CODE_PADDING = 1  # Rich pads a code block with a row (and a column) on each side


def wrapped_rows(line: str, width: int) -> int:
    """Rows ``line`` takes wrapped at spaces in ``width`` columns, words longer than a
    row cut (Rich's ``Text.wrap``); at least one."""
    if width <= 0:
        return 1
    if len(line) <= width:
        return 1
    rows = 1
    used = 0
    for word in line.split(" "):
        size = len(word)
        if used and used + 1 + size <= width:
            used += 1 + size
            continue
        if used:
            rows += 1
        while size > width:  # a word wider than a row is cut
            size -= width
            rows += 1
        used = size
    return rows


def estimate_rows(block: str, width: int) -> int:
    """The rows ``block`` (one top-level Markdown block) is guessed to take at ``width``."""
    lines = block.rstrip("\n").split("\n")
    first = lines[0].lstrip()
    if first.startswith(("```", "~~~")):
        code = lines[1:-1] if len(lines) > 1 and lines[-1].strip()[:3] == first[:3] else lines[1:]
        inner = width - 2 * CODE_PADDING
        return sum(wrapped_rows(line, inner) for line in code) + 2 * CODE_PADDING
    if first.startswith("|") and len(lines) > 1 and set(lines[1].strip()) <= set("|-: "):
        return _table_rows(lines, width)
    if first.startswith("#"):
        return wrapped_rows(first.lstrip("#").strip(), width)
    if first.startswith(">"):
        return sum(wrapped_rows(_QUOTE_MARKER.sub("", line, count=1), width - 2)
                   for line in lines)
    if _LIST_MARKER.match(lines[0]):
        rows = 0
        for line in lines:
            marker = _LIST_MARKER.match(line)
            indent = marker.end() if marker else len(line) - len(line.lstrip())
            rows += wrapped_rows(line[indent:] if marker else line.strip(), width - indent)
        return rows
    return sum(wrapped_rows(line, width) for line in lines)


def _table_rows(lines: list[str], width: int) -> int:
    """A header, a rule under it, then each row as tall as its tallest cell. Columns as
    wide as their widest cell when that fits, else sharing the width (less two columns of
    padding each) evenly."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in lines if line.strip()]
    body = [rows[0], *rows[2:]]
    columns = max(len(row) for row in rows)
    natural = [max((len(row[n]) for row in body if n < len(row)), default=0)
               for n in range(columns)]
    if sum(natural) + 2 * columns <= width:
        return 1 + len(body)
    cell_width = max(1, (width - 2 * columns) // columns)
    return 1 + sum(max(wrapped_rows(cell, cell_width) for cell in row) for row in body)
