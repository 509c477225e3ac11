"""Up and Down in the prompt walk its history like a shell: this chat's prompts, then
older conversations', and back down to the draft being typed."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, send, wait_for
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.widgets.prompt import PromptArea


def save_old(store: ConversationStore, suffix: str, prompts: list[str], mtime: int) -> None:
    when = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    c = Conversation(id=f"20261001-090000-{suffix}", created=when, updated=when,
                     model="anthropic/claude-sonnet-4.6", profile="cline")
    for text in prompts:
        c.add(Message(role="user", content=text, created=when))
        c.add(Message(role="assistant", content="ok", created=when, finish_reason="stop"))
    store.save(c)
    os.utime(store.path_for(c.id), (mtime, mtime))


async def test_up_walks_back_through_prompts_and_down_returns_to_the_draft(
    server: LoopbackServer,
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("ok"))), Reply.sse(sse_body(*text_chunks("ok"))))
    app = build_app(server)
    store = app.services.store
    save_old(store, "aaaaaa", ["oldest chat, first", "oldest chat, second"], 1_700_000_000)
    save_old(store, "bbbbbb", ["newer chat\nof two lines"], 1_700_001_000)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptArea)
        await wait_for(lambda: len(prompt.older) == 3)
        for text in ("first here", "second here"):
            await send(pilot, text)
            await app.workers.wait_for_complete()
        prompt.focus()
        await pilot.press(*"my draft")
        shown = []
        for _ in range(6):  # one more than there are: the last Up stays on the oldest
            await pilot.press("up")
            shown.append(prompt.text)
        assert shown == ["second here", "first here", "newer chat\nof two lines",
                         "oldest chat, second", "oldest chat, first", "oldest chat, first"]
        back = []
        for _ in range(5):
            await pilot.press("down")
            back.append(prompt.text)
        assert back == ["oldest chat, second", "newer chat\nof two lines", "first here",
                        "second here", "my draft"]
        # An edit to a recalled prompt is kept while browsing; the draft is never lost.
        await pilot.press("up", "end", *"!", "up", "down")
        assert prompt.text == "second here!"
        await pilot.press("down")
        assert prompt.text == "my draft"
        # Down with nothing recalled, and Up in the middle of a text, only move the cursor.
        prompt.load_text("a\nb")
        prompt.move_cursor((1, 1))
        await pilot.press("down")
        assert prompt.text == "a\nb"
        await pilot.press("up")
        assert prompt.text == "a\nb" and prompt.cursor_location[0] == 0


async def test_recalled_prompts_carry_no_control_characters(server: LoopbackServer) -> None:
    """A hand-edited file's prompt comes back as text: no escape sequence reaches the
    screen through the prompt box."""
    app = build_app(server)
    save_old(app.services.store, "cccccc", ["red \x1b[31malert\x07 done"], 1_700_000_000)
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = app.query_one(PromptArea)
        await wait_for(lambda: len(prompt.older) == 1)
        prompt.focus()
        await pilot.press("up")
        assert prompt.text == "red [31malert done"
