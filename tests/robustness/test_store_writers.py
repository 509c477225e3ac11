"""Two writers on one conversation (issue 13, item 4): a window and ``ask --continue``, or
two windows, each holding the conversation in memory. A save never silently replaces what
the other wrote: appended turns are merged, a conflicting change makes a copy, a deleted
conversation is not written back and a rename is not undone. The other writer is a real
process: ``python -m tui ask`` against the loopback server, or a small script."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.paths import PROJECT
from tui.model.conversation import Conversation, Message
from tui.model.tree import remove
from tui.storage import store as store_module
from tui.storage.store import ConversationStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def saved_conversation(store: ConversationStore, title: str = "Shared") -> str:
    """A two-message conversation on disk, written by someone else; returns its id."""
    c = Conversation(id=store.new_id(), title=title, model="test/model", created=at(0))
    c.add(Message(role="user", content="first question", created=at(0)))
    c.add(Message(role="assistant", content="first answer", created=at(1), model="test/model"))
    ConversationStore(store.folder).save(c)
    return c.id


def on_disk(store: ConversationStore, conversation_id: str) -> dict[str, Any]:
    return tomllib.loads(store.path_for(conversation_id).read_text(encoding="utf-8"))


def contents(data: dict[str, Any]) -> list[str]:
    return [m["content"] for m in data["messages"]]


def other_process(home: Path, code: str) -> None:
    """Run ``code`` (with ``store``, a ConversationStore of ``home``) in another process."""
    prelude = textwrap.dedent(f"""\
        from datetime import UTC, datetime, timedelta
        from pathlib import Path
        from tui.model.conversation import Message
        from tui.storage.store import ConversationStore
        store = ConversationStore(Path({str(home / "conversations")!r}))
        T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        def at(minutes):
            return T0 + timedelta(minutes=minutes)
    """)
    done = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)],
                          cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def ask(home: Path, server: LoopbackServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(CLINE_TUI_HOME=str(home), CLINE_BASE_URL=server.url, CLINE_API_KEY="sk-test")
    return subprocess.run([sys.executable, "-m", "tui", "ask", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


# --- both sides appended: merged ----------------------------------------------------------


def test_a_window_and_ask_continue_both_keep_their_turns(
    store: ConversationStore, isolated_home: Path, server: LoopbackServer
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)  # the window opened it (``--resume``)

    server.enqueue(Reply.sse(sse_body(*text_chunks("from ask"))))
    done = ask(isolated_home, server, "--continue", cid, "asked from the shell")
    assert done.returncode == 0, done.stderr

    window.add(Message(role="user", content="typed in the window"))
    window.add(Message(role="assistant", content="window answer", model="test/model"))
    saved = store.save(window)

    data = on_disk(store, cid)
    assert contents(data) == ["first question", "first answer", "asked from the shell",
                              "from ask", "typed in the window", "window answer"]
    assert saved.note == "Merged 2 messages another window wrote."
    # The window's next save changes nothing more and says nothing.
    again = store.save(window)
    assert again.note is None
    assert contents(on_disk(store, cid)) == contents(data)


def test_turns_merge_in_the_order_they_began_and_each_stays_whole(
    store: ConversationStore, isolated_home: Path
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    window.add(Message(role="user", content="mine, asked at 5", created=at(5)))
    window.add(Message(role="assistant", content="mine, answered at 9", created=at(9)))
    other_process(isolated_home, f"""
        c = store.load({cid!r})
        c.add(Message(role="user", content="theirs, asked at 3", created=at(3)))
        c.add(Message(role="assistant", content="theirs, answered at 7", created=at(7)))
        store.save(c)
    """)
    store.save(window)
    assert contents(on_disk(store, cid)) == [
        "first question", "first answer", "theirs, asked at 3", "theirs, answered at 7",
        "mine, asked at 5", "mine, answered at 9"]
    # Their turn is kept by later saves too, although the window never showed it.
    window.add(Message(role="user", content="mine again", created=at(10)))
    assert store.save(window).note is None
    assert contents(on_disk(store, cid))[-1] == "mine again"
    assert len(on_disk(store, cid)["messages"]) == 7


def test_a_reply_we_retried_stays_dropped_while_theirs_stay(
    store: ConversationStore, isolated_home: Path
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    window.add(Message(role="user", content="q", created=at(5)))
    failed = window.add(Message(role="assistant", content="", error="boom", created=at(6)))
    store.save(window)
    other_process(isolated_home, f"""
        c = store.load({cid!r})
        c.add(Message(role="user", content="theirs", created=at(7)))
        store.save(c)
    """)
    remove(window, failed)  # Ctrl+R: the failed reply is replaced
    window.add(Message(role="assistant", content="retried", created=at(8)))
    store.save(window)
    assert contents(on_disk(store, cid)) == [
        "first question", "first answer", "q", "retried", "theirs"]


def test_a_reply_to_a_prompt_saved_before_the_request_stays_with_its_prompt(
    store: ConversationStore, isolated_home: Path
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    window.add(Message(role="user", content="my prompt", created=at(5)))
    store.save(window)  # before the request is sent
    other_process(isolated_home, f"""
        c = store.load({cid!r})
        c.add(Message(role="user", content="their prompt", created=at(6)))
        c.add(Message(role="assistant", content="their answer", created=at(7)))
        store.save(c)
    """)
    window.add(Message(role="assistant", content="my answer", created=at(8)))
    store.save(window)
    assert contents(on_disk(store, cid)) == [
        "first question", "first answer", "my prompt", "my answer", "their prompt",
        "their answer"]


# --- an earlier message changed: a copy ---------------------------------------------------


def test_when_the_other_side_changed_an_earlier_message_ours_is_saved_as_a_copy(
    store: ConversationStore, isolated_home: Path
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    other_process(isolated_home, f"""
        c = store.load({cid!r})
        c.messages[1].content = "first answer, edited by hand"
        store.save(c)
    """)
    window.add(Message(role="user", content="mine"))
    saved = store.save(window)

    assert window.id != cid
    assert saved == store.path_for(window.id)
    assert saved.note == (f"Saved as a copy, {window.id}: another window changed this "
                          "conversation.")
    assert contents(on_disk(store, cid)) == ["first question", "first answer, edited by hand"]
    assert contents(on_disk(store, window.id)) == ["first question", "first answer", "mine"]
    # Later saves go on in the copy.
    window.add(Message(role="assistant", content="more"))
    assert store.save(window).note is None
    assert contents(on_disk(store, window.id))[-1] == "more"


def test_a_file_that_no_longer_parses_is_left_alone_and_ours_saved_as_a_copy(
    store: ConversationStore,
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    store.path_for(cid).write_text('title = "half an edit\n', encoding="utf-8")
    window.add(Message(role="user", content="mine"))
    saved = store.save(window)
    assert saved.note is not None and saved.note.startswith("Saved as a copy")
    assert store.path_for(cid).read_text(encoding="utf-8") == 'title = "half an edit\n'
    assert contents(on_disk(store, window.id))[-1] == "mine"


# --- deleted and renamed meanwhile --------------------------------------------------------


def test_a_conversation_deleted_while_it_streams_is_not_written_back(
    store: ConversationStore,
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    window.add(Message(role="user", content="asked before the delete"))
    store.save(window)  # the prompt, saved before the request

    trashed = store.trash(cid)  # the conversations screen deletes it mid-stream
    window.add(Message(role="assistant", content="answer after the delete"))
    saved = store.save(window)

    assert not store.path_for(cid).exists()
    assert saved == trashed
    assert saved.note is not None and "deleted" in saved.note and "trash" in saved.note
    # Restoring it brings back everything, the new answer too.
    store.restore(trashed)
    assert contents(on_disk(store, cid)) == [
        "first question", "first answer", "asked before the delete", "answer after the delete"]
    assert list(store.trash_folder.iterdir()) == []


def test_a_conversation_removed_by_hand_goes_to_the_trash_not_back(
    store: ConversationStore,
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    store.path_for(cid).unlink()
    window.add(Message(role="user", content="kept"))
    saved = store.save(window)
    assert not store.path_for(cid).exists()
    assert saved.parent == store.trash_folder
    kept = tomllib.loads(saved.read_text(encoding="utf-8"))
    assert contents(kept)[-1] == "kept"


def test_a_rename_during_the_stream_is_kept(store: ConversationStore) -> None:
    cid = saved_conversation(store, title="Old title")
    window = store.load(cid)
    store.rename(cid, "New title")  # the conversations screen, same process
    window.add(Message(role="user", content="more"))
    store.save(window)
    assert on_disk(store, cid)["title"] == "New title"
    assert window.title == "New title"
    window.add(Message(role="assistant", content="again"))
    store.save(window)
    assert on_disk(store, cid)["title"] == "New title"


def test_a_title_another_process_changed_wins_unless_we_changed_it_too(
    store: ConversationStore, isolated_home: Path
) -> None:
    first, second = saved_conversation(store, "One"), saved_conversation(store, "Two")
    keeps, changes = store.load(first), store.load(second)
    for cid in (first, second):
        other_process(isolated_home, f"""
            c = store.load({cid!r})
            c.title = "Theirs"
            store.save(c)
        """)
    changes.title = "Ours"
    for window in (keeps, changes):
        window.add(Message(role="user", content="more"))
        store.save(window)
    assert on_disk(store, first)["title"] == "Theirs"
    assert on_disk(store, second)["title"] == "Ours"


# --- safe across processes ----------------------------------------------------------------


def test_the_read_check_write_holds_a_lock_other_processes_respect(
    store: ConversationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = saved_conversation(store)
    window = store.load(cid)
    lock = store.folder / ".locks" / f"{cid}.lock"
    seen: list[int] = []
    real_write = store_module.write_atomic

    def write_while_checking(path: Path, data: bytes) -> None:
        probe = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(f"""\
                import fcntl, os, sys
                fd = os.open({str(lock)!r}, os.O_RDWR)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    sys.exit(3)
                sys.exit(0)
            """)], timeout=30)
        seen.append(probe.returncode)
        real_write(path, data)

    monkeypatch.setattr(store_module, "write_atomic", write_while_checking)
    window.add(Message(role="user", content="more"))
    store.save(window)
    assert seen == [3], "another process could take the lock while we wrote"
    assert oct(lock.stat().st_mode & 0o777) == "0o600"
    # Released afterwards.
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        os.close(fd)


def test_a_reply_with_a_lone_surrogate_still_merges(
    store: ConversationStore, isolated_home: Path
) -> None:
    """In memory the text keeps the surrogate, the file has U+FFFD: still the same text."""
    cid = saved_conversation(store)
    window = store.load(cid)
    window.add(Message(role="user", content="broken \ud83d emoji", created=at(5)))
    store.save(window)
    other_process(isolated_home, f"""
        c = store.load({cid!r})
        c.add(Message(role="user", content="theirs", created=at(6)))
        store.save(c)
    """)
    window.add(Message(role="assistant", content="mine", created=at(7)))
    saved = store.save(window)
    assert saved.note == "Merged 1 message another window wrote."
    assert contents(on_disk(store, cid))[2:] == ["broken \ufffd emoji", "mine", "theirs"]
