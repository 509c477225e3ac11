"""The reply journal (``tui.storage.journal``) on its own: what it appends, how an orphan is
recovered, and what is never done (a reply added twice, a deleted conversation
re-created, a journal a live process holds taken over)."""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

from tui.model.conversation import Conversation, Message, ToolCall
from tui.storage.journal import ReplyJournal, journal_folder, recover_orphans
from tui.storage.store import ConversationStore


def setup(tmp_path: Path) -> tuple[ConversationStore, Conversation, Message]:
    store = ConversationStore(tmp_path / "conversations")
    conversation = Conversation(id="20260101-000000-10a10a", model="m")
    conversation.add(Message(role="user", content="first"))
    conversation.add(Message(role="assistant", content="one", model="m"))
    conversation.add(Message(role="user", content="second"))
    store.save(conversation)
    return store, conversation, Message(role="assistant", model="m")


def orphan(journal: ReplyJournal) -> None:
    """What a SIGKILL leaves: the file, with no process holding it."""
    journal.release()


def test_appends_only_what_is_new_and_recovers_it_after_the_prompt(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "Hello"
    journal.write(reply)
    journal.write(reply)  # nothing new: nothing written
    reply.content = "Hello, world"
    reply.reasoning = "thinking"
    journal.write(reply)
    lines = journal.path.read_text().splitlines()
    assert len(lines) == 3  # header + two appends
    assert '"content": ", world"' in lines[2]
    orphan(journal)

    [recovered] = recover_orphans(store)
    assert recovered.conversation_id == conversation.id
    messages = store.load(conversation.id).messages
    assert [m.content for m in messages] == ["first", "one", "second", "Hello, world"]
    last = messages[-1]
    assert last.reasoning == "thinking" and last.finish_reason == "interrupted"
    assert last.created == reply.created and last.model == "m"
    assert not journal.path.exists()


def test_text_moved_into_reasoning_and_tool_calls_are_replayed(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "I think so"
    journal.write(reply)
    reply.reasoning, reply.content = "I think so", "Yes."  # ``</think>`` arrived
    reply.tool_calls = [ToolCall(id="c1", name="search", arguments='{"q": "x"}')]
    journal.write(reply)
    orphan(journal)
    recover_orphans(store)
    last = store.load(conversation.id).messages[-1]
    assert (last.reasoning, last.content) == ("I think so", "Yes.")
    assert last.tool_calls == [ToolCall(id="c1", name="search", arguments='{"q": "x"}')]


def test_a_line_cut_short_by_the_kill_is_skipped(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "whole line"
    journal.write(reply)
    orphan(journal)
    with journal.path.open("ab") as handle:
        handle.write(b'{"content": "half a li')
    recover_orphans(store)
    assert store.load(conversation.id).messages[-1].content == "whole line"


def test_a_reply_already_saved_is_not_added_twice(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "saved"
    journal.write(reply)
    conversation.add(reply)
    store.save(conversation)  # the final save happened; the kill came before the removal
    orphan(journal)
    assert recover_orphans(store) == []
    assert len(store.load(conversation.id).messages) == 4
    assert not journal.path.exists()


def test_a_deleted_conversation_is_not_re_created(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "orphan"
    journal.write(reply)
    orphan(journal)
    store.trash(conversation.id)
    assert recover_orphans(store) == []
    assert not store.path_for(conversation.id).exists()
    assert not journal.path.exists()


def test_a_journal_someone_holds_is_left_alone(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)
    reply.content = "live"
    journal.write(reply)
    # Another process holds it (flock locks belong to open files, so a second open
    # in this process stands in for it).
    holder = os.open(journal.path, os.O_RDONLY)
    journal.release()
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert recover_orphans(store) == []
        assert journal.path.exists()
    finally:
        os.close(holder)
    assert len(recover_orphans(store)) == 1


def test_compare_replies_go_after_their_prompt_in_column_order(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations")
    c = Conversation(id="20260101-000000-c0c0c0", model="a", kind="compare",
                     models=["a", "b"])
    c.add(Message(role="user", content="go"))
    store.save(c)
    for column in (0, 1):
        reply = Message(role="assistant", model="ab"[column], column=column)
        journal = ReplyJournal.start(store, c, reply)
        reply.content = f"column {column}"
        journal.write(reply)
        orphan(journal)
    assert len(recover_orphans(store)) == 2
    messages = store.load(c.id).messages
    assert [(m.column, m.content) for m in messages] == [
        (None, "go"), (0, "column 0"), (1, "column 1")]


def test_keep_appends_while_the_reply_grows(tmp_path: Path) -> None:
    store, conversation, reply = setup(tmp_path)
    journal = ReplyJournal.start(store, conversation, reply)

    async def grow() -> None:
        keeper = asyncio.ensure_future(journal.keep(lambda: reply, every=0.01))
        for word in ("a", "b", "c"):
            reply.content += word
            while f'"{word}"' not in journal.path.read_text():
                await asyncio.sleep(0.01)
        keeper.cancel()

    asyncio.run(grow())
    journal.discard()
    assert not journal.path.exists()
    assert list(journal_folder(store).iterdir()) == []
