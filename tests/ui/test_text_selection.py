"""Selecting text with the mouse in replies, reasoning and sent prompts, and copying it
with Ctrl+C: the selected text is the text the screen shows, and it is drawn selected."""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import (
    build_app,
    collect_notes,
    fixed_conversation,
    screen_text,
    send,
    settled,
    wait_for,
)
from tui.ui.app import ChatApp
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.widgets.message_views import UserMessage
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView

REPLY = """Closures keep the variables of the scope they were made in.

- a function defined inside another
- it reads the outer names later

```python
def outer():
    n = 1
    return lambda: n
```

| name | kind |
|------|------|
| n    | free |

That is all."""


def shown_in(app: ChatApp, region: Region) -> str:
    """The text the screen shows in ``region``, as a user would copy it: each line
    without the spaces that pad it, lines joined by newlines."""
    rows = screen_text(app).split("\n")[region.y : region.bottom]
    return "\n".join(row[region.x : region.right].rstrip() for row in rows)


async def drag(pilot: Pilot[None], widget: Widget, start: tuple[int, int],
               end: tuple[int, int]) -> None:
    """Press the mouse at ``start`` in ``widget``, move it to ``end`` and let go."""
    await pilot.mouse_down(widget, offset=start)
    await pilot.hover(widget, offset=end)
    await pilot.mouse_up(widget, offset=end)
    await pilot.pause()


def colours(app: ChatApp, x: int, y: int) -> Style:
    """How the cell at ``x, y`` of the screen is drawn (without the offsets Textual's
    selection reads, which say where each piece of a line starts)."""
    return app.screen.get_style_at(x, y).clear_meta_and_links()


async def streamed_reply(pilot: Pilot[None], server: LoopbackServer, text: str) -> ReplyView:
    server.enqueue(Reply.sse(sse_body(*text_chunks(text))))
    await send(pilot, "closures?")
    await pilot.app.workers.wait_for_complete()
    view = pilot.app.query_one(ReplyView)
    await settled(pilot, lambda: "That is all." in screen_text(pilot.app))
    return view


async def test_dragging_over_a_reply_selects_the_text_it_shows(
    server: LoopbackServer,
) -> None:
    app = build_app(server)
    async with app.run_test(size=(100, 50)) as pilot:
        body = (await streamed_reply(pilot, server, REPLY)).body
        region = body.content_region
        first_word = app.screen.get_style_at(region.x + 1, region.y)
        await drag(pilot, body, (0, 0), (region.width - 1, region.height - 1))
        selected = app.screen.get_selected_text()
        assert selected == shown_in(app, region)
        for words in ("Closures keep", "• a function", "def outer():", "return lambda: n",
                      "name", "free", "That is all."):
            assert words in selected  # text, list, code block and table alike
        # Drawn selected: another background, the text in its own colour (visible).
        selected_word = app.screen.get_style_at(region.x + 1, region.y)
        assert selected_word.bgcolor != first_word.bgcolor
        assert selected_word.color == first_word.color != selected_word.bgcolor


async def test_a_selection_inside_a_line_picks_those_characters(
    server: LoopbackServer,
) -> None:
    app = build_app(server)
    async with app.run_test(size=(100, 50)) as pilot:
        body = (await streamed_reply(pilot, server, REPLY)).body
        x, y = body.content_region.offset
        before = [colours(app, x + column, y) for column in range(20)]
        await drag(pilot, body, (9, 0), (12, 0))
        assert app.screen.get_selected_text() == "keep"
        after = [colours(app, x + column, y) for column in range(20)]
        changed = [column for column in range(20) if after[column] != before[column]]
        assert changed == [9, 10, 11, 12]  # only "keep" is drawn selected


async def test_a_double_click_selects_the_whole_reply(server: LoopbackServer) -> None:
    app = build_app(server)
    async with app.run_test(size=(100, 50)) as pilot:
        body = (await streamed_reply(pilot, server, REPLY)).body
        await pilot.double_click(body, offset=(2, 0))
        await pilot.pause()
        assert app.screen.get_selected_text() == shown_in(app, body.content_region)


async def test_reasoning_can_be_selected(server: LoopbackServer) -> None:
    app = build_app(server, conversation=fixed_conversation())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("ctrl+t")  # unfold the reasoning
        reasoning = app.query_one(ReplyView).reasoning_block.query_one(MarkdownView)
        await settled(pilot, lambda: "17×20 = 340" in screen_text(app)
                      and reasoning.size.height > 0)
        await drag(pilot, reasoning, (0, 0), (10, 0))
        assert app.screen.get_selected_text() == "17×20 = 340"


async def test_a_sent_prompt_selects_and_on_into_the_reply(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("First answer line.\n\nSecond one."))))
    app = build_app(server)
    async with app.run_test(size=(100, 40)) as pilot:
        await send(pilot, "my question\nover two lines")
        await app.workers.wait_for_complete()
        await settled(pilot, lambda: "Second one." in screen_text(app))
        prompt = app.query_one(UserMessage)
        # The prompt's text starts after its border and padding.
        left = prompt.content_region.x - prompt.region.x
        await drag(pilot, prompt, (left, 0), (left + 13, 1))
        assert app.screen.get_selected_text() == "my question\nover two lines"
        # A drag from the prompt into the reply takes both, as shown.
        body = app.query_one(ReplyView).body
        await pilot.mouse_down(prompt, offset=(left + 3, 0))
        await pilot.hover(body, offset=(5, 0))
        await pilot.mouse_up(body, offset=(5, 0))
        selected = app.screen.get_selected_text()
        assert selected is not None
        assert selected.startswith("question\nover two lines\n")
        assert selected.endswith("\nFirst"), selected


async def test_ctrl_c_copies_the_selection_and_says_how_much(server: LoopbackServer) -> None:
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(100, 50)) as pilot:
        body = (await streamed_reply(pilot, server, REPLY)).body
        prompt = app.query_one(PromptArea)
        await pilot.press("ctrl+c")  # nothing selected: nothing copied, as before
        assert app.clipboard == ""
        await wait_for(lambda: any("to quit" in note for note in notes))
        await drag(pilot, body, (0, 0), (7, 0))
        prompt.focus()  # typing goes on in the prompt; Ctrl+C still copies the selection
        await pilot.press("ctrl+c")
        assert app.clipboard == "Closures"
        await wait_for(lambda: "Copied 8 characters" in notes)
        # Text selected in the prompt itself is what Ctrl+C copies there.
        prompt.load_text("draft text")
        prompt.select_all()
        await pilot.press("ctrl+c")
        assert app.clipboard == "draft text"


async def test_with_no_selection_lines_are_drawn_once_and_as_before(
    server: LoopbackServer,
) -> None:
    app = build_app(server)
    async with app.run_test(size=(100, 50)) as pilot:
        body = (await streamed_reply(pilot, server, REPLY)).body
        lines = body._lines(body.size.width)
        for y, line in enumerate(lines):
            drawn = body.render_line(y)
            assert body.render_line(y) is drawn  # cached, not styled again
            # The same text and colours as the line styled for this view; only the
            # offsets Textual's selection reads are added.
            expected = line.apply_style(body.rich_style)
            assert [(s.text, s.style) for s in expected] == [
                (s.text, s.style.clear_meta_and_links() if s.style else None) for s in drawn]
        await drag(pilot, body, (0, 0), (7, 0))
        assert body.render_line(0) is not body._styled[0]  # the selected line, highlighted
        assert body.render_line(1) is body._styled[1]
        app.screen.clear_selection()
        await pilot.pause()
        assert body.render_line(0) is body._styled[0]

