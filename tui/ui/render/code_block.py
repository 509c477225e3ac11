"""Fenced code in a reply, drawn exactly as Rich's Markdown draws it, four times faster.

Rich's ``CodeBlock`` builds a new ``Syntax`` per block, and with it a new theme (its
style cache empty) and a new Pygments lexer. ``Syntax`` then wraps every line of code as
a ``Text`` through the whole console pipeline, even the lines that fit, which is most of
them: fenced code was 60% of the time to draw a 100 KB reply
(benchmarks/stream_render.py). Here the theme and the lexer are made once per name,
and a line that fits is turned into its segments straight from the lexer's tokens. A
line too long for the width is still wrapped by Rich, the same way as before. The lines
are the same cells in the same styles as Rich's (tests/ui/test_code_block.py compares
them on generated code).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.markdown import CodeBlock
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax, SyntaxTheme
from rich.text import Text

if TYPE_CHECKING:
    from pygments.lexer import Lexer
    from rich.console import Console, ConsoleOptions, RenderResult

TAB_SIZE = 4  # Syntax's default, which Rich's CodeBlock keeps


@cache
def _theme(name: str) -> SyntaxTheme:
    return Syntax.get_theme(name)


@cache
def _lexer(name: str) -> Lexer | None:
    """The lexer Syntax would make for ``name`` (None when Pygments has none by that
    name). Pygments' lexers keep no state between texts, so one serves every block."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=TAB_SIZE)
    except ClassNotFound:
        return None


# Languages whose lexers are built before the first reply: a lexer's first use compiles
# its regular expressions (Python's ~20 ms, JavaScript's ~10 ms), a stall in the middle
# of the reply that first shows one.
COMMON_LANGUAGES = ("python", "javascript", "typescript", "bash", "json", "text")


def warm_up(themes: Iterable[str]) -> None:
    """Build the common lexers and the code ``themes`` (safe from a thread)."""
    for name in COMMON_LANGUAGES:
        _lexer(name)
    for theme in themes:
        _theme(theme)


class FastCodeBlock(CodeBlock):
    """Rich's Markdown code block (fenced or indented) drawn with ``FastSyntax``."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        code = str(self.text).rstrip()
        lexer = _lexer(self.lexer_name) or _lexer("text")
        yield FastSyntax(code, lexer or "text", theme=_theme(self.theme), word_wrap=True,
                         padding=1)


class FastSyntax(Syntax):
    """``Syntax`` as a Markdown code block uses it (word wrap, padding 1, no line
    numbers, an opaque background), with the lines that fit drawn the short way."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        base = self._get_base_style()
        width = options.max_width
        code_width = width - 2  # one column of padding each side
        if code_width < 1 or base.transparent_background or self.padding != (1, 1, 1, 1):
            yield from super().__rich_console__(console, options)
            return
        edge = Segment(" ", base)
        new_line = Segment.line()
        blank = [Segment(" " * width, base), new_line]
        yield from blank
        for pieces in self._lines():
            used = sum(cell_len(text) for text, _ in pieces)
            if used <= code_width:
                yield edge
                for text, style in pieces:
                    yield Segment(text, base + style if style else base)
                if used < code_width:
                    yield Segment(" " * (code_width - used), base)
                yield edge
                yield new_line
                continue
            # Wrapped as Rich wraps it (Text.wrap), drawn without Console.render_lines's
            # round trip (join, render, split on newlines): a third of a narrow compare
            # column's code blocks went there. The same cells (tests/ui/test_code_block.py).
            line = Text(style=base, justify="left", tab_size=TAB_SIZE, no_wrap=False)
            for text, style in pieces:
                line.append(text, style or None)
            for wrapped in line.wrap(console, code_width, justify="left",
                                     overflow=options.overflow or "fold",
                                     tab_size=TAB_SIZE, no_wrap=False):
                drawn = [Segment(text, base + style if style else base)
                         for text, style, _ in wrapped.render(console, end="")]
                yield edge
                yield from Segment.adjust_line_length(drawn, code_width, style=base, pad=True)
                yield edge
                yield new_line
        yield from blank

    def _lines(self) -> Iterator[list[tuple[str, Style]]]:
        """Each line of the code as (text, token style) pieces, as ``Syntax.highlight``
        and ``Text.split`` make them: no line for the newline that ends the code."""
        _, code = self._process_code(self.code)
        lexer = self.lexer or self.default_lexer
        token_style = self._theme.get_style_for_token
        line: list[tuple[str, Style]] = []
        for token_type, value in lexer.get_tokens(code):
            style = token_style(token_type)
            first, *rest = value.split("\n")
            if first:
                line.append((first, style))
            for text in rest:
                yield line
                line = [(text, style)] if text else []
        if line:
            yield line
