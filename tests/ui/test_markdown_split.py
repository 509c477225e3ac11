"""A block drawn from its share of the parse of a whole text looks the same as drawn
from a parse of its text alone: the Markdown view draws blocks from the parse that split
them (``split_parsed`` in tui/ui/render/markdown_parser.py). That parse stops at the
blocks; the text inside a block is parsed when it is drawn (``parse_inline``)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tui.ui.render.markdown_blocks import render_block
from tui.ui.render.markdown_parser import (
    make_parser,
    parse_blocks,
    parse_inline,
    split_blocks,
    split_parsed,
)

LINES = [
    "# Heading", "Setext heading", "===", "---", "A paragraph with *emphasis* and `code`.",
    "lazy continuation", "", "", "", "- item", "- item with **bold**", "  - nested item",
    "1. first", "2. second", "> a quote", "> > nested quote", "```python", "```", "~~~",
    "    indented code", "| a | b |", "|---|---|", "| 1 | 2 | 3 |", "<div>html</div>",
    "[ref]: https://example.com", "[link][ref] and [x](https://example.com)", "***",
    "Key: value", "~~struck~~", "\tTabbed", "  two spaces in front", "* star item",
    "def f(x):", "    return x  # code", "&amp; &lt;tag&gt;", "line with trailing spaces  ",
]
PARSER = make_parser()
CONSOLE = Console(width=80, color_system="truecolor", force_terminal=True)


def drawn(text: str, width: int, tokens: object = None) -> list[list[object]]:
    lines = render_block(text, width, CONSOLE, PARSER, "monokai", tokens)  # type: ignore[arg-type]
    return [list(line) for line in lines]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=30), st.sampled_from([12, 40, 80]))
def test_a_block_drawn_from_its_share_of_the_parse_looks_the_same(
    lines: list[str], width: int
) -> None:
    source = "\n".join(lines)
    blocks = split_parsed(source, parse_blocks(PARSER, source))
    assert [(offset, text) for offset, text, _ in blocks] == split_blocks(source, PARSER)
    # Blocks followed by another: the view keeps their text without the blank lines
    # around it.
    for offset, text, tokens in blocks[:-1]:
        assert source[offset:].startswith(text)
        assert drawn(text, width, parse_inline(PARSER, tokens)) == drawn(text, width), text
    # The last block as the view keeps it: from its first line to the end.
    if blocks:
        offset, _, tokens = blocks[-1]
        whole = parse_inline(PARSER, tokens)
        assert drawn(source[offset:], width, whole) == drawn(source[offset:], width)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=30))
def test_parsing_in_two_steps_gives_the_tokens_of_one(lines: list[str]) -> None:
    source = "\n".join(lines)
    tokens = parse_inline(PARSER, parse_blocks(PARSER, source))
    expected = [t.as_dict() for t in PARSER.parse(source)]
    assert [t.as_dict() for t in tokens] == expected
    again = parse_inline(PARSER, tokens)  # a second call changes nothing
    assert [t.as_dict() for t in again] == expected
