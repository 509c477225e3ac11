"""The settled blocks of a Markdown view laid out in rows at one width.

Each block is drawn (its lines) or not yet: then it holds as many blank rows
(``UNDRAWN``) as its source is guessed to take (``row_estimate.py``). One blank row
separates two blocks. ``MarkdownView`` decides which blocks to draw and when.
"""

from __future__ import annotations

from bisect import bisect_right

from textual.strip import Strip

from tui.ui.render.row_estimate import estimate_rows

UNDRAWN = Strip([])  # a row of a block not drawn yet (told apart by identity)


class BlockRows:
    def __init__(self) -> None:
        self.lines: list[list[Strip] | None] = []  # each block's lines (None: not drawn)
        self.rows: list[Strip] = []  # every block's rows, in order
        self.starts: list[int] = []  # each block's first row
        self._guessed: dict[int, int] = {}  # rows guessed for blocks not drawn, by index

    def __len__(self) -> int:
        return len(self.lines)

    def clear(self) -> None:
        """Forget every block (the width or the colours changed)."""
        self.lines = []
        self._guessed = {}

    def add(self, count: int) -> None:
        """``count`` more blocks settled, not drawn yet."""
        self.lines.extend([None] * count)

    @property
    def undrawn(self) -> bool:
        return None in self.lines

    def set(self, index: int, lines: list[Strip]) -> None:
        """Block ``index`` is drawn (``place`` lays it out with its own rows)."""
        self.lines[index] = lines
        self._guessed.pop(index, None)

    def place(self, first: int, sources: list[str], width: int) -> None:
        """Lay out the blocks from index ``first`` on again (``sources``: every block's
        Markdown, to guess the rows of those not drawn)."""
        rows, starts = self.rows, self.starts
        if first < len(starts):
            del rows[max(0, starts[first] - 1) :]  # with the blank row above the block
            del starts[first:]
        elif first == 0:
            rows.clear()
        for index in range(first, len(self.lines)):
            if rows:
                rows.append(Strip.blank(0))
            starts.append(len(rows))
            lines = self.lines[index]
            if lines is not None:
                rows.extend(lines)
                continue
            guess = self._guessed.get(index)
            if guess is None:
                guess = self._guessed[index] = estimate_rows(sources[index], width)
            rows.extend([UNDRAWN] * guess)

    def end(self, index: int) -> int:
        """The row after block ``index``."""
        lines = self.lines[index]
        return self.starts[index] + (len(lines) if lines is not None
                                     else self._guessed.get(index, 0))

    def near(self, top: int, bottom: int) -> range:
        """The blocks with rows from ``top`` to before ``bottom``."""
        first = max(0, bisect_right(self.starts, top) - 1)
        return range(first, min(bisect_right(self.starts, bottom - 1), len(self.lines)))
