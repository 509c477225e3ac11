"""A container whose own rows are all alike is drawn as one row repeated
(tui/ui/speed/uniform_rows.py): the lines are those Textual draws row by row, for a
reply, the transcript and a compare column, scrolled anywhere; one with a top or
bottom edge is drawn row by row."""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, send
from tui.ui.speed.uniform_rows import uniform
from tui.ui.widgets.compare_column import CompareColumn
from tui.ui.widgets.reply_view import ReplyView
from tui.ui.widgets.transcript import Transcript

REPLY = "\n\n".join(f"Paragraph {n}: " + "words that wrap " * 12 for n in range(30))


def segments(lines: list[object]) -> list[list[object]]:
    return [list(line) for line in lines]  # type: ignore[call-overload]


def same_as_textual(widget: Widget) -> None:
    width, height = widget.size
    for crop in (Region(0, 0, width, height), Region(0, 3, width, 5),
                 Region(1, height - 4, width - 2, 4), Region(0, 7, width, 1)):
        mine = widget.render_lines(crop)
        widget._styles_cache.clear()  # Textual's own, drawn afresh
        theirs = Widget.render_lines(widget, crop)
        assert segments(mine) == segments(theirs), (type(widget).__name__, crop)


async def test_a_reply_and_the_transcript_draw_textuals_lines(
        server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks(*REPLY.split(" ")))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "write a lot")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = app.screen.query_one(ReplyView)
        transcript = app.screen.query_one(Transcript)
        assert uniform(reply) and uniform(transcript)
        assert reply.size.height > 40  # taller than the screen: scrolled through
        same_as_textual(reply)
        transcript.scroll_to(y=10, animate=False, immediate=True)
        await pilot.pause()
        same_as_textual(transcript)
        reply.set_marked(True)  # the message cursor's heavy edge
        await pilot.pause()
        same_as_textual(reply)


async def test_a_compare_column_draws_textuals_lines(server: LoopbackServer) -> None:
    for _ in range(2):
        server.enqueue(Reply.sse(sse_body(*text_chunks(*REPLY.split(" ")))))
    app = build_app(server, compare_models=["a/one", "b/two"])
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "write a lot")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for column in app.screen.query(CompareColumn):
            assert uniform(column)
            same_as_textual(column)
            same_as_textual(column.query_one(ReplyView))


async def test_a_container_with_a_top_or_bottom_edge_is_drawn_row_by_row(
        server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("A short reply."))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "hi")
        await app.workers.wait_for_complete()
        reply = app.screen.query_one(ReplyView)
        for rule in ("border_top", "border_bottom", "outline_bottom"):
            setattr(reply.styles, rule, ("round", "red"))
            assert not uniform(reply)
            await pilot.pause()
            same_as_textual(reply)
            setattr(reply.styles, rule, None)
        reply.border_title = "a title"
        assert not uniform(reply)
