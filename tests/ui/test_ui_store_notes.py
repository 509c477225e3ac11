"""The chat says what a save did when another window wrote the same conversation
(issue 13, item 4): the turns are merged and the user is told."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import build_app, collect_notes, fixed_conversation, wait_for
from tui.model.conversation import Message
from tui.storage.store import ConversationStore
from tui.ui.screens.chat import ChatScreen
from tui.ui.widgets.prompt import PromptArea


async def test_the_chat_merges_another_windows_turn_and_says_so(
    server: LoopbackServer, isolated_home: Path
) -> None:
    folder = isolated_home / "conversations"
    ConversationStore(folder).save(fixed_conversation())
    server.enqueue(Reply.sse(sse_body(*text_chunks("window answer"))))
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await screen.load_conversation(app.store.load("20261101-093000-abcdef"))
        other = ConversationStore(folder)  # another window
        theirs = other.load("20261101-093000-abcdef")
        theirs.add(Message(role="user", content="from the other window"))
        theirs.add(Message(role="assistant", content="their answer"))
        other.save(theirs)

        prompt = app.query_one(PromptArea)
        prompt.focus()
        prompt.load_text("from this window")
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await wait_for(lambda: any("another window wrote" in n for n in notes))
    said = [n for n in notes if "another window" in n]
    assert said[0] == "Merged 2 messages another window wrote."
    data = tomllib.loads((folder / "20261101-093000-abcdef.toml").read_text(encoding="utf-8"))
    assert [m["content"] for m in data["messages"]][2:] == [
        "from the other window", "their answer", "from this window", "window answer"]
