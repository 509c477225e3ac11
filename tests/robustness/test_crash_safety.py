"""Crash safety of saved conversations: SIGKILL at random moments, concurrent writers
and a full disk. Whatever happens, every file left parses and holds either the old or
the new version, and nothing half-written is ever listed as a conversation."""

from __future__ import annotations

import errno
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.history_support import scan
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.paths import PROJECT
from tests.support.ui_support import build_app, collect_notes, screen_text, send
from tests.support.ui_support import saved as saved_files
from tui.model.conversation import Conversation, Message
from tui.storage import store as store_module
from tui.storage.history_index import HistoryIndex
from tui.storage.store import ConversationStore

CONVERSATION_ID = "20260101-000000-c0ffee"
PAYLOAD = 64 * 1024  # big enough that a kill often lands in the middle of a write


def version(n: int) -> Conversation:
    conversation = Conversation(id=CONVERSATION_ID, title=f"v{n}", model="m")
    conversation.add(Message(role="user", content=f"{n}:" + "x" * PAYLOAD))
    conversation.add(Message(role="assistant", content=f"reply {n}"))
    return conversation


def check_version(path: Path) -> int:
    """The version number in ``path``, which must be a whole, consistent version."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    n = int(data["title"][1:])
    assert data["messages"][0]["content"] == f"{n}:" + "x" * PAYLOAD
    assert data["messages"][1]["content"] == f"reply {n}"
    return n


def _save_forever(folder: Path, saved_one: int) -> None:
    """In a forked child: load the current version, save the next, forever. After the
    first save, a byte on ``saved_one`` tells the parent the writer is under way."""
    store = ConversationStore(folder)
    n = int(store.load(CONVERSATION_ID).title[1:])
    while True:
        n += 1
        store.save(version(n))
        if saved_one >= 0:
            os.write(saved_one, b"1")
            os.close(saved_one)
            saved_one = -1


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_old_or_new_never_half(tmp_path: Path) -> None:
    folder = tmp_path / "conversations"
    store = ConversationStore(folder)
    path = store.save(version(0))
    rng = random.Random(9)
    last = 0
    advanced = 0
    for _ in range(200):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never return into pytest
            try:
                os.close(read_end)
                _save_forever(folder, write_end)
            finally:
                os._exit(0)
        os.close(write_end)
        # Wait until the writer has saved once (however busy the machine), then kill it
        # at a random moment of the saves that follow.
        assert os.read(read_end, 1) == b"1"
        os.close(read_end)
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        n = check_version(path)
        assert n >= last  # never an older version than one already seen
        advanced += n > last
        last = n
    assert advanced == 200  # every child saved at least once before it was killed
    # Temp files a kill left behind are never conversations.
    good, bad = scan(store)
    assert [c.id for c in good] == [CONVERSATION_ID] and bad == []
    index = HistoryIndex(folder, tmp_path / "cache")
    index.refresh()
    entries = index.entries()
    assert [e.id for e in entries] == [CONVERSATION_ID]
    assert all(p.name.startswith(".") for p in folder.iterdir() if p != path)


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tui.model.conversation import Conversation, Message
    from tui.storage.store import ConversationStore

    folder, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = ConversationStore(folder)
    for i in range(count):
        c = Conversation(id=f"20260101-000000-{tag}{i:03d}", title=f"{tag} {i}", model="m")
        c.add(Message(role="user", content=tag * 5000))
        store.save(c)
        shared = Conversation(id="20260101-000000-shared", title=f"{tag} {i}", model="m")
        shared.add(Message(role="user", content=f"{tag} {i} " * 2000))
        store.save(shared)
""")


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "conversations"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(folder), tag, "60"],
                                env=env) for tag in ("aa", "bb")]
    for writer in writers:
        assert writer.wait(60) == 0
    good, bad = scan(ConversationStore(folder))
    assert bad == []
    ids = {c.id for c in good}
    for tag in ("aa", "bb"):
        assert {f"20260101-000000-{tag}{i:03d}" for i in range(60)} <= ids
    assert len(ids) == 121
    shared = ConversationStore(folder).load("20260101-000000-shared")
    # The shared file is one writer's last version, whole.
    assert shared.title in ("aa 59", "bb 59")
    assert shared.messages[0].content == f"{shared.title} " * 2000
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# --- a full disk --------------------------------------------------------------------------


class _FullDisk(io.RawIOBase):
    """A file that takes the first few KB and then says the disk is full."""

    def __init__(self, fd: int, room: int) -> None:
        self._fd = fd
        self._room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self._room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = bytes(data)[: self._room]
        self._room -= len(taken)
        return os.write(self._fd, taken)

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def fill_disk(monkeypatch: pytest.MonkeyPatch, room: int = 4096) -> None:
    """Every atomic write gets ``room`` bytes in, then ENOSPC (a partial write first)."""

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert "b" in mode
        return io.BufferedWriter(_FullDisk(fd, room), buffer_size=1024)

    monkeypatch.setattr(store_module.os, "fdopen", fdopen)


def test_a_full_disk_keeps_the_previous_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ConversationStore(tmp_path / "conversations")
    path = store.save(version(1))
    before = path.read_bytes()
    fill_disk(monkeypatch)
    with pytest.raises(OSError) as raised:
        store.save(version(2))
    assert raised.value.errno == errno.ENOSPC
    assert path.read_bytes() == before
    assert sorted(p.name for p in store.folder.iterdir() if p.name != ".locks") == [path.name]


def test_ask_on_a_full_disk_prints_the_reply_and_reports_the_save_error(
    isolated_home: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tui.cli.main import main

    server.enqueue(Reply.sse(sse_body(*text_chunks("still ", "printed"))))
    monkeypatch.setenv("CLINE_BASE_URL", server.url)
    monkeypatch.setenv("CLINE_API_KEY", "sk-full-disk-0000")
    fill_disk(monkeypatch, room=100)
    code = main(["ask", "hello"])
    out, err = capsys.readouterr()
    assert out == "still printed\n"
    assert "could not save the conversation" in err and "No space left" in err
    assert "Traceback" not in err
    assert code == 5  # the turn worked but is not saved: the exit code says so
    folder = isolated_home / "conversations"
    assert not folder.exists() or not [p for p in folder.iterdir() if p.is_file()]


async def test_tui_on_a_full_disk_says_so_and_keeps_the_previous_file(
    server: LoopbackServer, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("first answer"))),
                   Reply.sse(sse_body(*text_chunks("second answer"))))
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "first")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [path] = saved_files(isolated_home)
        before = path.read_bytes()
        fill_disk(monkeypatch, room=200)
        await send(pilot, "second")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "second answer" in screen_text(app)  # the reply is still shown
        assert any("Could not save" in str(n) and "No space left" in str(n) for n in notes)
        assert app.is_running
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.is_file()] == [path.name]
