"""A prompt that would pass the model's context window: the chat asks first, and can
leave the oldest turns out of what is sent (marked, saved, shown; never deleted) or send
it whole, or keep the prompt in the box."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, catalog_loaded, screen_text, send, settled
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.modals.too_long import TooLong
from tui.ui.widgets.message_views import LEFT_OUT, UserMessage
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.transcript import Transcript

MODEL = "qwen/qwen3-8b"  # a window of 32,768 tokens in the test catalog


def long_chat() -> Conversation:
    """Ten turns of about 4,000 tokens each (8,000 characters a prompt and a reply)."""
    c = Conversation(model=MODEL)
    for n in range(10):
        c.add(Message(role="user", content=f"question {n} " + "q" * 8000))
        c.add(Message(role="assistant", content=f"answer {n} " + "a" * 8000, model=MODEL,
                      finish_reason="stop"))
    return c


def left_out_notes(transcript: Transcript) -> list[str]:
    """The text of every prompt drawn with the "left out" note."""
    drawn = [str(view.render()) for view in transcript.message_views()
             if isinstance(view, UserMessage)]
    return [text for text in drawn if LEFT_OUT in text]


def sent_texts(server: LoopbackServer) -> list[str]:
    [request] = server.chat_requests()
    return [m["content"][:12] for m in request.json()["messages"]]


async def test_leaving_the_oldest_turns_out_sends_the_rest(
        isolated_home: Path, server: LoopbackServer) -> None:
    chat = long_chat()
    app = build_app(server, conversation=chat)
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        await send(pilot, "And now?")
        await settled(pilot, lambda: isinstance(app.screen, TooLong))
        text = screen_text(app)
        assert "Too long for the model's context window" in text
        assert "qwen/qwen3-8b reads at most 32,768" in text
        offer = str(app.screen.query_one("#too-long-offer", Static).render())
        assert offer.startswith("Leaving out the 3 oldest turns (about 12,042 tokens) brings "
                                "it to about 28,104.")
        server.enqueue(Reply.sse(sse_body(*text_chunks("Fits now."))))
        await pilot.press("l")
        await settled(pilot, lambda: "Fits now." in screen_text(app))
        # Turns 0-3 are not sent; 4-9 and the new prompt are, in order.
        assert sent_texts(server) == [
            *(f"{kind} {n} "[:12].ljust(12, kind[0]) for n in range(3, 10)
              for kind in ("question", "answer")),
            "And now?"]
        left = [m for m in chat.nodes if m.left_out]
        assert [m.content[:10] for m in left] == [f"question {n}" for n in range(3)]
        transcript = app.screen.query_one(Transcript)
        await settled(pilot, lambda: len(left_out_notes(transcript)) == 3)
        assert all(note.startswith(LEFT_OUT + "\nquestion") for note in left_out_notes(transcript))
        saved = ConversationStore(isolated_home / "conversations").load(chat.id)
        assert [m.left_out for m in saved.nodes if m.role == "user"] == [True] * 3 + [False] * 8

        # Put back: the next request carries every turn again.
        app.screen.action_send_left_out_again()  # type: ignore[attr-defined]
        assert not any(m.left_out for m in chat.nodes)
        assert left_out_notes(transcript) == []


async def test_keep_sends_nothing_and_send_whole_sends_everything(
        server: LoopbackServer) -> None:
    chat = long_chat()
    app = build_app(server, conversation=chat)
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        await send(pilot, "And now?")
        await settled(pilot, lambda: isinstance(app.screen, TooLong))
        await pilot.press("escape")
        await settled(pilot, lambda: not isinstance(app.screen, TooLong))
        assert server.chat_requests() == []
        assert app.screen.query_one(PromptArea).text == "And now?"
        server.enqueue(Reply.sse(sse_body(*text_chunks("Whole."))))
        await pilot.press("enter")
        await settled(pilot, lambda: isinstance(app.screen, TooLong))
        await pilot.press("s")
        await settled(pilot, lambda: "Whole." in screen_text(app))
        assert len(sent_texts(server)) == 21
        assert not any(m.left_out for m in chat.nodes)


async def test_a_prompt_that_fits_is_sent_without_asking(server: LoopbackServer) -> None:
    chat = Conversation(model=MODEL)
    app = build_app(server, conversation=chat)
    server.enqueue(Reply.sse(sse_body(*text_chunks("Short."))))
    async with app.run_test(size=(120, 40)) as pilot:
        await catalog_loaded(pilot)
        await send(pilot, "Hi")
        await settled(pilot, lambda: "Short." in screen_text(app))
        assert not isinstance(app.screen, TooLong)
