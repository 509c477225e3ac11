"""The conversations screen with Pilot: open it, filter, search, preview, open a chat,
rename, delete and undo, export, a file written by another instance, and the progress
bar of a cold index build. Each flow checks the screen and the files."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.ui_support import (
    build_app,
    collect_notes,
    fixed_conversation,
    listed,
    open_history,
    screen_text,
    settled,
)
from tui.model.conversation import Conversation, Message
from tui.storage.store import ConversationStore
from tui.ui.screens.chat import ChatScreen
from tui.ui.screens.history import HistoryScreen
from tui.ui.widgets.conversation_list import ConversationList
from tui.ui.widgets.prompt import PromptArea


def preview(screen: HistoryScreen) -> str:
    return str(screen.query_one("#preview-body", Static).render())


async def test_list_preview_and_filter(ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        assert listed(screen) == [*ids, "20261020-080000-badbad"]
        text = screen_text(app)
        assert "Conversations · 6 · 1 unreadable" in text
        assert "[@click=app.quit]Quit[/]" in text and "⇆ Compare: haiku" in text
        assert "compare: openai/gpt-4.1, qwen/qwen3-8b · 3 messages" in text
        assert "[red]not red[/red]" in preview(screen)  # the first one, literally
        await pilot.press("down")
        assert "Waves fold into foam" in preview(screen)
        await pilot.press(*"rust")
        assert listed(screen) == ["20261104-093000-000003"]
        assert "mutable borrow" in preview(screen)
        await pilot.press("escape")  # clears the filter first
        assert len(listed(screen)) == 7 and isinstance(app.screen, HistoryScreen)
        await pilot.press("end")  # the filter box has the focus: its own End
        for _ in range(10):
            await pilot.press("down")
        assert screen.query_one(ConversationList).current.id == "20261020-080000-badbad"
        assert "not valid TOML" in preview(screen)
        await pilot.press("enter")  # an unreadable file does not open
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_narrow_the_preview_gives_way_and_f3_swaps_it_in(ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(60, 15)) as pilot:
        screen = await open_history(pilot)
        panel = screen.query_one("#history-preview")
        entries = screen.query_one(ConversationList)
        assert not panel.display and entries.display  # the list gets the whole width
        assert entries.size.width == 60
        assert screen.query_one("#history-filter", Input).placeholder == "Filter by title…"
        await pilot.press("f3")
        await pilot.pause()
        assert panel.display and not entries.display and panel.region.width == 60
        await pilot.press("down")  # the filter keeps the focus; the preview follows
        assert "Waves fold into foam" in preview(screen)
        await pilot.press("f3")
        await pilot.pause()
        assert entries.display and not panel.display
        await pilot.resize_terminal(120, 30)  # wide again: both, F3 has nothing to do
        await settled(pilot, lambda: panel.display and panel.size.width > 0)
        assert entries.display
        assert "Ctrl+F" in screen.query_one("#history-filter", Input).placeholder
        await pilot.press("f3")
        await pilot.pause()
        assert panel.display and entries.display


async def test_full_text_search_with_snippets(ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("ctrl+f")
        assert screen.query_one("#history-mode", Static).render().plain == "Text"
        await pilot.press(*"bananas")
        await settled(pilot, lambda: listed(screen) == ["20261103-093000-000002"])
        text = screen_text(app)
        assert "Mash three ripe bananas" in text  # the snippet under the title
        assert "pineapple" not in text
        await pilot.press("ctrl+u", *"pineapple")
        await settled(pilot, lambda: listed(screen) == [])
        assert "No matches." in preview(screen)
        await pilot.press("ctrl+f")  # and the reasoning too
        await settled(pilot, lambda: listed(screen) == ["20261103-093000-000002"])
        await pilot.press("ctrl+f", "ctrl+u", *"closures")  # back to titles
        assert listed(screen) == ["20261102-093000-000001"]


async def test_enter_opens_the_conversation_in_the_chat(ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_history(pilot)
        await pilot.press(*"banana bread", "enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.conversation.id == "20261103-093000-000002"
        assert len(chat.conversation.messages) == 2
        await pilot.pause()
        assert "Mash three ripe bananas" in screen_text(app)
        assert "Recipe for banana bread" in screen_text(app)  # the title bar


async def test_rename_updates_file_list_and_the_open_chat(isolated_home: Path,
                                                          ids: list[str]) -> None:
    store = ConversationStore(isolated_home / "conversations")
    app = build_app(None, conversation=store.load("20261102-093000-000001"))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        assert screen.query_one(ConversationList).current.id == "20261102-093000-000001"
        await pilot.press("f2")
        await pilot.pause()
        title_box = app.screen.query_one("#title", Input)
        title_box.value = "  Closures,   [b]explained[/b]  "
        await pilot.press("enter")
        await settled(pilot, lambda: isinstance(app.screen, HistoryScreen)
                       and "Closures, [b]explained[/b]" in screen_text(app))
        data = tomllib.loads((store.folder / "20261102-093000-000001.toml").read_text())
        assert data["title"] == "Closures, [b]explained[/b]"
        assert len(data["messages"]) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.conversation.title == "Closures, [b]explained[/b]"


async def test_delete_confirm_and_undo(isolated_home: Path, ids: list[str]) -> None:
    folder = isolated_home / "conversations"
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        await pilot.press("down", "f8")
        await pilot.pause()
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert (folder / "20261106-093000-0000aa.toml").exists()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("y")
        await settled(pilot, lambda: "20261106-093000-0000aa" not in listed(screen))
        assert not (folder / "20261106-093000-0000aa.toml").exists()
        assert (folder / ".trash" / "20261106-093000-0000aa.toml").exists()
        assert screen.query_one(ConversationList).current.id == ids[2]  # the next one
        await app.workers.wait_for_complete()
        await pilot.press("ctrl+z")
        await settled(pilot, lambda: "20261106-093000-0000aa" in listed(screen))
        assert (folder / "20261106-093000-0000aa.toml").exists()
        assert not list((folder / ".trash").iterdir())
        assert screen.query_one(ConversationList).current.id == "20261106-093000-0000aa"


async def test_deleting_the_open_conversation_starts_a_new_chat(isolated_home: Path,
                                                                ids: list[str]) -> None:
    store = ConversationStore(isolated_home / "conversations")
    app = build_app(None, conversation=store.load(ids[2]))
    async with app.run_test(size=(120, 36)) as pilot:
        await open_history(pilot)
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert chat.conversation.id != ids[2] and chat.conversation.messages == []


async def test_export_writes_a_file_and_says_where(isolated_home: Path, ids: list[str]) -> None:
    app = build_app(None)
    said = collect_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_history(pilot)
        await pilot.press(*"plan", "f5")
        await pilot.pause()
        markdown = isolated_home / "exports" / "20261101-093000-000000.md"
        assert markdown.read_text().startswith("# Plan the release of version 2\n")
        await pilot.press("f6")
        await pilot.pause()
        exported = isolated_home / "exports" / "20261101-093000-000000.json"
        assert '"title": "Plan the release of version 2"' in exported.read_text()
        assert f"Exported to {markdown}" in said and f"Exported to {exported}" in said


async def test_a_conversation_saved_elsewhere_shows_up(isolated_home: Path,
                                                       ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        other = ConversationStore(isolated_home / "conversations")  # another instance
        c = Conversation(id="20261201-000000-0000cc", model="m")
        c.add(Message(role="user", content="written by another window"))
        other.save(c)
        await settled(pilot, lambda: "20261201-000000-0000cc" in listed(screen))
        assert "written by another window" in screen_text(app)
        (other.folder / "20261101-093000-000000.toml").unlink()
        await settled(pilot, lambda: "20261101-093000-000000" not in listed(screen))


async def test_cold_build_shows_a_progress_bar(isolated_home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store = ConversationStore(isolated_home / "conversations")
    for n in range(600):
        c = Conversation(id=f"20260101-000000-{n:06x}", model="m")
        c.add(Message(role="user", content=f"message {n}"))
        store.save(c)
    shown: list[bool] = []
    real = HistoryScreen._building

    def building(self: HistoryScreen, on: bool) -> None:
        real(self, on)
        shown.append(self.query_one("#history-building").display)

    monkeypatch.setattr(HistoryScreen, "_building", building)
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        assert shown == [True, False]
        assert len(listed(screen)) == 600
        await pilot.press("escape")
        await open_history(pilot)  # warm now: no progress bar
        assert shown == [True, False]


async def test_palette_has_the_conversations_command(ids: list[str]) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Conversations" in titles
        app.action_open_history()
        await settled(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert "Conversations" not in [c.title for c in app.get_system_commands(app.screen)]


async def test_search_still_finds_after_the_index_is_deleted(
    isolated_home: Path, ids: list[str]
) -> None:
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        index = isolated_home / "cache" / "history.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)
        await pilot.press("ctrl+f")  # search all text
        await pilot.press(*"mutable")
        await settled(pilot, lambda: listed(screen) == ["20261104-093000-000003"])
        assert "No matches." not in preview(screen)


async def test_the_preview_lists_values_the_file_could_not_use(
    isolated_home: Path, ids: list[str]
) -> None:
    path = isolated_home / "conversations" / f"{ids[0]}.toml"  # the first one listed
    path.write_text(re.sub(r"(?m)^model = .*$", 'model = ["a"]',
                           path.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    app = build_app(None)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_history(pilot)
        await settled(pilot, lambda: "model = ['a'] is not text" in preview(screen))


async def test_deleting_the_open_chat_while_it_streams_does_not_bring_it_back(
    isolated_home: Path, server: LoopbackServer
) -> None:
    folder = isolated_home / "conversations"
    ConversationStore(folder).save(fixed_conversation())
    cid = fixed_conversation().id
    chunks = text_chunks("first part, ", "second part")
    # Stalls after the first piece until the reply is cancelled: the chat is deleted while
    # the reply streams, whatever the machine's speed.
    events = [sse_body(chunk, done=False) for chunk in chunks] + [b"data: [DONE]\n\n"]
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")], pieces=events,
                         stall_after=1, stall=60.0))
    app = build_app(server, conversation=ConversationStore(folder).load(cid))
    notes = collect_notes(app)
    async with app.run_test(size=(120, 36)) as pilot:
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        prompt = app.query_one(PromptArea)
        prompt.focus()
        prompt.load_text("one more question")
        await pilot.press("enter")
        await settled(pilot, lambda: "first part" in screen_text(app))
        screen = await open_history(pilot)
        await settled(pilot, lambda: listed(screen) == [cid])
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("y")
        await settled(pilot, lambda: not (folder / f"{cid}.toml").exists())
        chat.action_cancel_reply()  # the stream ends (cancelled) and the turn is saved
        await settled(pilot, lambda: not chat.streaming)
        said = " ".join(notes)
    assert not (folder / f"{cid}.toml").exists()
    trashed = tomllib.loads((folder / ".trash" / f"{cid}.toml").read_text(encoding="utf-8"))
    assert [m["content"] for m in trashed["messages"]][-2:] == [
        "one more question", "first part, "]
    assert "deleted" in said and "trash" in said
