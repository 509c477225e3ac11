"""A Markdown view that stays fast for 100 KB replies and 1,000-message transcripts.

One widget, not Textual's widget per block (a 100 KB reply was ~170 widgets and two
seconds to appear: benchmarks/stream_render.py). The source is split into top-level
blocks; each is drawn once by Rich (``markdown_blocks.py``) and kept per width. An
append re-parses only the last block, the one that can still change.

Only blocks near the rows on screen are drawn: a layout draws the view's last two
screens (a reply is read, and followed, at its end), any other block once it comes
within a screen of the rows shown. Until then it holds the rows it is guessed to take
(``row_estimate.py``); when a block above the rows shown is drawn, the container scrolls
by the difference, so what the user reads stays put.

Text arrives stripped of control characters; Rich markup is never interpreted and links
are text. What the Markdown means on screen is the parser's (``markdown_parser.py``). A
long saved message is drawn a part at a time (``hold_back``, ``held_text.py``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tui.ui.render import draw_budget
from tui.ui.render.block_rows import UNDRAWN, BlockRows
from tui.ui.render.markdown_blocks import CODE_THEMES, make_parser, render_block
from tui.ui.render.parts import next_cut
from tui.ui.render.scroll_place import keep_place, rows_shown
from tui.ui.render.selection import highlight, selected_text, selection_style
from tui.ui.speed.kept_rows import KeptRows

if TYPE_CHECKING:
    from markdown_it.token import Token

REACH = 2  # screens of a view's end that its layout draws
NEAR = 1  # screens above and below the rows shown that are drawn before they show


class MarkdownView(KeptRows, Widget):
    DEFAULT_CSS = """
    MarkdownView { height: auto; }
    """

    def __init__(
        self, source: str = "", *, classes: str | None = None, hold_back: bool = False
    ) -> None:
        """``hold_back``: draw a long ``source`` a part at a time (a saved message;
        ``tui/ui/widgets/held_text.py``); ``show_more`` draws the next part."""
        super().__init__(classes=classes)
        self._parser = make_parser()
        self.source = ""  # what is drawn
        self._whole = source if hold_back else ""  # the text drawn a part at a time
        self._settled: list[str] = []  # blocks that can no longer change
        self._live = ""  # the last block's source: more text may still join it
        # Blocks as parsed to find where they start (their inline text is parsed when
        # drawn, once): the live block's, and those of settled blocks not drawn yet.
        self._live_tokens: list[Token] | None = None
        self._settled_tokens: dict[int, list[Token]] = {}
        self._width = -1
        self._theme = ""
        self._blocks = BlockRows()  # the settled blocks' rows at _width
        self._live_lines: list[Strip] | None = None
        self._all: list[Strip] | None = None  # every line, as render_line reads them
        self._styled: list[Strip | None] = []  # _all with this widget's colours applied
        self._styled_before: list[Strip | None] = []  # _styled as it was before _all changed
        self._styled_base: Style | None = None
        self._live_start = 0  # where the live block's lines start in _all
        # Lines unchanged by the appends since the last layout (None: no such append).
        self._same_above: int | None = None
        self._more = False  # blocks near the rows shown wait for the next frame
        self._moving = False  # the container scrolls to keep the rows shown in place
        self._paint_style: Style | None = None  # rich_style while Textual paints this view
        self._selection: Selection | None = None  # the mouse selection in this view
        if hold_back:
            self.show_more()
        elif source:
            self.append(source)

    # --- content ----------------------------------------------------------------------

    @property
    def held(self) -> int:
        """Characters of a long saved message not drawn yet."""
        return len(self._whole) - len(self.source) if self._whole else 0

    def show_more(self) -> None:
        """Draw the next part of a long saved message."""
        start = len(self.source)
        self.append(self._whole[start : next_cut(self._whole, start)])
        if len(self.source) == len(self._whole):
            self._whole = ""  # all drawn

    def update(self, source: str) -> None:
        self._whole = ""
        self.source = ""
        self._settled = []
        self._settled_tokens = {}
        self._live = ""
        self._width = -1
        self._all = None
        self.append(source)
        self.refresh(layout=True)

    def append(self, text: str) -> None:
        """Add text at the end. Only the unsettled tail is parsed again."""
        if not text:
            return
        self.source += text
        tail = self._live + text
        from tui.ui.render.markdown_parser import parse_blocks, split_parsed  # with parser

        tokens = parse_blocks(self._parser, tail)
        blocks = split_parsed(tail, tokens)
        if len(blocks) > 1:
            for _, block, block_tokens in blocks[:-1]:
                self._settled_tokens[len(self._settled)] = block_tokens
                self._settled.append(block)
            self._live = tail[blocks[-1][0] :]  # from the last block's first line
            self._live_tokens = blocks[-1][2]
        else:
            self._live = tail
            self._live_tokens = tokens
        before = self._all
        self._live_lines = None
        self._all = None
        self._refresh_after_append(before)

    def _refresh_after_append(self, before: list[Strip] | None) -> None:
        """Repaint only the changed lines when the height stays the same — most appends
        while a reply streams — and lay out only when it changes: a layout repaints this
        view and every container around it (benchmarks/typing_latency.py)."""
        width = self._width
        if before is None or width != self.size.width:
            self.refresh(layout=True)  # not drawn yet, or resized
            return
        old_live_start = self._live_start
        if len(self._settled) > len(self._blocks):
            # New blocks settled: the layout pass draws them, within the frame's render
            # budget. The lines above the old live block stay as they are.
            self._grow(old_live_start, len(before))
            return
        after = self._lines(width)  # only the live block is drawn again
        first = min(old_live_start, self._live_start)  # lines above it are the same
        self._restyle(first, len(before))
        if len(after) != len(before):
            self._grow(first, max(len(after), len(before)))
        elif first < len(after):
            self.refresh(Region(0, first, width, len(after) - first))

    def _restyle(self, first: int, before: int) -> None:
        """Keep the styled lines above ``first`` (``_all`` was ``before`` lines long)."""
        styled = self._styled_before
        if len(styled) == before and self._all is not None:
            self._styled = styled[:first] + [None] * (len(self._all) - first)

    def _grow(self, first: int, height: int) -> None:
        """Lay out again (taller or shorter), keeping what Textual drew of the lines
        above ``first`` (``_size_updated``)."""
        kept = self._same_above
        self._same_above = first if kept is None else min(kept, first)
        if first < height:
            self.refresh(Region(0, first, self._width, height - first), layout=True)
        else:
            self.refresh(layout=True)

    # --- drawing ----------------------------------------------------------------------

    def _lines(self, width: int) -> list[Strip]:
        if width <= 0:
            return []
        theme = self.app.theme
        blocks = self._blocks
        fresh = len(blocks)  # settled blocks before this index are placed already
        if width != self._width or theme != self._theme:
            self._width = width
            self._theme = theme  # code blocks are coloured for a dark or a light theme
            blocks.clear()
            self._live_lines = None
            self._all = None
            fresh = 0
        if self._all is not None:
            return self._all
        blocks.add(len(self._settled) - len(blocks))
        if self._live_lines is None:
            tokens, self._live_tokens = self._live_tokens, None  # parsed whole when drawn
            self._live_lines = (self._render_block(self._live, width, tokens)
                                if self._live.strip() else [])
        # The end first, as far as two screens up: where a reply is read and followed.
        # Only blocks placed by this layout: drawing one placed before could keep its
        # height and not be painted again (``_render_more`` draws those).
        rows = len(self._live_lines)
        reach = REACH * self.app.size.height
        deadline = draw_budget.deadline()
        for index in range(len(blocks) - 1, fresh - 1, -1):
            if rows >= reach:
                break
            lines = blocks.lines[index]
            if lines is None:
                if time.perf_counter() > deadline:
                    self._more_next_frame()  # the rest after this frame
                    break
                lines = self._draw(index, width)
            rows += len(lines) + 1
        self._place(fresh)
        return self._all  # type: ignore[return-value]  # set by _place

    def _render_block(
        self, block: str, width: int, tokens: list[Token] | None = None
    ) -> list[Strip]:
        """``tokens``: ``block`` as ``parse_blocks`` left it (None: parse it now)."""
        from tui.ui.render.markdown_parser import parse_inline  # loaded with the parser

        code_theme = CODE_THEMES[self.app.current_theme.dark]
        if tokens is not None:
            tokens = parse_inline(self._parser, tokens)
        return render_block(block, width, self.app.console, self._parser, code_theme, tokens)

    def _draw(self, index: int, width: int) -> list[Strip]:
        tokens = self._settled_tokens.pop(index, None)
        lines = self._render_block(self._settled[index], width, tokens)
        self._blocks.set(index, lines)
        return lines

    def _place(self, first: int) -> None:
        """Lay the settled blocks from index ``first`` on out in rows again, then the
        live block under them."""
        self._blocks.place(first, self._settled, self._width)
        rows = self._blocks.rows
        live = self._live_lines or []
        if rows and live:
            self._all = [*rows, Strip.blank(0), *live]
        else:
            self._all = [*rows] or list(live)
        self._live_start = len(self._all) - len(live)
        self._styled_before = self._styled
        self._styled = []

    def _more_next_frame(self) -> None:
        if not self._more:
            self._more = True
            self.call_after_refresh(self._render_more)

    def _render_more(self) -> None:
        """After a frame: draw the blocks within a screen of the rows shown, a frame's
        budget at a time, and keep the rows shown where they were on screen."""
        self._more = False
        if self._moving:
            return  # until the rows shown are where they were: then this runs again
        width = self._width
        before = self._all
        blocks = self._blocks
        if before is None or width != self.size.width or not blocks.undrawn:
            return  # a layout is on its way, and draws what it needs
        shown = rows_shown(self)
        if shown is None:
            return  # not on screen: drawn when it is
        if any(isinstance(node, Widget) and (node._layout_required or node._scroll_required)
               for node in self.ancestors_with_self):
            self._more_next_frame()  # where the rows are is known after that frame
            return
        top, bottom = shown
        near = NEAR * self.app.size.height
        order = sorted(blocks.near(top - near, bottom + near),  # the blocks shown first
                       key=lambda i: blocks.starts[i] >= bottom or blocks.end(i) <= top)
        deadline = draw_budget.deadline()
        drawn: list[int] = []
        moved = 0  # rows the blocks drawn above the top row shown add
        for index in order:
            if blocks.lines[index] is not None:
                continue
            if time.perf_counter() > deadline:
                self._more_next_frame()
                break
            held = blocks.end(index) - blocks.starts[index]  # the rows it was guessed
            lines = self._draw(index, width)
            drawn.append(index)
            if blocks.starts[index] < top:
                moved += len(lines) - held
        if not drawn:
            return
        self._place(min(drawn))
        start = blocks.starts[min(drawn)]
        self._restyle(start, len(before))
        if moved:
            self._moving = keep_place(self, moved, self._moved)
        height = len(self._all or ())
        if height != len(before):
            self._grow(start, max(height, len(before)))
        else:
            self.refresh(Region(0, start, width, blocks.end(max(drawn)) - start))

    def draw_all(self) -> None:
        """Draw every block now (a selection of the whole text is copied)."""
        width = self._width
        before = self._all
        if width <= 0 or before is None or not self._blocks.undrawn:
            return
        blocks = self._blocks
        undrawn = [i for i, lines in enumerate(blocks.lines) if lines is None]
        top = (rows_shown(self) or (0, 0))[0]
        moved = 0  # as in _render_more: what is read stays put
        for index in undrawn:
            held = blocks.end(index) - blocks.starts[index]
            lines = self._draw(index, width)
            if blocks.starts[index] < top:
                moved += len(lines) - held
        self._place(undrawn[0])
        if moved:
            self._moving = keep_place(self, moved, self._moved)
        height = len(self._all or ())
        self._grow(blocks.starts[undrawn[0]], max(height, len(before)))

    def _moved(self) -> None:
        self._moving = False
        self._more_next_frame()

    @property
    def rendering(self) -> bool:
        """Blocks near the rows shown wait to be drawn (a frame's budget at a time), or
        the rows shown to be put back in place."""
        return self._more or self._moving

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def rows_kept(self, old: Size, new: Size) -> int:
        """The lines above the live block's change (``_same_above``, set by the appends
        since the last layout), when only appends changed the height."""
        if self._same_above is None or self.styles.gutter.bottom:
            return 0
        return self._same_above

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        try:
            return super()._size_updated(size, virtual_size, container_size, layout)
        finally:
            self._same_above = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._paint_style = self.rich_style  # once a paint: Textual works it out each call
        try:
            if self._blocks.undrawn and not self._more:
                near = NEAR * self.app.size.height
                rows = self._blocks.near(crop.y - near, crop.bottom + near)
                if any(self._blocks.lines[index] is None for index in rows):
                    self._more_next_frame()  # drawn before they are scrolled to
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        lines = self._lines(self.size.width)
        base = self._paint_style  # the colours this widget inherits, under Rich's own
        if base is None:
            base = self.rich_style
        if y >= len(lines) or lines[y] is UNDRAWN:
            return Strip.blank(self.size.width, base)
        if base != self._styled_base or len(self._styled) != len(lines):
            self._styled_base = base
            self._styled = [None] * len(lines)
        styled = self._styled[y]
        if styled is None:
            # Each character says where it is (line y, its column) for Textual's mouse
            # selection; cached with the line, so only new lines pay for it.
            styled = self._styled[y] = lines[y].apply_style(base).apply_offsets(0, y)
        selection = self._selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            # Only the selected lines are styled again, and not cached: the selection
            # changes with every move of the mouse. The offsets go on last: a segment
            # cut in two at the selection's edge gets one for each part.
            colours = self.screen.get_component_styles("screen--selection")
            style = selection_style(base, colours.background, colours.color)
            return highlight(lines[y].apply_style(base), span, style).apply_offsets(0, y)
        return styled

    # --- mouse selection ----------------------------------------------------------------

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text as shown (Textual asks when the selection is copied). A
        selection of the whole view draws the blocks not drawn yet; a partial one was
        made over rows shown, which are drawn."""
        if selection.start is None and selection.end is None:
            self.draw_all()
        lines = self._lines(self.size.width)
        return selected_text([line.text for line in lines], selection), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._selection = selection
        self.refresh()
