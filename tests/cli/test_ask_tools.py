"""``cline-tui ask --tools`` end to end: the real command in a subprocess, a scripted chat
server on 127.0.0.1 that calls tools, and the test MCP server as a real process. The chat
server's recorded requests show what was sent back; the saved file what was kept."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.support.cli_support import FAKE_KEY, PROXY_VARS, cli, saved
from tests.support.loopback import LoopbackServer, Reply, sse_body, text_chunks
from tests.support.mcp_support import call_chunks, config_toml
from tui.storage.store import ConversationStore

MODEL = "test/model"
DETAILS = [{"type": "reasoning.encrypted", "data": "c2VjcmV0IHRob3VnaHRz", "index": 0}]


def setup_home(home: Path, *servers: str, tools: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(config_toml(*servers, tools=tools), encoding="utf-8")


def ask(home: Path, server: LoopbackServer, *args: str) -> Any:
    # No controlling terminal: nothing can be asked, so nothing hangs on a prompt.
    return cli(home, "ask", "-m", MODEL, *args, server=server, new_session=True, timeout=60)


def test_two_calls_run_and_their_results_go_back_with_the_reasoning_details(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_echo", "echo", {"text": "hello from a tool"}),
                                        ("call_img", "image", {}),
                                        reasoning_details=DETAILS)), piece_size=40),
        Reply.sse(sse_body(*text_chunks("The tool said ", "hello.",
                                        usage={"prompt_tokens": 150, "completion_tokens": 5,
                                               "cost": 0.002}))),
    )
    run = ask(isolated_home, server, "--tools", "--yes", "Use the tools")

    assert run.code == 0, run.stderr
    assert run.stdout == "The tool said hello.\n"
    assert 'tool echo({"text": "hello from a tool"})' in run.stderr
    assert "tool echo: done in" in run.stderr and "tool image: done in" in run.stderr
    assert "turn: 2 requests · 250 in · 25 out · $0.0030" in run.stderr

    first, second = (r.json() for r in server.chat_requests())
    offered = [tool["function"]["name"] for tool in first["tools"]]
    assert "echo" in offered and "image" in offered
    assert second["tools"] == first["tools"]
    messages = second["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool"]
    assistant = messages[1]
    assert assistant["reasoning_details"] == DETAILS
    assert [(c["id"], c["function"]["name"], json.loads(c["function"]["arguments"]))
            for c in assistant["tool_calls"]] == [
        ("call_echo", "echo", {"text": "hello from a tool"}), ("call_img", "image", {})]
    assert messages[2] == {"role": "tool", "tool_call_id": "call_echo",
                           "content": "hello from a tool"}
    assert messages[3] == {"role": "tool", "tool_call_id": "call_img",
                           "content": "[image: image/png, 70 bytes]"}

    conversation_id = run.saved_id()
    data = saved(isolated_home, conversation_id)
    roles = [m["role"] for m in data["messages"]]
    assert roles == ["user", "assistant", "tool", "tool", "assistant"]
    echo = data["messages"][2]
    assert (echo["tool_call_id"], echo["tool_name"], echo["content"]) == (
        "call_echo", "echo", "hello from a tool")
    assert isinstance(echo["duration_ms"], int) and "error" not in echo
    assert data["messages"][1]["reasoning_details"] == DETAILS
    store = ConversationStore(isolated_home / "conversations")
    loaded = store.load(conversation_id)
    store.save(loaded)
    assert store.load(conversation_id).nodes == loaded.nodes

    # Going on later (no --tools): the tool messages are sent back as they were.
    server.enqueue(Reply.sse(sse_body(*text_chunks("Yes."))))
    again = ask(isolated_home, server, "--continue", conversation_id, "Sure?")
    assert again.code == 0, again.stderr
    resent = server.chat_requests()[2].json()
    assert "tools" not in resent
    assert resent["messages"][:4] == messages
    assert [m["role"] for m in resent["messages"][4:]] == ["assistant", "user"]


def test_with_no_terminal_a_call_not_allowed_is_denied_and_the_model_told(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_1", "echo", {"text": "hi"})))),
        Reply.sse(sse_body(*text_chunks("I was not allowed."))),
    )
    run = ask(isolated_home, server, "--tools", "Echo hi")

    assert run.code == 0, run.stderr
    assert run.stdout == "I was not allowed.\n"
    assert "no terminal to ask on; use --allow echo or --yes" in run.stderr
    second = server.chat_requests()[1].json()
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1",
                                      "content": "Denied by the user."}
    tool = saved(isolated_home, run.saved_id())["messages"][2]
    assert tool["error"] is True and tool["content"] == "Denied by the user."


def test_allow_runs_a_tool_without_asking_and_tool_offers_only_what_is_named(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test", "time")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_1", "get_current_time",
                                         {"timezone": "Asia/Tokyo"})))),
        Reply.sse(sse_body(*text_chunks("Done."))),
    )
    run = ask(isolated_home, server, "--tool", "time", "--tool", "test.echo",
              "--allow", "get_current_time", "What time is it in Tokyo?")

    assert run.code == 0, run.stderr
    first, second = (r.json() for r in server.chat_requests())
    assert sorted(t["function"]["name"] for t in first["tools"]) == [
        "convert_time", "echo", "get_current_time"]
    result = json.loads(second["messages"][-1]["content"])
    assert result["timezone"] == "Asia/Tokyo"


def test_the_round_limit_ends_the_turn_and_says_so(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test", tools="rounds = 1")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_1", "echo", {"text": "one"})))),
        Reply.sse(sse_body(*call_chunks(("call_2", "echo", {"text": "two"})))),
    )
    run = ask(isolated_home, server, "--tools", "--yes", "Loop")

    assert run.code == 1, run.stderr
    assert "stopped after 1 rounds of tool calls" in run.stderr
    assert len(server.chat_requests()) == 2
    data = saved(isolated_home, run.saved_id())
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "tool", "assistant"]


def test_a_model_the_catalog_says_takes_no_tools_gets_none(
    isolated_home: Path, server: LoopbackServer
) -> None:
    import hashlib

    setup_home(isolated_home, "test")
    digest = hashlib.sha256(server.url.encode()).hexdigest()[:12]
    cache = isolated_home / "cache"
    cache.mkdir(parents=True)
    (cache / f"models-cline-{digest}.json").write_text(json.dumps({
        "fetched": time.time(),
        "models": [{"id": MODEL, "tools": False, "reasoning": True},
                   {"id": "other/model", "tools": True}],
    }))
    server.enqueue(Reply.sse(sse_body(*text_chunks("No tools here."))))
    run = ask(isolated_home, server, "--tools", "Hi")

    assert run.code == 0, run.stderr
    assert run.stderr.count("does not take tools") == 1
    assert "tools" not in server.chat_requests()[0].json()


def test_a_failed_server_is_reported_and_the_turn_goes_on(
    isolated_home: Path, server: LoopbackServer
) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "config.toml").write_text(
        '[mcp.broken]\ncommand = "no-such-mcp-server-anywhere"\n\n' + config_toml("time"))
    server.enqueue(Reply.sse(sse_body(*text_chunks("Fine."))))
    run = ask(isolated_home, server, "--tools", "Hi")

    assert run.code == 0, run.stderr
    assert "tool server broken: failed: command not found: no-such-mcp-server-anywhere" in (
        run.stderr)
    assert "get_current_time" in str(server.chat_requests()[0].json()["tools"])


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as status:
            return any(line.startswith("State:") and "Z" in line for line in status)
    except FileNotFoundError:
        return True


def test_no_orphan_server_when_ask_is_killed_mid_call(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    pid_file = tmp_path / "server.pid"
    setup_home(isolated_home, f"test:--pid-file:{pid_file}:--linger")
    server.enqueue(Reply.sse(sse_body(*call_chunks(("call_1", "slow", {"seconds": 120})))))
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env.update(CLINE_TUI_HOME=str(isolated_home), CLINE_BASE_URL=server.url,
               CLINE_API_KEY=FAKE_KEY)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "-m", MODEL, "--tools", "--yes", "Sleep"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    try:
        assert process.stderr is not None
        said = b""
        while b"tool slow(" not in said:  # wait until the call is running
            ready, _, _ = select.select([process.stderr], [], [], 60)
            chunk = os.read(process.stderr.fileno(), 4096) if ready else b""
            assert chunk, f"the slow call never started: {said.decode()}"
            said += chunk
        pid = int(pid_file.read_text())
        assert not _gone(pid)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 20
    while not _gone(pid):
        assert time.monotonic() < deadline, f"MCP server {pid} outlived the killed app"
        time.sleep(0.05)


def _with_terminal(slave: int) -> Any:
    """For ``preexec_fn``: a new session whose controlling terminal is the pty, so the
    child can open /dev/tty as a user's ``ask`` can."""
    import fcntl
    import termios

    def become_terminal_owner() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    return become_terminal_owner


def test_on_a_terminal_the_user_is_asked_and_always_covers_the_next_call(
    isolated_home: Path, server: LoopbackServer
) -> None:
    import pty

    setup_home(isolated_home, "test")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_1", "echo", {"text": "one"}),
                                        ("call_2", "echo", {"text": "two"})))),
        Reply.sse(sse_body(*call_chunks(("call_3", "fail", {})))),
        Reply.sse(sse_body(*text_chunks("Both echoed."))),
    )
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}
    env.update(CLINE_TUI_HOME=str(isolated_home), CLINE_BASE_URL=server.url,
               CLINE_API_KEY=FAKE_KEY)
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "ask", "-m", MODEL, "--tools", "Echo twice"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=_with_terminal(slave), pass_fds=(slave,))
    os.close(slave)
    shown = b""
    try:
        for answer in (b"a\n", b"n\n"):
            while shown.count(b"[y/N/a(lways)]") < (1 if answer == b"a\n" else 2):
                ready, _, _ = select.select([master], [], [], 30)
                assert ready, f"no question on the terminal: {shown!r}"
                shown += os.read(master, 4096)
            os.write(master, answer)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)

    assert process.returncode == 0, stderr.decode()
    assert stdout == b"Both echoed.\n"
    questions = shown.decode().replace("\r", "")
    assert questions.count("allow ") == 2
    assert 'allow echo({"text": "one"})? [y/N/a(lways)]' in questions
    assert 'allow fail({})? [y/N/a(lways)]' in questions  # echo was allowed for the turn
    second, third = (r.json() for r in server.chat_requests()[1:])
    assert [m["content"] for m in second["messages"][-2:]] == ["one", "two"]
    assert third["messages"][-1] == {"role": "tool", "tool_call_id": "call_3",
                                     "content": "Denied by the user."}


def test_hostile_results_reach_the_model_as_data_and_the_terminal_inert(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(
        Reply.sse(sse_body(*call_chunks(("call_1", "markup", {}),
                                        ("call_2", "fail", {"why": "\x1b]52;c;aGk=\x07 [b]x"})))),
        Reply.sse(sse_body(*text_chunks("ok"))),
    )
    run = ask(isolated_home, server, "--tools", "--yes", "Go")

    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stderr and "\x07" not in run.stderr
    assert "tool fail: error" in run.stderr
    sent = server.chat_requests()[1].json()["messages"]
    assert sent[-2]["content"] == "[@click=app.quit]quit[/] \x1b[31mred\x1b[0m"
    assert "failed on purpose: \x1b]52;c;aGk=\x07 [b]x" in sent[-1]["content"]
    description = next(t["function"]["description"] for t in
                       server.chat_requests()[0].json()["tools"]
                       if t["function"]["name"] == "markup")
    assert description == "[bold red]Markup[/] and \x1b]52;c;aGk=\x07 escapes."
    tool = saved(isolated_home, run.saved_id())["messages"][2]
    assert tool["content"] == "[@click=app.quit]quit[/] \x1b[31mred\x1b[0m"


def test_a_reply_that_is_not_streamed_calls_tools_too_even_without_call_ids(
    isolated_home: Path, server: LoopbackServer
) -> None:
    setup_home(isolated_home, "test")
    server.enqueue(
        Reply.json({"id": "gen-1", "model": MODEL, "choices": [{
            "index": 0, "finish_reason": "tool_calls",
            "message": {"role": "assistant", "content": None, "tool_calls": [
                {"type": "function", "function": {"name": "echo",
                                                  "arguments": '{"text": "unstreamed"}'}}]},
        }]}),
        Reply.json({"id": "gen-2", "model": MODEL, "choices": [{
            "index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Heard it."}}]}),
    )
    run = ask(isolated_home, server, "--no-stream", "--tools", "--yes", "Echo")

    assert run.code == 0, run.stderr
    assert run.stdout == "Heard it.\n"
    messages = server.chat_requests()[1].json()["messages"]
    call_id = messages[1]["tool_calls"][0]["id"]
    assert call_id.startswith("call_")
    assert messages[2] == {"role": "tool", "tool_call_id": call_id, "content": "unstreamed"}


def test_servers_are_stopped_when_ask_ends(
    isolated_home: Path, server: LoopbackServer, tmp_path: Path
) -> None:
    pid_file = tmp_path / "server.pid"
    # --linger: it does not leave when its stdin closes; ask must end it all the same.
    setup_home(isolated_home, f"test:--pid-file:{pid_file}:--linger")
    server.enqueue(Reply.sse(sse_body(*text_chunks("No tools needed."))))
    run = ask(isolated_home, server, "--tools", "Hi")

    assert run.code == 0, run.stderr
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 20
    while not _gone(pid):
        assert time.monotonic() < deadline, f"MCP server {pid} outlived ask"
        time.sleep(0.05)
