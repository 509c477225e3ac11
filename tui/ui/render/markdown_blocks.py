"""One top-level Markdown block drawn by Rich into lines (``MarkdownView`` draws each
block once per width and keeps the lines).

Rich's Markdown never interprets Rich markup, and links are shown as text (no terminal
hyperlinks). Code blocks are drawn from Pygments' tokens (``code_block.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual.strip import Strip

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from rich.console import Console
    from rich.markdown import Markdown as RichMarkdown

CODE_THEMES = {True: "monokai", False: "default"}  # pygments style for dark / light themes


@cache
def make_parser() -> MarkdownIt:
    """The one parser every view shares: a parse keeps its state apart, and building a
    MarkdownIt takes ~1.5 ms, two for each reply view mounted. markdown-it and Rich's
    Markdown are imported with the first view, not at start-up (~20 ms that a new
    chat's first frame does not need)."""
    from tui.ui.render.markdown_parser import make_parser as make

    return make()


def warm_up() -> None:
    """Import and build what the first view needs (safe from a thread: with a parser of
    its own, as a parser compiles its rule chains on first use)."""
    from tui.ui.render.code_block import warm_up as warm_up_code
    from tui.ui.render.markdown_parser import make_parser as make

    make().parse("*warm*")
    block_markdown_class()
    warm_up_code(CODE_THEMES.values())


@cache
def block_markdown_class() -> Callable[[str, MarkdownIt, str, list[Token] | None],
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
    renderable = block_markdown_class()(block, parser, code_theme, tokens)
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
