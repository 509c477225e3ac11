"""A failed turn in the chat: the transcript says its prompt will not be sent again, and
the next request (through the strict loopback server) leaves it out."""

from __future__ import annotations

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, send, wait_for
from tui.ui.widgets.reply_view import NOT_SENT_NOTE, ReplyView


async def test_a_failed_reply_says_its_prompt_is_left_out_and_the_next_turn_is_valid(
    server: LoopbackServer,
) -> None:
    server.enqueue(
        Reply.json({"error": {"message": "model overloaded"}}, status=400),
        # Some text, then the connection is reset in the middle of an event.
        Reply.sse(sse_body(text_chunks("Partial text")[0], done=False) + b"data: {",
                  piece_size=1 << 20, reset_after=1),
        Reply.sse(sse_body(*text_chunks("Fine."))),
    )
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        for prompt in ("first", "second", "third"):
            await send(pilot, prompt)
            await app.workers.wait_for_complete()
            await pilot.pause()
        failed, partial, fine = app.query(ReplyView)
        assert NOT_SENT_NOTE in failed._status().plain
        assert NOT_SENT_NOTE not in partial._status().plain
        assert NOT_SENT_NOTE not in fine._status().plain
    sent = server.chat_requests()[-1].json()["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == ["second", "third"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]


async def test_a_reply_cancelled_before_any_output_is_left_out_with_its_prompt(
    server: LoopbackServer,
) -> None:
    server.enqueue(
        Reply.sse(sse_body(*text_chunks("late")), stall_after=0, stall=30),
        Reply.sse(sse_body(*text_chunks("Fine."))),
    )
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "never answered")
        await wait_for(lambda: len(server.chat_requests()) == 1)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [view] = app.query(ReplyView)
        status = view._status().plain
        assert status.startswith("Cancelled.\n") and NOT_SENT_NOTE in status
        await send(pilot, "again")
        await app.workers.wait_for_complete()
    sent = server.chat_requests()[-1].json()["messages"]
    assert sent == [{"role": "user", "content": "again"}]
