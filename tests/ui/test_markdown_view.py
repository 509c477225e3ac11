"""The one-widget Markdown view: blocks settle as text streams in, the view grows with
its text, and an append that keeps the height repaints without a layout."""

from __future__ import annotations

import random

import pytest
from textual.app import App
from textual.pilot import Pilot

from tests.support.ui_support import ViewApp, screen_text, settled, wait_for
from tui.ui.render.markdown_parser import split_blocks
from tui.ui.render.markdown_view import MarkdownView


def shown(app: App[None]) -> str:
    return "\n".join(line.rstrip() for line in screen_text(app).split("\n"))


async def drawn(pilot: Pilot[None], view: MarkdownView) -> None:
    """Wait until every block of ``view`` is drawn (a slow machine takes more frames)."""
    await settled(pilot, lambda: view.size.width > 0 and not view.rendering)


def test_blocks_are_the_top_level_markdown_blocks() -> None:
    source = "# Title\n\nA paragraph\nover two lines.\n\n```py\nx = 1\n\ny = 2\n```\n\n- a\n- b\n"
    assert [text for _, text in split_blocks(source)] == [
        "# Title", "A paragraph\nover two lines.", "```py\nx = 1\n\ny = 2\n```", "- a\n- b",
    ]


async def test_streamed_text_settles_into_blocks_and_grows_the_view() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownView)
        for piece in ("# Plan", "\n\nFirst ", "para", "graph.\n\n```python\nx", " = 1\n"):
            view.append(piece)
            await pilot.pause()
        await drawn(pilot, view)
        text = shown(app)
        assert "Plan" in text and "First paragraph." in text and "x = 1" in text
        assert view._settled == ["# Plan", "First paragraph."]  # the fence is still live
        height = view.size.height
        view.append("y = 2\nz = 3\n```\n\nDone.")
        await drawn(pilot, view)
        assert view.size.height > height
        assert "z = 3" in shown(app) and "Done." in shown(app)


async def test_an_append_that_keeps_the_height_repaints_without_a_layout() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownView)
        view.append("Streaming")
        await drawn(pilot, view)
        height = view.size.height
        view.append(" text")  # same line
        assert not view._layout_required
        await pilot.pause()
        assert "Streaming text" in shown(app)
        assert view.size.height == height
        view.append(" that goes on" * 10)  # wraps: a new line
        assert view._layout_required
        await pilot.pause()
        assert view.size.height > height
        assert shown(app).count("goes on") >= 5


# --- every character the model sent is on screen -------------------------------------


async def shown_after(source: str, size: tuple[int, int] = (70, 30)) -> list[str]:
    """The screen's lines, trailing spaces cut, once ``source`` is drawn."""
    app = ViewApp()
    async with app.run_test(size=size) as pilot:
        view = app.query_one(MarkdownView)
        view.update(source)
        await drawn(pilot, view)
        return shown(app).split("\n")


async def test_html_like_tags_are_shown_as_text() -> None:
    lines = await shown_after(
        "The ratio <tex>\\frac{a}{b}</tex> is <b>exact</b>.<br>Next<br/>line\n\n"
        "<div align=\"center\">\n  centred *not emphasis*\n</div>\n\n"
        "<!-- a comment --> and <kbd>Ctrl</kbd>+<kbd>C</kbd>; AT&amp;T &lt;3"
    )
    assert lines[:7] == [
        "The ratio <tex>\\frac{a}{b}</tex> is <b>exact</b>.<br>Next<br/>line",
        "",
        '<div align="center">',
        "  centred *not emphasis*",  # an HTML block is never interpreted
        "</div>",
        "",
        "<!-- a comment --> and <kbd>Ctrl</kbd>+<kbd>C</kbd>; AT&amp;T &lt;3",
    ]


async def test_a_single_line_break_is_a_line_break() -> None:
    lines = await shown_after(
        "Roses are red,\nviolets are blue.\n\nName: Ada\nRole: *engineer*\n\n"
        "- one\n- two\n  still two\n\n```\ncode  stays\n```"
    )
    assert lines[:9] == [
        "Roses are red,", "violets are blue.", "",
        "Name: Ada", "Role: engineer", "",
        " • one", " • two", "   still two",
    ]
    assert any("code  stays" in line for line in lines)


async def test_images_and_reference_definitions_keep_their_text() -> None:
    lines = await shown_after("![a cat](https://example.com/cat.png)\n\n[1]: https://example.com")
    assert lines[:3] == ["🌆 a cat (https://example.com/cat.png)", "", "[1]: https://example.com"]


# --- sharp tests for two bugs that once slipped through -------------------------------


async def test_rendered_blocks_are_separated_by_exactly_one_blank_line() -> None:
    source = ("First paragraph.\n\n- a list\n- of two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
              "> a quote\n\n## A heading\n\nLast paragraph.")
    expected = [
        "First paragraph.", "",
        " • a list", " • of two", "",
        " a  b", " ────", " 1  2", "",
        "▌ a quote", "",
        "A heading", "",
        "Last paragraph.",
        "",  # the screen below the view
    ]
    assert (await shown_after(source))[: len(expected)] == expected
    app = ViewApp()
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(MarkdownView)
        for piece in ("First paragraph.\n", "\n- a list\n- of two\n", "\n| a | b |\n|---|",
                      "---|\n| 1 | 2 |\n\n> a quote\n\n## A heading\n\n", "Last paragraph."):
            view.append(piece)  # streamed: settled blocks and the live one are joined too
            await pilot.pause()
        await drawn(pilot, view)
        assert shown(app).split("\n")[: len(expected)] == expected


async def test_an_append_that_makes_the_text_shorter_lays_the_view_out_again() -> None:
    """A fence whose closing backticks arrive one at a time: "``" is a line of code until
    the third backtick closes the fence, and the view loses that line."""
    app = ViewApp()
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(MarkdownView)
        view.append("```\nprint(1)\n``")
        await drawn(pilot, view)
        assert view.size.height == 4  # padding, two lines of code, padding
        view.append("`")
        assert view._layout_required  # asked for at once, not left to some later layout
        await wait_for(lambda: view.size.height == 3)
        await pilot.pause()
        assert "``" not in shown(app)


async def test_a_reply_shrinks_when_an_append_makes_its_text_shorter() -> None:
    from tests.support.ui_support import build_app
    from tui.api.reply import Delta
    from tui.model.conversation import Message
    from tui.ui.widgets.reply_view import ReplyView
    from tui.ui.widgets.transcript import Transcript

    app = build_app(None)
    async with app.run_test(size=(80, 30)) as pilot:
        transcript = app.screen.query_one(Transcript)
        reply: ReplyView = await transcript.add_reply(Message(role="assistant", model="m"))
        await reply.add_delta(Delta("content", "```\nprint(1)\n``"))
        await wait_for(lambda: reply.body.size.height == 4)  # padding, 2 lines, padding
        tall = reply.size.height
        await reply.add_delta(Delta("content", "`"))
        await wait_for(lambda: reply.body.source.endswith("```") and reply.body.size.height == 3)
        await wait_for(lambda: reply.size.height == tall - 1)
        await pilot.pause()
        assert "``" not in shown(app)


STREAMED = (
    "# Notes\n\nA paragraph that is long enough to wrap over more than one line at sixty "
    "columns, and then some.\n\n- one\n- two with `code`\n\n```python\ndef f(x):\n"
    "    return x * 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| a much longer cell | "
    "that widens every row above it |\n\n> quoted\n> text\n\nA paragraph that becomes a"
    "\nheading when its underline arrives\n===\n\nThe end."
)


@pytest.mark.parametrize("pieces", ["7 characters", "whole lines"])
async def test_a_reply_streamed_a_piece_a_frame_looks_as_if_drawn_at_once(pieces: str) -> None:
    """Each append that grows the view lays it out again but keeps the lines above the
    change as Textual drew them: the screen must be the same as drawing it all at once,
    also where text arriving later changes lines drawn before (a table's widths, a
    heading's underline)."""
    app = ViewApp()
    async with app.run_test(size=(60, 40)) as pilot:
        view = app.query_one(MarkdownView)
        if pieces == "whole lines":
            chunks = STREAMED.splitlines(keepends=True)
        else:
            chunks = [STREAMED[start : start + 7] for start in range(0, len(STREAMED), 7)]
        for chunk in chunks:
            view.append(chunk)
            await drawn(pilot, view)
            await pilot.pause()
            # What is on screen is what the view draws for its text so far.
            expected = [strip.text.rstrip() for strip in view._lines(view.size.width)]
            assert shown(app).split("\n")[: len(expected)] == expected
        streamed = shown(app)
    assert streamed.split("\n") == await shown_after(STREAMED, size=(60, 40))


async def test_a_view_that_grows_draws_only_its_new_lines() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 40)) as pilot:
        view = app.query_one(MarkdownView)
        view.append("# Title\n\nFirst paragraph.\n\nSecond paragraph, still growing")
        await drawn(pilot, view)
        height = view.size.height
        drawn_lines: list[int] = []
        draw = view.render_line
        view.render_line = lambda y: drawn_lines.append(y) or draw(y)  # type: ignore[method-assign]
        view.append(".\n\nA third paragraph.")
        await drawn(pilot, view)
        await pilot.pause()
        assert view.size.height > height
        assert drawn_lines and min(drawn_lines) >= 4  # the title and first paragraph kept
        assert "A third paragraph." in shown(app)


async def test_blocks_are_drawn_from_the_parse_that_split_them() -> None:
    """An append parses the unsettled tail once, and the live block and the blocks that
    settled are drawn from those tokens: the same lines as a fresh parse of each."""
    rng = random.Random(7)
    app = ViewApp()
    async with app.run_test(size=(60, 40)) as pilot:
        view = app.query_one(MarkdownView)
        start, reused = 0, 0
        while start < len(STREAMED):
            end = start + rng.randint(1, 400)
            view.append(STREAMED[start:end])
            start = end
            width = view.size.width or 60
            pending = dict(view._settled_tokens)
            for index, tokens in pending.items():
                kept = view._render_block(view._settled[index], width, tokens)
                fresh = view._render_block(view._settled[index], width)
                assert [list(line) for line in kept] == [list(line) for line in fresh]
            if view._live.strip():
                assert view._live_tokens is not None
                kept = view._render_block(view._live, width, view._live_tokens)
                fresh = view._render_block(view._live, width)
                assert [list(line) for line in kept] == [list(line) for line in fresh]
            reused += len(pending)
            await pilot.pause()
        assert reused  # settled blocks were drawn from the tokens too
        await drawn(pilot, view)
        assert not view._settled_tokens  # and let go of once drawn
