"""A failed turn in the chat: the transcript says its prompt will not be sent again, and
the next request (through the strict loopback server) leaves it out."""

from __future__ import annotations

from tests.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.test_ui_chat import send
from tests.ui_support import build_app
from tui.ui.messages import NOT_SENT_NOTE, ReplyView


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
        assert NOT_SENT_NOTE in str(failed.status.render())
        assert NOT_SENT_NOTE not in str(partial.status.render())
        assert NOT_SENT_NOTE not in str(fine.status.render())
    sent = server.chat_requests()[-1].json()["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"] == ["second", "third"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
