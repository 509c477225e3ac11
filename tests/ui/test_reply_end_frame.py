"""The end of a reply reaches the screen in one frame: its last words, the status line
under it and the usage sidebar are drawn together, not one frame after another (Pilot
against the loopback server; what each frame writes is read as it is sent).

The server sends the first words, and after a moment the last words with the end of
the stream in one read, as the end of a fast reply comes."""

from __future__ import annotations

from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, content, sse_body, text_chunks
from tests.support.ui_support import build_app, frames_written, send, settled
from tui.chat.budget import spent_today
from tui.model.conversation import Conversation, Message, Usage

MODEL = "anthropic/claude-sonnet-4.6"
LAST_WORDS = "and that is the whole answer"
STATUS = "1,234 in · 567 out · $0.5000"


def reply_in_two_reads() -> Reply:
    """The first words, a moment of silence, then the last words and the end at once."""
    first = sse_body(content("First words, "), done=False)
    rest = sse_body(*text_chunks(f"{LAST_WORDS}.", usage={
        "prompt_tokens": 1234, "completion_tokens": 567, "cost": 0.5}))
    return Reply(headers=[("Content-Type", "text/event-stream")], pieces=[first, rest],
                 stall_after=1, stall=0.3)


def the_end(frames: list[str]) -> str:
    """The first frame that shows the reply's status line; no frame before it shows
    the reply's last words."""
    index = next(i for i, frame in enumerate(frames) if STATUS in frame)
    assert not any(LAST_WORDS in frame for frame in frames[:index])
    return frames[index]


async def test_the_last_words_the_status_line_and_the_sidebar_show_in_one_frame(
        server: LoopbackServer) -> None:
    server.enqueue(reply_in_two_reads())
    app = build_app(server, serve_catalog=False)
    async with app.run_test(size=(120, 40)) as pilot:
        frames = frames_written(app)
        await send(pilot, "go")
        await settled(pilot, lambda: any(STATUS in frame for frame in frames))
        ending = the_end(frames)
        assert LAST_WORDS in ending
        assert "567" in ending.split("Last reply")[-1]  # the sidebar's completion row


async def test_todays_spend_includes_the_reply_in_the_frame_that_shows_its_end(
        isolated_home: Path, server: LoopbackServer) -> None:
    earlier = Conversation(model=MODEL)  # another chat, today, counted when the app opens
    earlier.add(Message(role="user", content="Hi"))
    earlier.add(Message(role="assistant", content="Hello.", model=MODEL, finish_reason="stop",
                        usage=Usage(prompt_tokens=10, completion_tokens=5, cost=0.25)))
    app = build_app(server, serve_catalog=False)
    app.services.store.save(earlier)
    spent_today(app.services.config)  # the history index is built (after a first reply)
    server.enqueue(reply_in_two_reads())
    async with app.run_test(size=(120, 40)) as pilot:
        spending = app.screen.query_one("#usage-spending")
        await settled(pilot, lambda: "$0.2500" in spending.text)  # type: ignore[attr-defined]
        frames = frames_written(app)
        await send(pilot, "One more?")
        await settled(pilot, lambda: any(STATUS in frame for frame in frames))
        assert "$0.7500" in the_end(frames)
