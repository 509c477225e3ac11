"""How the chat shows the end of a reply (Pilot against the loopback server): a cut-off
reply says so and can be retried with Ctrl+R; skipped stream lines are mentioned in the
reply's status line; an empty reply is an error, not a blank success."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, content, sse_body, text_chunks
from tests.support.ui_support import build_app, chat, saved, screen_text, send
from tui.ui.widgets.reply_view import ReplyView


async def test_a_cut_off_reply_says_so_and_ctrl_r_retries_it(
    server: LoopbackServer, isolated_home: Path
) -> None:
    server.enqueue(
        Reply.sse(sse_body(content("Half of"), content(" an answer"), done=False)),
        Reply.sse(sse_body(*text_chunks("The whole answer."))),
    )
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "tell me")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "Half of an answer" in text and "The reply was cut off" in text
        assert chat(app).conversation.messages[-1].error is not None
        data = tomllib.loads(saved(isolated_home)[0].read_text())
        assert data["messages"][1]["content"] == "Half of an answer"
        assert "cut off" in data["messages"][1]["error"]
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = chat(app).conversation.messages
        assert [m.role for m in messages] == ["user", "assistant"]
        assert messages[-1].content == "The whole answer." and messages[-1].error is None
    assert len(server.chat_requests()) == 2


async def test_skipped_lines_are_mentioned_under_the_reply(server: LoopbackServer) -> None:
    body = sse_body(content("kept"), done=False) + b"data: not json\n\ndata: nor this\n\n"
    server.enqueue(Reply.sse(body + sse_body(*text_chunks(" too"))))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "go")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one(ReplyView).message.content == "kept too"
        assert "2 lines of the stream could not be read and were skipped." in screen_text(app)


async def test_an_empty_reply_is_shown_as_an_error(server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(b"data: [DONE]\n\n"))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "anyone?")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "The server sent an empty reply." in screen_text(app)
        assert chat(app).conversation.messages[-1].finish_reason == "error"
