"""No turn is ever lost: the prompt is on disk before the request goes out, the reply is
journaled while it streams, and every way a process can stop (SIGKILL, SIGTERM, SIGHUP,
a closed pipe, a crash) leaves the turn saved. Real subprocesses, real signals, the
real loopback server."""

from __future__ import annotations

import os
import re
import select
import signal
import stat
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import LoopbackServer, Reply, event_pieces, sse_body, text_chunks
from tests.support.paths import PROJECT
from tests.support.pty_support import PtyApp
from tui.model.conversation import Conversation, Message

KEY = "sk-interrupt-0a1b2c3d4e5f"
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def env_for(home: Path, server: LoopbackServer | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}
    env.update(CLINE_TUI_HOME=str(home), CLINE_API_KEY=KEY, PYTHONPATH=str(PROJECT))
    env.pop("CLINE_BASE_URL", None)
    if server is not None:
        env["CLINE_BASE_URL"] = server.url
    return env


def stalled_reply(*pieces: str, stall_after: int | None = None) -> Reply:
    """The reply's pieces, then silence for a minute before the rest (a slow model).

    A line of reasoning comes first: ``ask`` on a pipe holds back answer text until it
    cannot turn out to be reasoning, and these tests read the answer while it streams."""
    chunks = text_chunks(*pieces, reasoning=("Thinking. ",))
    stall_after = len(pieces) if stall_after is None else stall_after
    return Reply(headers=[("Content-Type", "text/event-stream")], pieces=event_pieces(*chunks),
                 stall_after=stall_after + 1, stall=60)


def start_ask(home: Path, server: LoopbackServer, *args: str,
              stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", *args], stdin=stdin,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(home, server),
    )


def read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float = 15) -> bytes:
    """stdout of ``process`` until ``marker`` has appeared in it."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, f"{marker!r} never came: {seen!r}"
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            piece = os.read(process.stdout.fileno(), 65536)
            assert piece or marker in seen, f"stdout closed before {marker!r}: {seen!r}"
            seen += piece
    return seen


def wait_until(condition: Any, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def conversations(home: Path) -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text(encoding="utf-8"))
            for p in sorted((home / "conversations").glob("*.toml"))]


def journals(home: Path) -> list[Path]:
    return sorted((home / "conversations" / ".journal").glob("*.jsonl"))


def journal_text(home: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in journals(home))


def only_conversation(home: Path) -> dict[str, Any]:
    found = conversations(home)
    assert len(found) == 1, found
    return found[0]


def run_cli(home: Path, *args: str, server: LoopbackServer | None = None,
            stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tui", *args], input=stdin,
                          capture_output=True, env=env_for(home, server), timeout=30)


# --- the prompt first -----------------------------------------------------------------


def test_ask_has_the_prompt_on_disk_before_the_request_is_answered(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply(headers=[("Content-Type", "text/event-stream")],
                         pieces=event_pieces(*text_chunks("late")), stall_after=0, stall=60))
    process = start_ask(isolated_home, server, "Remember this prompt")
    try:
        wait_until(lambda: server.chat_requests(), "the request")
        # The server has not answered a byte: the prompt is already saved.
        [data] = conversations(isolated_home)
        assert [(m["role"], m["content"]) for m in data["messages"]] == [
            ("user", "Remember this prompt")]
    finally:
        process.kill()
        process.communicate(timeout=10)


# --- SIGKILL: the journal -------------------------------------------------------------


def test_sigkill_in_the_middle_of_a_reply_keeps_it_and_the_next_start_recovers_it(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(stalled_reply("The first half ", "of the answer, ", "ZQ-LAST-SEEN"))
    process = start_ask(isolated_home, server, "Tell me everything")
    read_until(process, b"ZQ-LAST-SEEN")
    # The journal catches up within a second or two of the text arriving.
    wait_until(lambda: "ZQ-LAST-SEEN" in journal_text(isolated_home), "the journal append")
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    [journal] = journals(isolated_home)
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600

    # The next command that starts puts the reply where it belongs.
    listed = run_cli(isolated_home, "history")
    assert listed.returncode == 0, listed.stderr
    assert b"recovered an interrupted reply" in listed.stderr
    data = only_conversation(isolated_home)
    user, reply = data["messages"]
    assert user["content"] == "Tell me everything"
    assert reply["content"] == "The first half of the answer, ZQ-LAST-SEEN"
    assert reply["finish_reason"] == "interrupted"
    assert "stopped before the reply ended" in reply["error"]
    assert journals(isolated_home) == []
    # Once only: a second start finds nothing more to recover.
    again = run_cli(isolated_home, "history")
    assert b"recovered" not in again.stderr
    assert len(only_conversation(isolated_home)["messages"]) == 2


def test_a_journal_still_held_by_a_running_process_is_not_recovered(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(stalled_reply("Still ", "streaming ZQ-MID"))
    process = start_ask(isolated_home, server, "A long one")
    try:
        read_until(process, b"ZQ-MID")
        wait_until(lambda: "ZQ-MID" in journal_text(isolated_home), "the journal append")
        listed = run_cli(isolated_home, "history")
        assert b"recovered" not in listed.stderr
        assert len(journals(isolated_home)) == 1
        assert len(only_conversation(isolated_home)["messages"]) == 1  # the prompt only
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    # The process saved its own reply and removed its journal.
    assert journals(isolated_home) == []
    messages = only_conversation(isolated_home)["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_a_finished_turn_leaves_no_journal(isolated_home: Path, server: LoopbackServer) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Done ", "quickly."))))
    run = run_cli(isolated_home, "ask", "Quick one", server=server)
    assert run.returncode == 0, run.stderr
    assert journals(isolated_home) == []
    assert only_conversation(isolated_home)["messages"][1]["finish_reason"] == "stop"


# --- SIGTERM and SIGHUP in ask ---------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_ask_stopped_by_a_signal_saves_the_partial_reply_marked_interrupted(
    isolated_home: Path, server: LoopbackServer, number: signal.Signals
) -> None:
    server.enqueue(stalled_reply("Half ", "an answer"))
    process = start_ask(isolated_home, server, "Meaning of life?")
    seen = read_until(process, b"an answer")
    process.send_signal(number)
    out, err = process.communicate(timeout=15)
    stdout, stderr = (seen + out).decode(), err.decode()

    assert process.returncode == 1, stderr  # exit code 1: interrupted
    assert stdout == "Half an answer\n"
    assert f"interrupted by {number.name}" in stderr
    assert "Traceback" not in stderr
    assert re.search(r"saved conversation \S+", stderr)
    user, reply = only_conversation(isolated_home)["messages"]
    assert user["content"] == "Meaning of life?"
    assert reply["content"] == "Half an answer"
    assert reply["finish_reason"] == "interrupted"
    assert number.name in reply["error"]
    assert journals(isolated_home) == []


# --- a closed stdout -------------------------------------------------------------------


@pytest.mark.parametrize("prompt_size", [0, 1_000_000])
def test_ask_into_a_pipe_closed_early_is_quiet_and_still_saves_the_turn(
    isolated_home: Path, server: LoopbackServer, prompt_size: int
) -> None:
    pieces = [f"line {i:04d} of a long answer\n" for i in range(400)]
    server.enqueue(Reply.sse(sse_body(*text_chunks(*pieces)), piece_size=512, delay=0.002))
    prompt = "x" * prompt_size
    args = ["Say a lot"] if not prompt else []
    process = start_ask(isolated_home, server, *args, stdin=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(prompt.encode())
    process.stdin.close()
    first = process.stdout.read(20)  # what ``head -c 20`` takes
    process.stdout.close()
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    process.wait(30)

    assert first == b"line 0000 of a long "
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    user, reply = only_conversation(isolated_home)["messages"]
    assert user["content"] == (prompt or "Say a lot")
    assert reply["content"] == "".join(pieces)  # read to its end and saved whole


@pytest.mark.parametrize("command", [["history"], ["show", "20260101-000000-aaaaaa"],
                                     ["models"]])
def test_listing_commands_into_a_closed_pipe_are_quiet(
    isolated_home: Path, server: LoopbackServer, command: list[str]
) -> None:
    from tui.storage.store import ConversationStore

    store = ConversationStore(isolated_home / "conversations")
    for n in range(300):
        c = Conversation(id=f"20260101-000000-{n:06x}", title=f"chat {n}", model="m")
        c.add(Message(role="user", content=f"question {n} " * (200 if n == 0xAAAAAA else 20)))
        store.save(c)
    big = Conversation(id="20260101-000000-aaaaaa", title="big", model="m")
    for n in range(300):
        big.add(Message(role="user", content=f"line {n} " * 100))
    store.save(big)
    catalog = {"data": [{"id": f"vendor/model-{n}", "context_length": 8192}
                        for n in range(3000)]}
    server.enqueue(Reply.json(catalog, path="/ai/cline/models"))
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", *command], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(isolated_home, server),
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # ``| head -1``
    process.stdout.close()
    stderr = process.stderr.read().decode()
    process.wait(30)
    assert first
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


# --- stdin that is not UTF-8 ------------------------------------------------------------


def test_ask_with_invalid_utf8_on_stdin_says_so_and_sends_the_request(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(Reply.sse(sse_body(*text_chunks("Got it."))))
    run = run_cli(isolated_home, "ask", server=server, stdin=b"caf\xe9 and \xff\xfe bytes")
    assert run.returncode == 0, run.stderr
    assert b"not valid UTF-8" in run.stderr
    assert b"Traceback" not in run.stderr
    [request] = server.chat_requests()
    assert request.json()["messages"][-1]["content"] == "caf\ufffd and \ufffd\ufffd bytes"
    user, reply = only_conversation(isolated_home)["messages"]
    assert user["content"] == "caf\ufffd and \ufffd\ufffd bytes"
    assert reply["content"] == "Got it."


# --- saving fails ------------------------------------------------------------------------


def test_ask_exits_5_when_the_conversation_cannot_be_saved(
    isolated_home: Path, server: LoopbackServer
) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "conversations").write_text("a file where the folder should be")
    server.enqueue(Reply.sse(sse_body(*text_chunks("An answer."))))
    run = run_cli(isolated_home, "ask", "hello", server=server)
    assert run.returncode == 5, run.stderr
    assert run.stdout == b"An answer.\n"  # the reply is still printed
    assert b"could not save the conversation" in run.stderr
    assert b"Traceback" not in run.stderr


# --- CLINE_TUI_HOME somewhere unusable ------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["ask", "hi"], ["history"], ["show", "x"],
                                     ["models"], ["--resume", "x"]])
def test_a_home_that_is_a_file_is_one_line_and_exit_2(
    tmp_path: Path, command: list[str]
) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("")
    run = run_cli(home, *command)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert "is not a folder" in lines[0] and "CLINE_TUI_HOME" in lines[0]
    assert run.stdout == b""


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_home_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    run = run_cli(locked / "home", "history")
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.decode().splitlines()) == 1
    assert b"no permission" in run.stderr


# --- the full-screen app ---------------------------------------------------------------------


def tui_saved(home: Path) -> dict[str, Any]:
    return only_conversation(home)


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_tui_stopped_by_a_signal_saves_the_reply_and_restores_the_terminal(
    isolated_home: Path, server: LoopbackServer, number: signal.Signals
) -> None:
    server.enqueue(stalled_reply("Streaming ", "ZQ-PARTIAL"))
    app = PtyApp(isolated_home, server.url, KEY)
    try:
        app.wait_for("New chat")
        app.type("What is up?")
        app.press("enter")
        app.wait_for("ZQ-PARTIAL")
        mark = app.mark()
        app.process.send_signal(number)
        code = app.process.wait(20)
        time.sleep(0.2)  # the reader thread takes the last bytes
        tail = app.raw()[mark:]
    finally:
        app.close()
    assert code == 128 + number, app.text()[-2000:]
    assert b"\x1b[?1049l" in tail  # the alternate screen is left
    assert b"\x1b[?1000l" in tail and b"\x1b[?1003l" in tail  # mouse reporting off
    assert b"\x1b[?25h" in tail  # the cursor is shown
    assert b"Traceback" not in tail
    user, reply = tui_saved(isolated_home)["messages"]
    assert user["content"] == "What is up?"
    assert reply["content"] == "Streaming ZQ-PARTIAL"
    assert reply["finish_reason"] == "interrupted"
    assert number.name in reply["error"]
    assert journals(isolated_home) == []


def test_tui_whose_terminal_closed_saves_the_reply(
    isolated_home: Path, server: LoopbackServer
) -> None:
    """What ``tmux kill-session`` or closing the window does: the terminal goes away and
    the app gets SIGHUP."""
    server.enqueue(stalled_reply("Typed into ", "ZQ-GONE"))
    app = PtyApp(isolated_home, server.url, KEY)
    try:
        app.wait_for("New chat")
        app.type("Anyone there?")
        app.press("enter")
        app.wait_for("ZQ-GONE")
        os.close(app.master)
        app.master = -1
        app.process.send_signal(signal.SIGHUP)
        code = app.process.wait(20)
    finally:
        app.close()
    assert code == 128 + signal.SIGHUP
    _, reply = tui_saved(isolated_home)["messages"]
    assert reply["content"] == "Typed into ZQ-GONE"
    assert reply["finish_reason"] == "interrupted"
    assert journals(isolated_home) == []


def test_tui_killed_in_the_middle_of_a_reply_is_recovered_when_it_starts_again(
    isolated_home: Path, server: LoopbackServer
) -> None:
    server.enqueue(stalled_reply("Killed ", "mid ", "ZQ-KILLED"))
    app = PtyApp(isolated_home, server.url, KEY)
    try:
        app.wait_for("New chat")
        app.type("Do not lose me")
        app.press("enter")
        app.wait_for("ZQ-KILLED")
        wait_until(lambda: "ZQ-KILLED" in journal_text(isolated_home), "the journal append")
        app.process.send_signal(signal.SIGKILL)
        app.process.wait(10)
    finally:
        app.close()
    data = only_conversation(isolated_home)
    assert [m["role"] for m in data["messages"]] == ["user"]  # the prompt, saved first

    again = PtyApp(isolated_home, server.url, KEY, "--resume", data["id"])
    try:
        again.wait_for("ZQ-KILLED")  # shown in the reopened chat
        again.wait_for("recovered an interrupted reply")
        code = again.quit()
    finally:
        again.close()
    assert code == 0
    user, reply = only_conversation(isolated_home)["messages"]
    assert user["content"] == "Do not lose me"
    assert reply["content"] == "Killed mid ZQ-KILLED"
    assert reply["finish_reason"] == "interrupted"


CRASHER = """
import sys
from tui.ui.screens.chat import ChatScreen

def toggle_usage(self):
    raise RuntimeError("a bug in the usage panel")

ChatScreen.action_toggle_usage = toggle_usage
from tui.cli.main import main
sys.exit(main())
"""


def test_tui_crash_exits_70_and_prints_no_conversation_text(
    isolated_home: Path, server: LoopbackServer
) -> None:
    from tui.storage.store import ConversationStore

    secret = "ZQSECRET-conversation-text"
    conversation = Conversation(id="20260101-000000-5ec8e7", title="private", model="m")
    conversation.add(Message(role="user", content=f"my {secret} prompt"))
    conversation.add(Message(role="assistant", content=f"the {secret} answer"))
    ConversationStore(isolated_home / "conversations").save(conversation)

    app = PtyApp(isolated_home, server.url, KEY, "--resume", conversation.id,
                 command=[sys.executable, "-c", CRASHER])
    try:
        app.wait_for("the ZQSECRET")
        mark = app.mark()
        app.press("ctrl+b")  # the (broken) usage toggle
        code = app.process.wait(20)
        time.sleep(0.2)
        raw = app.raw()[mark:]
    finally:
        app.close()
    assert code == 70
    # What stays in the terminal once the alternate screen is left: the report only,
    # no locals, no conversation.
    assert b"\x1b[?1049l" in raw
    after = raw.split(b"\x1b[?1049l", 1)[1].decode("utf-8", errors="replace")
    assert secret not in after
    assert "cline-tui crashed (RuntimeError)" in after
    [log] = sorted((isolated_home / "cache").glob("crash-*.log"))
    assert str(log) in after.replace("\r\n", "").replace("\n", "")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text()
    assert "a bug in the usage panel" in text and "Traceback" in text
    assert secret not in text


# --- in the app, with Pilot ---------------------------------------------------------------


async def test_chat_saves_the_prompt_before_the_reply_and_journals_the_reply(
    server: LoopbackServer, isolated_home: Path
) -> None:
    from tests.support.ui_support import build_app, send, wait_for
    from tui.ui.screens.chat import ChatScreen

    server.enqueue(stalled_reply("A slow ", "ZQ-SLOW"))
    app = build_app(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, "First things first")
        await wait_for(lambda: server.chat_requests(), timeout=10)
        assert isinstance(app.screen, ChatScreen) and app.screen.streaming
        [data] = conversations(isolated_home)
        assert [m["content"] for m in data["messages"]] == ["First things first"]
        [journal] = journals(isolated_home)
        await wait_for(lambda: "ZQ-SLOW" in journal.read_text(), timeout=10)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
    assert journals(isolated_home) == []
    _, reply = only_conversation(isolated_home)["messages"]
    assert reply["content"] == "A slow ZQ-SLOW" and reply["finish_reason"] == "cancelled"


async def test_compare_saves_the_prompt_before_the_replies(
    server: LoopbackServer, isolated_home: Path
) -> None:
    from tests.support.ui_support import build_app, send, wait_for

    server.default = lambda request: stalled_reply("column text")
    app = build_app(server, serve_catalog=False, compare_models=["a/one", "b/two"])
    async with app.run_test(size=(150, 40)) as pilot:
        await send(pilot, "Compare this")
        await wait_for(lambda: len(server.chat_requests()) == 2, timeout=10)
        [data] = conversations(isolated_home)
        assert [m["content"] for m in data["messages"]] == ["Compare this"]
        await wait_for(lambda: len(journals(isolated_home)) == 2, timeout=10)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
    assert journals(isolated_home) == []
    messages = only_conversation(isolated_home)["messages"]
    assert sorted(m.get("column", -1) for m in messages) == [-1, 0, 1]


async def test_a_save_the_store_refuses_is_shown_and_the_app_goes_on(
    server: LoopbackServer, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.ui_support import build_app, collect_notes, send
    from tui.storage.store import ConversationStore, StoreError

    def refuse(self: ConversationStore, conversation: Conversation) -> Path:
        raise StoreError("this conversation was deleted in another window; not re-created")

    server.enqueue(Reply.sse(sse_body(*text_chunks("An answer."))))
    app = build_app(server)
    notes = collect_notes(app)
    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(ConversationStore, "save", refuse)
        await send(pilot, "hello")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("deleted in another window" in n for n in notes), notes
        assert app.is_running
    # The journal is kept for a later start (which will not re-create a deleted file).
    assert len(journals(isolated_home)) == 1


def empty_compare(with_replies: bool) -> Conversation:
    c = Conversation(id="20260101-000000-e3e3e3", title="hand-edited", model="a/one",
                     kind="compare", models=[])
    c.add(Message(role="user", content="Which is better?"))
    if with_replies:
        c.add(Message(role="assistant", content="one", model="a/one", column=0))
        c.add(Message(role="assistant", content="two", model="b/two", column=1))
    return c


@pytest.mark.parametrize("with_replies", [True, False])
async def test_a_compare_file_with_no_models_opens_and_f2_works(
    server: LoopbackServer, isolated_home: Path, with_replies: bool
) -> None:
    from tests.support.ui_support import build_app
    from tui.storage.store import ConversationStore
    from tui.ui.modals.model_picker import ModelPicker
    from tui.ui.screens.chat import ChatScreen
    from tui.ui.screens.compare import CompareScreen

    store = ConversationStore(isolated_home / "conversations")
    store.save(empty_compare(with_replies))
    loaded = store.load("20260101-000000-e3e3e3")
    assert loaded.kind == "compare" and loaded.models == []
    app = build_app(server, conversation=loaded)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        if with_replies:  # its columns come from the models its replies name
            assert isinstance(app.screen, CompareScreen)
            assert [c.model for c in app.screen.columns] == ["a/one", "b/two"]
        else:  # nothing to compare: a chat
            assert isinstance(app.screen, ChatScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ModelPicker)
        assert app.is_running
