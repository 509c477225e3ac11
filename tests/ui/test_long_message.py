"""Bounded work on open: a saved conversation with a 10 MB message opens with the
message's first part drawn and a line offering the rest, which is drawn a part at a time
on Enter or a click. Replies that stream are never held back. (The time and memory this
saves are measured by benchmarks/huge_message.py, not here.)"""

from __future__ import annotations

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, screen_text, wait_for
from tui.model.conversation import Conversation, Message
from tui.ui.render.parts import PART, next_cut
from tui.ui.widgets.held_text import ShowMore
from tui.ui.widgets.message_views import UserMessage
from tui.ui.widgets.prompt import PromptArea
from tui.ui.widgets.reply_view import ReplyView
from tui.ui.widgets.transcript import Transcript


def paragraphs(first: int, last: int) -> str:
    """Numbered paragraphs of 250 characters each."""
    filler = "The quick brown fox jumps over the lazy dog. " * 4
    return "".join(f"Paragraph {n:06d} of the saved reply, **drawn** on demand. {filler}\n\n"
                   for n in range(first, last))


def conversation_of(*messages: Message) -> Conversation:
    conversation = Conversation(model="m", title="Huge")
    for message in messages:
        conversation.add(message)
    return conversation


async def test_a_10_mb_message_opens_with_its_first_part_and_the_rest_on_demand() -> None:
    content = paragraphs(1, 42_000)  # 10 MB
    assert len(content) > 10_000_000
    conversation = conversation_of(
        Message(role="user", content="Show me everything"),
        Message(role="assistant", content=content, model="m", finish_reason="stop"))
    app = build_app(None, conversation=conversation)
    async with app.run_test(size=(100, 40)) as pilot:
        reply = app.query_one(ReplyView)
        body, more = reply.body, reply.query_one(ShowMore)
        transcript = app.query_one(Transcript)
        first_cut = next_cut(content, 0)
        assert body.source == content[:first_cut]  # the first part only
        # The end of the conversation: the part's end, then the line. Waited for as a
        # state of the screen: the last blocks may still be laid out after the scroll.
        shown_end = (f"▼ {len(content) - first_cut:,} characters not shown",
                     last_paragraph(content[:first_cut]))
        await wait_for(lambda: all(line in screen_text(app) for line in shown_end))

        transcript.scroll_home(animate=False)
        await wait_for(lambda: transcript.scroll_y == 0)
        # A jump past blocks not drawn yet shows them a frame later: waited for.
        first = "Paragraph 000001 of the saved reply, drawn on demand."
        await wait_for(lambda: first in screen_text(app))
        assert "Show me everything" in screen_text(app)

        more.focus()
        await pilot.press("enter")
        second_cut = next_cut(content, first_cut)
        assert body.source == content[:second_cut]
        await wait_for(lambda: not body.rendering)
        shown_end = (f"▼ {len(content) - second_cut:,} characters not shown",
                     last_paragraph(content[:second_cut]))

        def at_the_end() -> bool:
            transcript.scroll_end(animate=False)
            return all(line in screen_text(app) for line in shown_end)

        await wait_for(at_the_end)

        await pilot.click(more)
        assert body.held == len(content) - next_cut(content, second_cut)


def last_paragraph(markdown: str) -> str:
    """The first words of its last paragraph, as drawn (its lines wrap further on)."""
    return markdown.strip().rsplit("\n\n", 1)[-1].split(". ")[0].replace("**", "")


async def test_the_last_part_shows_the_rest_and_the_line_goes_away() -> None:
    content = paragraphs(1, 140)  # a little over two parts
    assert 2 * PART < len(content) < 3 * PART
    conversation = conversation_of(
        Message(role="assistant", content=content, finish_reason="stop"))
    app = build_app(None, conversation=conversation)
    async with app.run_test(size=(100, 30)) as pilot:
        reply = app.query_one(ReplyView)
        more = reply.query_one(ShowMore)
        assert more.display and "show the rest" in str(more.render())
        more.focus()
        await pilot.press("enter")
        assert reply.body.source == content
        assert reply.body.held == 0 and not more.display


async def test_a_long_pasted_prompt_and_long_reasoning_are_held_back_too() -> None:
    prompt = "".join(f"log line {n}\n" for n in range(40_000))
    reasoning = paragraphs(1, 1_000)
    conversation = conversation_of(
        Message(role="user", content=prompt),
        Message(role="assistant", content="Looks fine.", reasoning=reasoning,
                finish_reason="stop"))
    app = build_app(None, conversation=conversation)
    async with app.run_test(size=(100, 30)) as pilot:
        user = app.query_one(UserMessage)
        assert str(user.render()) == prompt[: next_cut(prompt, 0)]
        assert user.held == len(prompt) - next_cut(prompt, 0)
        more = app.query_one(Transcript).query_one(ShowMore)  # the line under the prompt
        assert more.view is user
        more.focus()
        await pilot.press("enter")
        assert user.held == len(prompt) - next_cut(prompt, next_cut(prompt, 0))
        reply = app.query_one(ReplyView)
        reasoning_view = reply._reasoning_markdown
        assert reasoning_view.source == reasoning[: next_cut(reasoning, 0)]
        assert reasoning_view.held > 0
        assert reply.reasoning_block.query_one(ShowMore).view is reasoning_view


async def test_a_streamed_reply_is_never_held_back(server: LoopbackServer) -> None:
    content = paragraphs(1, 1_000)
    pieces = [content[i : i + 4096] for i in range(0, len(content), 4096)]
    server.enqueue(Reply.sse(sse_body(*text_chunks(*pieces)), piece_size=65536))
    app = build_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptArea)
        prompt.focus()
        prompt.load_text("Write a lot")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        reply = app.query_one(ReplyView)
        assert reply.body.source == content
        assert not app.query(ShowMore)
