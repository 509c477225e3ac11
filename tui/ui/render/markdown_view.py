"""A Markdown view that stays fast for 100 KB replies and 1,000-message transcripts.

Textual's ``Markdown`` widget mounts one widget per block: a 100 KB reply becomes ~170
widgets and takes over two seconds to appear (measured: benchmarks/stream_render.py),
and every block of every earlier message takes part in each layout. This view is one
widget. The source is split into top-level blocks (markdown-it's own block map); each
block is rendered once by Rich into lines and cached per width. Appending re-parses
only the last block, the one that can still change; blocks before it are settled.

Text arrives here already stripped of control characters; Rich's Markdown never
interprets Rich markup, and links are shown as text (no terminal hyperlinks). What the
Markdown means on screen (every character the model sent shown, HTML as text, a single
line break kept) is decided by the parser, ``tui/ui/render/markdown_parser.py``. A long saved
message is drawn a part at a time (``hold_back``, ``tui/ui/widgets/held_text.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget

from tui.ui.render.parts import next_cut
from tui.ui.render.selection import highlight, selected_text, selection_style
from tui.ui.speed.kept_rows import KeptRows

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from rich.console import Console
    from rich.markdown import Markdown as RichMarkdown

CODE_THEMES = {True: "monokai", False: "default"}  # pygments style for dark / light themes
RENDER_BUDGET = 0.030  # seconds of block rendering per layout pass, shared by all views
_pass_deadline: float | None = None


def _deadline() -> float:
    """When this layout pass must stop rendering blocks. One pass is one run of the
    event loop, so every view laid out in it shares the budget."""
    global _pass_deadline
    if _pass_deadline is None:
        _pass_deadline = time.perf_counter() + RENDER_BUDGET
        asyncio.get_running_loop().call_soon(_end_pass)
    return _pass_deadline


def _end_pass() -> None:
    global _pass_deadline
    _pass_deadline = None


def _parser() -> MarkdownIt:
    # markdown-it and Rich's Markdown are imported with the first view, not at start-up
    # (~20 ms that a new chat's first frame does not need).
    from tui.ui.render.markdown_parser import make_parser

    return make_parser()


def warm_up() -> None:
    """Import and build what the first view needs (safe from a thread)."""
    from tui.ui.render.code_block import warm_up as warm_up_code

    _parser().parse("*warm*")
    _block_markdown_class()
    warm_up_code(CODE_THEMES.values())


@cache
def _block_markdown_class() -> Callable[[str, MarkdownIt, str, list[Token] | None],
                                        RichMarkdown]:
    from rich.markdown import Markdown as RichMarkdown

    from tui.ui.render.code_block import FastCodeBlock

    class BlockMarkdown(RichMarkdown):
        """Rich's Markdown with a parser passed in: Rich builds a new one per document,
        which is a fifth of the cost when every block is its own document. Code blocks
        are drawn the same, faster (``tui/ui/render/code_block.py``)."""

        elements = {**RichMarkdown.elements, "fence": FastCodeBlock,
                    "code_block": FastCodeBlock}

        def __init__(self, markup: str, parser: MarkdownIt, code_theme: str,
                     parsed: list[Token] | None = None) -> None:
            self.markup = markup
            self.parsed = parser.parse(markup) if parsed is None else parsed
            self.code_theme = code_theme
            self.justify = None
            self.style = "none"
            self.hyperlinks = False  # links as text: no terminal hyperlink sequences
            self.inline_code_lexer = None
            self.inline_code_theme = code_theme

    return BlockMarkdown


def render_block(
    block: str, width: int, console: Console, parser: MarkdownIt, code_theme: str,
    tokens: list[Token] | None = None,
) -> list[Strip]:
    """One block's lines at ``width``, without the blank lines Rich puts around it (a
    list, a table and a quote start with one): blocks are joined with exactly one.
    ``tokens``: ``block`` already parsed by ``parser``."""
    options = console.options.update(width=width, height=None, highlight=False)
    renderable = _block_markdown_class()(block, parser, code_theme, tokens)
    lines = console.render_lines(renderable, options, pad=False, new_lines=False)
    while lines and _is_blank(lines[-1]):
        lines.pop()
    first = next((n for n, line in enumerate(lines) if not _is_blank(line)), len(lines))
    return [Strip(Segment.simplify(line)) for line in lines[first:]]


def _is_blank(line: list[Segment]) -> bool:
    """Nothing on the line: no text and no background (a code block's padding stays)."""
    return all(
        not segment.text.strip() and (segment.style is None or segment.style.bgcolor is None)
        for segment in line
    )


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
        self._parser = _parser()
        self.source = ""  # what is drawn
        self._whole = source if hold_back else ""  # the text drawn a part at a time
        self._settled: list[str] = []  # blocks that can no longer change
        self._live = ""  # the last block's source: more text may still join it
        # Blocks as parsed to find where they start, drawn without parsing them again:
        # the live block's, and those of settled blocks not drawn yet (by index).
        self._live_tokens: list[Token] | None = None
        self._settled_tokens: dict[int, list[Token]] = {}
        self._width = -1
        self._theme = ""
        self._settled_lines: list[Strip] = []  # rendered settled blocks at _width
        self._rendered_count = 0  # how many settled blocks _settled_lines holds
        self._live_lines: list[Strip] | None = None
        self._all: list[Strip] | None = None  # every line, as render_line reads them
        self._styled: list[Strip | None] = []  # _all with this widget's colours applied
        self._styled_before: list[Strip | None] = []  # _styled as it was before _all changed
        self._styled_base: Style | None = None
        self._live_start = 0  # where the live block's lines start in _all
        # Lines unchanged by the appends since the last layout (None: no such append).
        self._same_above: int | None = None
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
        from tui.ui.render.markdown_parser import split_parsed  # loaded with _parser

        tokens = self._parser.parse(tail)
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
        if self.rendering:
            # New blocks settled: the layout pass draws them, within the frame's render
            # budget. The lines above the old live block stay as they are.
            self._grow(old_live_start, len(before))
            return
        after = self._lines(width)  # only the live block is drawn again
        first = min(old_live_start, self._live_start)  # lines above it are the same
        styled = self._styled_before
        if len(styled) == len(before):
            self._styled = styled[:first] + [None] * (len(after) - first)
        if len(after) != len(before):
            self._grow(first, max(len(after), len(before)))
        elif first < len(after):
            self.refresh(Region(0, first, width, len(after) - first))

    def _grow(self, first: int, height: int) -> None:
        """Lay out again (taller or shorter), keeping what Textual drew of the lines
        above ``first`` (``_size_updated``)."""
        kept = self._same_above
        self._same_above = first if kept is None else min(kept, first)
        if first < height:
            self.refresh(Region(0, first, self._width, height - first), layout=True)
        else:
            self.refresh(layout=True)

    # --- rendering --------------------------------------------------------------------

    def _render_block(
        self, block: str, width: int, tokens: list[Token] | None = None
    ) -> list[Strip]:
        code_theme = CODE_THEMES[self.app.current_theme.dark]
        return render_block(block, width, self.app.console, self._parser, code_theme, tokens)

    def _lines(self, width: int) -> list[Strip]:
        if width <= 0:
            return []
        theme = self.app.theme
        if width != self._width or theme != self._theme:
            self._width = width
            self._theme = theme  # code blocks are coloured for a dark or a light theme
            self._settled_lines = []
            self._rendered_count = 0
            self._live_lines = None
            self._all = None
        if self._all is not None:
            return self._all
        deadline = _deadline()
        for block in self._settled[self._rendered_count :]:
            if time.perf_counter() > deadline:
                # The rest in the next frames: a burst of text (four columns catching up
                # at once, a resize of a long reply) never freezes the screen.
                self._all = list(self._settled_lines)
                self._live_start = len(self._all)
                self._styled = []
                self.call_after_refresh(self._render_more)
                return self._all
            if self._settled_lines:
                self._settled_lines.append(Strip.blank(0))
            tokens = self._settled_tokens.pop(self._rendered_count, None)
            self._settled_lines.extend(self._render_block(block, width, tokens))
            self._rendered_count += 1
        if self._live_lines is None:
            self._live_lines = (self._render_block(self._live, width, self._live_tokens)
                                if self._live.strip() else [])
        if self._settled_lines and self._live_lines:
            self._all = [*self._settled_lines, Strip.blank(0), *self._live_lines]
        else:
            self._all = self._settled_lines or self._live_lines
        self._live_start = len(self._all) - len(self._live_lines)
        self._styled_before = self._styled
        self._styled = []
        return self._all

    def _render_more(self) -> None:
        before = self._all
        self._all = None
        if before is None or self._width != self.size.width:
            self.refresh(layout=True)
        else:
            self._grow(self._live_start, len(before))  # blocks above it are drawn

    @property
    def rendering(self) -> bool:
        """Blocks are still waiting to be drawn (they are drawn a frame's budget at a time)."""
        return self._width > 0 and self._rendered_count < len(self._settled)

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
            return super().render_lines(crop)
        finally:
            self._paint_style = None

    def render_line(self, y: int) -> Strip:
        lines = self._lines(self.size.width)
        base = self._paint_style  # the colours this widget inherits, under Rich's own
        if base is None:
            base = self.rich_style
        if y >= len(lines):
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
        """The selected text as shown (Textual asks when the selection is copied)."""
        lines = self._lines(self.size.width)
        return selected_text([line.text for line in lines], selection), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._selection = selection
        self.refresh()
