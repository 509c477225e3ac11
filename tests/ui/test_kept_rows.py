"""While a reply streams into the chat, the rows Textual kept of the widgets that only
grew (tui/ui/speed/kept_rows.py) are what drawing everything afresh gives, at every
moment of the stream and at its end; and a container that grows draws only its new
rows."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, screen_text
from tui.ui.render.markdown_view import MarkdownView
from tui.ui.speed.kept_rows import KeptRows
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView

LINES = [f"Line {n}: a sentence about part {n} of the plan.\n\n" for n in range(24)]
REPLY = "".join(LINES) + "```python\ndef done():\n    return True\n```\n\nThe end."


def afresh(app: object) -> str:
    """The screen drawn with nothing kept: every widget forgets what it drew."""
    screen = app.screen  # type: ignore[attr-defined]
    for widget in screen.walk_children(with_self=True):
        widget.refresh()
    return screen_text(app)  # type: ignore[arg-type]


async def test_a_streaming_reply_looks_as_if_drawn_afresh(
    server: LoopbackServer, isolated_home: Path
) -> None:
    body = sse_body(*text_chunks(*LINES, REPLY[len("".join(LINES)):]))
    server.enqueue(Reply.sse(body, piece_size=150, delay=0.02))
    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        prompt.load_text("plan it")
        # Not awaited: pilot.press waits for the app to be idle, after the whole stream.
        enter = asyncio.create_task(pilot.press("enter"))
        checked = 0
        while not app.screen.query(ReplyView):
            await asyncio.sleep(0.01)
        reply = app.screen.query(ReplyView).last()
        while reply.message.finish_reason is None and not reply.message.error:
            await asyncio.sleep(0.02)  # pilot.pause() would wait for the stream's end
            assert screen_text(app) == afresh(app)
            checked += 1
        await enter
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert screen_text(app) == afresh(app)
        assert "The end." in screen_text(app)
        body_view = app.screen.query(ReplyView).last().query_one(MarkdownView)
        assert body_view.source == REPLY
    assert checked > 3


class Box(KeptRows, Vertical):
    DEFAULT_CSS = "Box { height: auto; padding: 0 1; background: $panel; }"


class BoxApp(App[None]):
    def compose(self) -> ComposeResult:
        with Box():
            yield Static("one", id="text")


async def test_a_container_that_grows_draws_only_its_new_rows() -> None:
    app = BoxApp()
    async with app.run_test(size=(40, 20)) as pilot:
        box = app.query_one(Box)
        await pilot.pause()
        drawn: list[int] = []
        draw = box.render_line
        box.render_line = lambda y: drawn.append(y) or draw(y)  # type: ignore[method-assign]
        app.query_one("#text", Static).update("one\ntwo\nthree\nfour")
        await pilot.pause()
        await pilot.pause()
        assert box.size.height == 4
        assert drawn and min(drawn) >= 1  # the first row was kept
        assert screen_text(app) == afresh(app)


class Scroll(KeptRows, VerticalScroll):
    pass


class ScrollApp(App[None]):
    def compose(self) -> ComposeResult:
        with Scroll():
            yield Static("x", id="text")


async def test_the_mixin_keeps_the_container_s_own_css() -> None:
    """A Widget base ahead of VerticalScroll would put Widget's CSS ahead of its own:
    overflow hidden, and the container would no longer scroll."""
    app = ScrollApp()
    async with app.run_test(size=(30, 10)) as pilot:
        scroll = app.query_one(Scroll)
        app.query_one("#text", Static).update("\n".join(str(n) for n in range(20)))
        await pilot.pause()
        scroll.scroll_end(animate=False)
        await pilot.pause()
        assert scroll.styles.overflow_y == "auto"
        assert scroll.scroll_y == scroll.max_scroll_y > 0


async def test_a_scrolling_container_whose_content_grows_keeps_its_rows() -> None:
    app = ScrollApp()
    async with app.run_test(size=(30, 10)) as pilot:
        scroll = app.query_one(Scroll)
        text = app.query_one("#text", Static)
        text.update("\n".join(str(n) for n in range(20)))  # the scrollbar appears
        await pilot.pause()
        drawn: list[int] = []
        draw = scroll.render_line
        scroll.render_line = lambda y: drawn.append(y) or draw(y)  # type: ignore[method-assign]
        bar = scroll.vertical_scrollbar
        thumb = bar.window_virtual_size
        text.update("\n".join(str(n) for n in range(40)))
        await pilot.pause()
        scroll.scroll_end(animate=False)
        await pilot.pause()
        assert scroll.virtual_size.height == 40 and bar.window_virtual_size == 40 != thumb
        assert scroll.scroll_y == scroll.max_scroll_y == 30
        assert drawn == []  # its own rows (background) were kept
        assert screen_text(app) == afresh(app)
        assert "39" in screen_text(app)
