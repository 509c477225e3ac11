"""Fenced code drawn the short way (tui/ui/render/code_block.py) is cell for cell, style
for style, what Rich's own Markdown code block draws: generated code in several languages
and both themes, at widths from one column up, on its own and inside a list and a quote,
and real code in several languages."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markdown import Markdown as RichMarkdown

from tui.ui.render.code_block import FastCodeBlock
from tui.ui.render.markdown_blocks import block_markdown_class
from tui.ui.render.markdown_parser import make_parser

PARSER = make_parser()
FAST: Any = block_markdown_class()


class Stock(FAST):
    """The same block, with Rich's own code block."""

    elements = RichMarkdown.elements


def cells(cls: Any, source: str, width: int, theme: str) -> list[list[tuple[str, Any]]]:
    """Every cell of every line with its style: how segments are cut does not matter."""
    console = Console(width=200, force_terminal=True, color_system="truecolor")
    options = console.options.update(width=width, height=None, highlight=False)
    lines = console.render_lines(cls(source, PARSER, theme), options, pad=False)
    return [[(char, segment.style) for segment in line for char in segment.text]
            for line in lines]


def same_as_rich(source: str, width: int, theme: str = "monokai") -> None:
    fast, stock = cells(FAST, source, width, theme), cells(Stock, source, width, theme)
    assert fast == stock


def test_the_fast_code_block_is_in_use() -> None:
    assert FAST.elements["fence"] is FastCodeBlock
    assert FAST.elements["code_block"] is FastCodeBlock


CODE_PIECES = [*"abcXYZ019 _()[]{}:;,.'\"#=+-*/\\<>$@!?\t", "\n", "\n", "    ", "def ",
               "return ", "const ", "if ", "// ", "é", "中", "🙂", "\u0301"]
CODE_TEXT = st.lists(st.sampled_from(CODE_PIECES), max_size=120).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    code=CODE_TEXT,
    language=st.sampled_from(["python", "js", "rust", "text", "", "no-such-language"]),
    width=st.integers(min_value=1, max_value=70),
    theme=st.sampled_from(["monokai", "default"]),
    around=st.sampled_from(["{}", "- item\n\n{}", "> {}", "1. step\n\n   {}"]),
)
def test_generated_code_is_drawn_as_rich_draws_it(
    code: str, language: str, width: int, theme: str, around: str
) -> None:
    fence = "`" * max(3, code.count("`") + 1)
    block = f"{fence}{language}\n{code}\n{fence}"
    if around.startswith("1."):
        block = "\n".join("   " + line if n else line for n, line in enumerate(block.split("\n")))
    elif around.startswith(">"):
        block = "\n".join("> " + line for line in block.split("\n"))[2:]
    same_as_rich(around.format(block), width, theme)


@pytest.mark.parametrize("width", [8, 40, 117])
def test_indented_code_and_long_lines(width: int) -> None:
    source = "    x = 1\n    " + "y = compute(" * 20 + "\n\n    z\tend"
    same_as_rich(source, width)
    same_as_rich("```python\n" + "word " * 60 + "\n\tindented\n```", width)


REAL_CODE = {
    "python": 'def chunk(text: str, size: int = 80) -> list[str]:\n    """Split text."""\n'
              '    return [text[i : i + size] for i in range(0, len(text), size)]  # ok\n'
              '\n\nclass A(B):\n    x = f"{1 + 2!r:>10}"\n    y = b"\\x00" r"\\d+"\n',
    "javascript": 'export async function* lines(stream) {\n  const dec = new TextDecoder();\n'
                  '  for await (const c of stream) yield dec.decode(c, { stream: true });\n}\n',
    "diff": "--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-old line\n+new line\n context\n",
    "toml": '[profile.local]\nbase_url = "http://127.0.0.1:8080/v1"  # comment\n',
    "bash": 'for f in *.toml; do\n\techo "$f" | wc -c\ndone\n',
}


@pytest.mark.parametrize("language", sorted(REAL_CODE))
@pytest.mark.parametrize("theme", ["monokai", "default"])
def test_real_code(language: str, theme: str) -> None:
    for width in (12, 30, 60, 118):
        same_as_rich(f"```{language}\n{REAL_CODE[language]}```", width, theme)


def test_the_common_lexers_are_built_before_the_first_reply() -> None:
    """The start-up warm-up (a thread, after the first frame) builds them, so the first
    Python or JavaScript block of a reply does not compile a lexer mid-stream."""
    from tui.ui.render import code_block
    from tui.ui.render.markdown_blocks import warm_up

    code_block._lexer.cache_clear()
    warm_up()
    built = {name for name in code_block.COMMON_LANGUAGES if code_block._lexer(name)}
    assert code_block._lexer.cache_info().hits >= len(code_block.COMMON_LANGUAGES)
    assert built == set(code_block.COMMON_LANGUAGES)
