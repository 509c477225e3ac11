"""The rows a block is guessed to take before it is drawn: close to what Rich draws, so
a long view has about its final height (and scrollbar) before most blocks are drawn."""

from __future__ import annotations

import pytest
from rich.console import Console

from benchmarks.markdown_reply import long_reply, short_reply
from tui.ui.render.markdown_blocks import render_block
from tui.ui.render.markdown_parser import make_parser, split_blocks
from tui.ui.render.row_estimate import estimate_rows, wrapped_rows


def test_a_line_wraps_at_spaces_and_cuts_words_wider_than_a_row() -> None:
    assert wrapped_rows("", 10) == 1
    assert wrapped_rows("short", 10) == 1
    assert wrapped_rows("aaaa bbbb cccc", 9) == 2  # "aaaa bbbb" / "cccc"
    assert wrapped_rows("x" * 25, 10) == 3
    assert wrapped_rows("ab " + "x" * 25, 10) == 4


@pytest.mark.parametrize("width", [36, 60, 116])
def test_the_guess_for_a_whole_reply_is_within_five_percent(width: int) -> None:
    parser = make_parser()
    console = Console(width=200)
    text = long_reply() + "\n\n" + "\n\n".join(short_reply(i) for i in range(10))
    blocks = [block for _, block in split_blocks(text)]
    drawn = sum(len(render_block(b, width, console, parser, "monokai")) for b in blocks)
    guessed = sum(estimate_rows(b, width) for b in blocks)
    assert abs(guessed - drawn) <= drawn * 0.05


@pytest.mark.parametrize(("block", "rows"), [
    ("```py\nx = 1\ny = 2\n```", 4),  # two lines and a row of padding above and below
    ("# A heading", 1),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |", 4),  # header, rule, two rows
    ("> quoted\n> text", 2),
    ("- one\n- two\n  - nested", 3),
])
def test_the_guess_for_small_blocks_is_exact(block: str, rows: int) -> None:
    drawn = render_block(block, 60, Console(width=200), make_parser(), "monokai")
    assert len(drawn) == rows
    assert estimate_rows(block, 60) == rows
